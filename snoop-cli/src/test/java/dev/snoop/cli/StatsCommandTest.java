package dev.snoop.cli;

import static dev.snoop.cli.CliRun.run;
import static dev.snoop.cli.CliRun.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tests for {@link StatsCommand}. */
class StatsCommandTest {
    @TempDir
    Path dir;

    private Path sample() throws Exception {
        return write(dir, "r.json", """
                {"schema_version": 1, "total_events": 200, "dropped_events": 2, "containers": [
                  {"name": "app", "files": ["/usr/lib/libc.so.6", "/usr/lib/libm.so.6", "/usr/bin/python3",
                    "/app/main.py", "/app/util.py", "/app/lib/x.py", "/etc/passwd"]},
                  {"name": "db", "files": ["/etc/passwd", "/usr/bin/postgres"]}]}""");
    }

    @Test
    void testStats_outputFile_getsTheSummaryAndStdoutNothing() throws Exception {
        Path report = Files.writeString(dir.resolve("r.json"), """
                {"containers": [{"name": "app", "files": ["/bin/sh", "/etc/passwd"]}]}""");
        Path out = dir.resolve("stats.json");
        CliRun r = run("stats", "--format", "json", "-o", out.toString(), report.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertEquals(run("stats", "--format", "json", report.toString()).out(), Files.readString(out));
    }

    @Test
    void testStats_text() throws Exception {
        CliRun r = run("stats", "--top", "3", sample().toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("""
                containers      2
                files           9 (8 distinct)
                events          200
                dropped events  2 (1.00%)

                files by directory:
                       4  /usr
                       2    /usr/bin
                       2    /usr/lib
                       3  /app
                       1    /app/lib
                       1  /etc

                fullest directories (files directly inside):
                       2  /app
                       2  /usr/bin
                       2  /usr/lib

                files by extension:
                       3  (none)
                       3  .py
                       2  .so
                """, r.out());
    }

    @Test
    void testStats_jsonDepthOneOneContainer() throws Exception {
        CliRun r = run("stats", "--format", "json", "--depth", "1", "--top", "1", "--container", "db", sample().toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("""
                {
                  "containers": 1,
                  "files": 2,
                  "distinct_files": 2,
                  "total_events": 200,
                  "dropped_events": 2,
                  "drop_ratio": 0.01,
                  "directories": [
                    {
                      "path": "/etc",
                      "files": 1
                    },
                    {
                      "path": "/usr",
                      "files": 1
                    }
                  ],
                  "fullest_directories": [
                    {
                      "path": "/etc",
                      "files": 1
                    }
                  ],
                  "extensions": [
                    {
                      "extension": "(none)",
                      "files": 2
                    }
                  ]
                }
                """, r.out());
    }

    @Test
    void testStats_depthZero_exitsTwo() throws Exception {
        CliRun r = run("stats", "--depth", "0", sample().toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop stats: --depth must be at least 1, not 0\n"), r.err());
    }

    @Test
    void testStats_unknownContainer_exitsOne() throws Exception {
        Path file = sample();
        CliRun r = run("stats", "--container", "web", file.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop stats: no container named 'web' in " + file + "\n", r.err());
    }

    @Test
    void testStats_wrongShape_exitsOne() throws Exception {
        Path file = write(dir, "bad.json", "{\"containers\": {\"name\": \"app\"}}");
        CliRun r = run("stats", file.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop stats: " + file + ": 'containers' must be a list of objects, found an object (line 1, column 16)\n", r.err());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.snoop.cli.BadReports#all")
    void testStats_badReport_exitsOneWithOneLine(String name, byte[] content, String expected) throws Exception {
        Path bad = BadReports.write(dir, name, content);
        CliRun r = run("stats", sample().toString(), bad.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop stats: " + bad + ": " + expected + "\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void testStats_missingFile_exitsOne() {
        Path missing = dir.resolve("missing.json");
        CliRun r = run("stats", missing.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop stats: " + missing + ": no such file or directory\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void testStats_directoryWithoutReports_exitsOne() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        write(dir, "empty/notes.txt", "not a report");
        CliRun r = run("stats", empty.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop stats: " + empty + ": no *.json reports in this directory\n", r.err());
    }

    @Test
    void testStats_nonNormalizedAndDuplicatePaths_warnAndCountOnce() throws Exception {
        Path file = write(dir, "messy.json", "{\"files\": [\"/etc/passwd\", \"etc/passwd\", \"/etc/./hosts\"]}");
        CliRun r = run("stats", "--format", "json", file.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("""
                snoop stats: warning: %1$s: normalized 2 paths (first: 'etc/passwd' -> '/etc/passwd')
                snoop stats: warning: %1$s: dropped 1 duplicate path
                """.formatted(file), r.err());
        assertTrue(r.out().contains("\"files\": 2,"), r.out());
    }

    @Test
    void testStats_inputsNotModified() throws Exception {
        Path file = write(dir, "messy.json", "{\"files\": [\"/z\", \"/a/../b\", \"/z\"]}");
        BadReports.Snapshot before = BadReports.Snapshot.of(file);
        assertEquals(0, run("stats", file.toString()).exitCode());
        assertTrue(before.unchanged());
    }

    @Test
    void testStats_hostileNames_quotedInText() throws Exception {
        Path report = write(dir, "r.json", "{\"containers\": [{\"name\": \"app\", \"files\": ["
                + "\"/tmp/x\\n+ /usr/bin/sudo/f\", \"/\\u001b[31mred/a.\\u001b[0m\", \"/\\u009b/b\"]}]}");
        CliRun r = run("stats", report.toString());
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.contains("       1    \"/tmp/x\\n+ \"\n"), out); // the tree cuts the name at its '/'
        assertTrue(out.contains("       1  \"/tmp/x\\n+ /usr/bin/sudo\"\n"), out);
        assertTrue(out.contains("       1  \"/\\033[31mred\"\n"), out);
        assertTrue(out.contains("       1  \"/\\302\\233\"\n"), out);
        assertTrue(out.contains("       1  \".\\033[0m\"\n"), out);
        assertTrue(out.lines().noneMatch(line -> line.strip().startsWith("+ /usr/bin/sudo")), out);
        assertTrue(out.chars().noneMatch(c -> c == 0x1b || c == 0x9b), out);
    }

    @Test
    void testStats_hostileNames_jsonStaysExact() throws Exception {
        Path report = write(dir, "r.json", "{\"containers\": [{\"name\": \"app\", \"files\": [\"/\\u001b[31mred/a\"]}]}");
        CliRun r = run("stats", "--format", "json", report.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("\"path\": \"/\\u001B[31mred\""), r.out()); // Jackson's escape: the same name
    }
}
