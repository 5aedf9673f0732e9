package dev.snoop.cli;

import static dev.snoop.cli.CliRun.report;
import static dev.snoop.cli.CliRun.run;
import static dev.snoop.cli.CliRun.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.diff.ReportDiff;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tests for {@link DiffCommand}. */
class DiffCommandTest {
    @TempDir
    Path dir;

    @Test
    void testDiff_identical_exitsZero() throws Exception {
        Path a = write(dir, "a.json", report(null, "/bin/sh", "/etc/passwd"));
        Path b = write(dir, "b.json", report(null, "/etc/passwd", "/bin/sh"));
        CliRun r = run("diff", a.toString(), b.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("0 removed, 0 added, 2 unchanged\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void testDiff_changes_textSortedAndExitOne() throws Exception {
        Path a = write(dir, "a.json", report("shop:1", "/bin/sh", "/etc/passwd", "/lib/a.so"));
        Path b = write(dir, "b.json", report("shop:2", "/bin/sh", "/etc/hosts", "/lib/b.so"));
        CliRun r = run("diff", a.toString(), b.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("""
                + /etc/hosts
                - /etc/passwd
                - /lib/a.so
                + /lib/b.so
                2 removed, 2 added, 1 unchanged
                """, r.out());
    }

    @Test
    void testDiff_outputFile_getsTheDiffAndStdoutNothing() throws Exception {
        Path a = write(dir, "a.json", report("shop:1", "/bin/sh", "/etc/passwd"));
        Path b = write(dir, "b.json", report("shop:2", "/bin/sh", "/etc/hosts"));
        Path out = dir.resolve("diff.txt");
        CliRun r = run("diff", "-o", out.toString(), a.toString(), b.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertEquals(run("diff", a.toString(), b.toString()).out(), Files.readString(out));
        CliRun json = run("diff", "--format", "json", "--output", out.toString(), a.toString(), b.toString());
        assertEquals(1, json.exitCode(), json.err());
        assertEquals(run("diff", "--format", "json", a.toString(), b.toString()).out(), Files.readString(out));
    }

    @Test
    void testDiff_colourAlways_marksLinesEvenIntoAPipe() throws Exception {
        Path a = write(dir, "a.json", report(null, "/bin/sh", "/etc/passwd"));
        Path b = write(dir, "b.json", report(null, "/bin/sh", "/etc/hosts"));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(java.io.InputStream.nullInputStream(), new java.io.PrintWriter(out), new java.io.PrintWriter(err),
                new Terminals(Terminals.colour(Terminals.colorWhen("--color=always"), null, false), false, false),
                "diff", "--color=always", a.toString(), b.toString());
        assertEquals(1, code, err.toString());
        assertTrue(out.toString().startsWith("\033[32m+ /etc/hosts\033[0m\n\033[31m- /etc/passwd\033[0m\n"), out.toString());
    }

    @Test
    void testDiff_json_singleContainer() throws Exception {
        Path a = write(dir, "a.json", report(null, "/bin/sh", "/etc/passwd"));
        Path b = write(dir, "b.json", report(null, "/bin/sh", "/etc/hosts"));
        CliRun r = run("diff", "--format", "json", a.toString(), b.toString());
        assertEquals(1, r.exitCode());
        assertEquals("""
                {
                  "removed": [
                    "/etc/passwd"
                  ],
                  "added": [
                    "/etc/hosts"
                  ],
                  "unchanged_count": 1
                }
                """, r.out());
    }

    @Test
    void testDiff_severalContainers_jsonPerContainer() throws Exception {
        Path a = write(dir, "a.json", """
                {"containers": [{"name": "app", "files": ["/a"]}, {"name": "db", "files": ["/d"]}]}""");
        Path b = write(dir, "b.json", """
                {"containers": [{"name": "app", "files": ["/a"]}, {"name": "db", "files": ["/e"]}]}""");
        CliRun r = run("diff", "--format", "json", a.toString(), b.toString());
        assertEquals(1, r.exitCode());
        assertEquals("""
                {
                  "containers": [
                    {
                      "name": "app",
                      "removed": [],
                      "added": [],
                      "unchanged_count": 1
                    },
                    {
                      "name": "db",
                      "removed": [
                        "/d"
                      ],
                      "added": [
                        "/e"
                      ],
                      "unchanged_count": 0
                    }
                  ]
                }
                """, r.out());
        CliRun text = run("diff", a.toString(), b.toString());
        assertEquals("""
                ## container app
                app: 0 removed, 0 added, 1 unchanged
                ## container db
                - /d
                + /e
                db: 1 removed, 1 added, 0 unchanged
                total: 1 removed, 1 added, 1 unchanged
                """, text.out());
    }

    @Test
    void testDiff_containerOption_pairsSingleContainerReport() throws Exception {
        Path pod = write(dir, "pod.json", """
                {"containers": [{"name": "app", "files": ["/a", "/b"]}, {"name": "db", "files": ["/d"]}]}""");
        Path single = write(dir, "single.json", """
                {"container_id": "abc", "image_ref": "app:2", "files": ["/a", "/c"]}""");
        CliRun r = run("diff", "--container", "app", pod.toString(), single.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("- /b\n+ /c\n1 removed, 1 added, 1 unchanged\n", r.out());
    }

    @Test
    void testDiff_unknownContainer_exitsTwo() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        CliRun r = run("diff", "--container", "nope", a.toString(), a.toString());
        assertEquals(2, r.exitCode());
        assertEquals("snoop diff: no container named 'nope' in either report\n", r.err());
    }

    @Test
    void testDiff_missingFile_exitsTwo() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        CliRun r = run("diff", a.toString(), dir.resolve("missing.json").toString());
        assertEquals(2, r.exitCode());
        assertEquals("snoop diff: " + dir.resolve("missing.json") + ": no such file\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void testDiff_truncatedReport_exitsTwoWithOneLine() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        Path b = write(dir, "b.json", "{\"containers\": [{\"name\": \"app\", \"files\": [\"/a\"");
        CliRun r = run("diff", a.toString(), b.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop diff: " + b + ": truncated JSON (line 1"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void testDiff_missingArgument_exitsTwoWithUsageHint() {
        CliRun r = run("diff", "only-one.json");
        assertEquals(2, r.exitCode());
        assertEquals("""
                snoop diff: missing required parameter: 'NEW'
                Try 'snoop diff --help' for more information.
                """, r.err());
    }

    @Test
    void testDiff_badFormat_exitsTwo() {
        CliRun r = run("diff", "--format", "xml", "a.json", "b.json");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop diff: invalid value for option '--format'"), r.err());
    }

    @Test
    void testDiff_stdinAsOld() throws Exception {
        Path b = write(dir, "b.json", report(null, "/a", "/b"));
        CliRun r = CliRun.runWithStdin(report(null, "/a"), "diff", "-", b.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("+ /b\n0 removed, 1 added, 1 unchanged\n", r.out());
    }

    @Test
    void testDiff_help_documentsExitCodes() {
        CliRun r = run("diff", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("Exit Codes (as diff(1)):"), r.out());
        assertTrue(r.out().contains("1   differences found"), r.out());
        assertTrue(r.out().contains("Examples:"), r.out());
    }

    @Test
    void testDiff_inputsNotModified() throws Exception {
        String content = report(null, "/z", "/a/../b");
        Path a = write(dir, "a.json", content);
        Path b = write(dir, "b.json", report(null, "/z", "/z"));
        BadReports.Snapshot beforeA = BadReports.Snapshot.of(a);
        BadReports.Snapshot beforeB = BadReports.Snapshot.of(b);
        run("diff", a.toString(), b.toString());
        assertEquals(content, Files.readString(a));
        assertTrue(beforeA.unchanged());
        assertTrue(beforeB.unchanged());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.snoop.cli.BadReports#all")
    void testDiff_badNewReport_exitsTwoWithOneLine(String name, byte[] content, String expected) throws Exception {
        Path good = write(dir, "good.json", report(null, "/a"));
        Path bad = BadReports.write(dir, name, content);
        CliRun r = run("diff", good.toString(), bad.toString());
        assertEquals(2, r.exitCode());
        assertEquals("snoop diff: " + bad + ": " + expected + "\n", r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.snoop.cli.BadReports#all")
    void testDiff_badOldReport_exitsTwoWithOneLine(String name, byte[] content, String expected) throws Exception {
        Path good = write(dir, "good.json", report(null, "/a"));
        Path bad = BadReports.write(dir, name, content);
        CliRun r = run("diff", bad.toString(), good.toString());
        assertEquals(2, r.exitCode());
        assertEquals("snoop diff: " + bad + ": " + expected + "\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void testDiff_directory_exitsTwo() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        Path reports = Files.createDirectory(dir.resolve("reports"));
        CliRun r = run("diff", a.toString(), reports.toString());
        assertEquals(2, r.exitCode());
        assertEquals("snoop diff: " + reports + ": is a directory\n", r.err());
    }

    @Test
    void testDiff_emptyStdin_exitsTwo() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        CliRun r = CliRun.runWithStdin("", "diff", "-", a.toString());
        assertEquals(2, r.exitCode());
        assertEquals("snoop diff: <stdin>: empty file\n", r.err());
    }

    @Test
    void testDiff_nonNormalizedAndDuplicatePaths_warnThenCompare() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a", "/b"));
        Path b = write(dir, "b.json", report(null, "/b/../a", "b", "/b"));
        CliRun r = run("diff", a.toString(), b.toString());
        assertEquals(0, r.exitCode(), "the repaired report has the same files");
        assertEquals("""
                snoop diff: warning: %1$s: container 'app': normalized 2 paths (first: '/b/../a' -> '/a')
                snoop diff: warning: %1$s: container 'app': dropped 1 duplicate path
                """.formatted(b), r.err());
        assertEquals("0 removed, 0 added, 2 unchanged\n", r.out());
    }

    @Test
    void testWriteText_colourAndSeveralContainers_linesAsBefore() {
        ReportDiff diff = ReportDiff.of(
                Report.of(List.of(ContainerReport.of("app", SortedPaths.of("/a", "/caf\u00e9", "/same")),
                        ContainerReport.of("db", SortedPaths.of("/d")))),
                Report.of(List.of(ContainerReport.of("app", SortedPaths.of("/b", "/same", "/\u65e5\u672c")),
                        ContainerReport.of("", SortedPaths.of("/e")))),
                null);
        StringWriter out = new StringWriter();
        DiffCommand.writeText(diff, new PrintWriter(out), true);
        assertEquals("""
                ## container (unnamed)
                \033[32m+ /e\033[0m
                : 0 removed, 1 added, 0 unchanged
                ## container app
                \033[31m- /a\033[0m
                \033[32m+ /b\033[0m
                \033[31m- /caf\u00e9\033[0m
                \033[32m+ /\u65e5\u672c\033[0m
                app: 2 removed, 2 added, 1 unchanged
                ## container db
                \033[31m- /d\033[0m
                db: 1 removed, 0 added, 0 unchanged
                total: 3 removed, 3 added, 1 unchanged
                """, out.toString());
    }

    /** File names that hold a newline and terminal controls, as JSON escapes in a real report. */
    static final String HOSTILE_FILES = "\"/bin/sh\", \"/tmp/x\\n+ /usr/bin/sudo\", \"/tmp/\\u001b[31mred\", "
            + "\"/tmp/c1\\u009b2J\", \"/tmp/rtl\\u202eexe.txt\"";

    @Test
    void testDiff_hostileNames_quotedNoForgedLineNoRawControl() throws Exception {
        Path a = write(dir, "a.json", "{\"containers\": [{\"name\": \"app\", \"files\": [\"/bin/sh\"]}]}");
        Path b = write(dir, "b.json", "{\"containers\": [{\"name\": \"app\", \"files\": [" + HOSTILE_FILES + "]}]}");
        CliRun r = run("diff", a.toString(), b.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("""
                + "/tmp/\\033[31mred"
                + "/tmp/c1\\302\\2332J"
                + "/tmp/rtl\\342\\200\\256exe.txt"
                + "/tmp/x\\n+ /usr/bin/sudo"
                0 removed, 4 added, 1 unchanged
                """, r.out());
        assertTrue(r.out().lines().noneMatch(line -> line.startsWith("+ /usr/bin/sudo")), r.out());
        assertTrue(r.out().chars().noneMatch(c -> c == 0x1b || c == 0x9b || c == 0x202e), r.out());
        assertEquals("", r.err());
    }

    @Test
    void testDiff_hostileNames_jsonStaysExact() throws Exception {
        Path a = write(dir, "a.json", "{\"containers\": [{\"name\": \"app\", \"files\": [\"/bin/sh\"]}]}");
        Path b = write(dir, "b.json", "{\"containers\": [{\"name\": \"app\", \"files\": [" + HOSTILE_FILES + "]}]}");
        CliRun r = run("diff", "--format", "json", a.toString(), b.toString());
        assertEquals(1, r.exitCode(), r.err());
        com.fasterxml.jackson.databind.JsonNode added = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("added");
        assertEquals(List.of("/tmp/\u001b[31mred", "/tmp/c1\u009b2J", "/tmp/rtl\u202eexe.txt", "/tmp/x\n+ /usr/bin/sudo"),
                java.util.stream.StreamSupport.stream(added.spliterator(), false).map(n -> n.asText()).toList());
    }

    @Test
    void testDiff_hostileContainerName_quoted() throws Exception {
        Path a = write(dir, "a.json", """
                {"containers": [{"name": "app", "files": ["/a"]}, {"name": "x\\n+ /usr/bin/sudo", "files": ["/d"]}]}""");
        Path b = write(dir, "b.json", """
                {"containers": [{"name": "app", "files": ["/a"]}, {"name": "x\\n+ /usr/bin/sudo", "files": ["/e"]}]}""");
        CliRun r = run("diff", a.toString(), b.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.out().contains("## container \"x\\n+ /usr/bin/sudo\"\n- /d\n+ /e\n\"x\\n+ /usr/bin/sudo\": 1 removed"), r.out());
        assertTrue(r.out().lines().noneMatch(line -> line.startsWith("+ /usr/bin/sudo")), r.out());
    }
}
