package dev.snoop.cli;

import static dev.snoop.cli.CliRun.report;
import static dev.snoop.cli.CliRun.run;
import static dev.snoop.cli.CliRun.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
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
    void testTake_readAheadBytesAreTheFile() throws Exception {
        Path a = write(dir, "a.json", report(null, "/a"));
        Path b = write(dir, "b.json", report(null, "/b"));
        ReportPrefetch.start("diff", a.toString(), b.toString());
        assertArrayEquals(Files.readAllBytes(b), ReportPrefetch.take(b));
        assertArrayEquals(Files.readAllBytes(a), ReportPrefetch.take(a));
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
}
