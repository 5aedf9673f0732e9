package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.PathNormalizer;
import dev.snoop.core.path.PathSet;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A report read as a stream straight into one {@link PathSet} per container, for a recorder that
 * continues it (a restarted sidecar). Unlike {@link ReportJson#read(Path, java.util.function.Consumer)}
 * the document is never held: Jackson reads the file through an 8 KB buffer, each path goes from
 * the parser's characters into the set without a String, and the {@code access} kinds become one
 * value per path. Reading a 100,000-file report this way peaks at the sets themselves, not at the
 * file's bytes, their slices and a String per access kind beside them (docs/performance.md).
 *
 * <p>The fields and their meaning are those {@link ReportReader} reads, for the current document,
 * the Go prototype's and the single-container shape; what a recording does not keep ({@code
 * seen_in}, labels, the recording block) is skipped. As there, {@code access} applies only beside a
 * list that was sorted and unique; paths that are not normalized are normalized (a relative one
 * against {@code /}), empty ones dropped.
 */
public final class StreamedReport {
    private final String podName;
    private final String namespace;
    private final Instant startedAt;
    private final List<Container> containers;
    private final long fileCount;

    /**
     * One container of the report.
     *
     * @param files its paths, each with its access bits ({@link AccessKind}) as the value; handed
     *     over to whoever continues the recording, not copied
     */
    public record Container(String name, String containerId, long cgroupId, String cgroupPath, String imageRef,
            String imageDigest, Instant startedAt, Instant lastUpdatedAt, long totalEvents, long droppedEvents,
            Completeness completeness, PathSet files) {}

    private StreamedReport(String podName, String namespace, Instant startedAt, List<Container> containers) {
        this.podName = podName;
        this.namespace = namespace;
        this.startedAt = startedAt;
        this.containers = List.copyOf(containers);
        this.fileCount = containers.stream().mapToLong(c -> c.files().size()).sum();
    }

    public String podName() {
        return podName;
    }

    public String namespace() {
        return namespace;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public List<Container> containers() {
        return containers;
    }

    /** Unique files over all containers, as read. */
    public long fileCount() {
        return fileCount;
    }

    /**
     * @throws SnoopException if the file is not a report (with the reason, as ReportJson words it)
     * @throws IOException if it cannot be read
     */
    public static StreamedReport read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file);
                JsonParser parser = ReportJson.Jackson.FACTORY.createParser(in)) {
            return new Reader(parser, file.toString()).read();
        } catch (JsonProcessingException | CharConversionException e) {
            throw ReportJson.notJson(file.toString(), e);
        }
    }

    /** One pass over the tokens; the state of the container being read lives in {@link ContainerState}. */
    private static final class Reader {
        private final JsonParser parser;
        private final String source;
        /** The current path as UTF-8, and the one before it, for the order check. */
        private byte[] path = new byte[256];
        private byte[] previous = new byte[256];
        private int previousLength = -1;
        private final List<String> accessTexts = new ArrayList<>();
        private final List<Integer> accessBits = new ArrayList<>(); // small values: Integer's cache, no boxes

        Reader(JsonParser parser, String source) {
            this.parser = parser;
            this.source = source;
        }

        StreamedReport read() throws IOException {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw fail("empty file");
            }
            if (first != JsonToken.START_OBJECT) {
                throw fail("not a report: expected a JSON object, found " + ReportReader.describe(first));
            }
            String podName = null;
            String namespace = null;
            List<Container> containers = null;
            boolean sawContainers = false;
            ContainerState single = new ContainerState(); // the single-container shape's top-level fields
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "schema_version" -> {
                        if (parser.currentToken() != JsonToken.VALUE_NULL) {
                            checkVersion(readCount(field, Integer.MAX_VALUE));
                        }
                    }
                    case "pod_name" -> podName = readString(field);
                    case "namespace" -> namespace = readString(field);
                    case "containers" -> {
                        sawContainers = true;
                        containers = readContainers();
                    }
                    default -> {
                        if (!single.read(field, this)) {
                            parser.skipChildren();
                        }
                    }
                }
            }
            if (parser.nextToken() != null) {
                throw fail("unexpected content after the report object");
            }
            if (sawContainers && single.files != null) {
                throw fail("not a report: has both 'containers' and 'files'");
            }
            if (!sawContainers && single.files == null) {
                throw fail("not a report: no 'containers' or 'files' field");
            }
            if (!sawContainers) {
                containers = List.of(single.finish(false));
            }
            return new StreamedReport(podName, namespace, single.startedAt, containers);
        }

        private List<Container> readContainers() throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_NULL) {
                return List.of();
            }
            expect(JsonToken.START_ARRAY, "'containers' must be a list of objects");
            List<Container> list = new ArrayList<>();
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token != JsonToken.START_OBJECT) {
                    throw failHere("'containers' must be a list of objects, found " + ReportReader.describe(token));
                }
                ContainerState c = new ContainerState();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    if (!c.read(field, this)) {
                        parser.skipChildren(); // seen_in, complete and anything unknown
                    }
                }
                list.add(c.finish(true));
            }
            return list;
        }

        /**
         * Reads a {@code files} list into {@code c}'s set, noting whether every path came after the
         * one before it (once normalized), which is when the {@code access} list lines up with it.
         */
        void readFiles(ContainerState c, String field) throws IOException {
            c.files = new PathSet();
            c.refs = new int[16];
            c.kept = true;
            previousLength = -1;
            if (parser.currentToken() == JsonToken.VALUE_NULL) {
                return; // Go writes a nil slice as null
            }
            expect(JsonToken.START_ARRAY, "'" + field + "' must be a list of strings");
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token != JsonToken.VALUE_STRING) {
                    throw failHere("'" + field + "' must be a list of strings, found " + ReportReader.describe(token));
                }
                int length = utf8(field);
                if (!PathNormalizer.isNormalized(path, 0, length)) {
                    String normalized;
                    try {
                        normalized = PathNormalizer.normalize(new String(path, 0, length, StandardCharsets.UTF_8), "/");
                    } catch (IllegalArgumentException e) {
                        c.kept = false; // empty or with a NUL, dropped as FileCollector drops it: the kinds no longer line up
                        continue;
                    }
                    byte[] bytes = normalized.getBytes(StandardCharsets.UTF_8);
                    if (path.length < bytes.length) {
                        path = new byte[bytes.length]; // a relative path got its leading '/'
                    }
                    System.arraycopy(bytes, 0, path, 0, bytes.length);
                    length = bytes.length;
                }
                try {
                    FileCollector.checkLength(path, 0, length);
                } catch (FileCollector.Refused e) {
                    throw failHere("'" + field + "': " + e.getMessage());
                }
                // as FileCollector.keptOrder: the kinds apply while every path comes after the one before
                c.kept &= previousLength < 0 || Arrays.compareUnsigned(previous, 0, previousLength, path, 0, length) < 0;
                remember(length);
                int ref = c.files.addRef(path, 0, length);
                if (c.count == c.refs.length) {
                    c.refs = Arrays.copyOf(c.refs, 2 * c.refs.length);
                }
                c.refs[c.count++] = ref;
            }
        }

        private void remember(int length) {
            if (previous.length < length) {
                previous = new byte[Math.max(length, 2 * previous.length)];
            }
            System.arraycopy(path, 0, previous, 0, length);
            previousLength = length;
        }

        /** Reads {@code access} into one byte per entry. */
        byte[] readAccess(String field) throws IOException {
            expect(JsonToken.START_ARRAY, "'" + field + "' must be a list of strings");
            byte[] bits = new byte[64];
            int n = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token != JsonToken.VALUE_STRING) {
                    throw failHere("'" + field + "' must be a list of strings, found " + ReportReader.describe(token));
                }
                if (n == bits.length) {
                    bits = Arrays.copyOf(bits, 2 * n);
                }
                bits[n] = (byte) accessBits(n);
                n++;
            }
            return Arrays.copyOf(bits, n);
        }

        /** The bits of the current access text; the few distinct texts are parsed once each, without a String per entry. */
        private int accessBits(int index) throws IOException {
            char[] chars = parser.getTextCharacters();
            int offset = parser.getTextOffset();
            int length = parser.getTextLength();
            for (int i = 0; i < accessTexts.size(); i++) {
                String known = accessTexts.get(i);
                if (sameText(known, chars, offset, length)) {
                    return accessBits.get(i);
                }
            }
            String text = new String(chars, offset, length);
            int bits;
            try {
                bits = AccessKind.bits(text);
            } catch (IllegalArgumentException e) {
                throw fail("'access' entry " + index + ": " + e.getMessage());
            }
            if (accessTexts.size() < 64) {
                accessTexts.add(text);
                accessBits.add(bits);
            }
            return bits;
        }

        private static boolean sameText(String known, char[] chars, int offset, int length) {
            if (known.length() != length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (known.charAt(i) != chars[offset + i]) {
                    return false;
                }
            }
            return true;
        }

        /** The current string value as UTF-8 in {@link #path}; its length. */
        private int utf8(String field) throws IOException {
            char[] chars = parser.getTextCharacters();
            int offset = parser.getTextOffset();
            int length = parser.getTextLength();
            if (path.length < 3 * length) {
                path = new byte[Math.max(3 * length, 2 * path.length)];
            }
            for (int i = 0; i < length; i++) {
                char ch = chars[offset + i];
                if (ch >= 0x80) {
                    return utf8Slow(field, new String(chars, offset, length));
                }
                path[i] = (byte) ch;
            }
            return length;
        }

        private int utf8Slow(String field, String text) {
            int at = FileCollector.loneSurrogate(text);
            if (at >= 0) {
                throw failHere("'" + field + "': path " + dev.snoop.core.path.QuotedPaths.quote(text)
                        + " holds a lone surrogate (\\u" + Integer.toHexString(text.charAt(at))
                        + "), which is no character and has no UTF-8 bytes");
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(bytes, 0, path, 0, bytes.length);
            return bytes.length;
        }

        private void checkVersion(long version) {
            if (version > Report.SCHEMA_VERSION) {
                throw fail("schema_version " + version + " is newer than this snoop reads ("
                        + Report.SCHEMA_VERSION + "); upgrade snoop");
            }
            if (version < 1) {
                throw fail("schema_version " + version + " is not a valid version");
            }
        }

        String readString(String field) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_NULL) {
                return null;
            }
            if (token != JsonToken.VALUE_STRING) {
                throw failHere("'" + field + "' must be a string, found " + ReportReader.describe(token));
            }
            String text = parser.getText();
            int at = FileCollector.loneSurrogate(text);
            if (at >= 0) {
                throw failHere("'" + field + "' holds a lone surrogate (\\u" + Integer.toHexString(text.charAt(at))
                        + "), which is no character and has no UTF-8 bytes");
            }
            return text;
        }

        long readCount(String field, long max) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_NULL) {
                return 0;
            }
            if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw failHere("'" + field + "' must be a whole number, found " + ReportReader.describe(token));
            }
            long value = parser.getLongValue();
            if (value < 0 || value > max) {
                throw failHere("'" + field + "' is out of range: " + value);
            }
            return value;
        }

        Instant readInstant(String field) throws IOException {
            String text = readString(field);
            if (text == null || text.isEmpty()) {
                return null;
            }
            try {
                Instant instant = ReportReader.parseUtcSeconds(text);
                if (instant == null) {
                    instant = OffsetDateTime.parse(text).toInstant();
                }
                return instant.equals(GO_ZERO_TIME) ? null : instant; // Go's zero time.Time: never set
            } catch (DateTimeParseException e) {
                throw failHere("'" + field + "' is not an RFC 3339 timestamp: '" + text + "'");
            }
        }

        private void expect(JsonToken expected, String message) {
            if (parser.currentToken() != expected) {
                throw failHere(message + ", found " + ReportReader.describe(parser.currentToken()));
            }
        }

        SnoopException fail(String message) {
            return new SnoopException(source + ": " + message);
        }

        SnoopException failHere(String message) {
            return new SnoopException(source + ": " + message + " " + ReportReader.where(parser.currentTokenLocation()));
        }
    }

    private static final Instant GO_ZERO_TIME = Instant.ofEpochSecond(-62_135_596_800L);

    /** The fields of one container while it is read. */
    private static final class ContainerState {
        String name = "";
        String containerId;
        long cgroupId;
        String cgroupPath;
        String imageRef;
        String imageDigest;
        Instant startedAt;
        Instant lastUpdatedAt;
        long totalEvents;
        long droppedEvents;
        Long failedPathReads;
        long unresolvedPaths;
        Instant lastNewFileAt;
        PathSet files;
        int[] refs;
        int count;
        boolean kept;
        byte[] access;

        /** Reads {@code field} if it is a container's; false leaves it to the caller. */
        boolean read(String field, Reader r) throws IOException {
            switch (field) {
                case "name" -> {
                    String given = r.readString(field);
                    name = given == null ? "" : given;
                }
                case "container_id" -> containerId = r.readString(field);
                case "cgroup_id" -> cgroupId = r.readCount(field, Long.MAX_VALUE);
                case "cgroup_path" -> cgroupPath = r.readString(field);
                case "image_ref" -> imageRef = r.readString(field);
                case "image_digest" -> imageDigest = r.readString(field);
                case "started_at" -> startedAt = r.readInstant(field);
                case "last_updated_at" -> lastUpdatedAt = r.readInstant(field);
                case "total_events" -> totalEvents = r.readCount(field, Long.MAX_VALUE);
                case "dropped_events" -> droppedEvents = r.readCount(field, Long.MAX_VALUE);
                case "files" -> r.readFiles(this, field);
                case "access" -> access = r.readAccess(field);
                case "failed_path_reads" -> failedPathReads = r.readCount(field, Long.MAX_VALUE);
                case "unresolved_paths" -> unresolvedPaths = r.readCount(field, Long.MAX_VALUE);
                case "last_new_file_at" -> lastNewFileAt = r.readInstant(field);
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** The container, its kinds of access set on its paths if they line up with the list as written. */
        Container finish(boolean withCompleteness) {
            PathSet set = files == null ? new PathSet() : files;
            if (access != null && files != null && kept && access.length == count) {
                for (int i = 0; i < count; i++) {
                    set.setValue(refs[i], access[i]);
                }
            }
            refs = null;
            Completeness completeness = !withCompleteness || failedPathReads == null ? null
                    : new Completeness(failedPathReads, unresolvedPaths, lastNewFileAt);
            return new Container(name, containerId, cgroupId, cgroupPath, imageRef, imageDigest, startedAt, lastUpdatedAt,
                    totalEvents, droppedEvents, completeness, set);
        }
    }
}
