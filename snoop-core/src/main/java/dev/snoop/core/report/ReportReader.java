package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.path.SortedPathsBuilder;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads one report from a stream of JSON tokens: {@link ReportScanner}'s for speed, else Jackson's
 * streaming parser (see {@link ReportJson#read(byte[], String, Consumer)}).
 *
 * <p>Three shapes are accepted: the current document ({@code schema_version: 1}); the Go
 * prototype's pod document (the same without {@code schema_version}, image fields and container
 * ids); and the single-container object with top-level {@code files}, read as a document with one
 * container. Unknown fields are skipped.
 */
final class ReportReader {
    private final JsonSource parser;
    private final String source;
    private final Consumer<String> warnings;

    ReportReader(JsonSource parser, String source, Consumer<String> warnings) {
        this.parser = parser;
        this.source = source;
        this.warnings = warnings;
    }

    Report read() throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw fail("empty file");
        }
        if (first != JsonToken.START_OBJECT) {
            throw fail("not a report: expected a JSON object, found " + describe(first));
        }
        Integer schemaVersion = null;
        String podName = null;
        String namespace = null;
        Map<String, String> labels = Map.of();
        Instant startedAt = null;
        Instant lastUpdatedAt = null;
        long totalEvents = 0;
        long droppedEvents = 0;
        int mergedReports = 0;
        List<ContainerReport> containers = null;
        // fields of the single-container shape
        String name = "";
        String containerId = null;
        String imageRef = null;
        String imageDigest = null;
        long cgroupId = 0;
        String cgroupPath = null;
        FileCollector files = null;
        RecordingInfo recording = null;

        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "schema_version" -> schemaVersion = parser.currentToken() == JsonToken.VALUE_NULL
                        ? null : checkVersion((int) readCount(field, Integer.MAX_VALUE));
                case "pod_name" -> podName = readString(field);
                case "namespace" -> namespace = readString(field);
                case "labels" -> labels = readLabels(field);
                case "started_at" -> startedAt = readInstant(field);
                case "last_updated_at" -> lastUpdatedAt = readInstant(field);
                case "total_events" -> totalEvents = readCount(field, Long.MAX_VALUE);
                case "dropped_events" -> droppedEvents = readCount(field, Long.MAX_VALUE);
                case "merged_reports" -> mergedReports = (int) readCount(field, Integer.MAX_VALUE);
                case "containers" -> containers = readContainers();
                case "recording" -> recording = readRecording(field);
                case "name" -> name = orEmpty(readString(field));
                case "container_id" -> containerId = readString(field);
                case "image_ref" -> imageRef = readString(field);
                case "image_digest" -> imageDigest = readString(field);
                case "cgroup_id" -> cgroupId = readCount(field, Long.MAX_VALUE);
                case "cgroup_path" -> cgroupPath = readString(field);
                case "files" -> files = readFiles(field);
                default -> parser.skipChildren();
            }
        }
        if (parser.nextToken() != null) {
            throw fail("unexpected content after the report object");
        }
        if (containers != null && files != null) {
            throw fail("not a report: has both 'containers' and 'files'");
        }
        if (containers == null && files == null) {
            throw fail("not a report: no 'containers' or 'files' field");
        }
        if (containers == null) {
            ContainerReport only = new ContainerReport(name, containerId, cgroupId, cgroupPath, imageRef,
                    imageDigest, startedAt, lastUpdatedAt, totalEvents, droppedEvents, files.paths());
            files.warn(source, warnings);
            containers = List.of(only);
        }
        return new Report(schemaVersion == null ? Report.SCHEMA_VERSION : schemaVersion, podName, namespace,
                labels, startedAt, lastUpdatedAt, totalEvents, droppedEvents, mergedReports, containers, recording);
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

    private List<ContainerReport> readContainers() throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        expect(JsonToken.START_ARRAY, "'containers' must be a list of objects");
        List<ContainerReport> list = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.START_OBJECT) {
                throw failHere("'containers' must be a list of objects, found " + describe(token));
            }
            list.add(readContainer());
        }
        return list;
    }

    private ContainerReport readContainer() throws IOException {
        String name = "";
        String containerId = null;
        long cgroupId = 0;
        String cgroupPath = null;
        String imageRef = null;
        String imageDigest = null;
        Instant startedAt = null;
        Instant lastUpdatedAt = null;
        long totalEvents = 0;
        long droppedEvents = 0;
        FileCollector files = null;
        List<Integer> seenIn = null;
        List<String> access = null;
        Long failedPathReads = null;
        long unresolvedPaths = 0;
        Instant lastNewFileAt = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "name" -> name = orEmpty(readString(field));
                case "container_id" -> containerId = readString(field);
                case "cgroup_id" -> cgroupId = readCount(field, Long.MAX_VALUE);
                case "cgroup_path" -> cgroupPath = readString(field);
                case "image_ref" -> imageRef = readString(field);
                case "image_digest" -> imageDigest = readString(field);
                case "started_at" -> startedAt = readInstant(field);
                case "last_updated_at" -> lastUpdatedAt = readInstant(field);
                case "total_events" -> totalEvents = readCount(field, Long.MAX_VALUE);
                case "dropped_events" -> droppedEvents = readCount(field, Long.MAX_VALUE);
                case "files" -> files = readFiles(field);
                case "seen_in" -> seenIn = readCounts(field);
                case "access" -> access = readStrings(field);
                case "failed_path_reads" -> failedPathReads = readCount(field, Long.MAX_VALUE);
                case "unresolved_paths" -> unresolvedPaths = readCount(field, Long.MAX_VALUE);
                case "last_new_file_at" -> lastNewFileAt = readInstant(field);
                default -> parser.skipChildren(); // "complete" too: it is derived from the counters
            }
        }
        SortedPaths paths = files == null ? SortedPaths.empty() : files.paths();
        Completeness completeness = failedPathReads == null ? null
                : new Completeness(failedPathReads, unresolvedPaths, lastNewFileAt);
        ContainerReport container = new ContainerReport(name, containerId, cgroupId, cgroupPath, imageRef,
                imageDigest, startedAt, lastUpdatedAt, totalEvents, droppedEvents, paths, null, completeness);
        if (access != null) {
            container = withAccess(container, files, access);
        }
        if (files != null) {
            files.warn(source + ": container '" + container.label() + "'", warnings);
        }
        if (seenIn != null) {
            paths = withCounts(container, paths, seenIn, files == null || files.keptOrder());
            container = container.withFiles(paths).withAccess(container.access()); // same paths, same order
        }
        return container;
    }

    /** Attaches {@code access} kinds, which are by index and so only meaningful beside an unchanged list. */
    private ContainerReport withAccess(ContainerReport container, FileCollector files, List<String> access) {
        int size = container.files().size();
        if (files == null || !files.keptOrder() || access.size() != size) {
            warnings.accept(source + ": container '" + container.label() + "': ignored 'access' (" + access.size()
                    + " entries for " + size + " files" + (files != null && !files.keptOrder() ? ", which were reordered" : "") + ")");
            return container;
        }
        byte[] bits = new byte[size];
        for (int i = 0; i < size; i++) {
            try {
                bits[i] = (byte) AccessKind.bits(access.get(i));
            } catch (IllegalArgumentException e) {
                throw fail("'access' entry " + i + ": " + e.getMessage());
            }
        }
        return container.withAccess(FileAccess.of(bits, size));
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
                throw failHere("'" + field + "' must be a list of strings, found " + describe(token));
            }
            strings.add(text(field));
        }
        return strings;
    }

    /** Re-attaches {@code seen_in} counts, which are only meaningful beside an unchanged list. */
    private SortedPaths withCounts(ContainerReport container, SortedPaths paths, List<Integer> seenIn, boolean aligned) {
        if (!aligned) {
            warnings.accept(source + ": container '" + container.label() + "': ignored 'seen_in' (files were not sorted and unique)");
            return paths;
        }
        if (seenIn.size() != paths.size()) {
            warnings.accept(source + ": container '" + container.label() + "': ignored 'seen_in' ("
                    + seenIn.size() + " counts for " + paths.size() + " files)");
            return paths;
        }
        SortedPathsBuilder builder = SortedPaths.builder();
        SortedPaths.Cursor cursor = paths.cursor();
        int i = 0;
        while (cursor.next()) {
            builder.appendIfAscending(cursor.bytes(), cursor.length(), seenIn.get(i++));
        }
        return builder.build(true);
    }

    private FileCollector readFiles(String field) throws IOException {
        FileCollector collector = new FileCollector();
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
                    throw failHere("'" + field + "' must be a list of strings, found " + describe(token));
                }
                parser.addTextTo(collector);
            }
        } catch (FileCollector.Refused e) {
            throw failHere("'" + field + "': " + e.getMessage());
        }
        return collector;
    }

    private List<Integer> readCounts(String field) throws IOException {
        expect(JsonToken.START_ARRAY, "'" + field + "' must be a list of counts");
        List<Integer> counts = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            counts.add((int) readCount(field, Integer.MAX_VALUE));
        }
        return counts;
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
                throw failHere("label '" + key + "' must be a string, found " + describe(parser.currentToken()));
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
            throw failHere("'" + field + "' must be a string, found " + describe(token));
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
            throw failHere("'" + field + "' must be a whole number, found " + describe(token));
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
            Instant instant = parseUtcSeconds(text);
            if (instant == null) {
                instant = OffsetDateTime.parse(text).toInstant();
            }
            // Go's zero time.Time means "never set"
            return instant.equals(GO_ZERO_TIME) ? null : instant;
        } catch (DateTimeParseException e) {
            throw failHere("'" + field + "' is not an RFC 3339 timestamp: '" + text + "'");
        }
    }

    /** 0001-01-01T00:00:00Z, without parsing it when the class loads. */
    private static final Instant GO_ZERO_TIME = Instant.ofEpochSecond(-62_135_596_800L);

    /**
     * What {@code OffsetDateTime.parse(text).toInstant()} gives for the form snoop writes,
     * {@code 2026-11-01T09:00:00Z}; null for a text of any other form or an invalid date, which the
     * caller leaves to {@code OffsetDateTime.parse}. java.time's parser runs tens of microseconds
     * a call until the JIT has compiled it (about 0.3 s of compiler time), and a merge of 1,000
     * reports reads 4,000 timestamps.
     */
    static Instant parseUtcSeconds(String text) {
        if (text.length() != 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != 'Z') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null; // e.g. February 30: the full parser words the error
        }
    }

    /** The ASCII digits {@code text[from, from + count)} as a number, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private void expect(JsonToken expected, String message) throws IOException {
        if (parser.currentToken() != expected) {
            throw failHere(message + ", found " + describe(parser.currentToken()));
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    static String describe(JsonToken token) {
        if (token == null) {
            return "the end of the file";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    private SnoopException fail(String message) {
        return new SnoopException(source + ": " + message);
    }

    private SnoopException failHere(String message) {
        return new SnoopException(source + ": " + message + " " + where(parser.currentTokenLocation()));
    }

    static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "(position unknown)";
        }
        return "(line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
