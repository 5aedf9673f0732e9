package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads one report from a stream of JSON tokens ({@link ReportScanner}'s for speed, else Jackson's
 * streaming parser, see {@link ReportJson#read(byte[], String, Consumer)}) and hands it to a
 * {@link ReportSink}, which builds the result: every field is read and checked here, once, for
 * the report read whole and the one streamed into a recording alike.
 *
 * <p>Three shapes are accepted: the current document ({@code schema_version: 1}); the Go
 * prototype's pod document (the same without {@code schema_version}, image fields and container
 * ids); and the single-container object with top-level {@code files}, read as a document with one
 * container. Unknown fields are skipped.
 */
final class ReportReader<F extends PathCollector, C, R> {
    private final JsonSource parser;
    private final String source;
    private final ReportSink<F, C, R> sink;
    private final boolean keepsAll;
    /* the few distinct texts of access kinds, each parsed once, so an entry costs no String */
    private final List<String> accessTexts = new ArrayList<>();
    private final List<Integer> accessBits = new ArrayList<>(); // small values: Integer's cache, no boxes

    ReportReader(JsonSource parser, String source, ReportSink<F, C, R> sink) {
        this.parser = parser;
        this.source = source;
        this.sink = sink;
        this.keepsAll = sink.keepsReportOnlyFields();
    }

    /** Reads a whole {@link Report}, with {@code warnings} about what had to be fixed. */
    static Report readReport(JsonSource parser, String source, Consumer<String> warnings) throws IOException {
        return new ReportReader<>(parser, source, new WholeReportSink(source, warnings)).read();
    }

    R read() throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw fail("empty file");
        }
        if (first != JsonToken.START_OBJECT) {
            throw fail("not a report: expected a JSON object, found " + JsonMessages.describe(first));
        }
        Integer schemaVersion = null;
        String podName = null;
        String namespace = null;
        Map<String, String> labels = Map.of();
        int mergedReports = 0;
        List<C> containers = null;
        RecordingInfo recording = null;
        ContainerFields<F> top = new ContainerFields<>(true); // shared with the single-container shape

        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "schema_version" -> schemaVersion = parser.currentToken() == JsonToken.VALUE_NULL
                        ? null : checkVersion((int) readCount(field, Integer.MAX_VALUE));
                case "pod_name" -> podName = readString(field);
                case "namespace" -> namespace = readString(field);
                case "labels" -> labels = keepsAll ? readLabels(field) : skip(labels);
                case "merged_reports" -> mergedReports = keepsAll ? (int) readCount(field, Integer.MAX_VALUE) : skip(0);
                case "containers" -> containers = readContainers();
                case "recording" -> recording = keepsAll ? readRecording(field) : skip(null);
                default -> {
                    if (!readContainerField(field, top)) {
                        parser.skipChildren();
                    }
                }
            }
        }
        if (parser.nextToken() != null) {
            throw fail("unexpected content after the report object");
        }
        if (containers != null && top.files != null) {
            throw fail("not a report: has both 'containers' and 'files'");
        }
        if (containers == null && top.files == null) {
            throw fail("not a report: no 'containers' or 'files' field");
        }
        if (containers == null) {
            containers = List.of(sink.container(top));
        }
        return sink.report(new ReportFields(schemaVersion == null ? Report.SCHEMA_VERSION : schemaVersion, podName,
                namespace, labels, mergedReports, recording), top, containers);
    }

    /** Skips the current value unread, for a field the sink does not keep; {@code value} stays. */
    private <T> T skip(T value) throws IOException {
        parser.skipChildren();
        return value;
    }

    /** Refuses a version this code cannot read, before its fields are misread. */
    private int checkVersion(int version) {
        if (version > Report.SCHEMA_VERSION) {
            throw fail("schema_version " + version + " is newer than this snoop reads ("
                    + Report.SCHEMA_VERSION + "); upgrade snoop");
        }
        if (version < 1) {
            throw fail("schema_version " + version + " is not a valid version");
        }
        return version;
    }

    private List<C> readContainers() throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        expect(JsonToken.START_ARRAY, "'containers' must be a list of objects");
        List<C> list = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.START_OBJECT) {
                throw failHere("'containers' must be a list of objects, found " + JsonMessages.describe(token));
            }
            ContainerFields<F> c = new ContainerFields<>(false);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (!readContainerField(field, c)) {
                    parser.skipChildren(); // "complete" too: it is derived from the counters
                }
            }
            list.add(sink.container(c));
        }
        return list;
    }

    /**
     * Reads {@code field} into {@code c} if it is a container's; false leaves it to the caller. At
     * the top level (the single-container shape) only the identity, counters, timestamps and files
     * are.
     */
    private boolean readContainerField(String field, ContainerFields<F> c) throws IOException {
        switch (field) {
            case "name" -> c.name = orEmpty(readString(field));
            case "container_id" -> c.containerId = readString(field);
            case "cgroup_id" -> c.cgroupId = readCount(field, Long.MAX_VALUE);
            case "cgroup_path" -> c.cgroupPath = readString(field);
            case "image_ref" -> c.imageRef = readString(field);
            case "image_digest" -> c.imageDigest = readString(field);
            case "started_at" -> c.startedAt = readInstant(field);
            case "last_updated_at" -> c.lastUpdatedAt = readInstant(field);
            case "total_events" -> c.totalEvents = readCount(field, Long.MAX_VALUE);
            case "dropped_events" -> c.droppedEvents = readCount(field, Long.MAX_VALUE);
            case "files" -> c.files = readFiles(field);
            default -> {
                return !c.topLevel && readListedContainerField(field, c);
            }
        }
        return true;
    }

    /** The fields only an entry of {@code containers} has. */
    private boolean readListedContainerField(String field, ContainerFields<F> c) throws IOException {
        switch (field) {
            case "seen_in" -> c.seenIn = keepsAll ? readCounts(field) : skip(null);
            case "access" -> readAccess(field, c);
            case "failed_path_reads" -> c.failedPathReads = readCount(field, Long.MAX_VALUE);
            case "unresolved_paths" -> c.unresolvedPaths = readCount(field, Long.MAX_VALUE);
            case "last_new_file_at" -> c.lastNewFileAt = readInstant(field);
            default -> {
                return false;
            }
        }
        return true;
    }

    private RecordingInfo readRecording(String field) throws IOException {
        expect(JsonToken.START_OBJECT, "'" + field + "' must be an object");
        String version = null;
        String kernel = null;
        String attachment = null;
        String programSet = null;
        List<String> notSeen = List.of();
        List<String> probes = List.of();
        Map<String, String> skipped = Map.of();
        List<String> blindSpots = List.of();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            switch (name) {
                case "snoop_version" -> version = readString(name);
                case "kernel_release" -> kernel = readString(name);
                case "attachment" -> attachment = readString(name);
                case "program_set" -> programSet = readString(name);
                case "not_seen" -> notSeen = readStrings(name);
                case "probes" -> probes = readStrings(name);
                case "skipped_probes" -> skipped = readLabels(name);
                case "blind_spots" -> blindSpots = readStrings(name);
                default -> parser.skipChildren();
            }
        }
        return new RecordingInfo(version, kernel, attachment, programSet, notSeen, probes, skipped, blindSpots);
    }

    private List<String> readStrings(String field) throws IOException {
        expect(JsonToken.START_ARRAY, "'" + field + "' must be a list of strings");
        List<String> strings = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.VALUE_STRING) {
                throw failHere("'" + field + "' must be a list of strings, found " + JsonMessages.describe(token));
            }
            strings.add(text(field));
        }
        return strings;
    }

    private F readFiles(String field) throws IOException {
        F collector = sink.newFiles();
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return collector; // Go writes a nil slice as null
        }
        expect(JsonToken.START_ARRAY, "'" + field + "' must be a list of strings");
        try {
            if (parser.addAllTo(collector)) {
                return collector;
            }
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token != JsonToken.VALUE_STRING) {
                    throw failHere("'" + field + "' must be a list of strings, found " + JsonMessages.describe(token));
                }
                parser.addTextTo(collector);
            }
        } catch (FileCollector.Refused e) {
            throw failHere("'" + field + "': " + e.getMessage());
        }
        return collector;
    }

    /**
     * Reads {@code access} into one byte of {@link AccessKind} bits per entry. An entry that is no
     * kind is noted, not refused: the kinds are ignored (with a warning) beside a list that was
     * reordered, and then so is a bad one.
     */
    private void readAccess(String field, ContainerFields<F> c) throws IOException {
        expect(JsonToken.START_ARRAY, "'" + field + "' must be a list of strings");
        byte[] bits = new byte[c.files == null ? 64 : Math.max(16, c.files.size())]; // one entry a path, as written
        int n = 0;
        SnoopException error = null;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.VALUE_STRING) {
                throw failHere("'" + field + "' must be a list of strings, found " + JsonMessages.describe(token));
            }
            if (n == bits.length) {
                bits = Arrays.copyOf(bits, 2 * n);
            }
            int kind = knownAccessBits();
            if (kind < 0) {
                String text = text(field);
                try {
                    kind = AccessKind.bits(text);
                    if (accessTexts.size() < 64) {
                        accessTexts.add(text);
                        accessBits.add(kind);
                    }
                } catch (IllegalArgumentException e) {
                    error = error != null ? error : fail("'access' entry " + n + ": " + e.getMessage());
                    kind = 0;
                }
            }
            bits[n++] = (byte) kind;
        }
        c.access = n == bits.length ? bits : Arrays.copyOf(bits, n);
        c.accessError = error;
    }

    /** The bits of the current access text if it is one already parsed, else -1. */
    private int knownAccessBits() throws IOException {
        for (int i = 0; i < accessTexts.size(); i++) {
            if (parser.textEquals(accessTexts.get(i))) {
                return accessBits.get(i);
            }
        }
        return -1;
    }

    private int[] readCounts(String field) throws IOException {
        expect(JsonToken.START_ARRAY, "'" + field + "' must be a list of counts");
        int[] counts = new int[16];
        int n = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (n == counts.length) {
                counts = Arrays.copyOf(counts, 2 * n);
            }
            counts[n++] = (int) readCount(field, Integer.MAX_VALUE);
        }
        return Arrays.copyOf(counts, n);
    }

    private Map<String, String> readLabels(String field) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        expect(JsonToken.START_OBJECT, "'" + field + "' must be an object of strings");
        Map<String, String> labels = new TreeMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                throw failHere("label '" + key + "' must be a string, found " + JsonMessages.describe(parser.currentToken()));
            }
            if (FileCollector.loneSurrogate(key) >= 0) {
                throw failHere("a key of '" + field + "' holds a lone surrogate, which is no character");
            }
            labels.put(key, text(key));
        }
        return labels;
    }

    private String readString(String field) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw failHere("'" + field + "' must be a string, found " + JsonMessages.describe(token));
        }
        return text(field);
    }

    /**
     * The current string, refused if it holds a lone surrogate (JSON's {@code "\\ud800"}): that is
     * no character, has no UTF-8 bytes, and would be written back as '?'.
     */
    private String text(String field) throws IOException {
        String text = parser.getText();
        int at = FileCollector.loneSurrogate(text);
        if (at >= 0) {
            throw failHere("'" + field + "' holds a lone surrogate (\\u" + Integer.toHexString(text.charAt(at))
                    + "), which is no character and has no UTF-8 bytes");
        }
        return text;
    }

    private long readCount(String field, long max) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return 0;
        }
        if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw failHere("'" + field + "' must be a whole number, found " + JsonMessages.describe(token));
        }
        long value = parser.getLongValue();
        if (value < 0 || value > max) {
            throw failHere("'" + field + "' is out of range: " + value);
        }
        return value;
    }

    private Instant readInstant(String field) throws IOException {
        String text = readString(field);
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return ReportTimestamps.parse(text);
        } catch (DateTimeParseException e) {
            throw failHere("'" + field + "' is not an RFC 3339 timestamp: '" + text + "'");
        }
    }

    private void expect(JsonToken expected, String message) throws IOException {
        if (parser.currentToken() != expected) {
            throw failHere(message + ", found " + JsonMessages.describe(parser.currentToken()));
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private SnoopException fail(String message) {
        return new SnoopException(source + ": " + message);
    }

    private SnoopException failHere(String message) {
        return new SnoopException(source + ": " + message + " " + JsonMessages.where(parser.currentTokenLocation()));
    }
}
