package dev.snoop.cli;

import static dev.snoop.cli.CliRun.report;
import static dev.snoop.cli.CliRun.run;
import static dev.snoop.cli.CliRun.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tests for {@link MergeCommand}. */
class MergeCommandTest {
    @TempDir
    Path dir;

    @Test
    void testMerge_twoReplicas_unionWithCounts() throws Exception {
        Path a = write(dir, "r/a.json", report("shop:1", "/bin/sh", "/etc/passwd"));
        Path b = write(dir, "r/b.json", report("shop:1", "/bin/sh", "/etc/hosts"));
        CliRun r = run("merge", "--with-counts", a.toString(), b.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.err());
        assertEquals("""
                {
                  "schema_version": 1,
                  "labels": {},
                  "total_events": 20,
                  "dropped_events": 0,
                  "merged_reports": 2,
                  "containers": [
                    {
                      "name": "app",
                      "image_ref": "shop:1",
                      "unique_files": 3,
                      "total_events": 20,
                      "dropped_events": 0,
                      "files": [
                        "/bin/sh",
                        "/etc/hosts",
                        "/etc/passwd"
                      ],
                      "seen_in": [
                        2,
                        1,
                        1
                      ]
                    }
                  ]
                }
                """, r.out());
    }

    @Test
    void testMerge_directory_searchedRecursivelyForJson() throws Exception {
        write(dir, "ci/run1/report.json", report(null, "/a"));
        write(dir, "ci/run2/report.json", report(null, "/b"));
        write(dir, "ci/notes.txt", "not a report");
        CliRun r = run("merge", dir.resolve("ci").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("\"unique_files\": 2"), r.out());
        assertFalse(r.out().contains("merged_reports"), "counts only with --with-counts");
    }

    @Test
    void testMerge_mergedInputsCountAsTheirReports() throws Exception {
        Path a = write(dir, "a.json", report(null, "/x"));
        Path b = write(dir, "b.json", report(null, "/x"));
        Path c = write(dir, "c.json", report(null, "/x", "/y"));
        Path ab = dir.resolve("ab.json");
        assertEquals(0, run("merge", "--with-counts", "-o", ab.toString(), a.toString(), b.toString()).exitCode());
        CliRun all = run("merge", "--with-counts", ab.toString(), c.toString());
        CliRun flat = run("merge", "--with-counts", a.toString(), b.toString(), c.toString());
        assertEquals(flat.out(), all.out());
        assertTrue(all.out().contains("\"merged_reports\": 3"), all.out());
    }

    @Test
    void testMerge_differentImages_stayApart() throws Exception {
        Path a = write(dir, "a.json", report("shop:1", "/a"));
        Path b = write(dir, "b.json", report("shop:2", "/b"));
        CliRun r = run("merge", a.toString(), b.toString());
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("\"image_ref\": \"shop:1\"") && r.out().contains("\"image_ref\": \"shop:2\""), r.out());
    }

    @Test
    void testMerge_outputFile_writtenAtomically() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        Path out = dir.resolve("out.json");
        CliRun r = run("merge", "-o", out.toString(), a.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertTrue(Files.readString(out).contains("\"/a\""));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void testMerge_badInput_keepsPreviousOutput() throws Exception {
        Path out = write(dir, "out.json", "previous");
        Path good = write(dir, "good.json", report(null, "/a"));
        Path bad = write(dir, "bad.json", "{\"containers\": [");
        CliRun r = run("merge", "-o", out.toString(), good.toString(), bad.toString());
        assertEquals(1, r.exitCode());
        assertEquals("previous", Files.readString(out));
    }

    @Test
    void testMerge_unwritableOutput_exitsOne() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        CliRun r = run("merge", "-o", dir.resolve("missing/out.json").toString(), a.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop merge: cannot write " + dir.resolve("missing/out.json") + ": directory does not exist\n", r.err());
    }

    @Test
    void testMerge_noArguments_exitsTwo() {
        CliRun r = run("merge");
        assertEquals(2, r.exitCode());
        assertEquals("""
                snoop merge: missing required parameter: 'REPORT|DIR'
                Try 'snoop merge --help' for more information.
                """, r.err());
    }

    @Test
    void testMerge_stdin() throws Exception {
        Path b = write(dir, "b.json", report(null, "/b"));
        CliRun r = CliRun.runWithStdin(report(null, "/a"), "merge", "-", b.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("\"unique_files\": 2"), r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.snoop.cli.BadReports#all")
    void testMerge_badReport_oneLineErrorExitOne(String name, byte[] content, String expected) throws Exception {
        Path good = write(dir, "good.json", report(null, "/a"));
        Path file = BadReports.write(dir, name, content);
        CliRun r = run("merge", good.toString(), file.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop merge: " + file + ": " + expected + "\n", r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.snoop.cli.BadReports#all")
    void testMerge_badReportWithOutput_noFileWritten(String name, byte[] content, String expected) throws Exception {
        Path file = BadReports.write(dir, name, content);
        Path out = dir.resolve("out.json");
        CliRun r = run("merge", "-o", out.toString(), file.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop merge: " + file + ": " + expected + "\n", r.err());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no output, no temporary file");
        }
    }

    @Test
    void testMerge_outputIntoMissingDirectory_leavesNothing() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        BadReports.Snapshot before = BadReports.Snapshot.of(a);
        CliRun r = run("merge", "-o", dir.resolve("missing/out.json").toString(), a.toString());
        assertEquals(1, r.exitCode());
        assertFalse(Files.exists(dir.resolve("missing")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(a), files.toList());
        }
        assertTrue(before.unchanged());
    }

    @Test
    void testMerge_outputIsADirectory_exitsOne() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        Path out = Files.createDirectory(dir.resolve("out"));
        CliRun r = run("merge", "-o", out.toString(), a.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop merge: cannot write " + out + ": is a directory\n", r.err());
        assertTrue(Files.isDirectory(out));
    }

    @Test
    void testMerge_inputsNotModified() throws Exception {
        Path a = write(dir, "in/a.json", report(null, "/z", "/a/../b", "/z", "rel/x"));
        Path b = write(dir, "in/sub/b.json", report(null, "/b"));
        Path c = write(dir, "c.json", report("other", "/c"));
        List<BadReports.Snapshot> before = List.of(BadReports.Snapshot.of(a), BadReports.Snapshot.of(b), BadReports.Snapshot.of(c));
        CliRun r = run("merge", "--with-counts", "-o", dir.resolve("out.json").toString(), dir.resolve("in").toString(), c.toString());
        assertEquals(0, r.exitCode(), r.err());
        for (BadReports.Snapshot s : before) {
            assertTrue(s.unchanged(), s.file() + " changed");
        }
    }

    @Test
    void testMerge_missingFile_exitsOne() {
        CliRun r = run("merge", dir.resolve("nope.json").toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop merge: " + dir.resolve("nope.json") + ": no such file or directory\n", r.err());
    }

    @Test
    void testMerge_directoryWithoutReports_exitsOne() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        CliRun r = run("merge", dir.resolve("empty").toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop merge: " + dir.resolve("empty") + ": no *.json reports in this directory\n", r.err());
    }

    @Test
    void testMerge_nonNormalizedAndDuplicatePaths_warnAndRepair() throws Exception {
        Path a = write(dir, "a.json", report(null, "/b", "/a/./x", "usr/lib", "/b"));
        CliRun r = run("merge", a.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("""
                snoop merge: warning: %1$s: container 'app': normalized 2 paths (first: '/a/./x' -> '/a/x')
                snoop merge: warning: %1$s: container 'app': dropped 1 duplicate path
                """.formatted(a), r.err());
        assertTrue(r.out().contains("\"/a/x\",\n        \"/b\",\n        \"/usr/lib\""), r.out());
    }

    @Test
    void testMerge_badReportWithAHostileNameInADirectory_nameQuoted() throws Exception {
        Path reports = Files.createDirectories(dir.resolve("reports"));
        write(reports, "a.json", report(null, "/a"));
        Path bad = Files.writeString(reports.resolve("x\n+ forged\u001b[2J.json"), "[]");
        CliRun r = run("merge", reports.toString());
        assertEquals(1, r.exitCode());
        assertEquals("snoop merge: \"" + reports + "/x\\n+ forged\\033[2J.json\": not a report: expected a JSON object, found an array\n",
                r.err());
        assertTrue(Files.exists(bad));
    }
}
