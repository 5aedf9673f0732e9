package dev.snoop.cli;

import static dev.snoop.cli.CliRun.report;
import static dev.snoop.cli.CliRun.run;
import static dev.snoop.cli.CliRun.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link ReportPrefetch}. */
class ReportPrefetchTest {
    @TempDir
    Path dir;

    @Test
    void testDiff_readAhead_sameOutputAsWithout() throws Exception {
        Path a = write(dir, "a.json", report("shop:1", "/bin/sh", "/etc/passwd", "/lib/a.so"));
        Path b = write(dir, "b.json", report("shop:2", "/bin/sh", "/etc/hosts", "/lib/b.so"));
        CliRun without = run("diff", a.toString(), b.toString());
        ReportPrefetch.start("diff", "--format", "text", a.toString(), b.toString());
        CliRun with = run("diff", a.toString(), b.toString());
        assertEquals(without, with);
        assertNull(ReportPrefetch.take(a), "handed out once");
        assertNull(ReportPrefetch.take(b));
    }

    @Test
    void testTake_reportAndWarningsAsReadingTheFileGives() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a", "/a", "/b//c"));
        Path b = write(dir, "b.json", "{\"files\": [\"/b\"");
        ReportPrefetch.start("diff", a.toString(), b.toString());
        List<String> warnings = new ArrayList<>();
        Report expected = ReportJson.read(a, warnings::add);
        ReportPrefetch.Read read = ReportPrefetch.take(a);
        assertEquals(expected, read.report());
        assertEquals(warnings, read.warnings());
        assertEquals(2, warnings.size(), "a duplicate and a path normalized");
        assertNull(ReportPrefetch.take(b), "a report that fails is left to the command, which reports it");
        CliRun without = run("diff", a.toString(), b.toString());
        ReportPrefetch.start("diff", a.toString(), b.toString());
        CliRun with = run("diff", a.toString(), b.toString());
        assertEquals(without, with);
        assertEquals(2, with.exitCode());
        assertTrue(with.err().endsWith(b + ": truncated JSON (line 1, column 16)\n"), with.err());
    }

    /** Nothing is read ahead but the regular files of a diff command line. */
    @ParameterizedTest
    @CsvSource({
        "merge, a.json, b.json",
        "stats, a.json, b.json",
        "diff, -, b.json",
        "diff, a.json, missing.json",
        "diff, a.json, sub",
    })
    void testStart_onlyRegularFilesOfADiff(String command, String first, String second) throws Exception {
        write(dir, "a.json", report(null, "/a"));
        write(dir, "b.json", report(null, "/b"));
        Files.createDirectories(dir.resolve("sub"));
        Path one = first.equals("-") ? Path.of("-") : dir.resolve(first);
        Path two = dir.resolve(second);
        ReportPrefetch.start(command, one.toString(), two.toString());
        boolean diff = command.equals("diff");
        assertEquals(diff && Files.isRegularFile(one), ReportPrefetch.take(one) != null, one.toString());
        assertEquals(diff && Files.isRegularFile(two), ReportPrefetch.take(two) != null, two.toString());
    }

    /** A file that happens to share an option's value is not read: both reports still are. */
    @Test
    void testStart_optionValuesAreNotReports() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        Path b = write(dir, "b.json", report(null, "/b"));
        Path app = write(dir, "app", report(null, "/c"));
        ReportPrefetch.start("diff", "--container", app.toString(), "--format", "json", a.toString(), b.toString());
        assertNull(ReportPrefetch.take(app));
        assertNotNull(ReportPrefetch.take(a));
        assertNotNull(ReportPrefetch.take(b));
    }
}
