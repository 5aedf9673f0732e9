package dev.snoop.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.PathSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one {@link ReportReader} driving its two sinks, {@link WholeReportSink} (through
 * {@link ReportJson#read}, on both its token sources) and {@link StreamedReport}'s: the same
 * fields, checks and kinds of access, and what only a whole report keeps skipped when streamed.
 */
class ReportSinkTest {
    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    private Path write(String json) throws IOException {
        Path file = tmp.resolve("r.json");
        Files.writeString(file, json);
        return file;
    }

    /** Read whole with the byte scanner (the common case) and with Jackson alone: both must agree. */
    private Report readWhole(Path file) throws IOException {
        byte[] json = Files.readAllBytes(file);
        List<String> jackson = new ArrayList<>();
        Report slow = ReportJson.readWithJackson(json, file.toString(), jackson::add);
        Report fast = ReportJson.read(json, file.toString(), warnings::add);
        assertEquals(slow, fast);
        assertEquals(jackson, warnings);
        return fast;
    }

    private static int bits(PathSet set, String path) {
        return set.value(set.addRef(path));
    }

    @Test
    void testAccess_manyDistinctTexts_eachEntryItsOwnKinds() throws IOException {
        // more distinct texts than the reader remembers (64), and repeats of the ones it does
        StringBuilder files = new StringBuilder();
        StringBuilder access = new StringBuilder();
        List<String> texts = new ArrayList<>();
        String[] letters = {"r", "x", "m", "d", "rx", "xr", "rd"};
        for (int i = 0; i < 300; i++) {
            String text = i < 100 ? "r".repeat(1 + i) : letters[i % letters.length];
            texts.add(text);
            files.append(i == 0 ? "" : ",").append("\"/f/").append(String.format("%04d", i)).append('"');
            access.append(i == 0 ? "" : ",").append('"').append(text).append('"');
        }
        Path file = write("{\"containers\":[{\"name\":\"app\",\"files\":[" + files + "],\"access\":[" + access + "]}]}");
        Report whole = readWhole(file);
        PathSet streamed = StreamedReport.read(file).containers().get(0).files();
        for (int i = 0; i < texts.size(); i++) {
            int want = AccessKind.bits(texts.get(i));
            assertEquals(want, whole.containers().get(0).access().bitsAt(i), "entry " + i);
            assertEquals(want, bits(streamed, "/f/" + String.format("%04d", i)), "streamed entry " + i);
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void testAccess_reorderedListWithAnUnknownKind_ignoredWithAWarningNotRefused() throws IOException {
        Path file = write("{\"containers\":[{\"name\":\"app\",\"files\":[\"/b\",\"/a\"],\"access\":[\"r\",\"q\"]}]}");
        Report whole = readWhole(file);
        assertEquals(List.of(file + ": container 'app': ignored 'access' (2 entries for 2 files, which were reordered)"),
                warnings);
        assertEquals(null, whole.containers().get(0).access(), "no kinds");
        PathSet streamed = StreamedReport.read(file).containers().get(0).files();
        assertEquals(0, bits(streamed, "/a"));
        assertEquals(0, bits(streamed, "/b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"q\"", "\"\u00e9\"", "\"r\\u0071\""})
    void testAccess_alignedWithAnUnknownKind_refusedAlikeByBoth(String entry) throws IOException {
        Path file = write("{\"containers\":[{\"name\":\"app\",\"files\":[\"/a\",\"/b\"],\"access\":[\"r\"," + entry + "]}]}");
        String whole = assertThrows(SnoopException.class, () -> readWhole(file)).getMessage();
        String streamed = assertThrows(SnoopException.class, () -> StreamedReport.read(file)).getMessage();
        assertEquals(whole, streamed);
        assertEquals(file + ": 'access' entry 1: unknown access kind '" + (entry.contains("\u00e9") ? "\u00e9" : "q") + "'", whole);
    }

    @Test
    void testAccess_countMismatch_ignored() throws IOException {
        Path file = write("{\"containers\":[{\"name\":\"app\",\"files\":[\"/a\",\"/b\"],\"access\":[\"r\"]}]}");
        readWhole(file);
        assertEquals(List.of(file + ": container 'app': ignored 'access' (1 entries for 2 files)"), warnings);
        PathSet streamed = StreamedReport.read(file).containers().get(0).files();
        assertEquals(0, bits(streamed, "/a"));
    }

    /** Labels, merged_reports, the recording block and seen_in: checked in a whole report, skipped unread when streamed. */
    @ParameterizedTest
    @ValueSource(strings = {"\"labels\": 5,", "\"labels\": {\"a\": 1},", "\"merged_reports\": \"x\",", "\"recording\": [],",
        "\"recording\": {\"probes\": [1]},"})
    void testReportOnlyFields_checkedWholeSkippedStreamed(String field) throws IOException {
        Path file = write("{" + field + " \"containers\": [{\"name\": \"app\", \"files\": [\"/a\"], \"seen_in\": [1]}]}");
        assertThrows(SnoopException.class, () -> ReportJson.read(file, w -> { }));
        assertEquals(1, StreamedReport.read(file).fileCount());
    }

    @Test
    void testSeenIn_checkedWholeSkippedStreamed() throws IOException {
        Path file = write("{\"containers\": [{\"name\": \"app\", \"files\": [\"/a\"], \"seen_in\": [\"x\"]}]}");
        String message = assertThrows(SnoopException.class, () -> ReportJson.read(file, w -> { })).getMessage();
        assertEquals(file + ": 'seen_in' must be a whole number, found a string (line 1, column 62)", message);
        assertEquals(1, StreamedReport.read(file).fileCount());
    }

    /** A container's own fields at the top level of the single-container shape are unknown there, for both. */
    @Test
    void testSingleContainerShape_containerOnlyFieldsSkipped() throws IOException {
        Path file = write("{\"name\": \"one\", \"files\": [\"/a\"], \"access\": [\"r\"], \"failed_path_reads\": \"x\"}");
        Report whole = readWhole(file);
        assertEquals(null, whole.containers().get(0).completeness());
        assertEquals(null, whole.containers().get(0).access(), "no kinds");
        StreamedReport streamed = StreamedReport.read(file);
        assertEquals(null, streamed.containers().get(0).completeness());
        assertEquals(0, bits(streamed.containers().get(0).files(), "/a"));
    }

    @Test
    void testJsonSource_textEquals_bothSources() throws IOException {
        byte[] json = "[\"r\", \"caf\u00e9\", \"\"]".getBytes(StandardCharsets.UTF_8);
        ReportScanner scanner = new ReportScanner(json);
        try (var parser = ReportJson.Jackson.FACTORY.createParser(json)) {
            JsonSource jackson = JsonSource.of(parser);
            for (JsonSource source : List.of(scanner, jackson)) {
                source.nextToken();
                source.nextToken();
                assertEquals(true, source.textEquals("r"));
                assertEquals(false, source.textEquals("rx"));
                assertEquals(false, source.textEquals(""));
                source.nextToken();
                assertEquals(true, source.textEquals("caf\u00e9"));
                assertEquals(false, source.textEquals("cafe"));
                assertEquals(false, source.textEquals("caf\u00e9s"));
                source.nextToken();
                assertEquals(true, source.textEquals(""));
                assertEquals(false, source.textEquals("r"));
            }
        }
    }
}
