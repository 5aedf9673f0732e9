package dev.snoop.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.stats.ReportStats.DirectoryCount;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Tests for {@link ReportStats}. */
class ReportStatsTest {
    @ParameterizedTest
    @CsvSource({
        "main.py, .py",
        "libc.so.6, .so",
        "libssl.so.3.0.2, .so",
        "libfoo.so, .so",
        "python3.11, (none)",
        "passwd, (none)",
        ".bashrc, (none)",
        "archive.tar.gz, .gz",
        "trailing., (none)",
        "libx.so.abc, .abc",
    })
    void testExtension(String name, String expected) {
        assertEquals(expected, ReportStats.extension(name));
    }

    @Test
    void testStats_treeCountsFilesBelowEachDirectory() {
        Report report = Report.of(List.of(
                ContainerReport.of("a", SortedPaths.of("/usr/lib/x.so", "/usr/lib/y.so", "/usr/bin/sh", "/etc/passwd")),
                ContainerReport.of("b", SortedPaths.of("/usr/bin/sh", "/root"))));
        ReportStats stats = ReportStats.of(report, 2, 10);
        assertEquals(6, stats.files());
        assertEquals(5, stats.distinctFiles());
        assertEquals(List.of(
                new DirectoryCount("/usr", 3, List.of(
                        new DirectoryCount("/usr/lib", 2, List.of()),
                        new DirectoryCount("/usr/bin", 1, List.of()))),
                new DirectoryCount("/etc", 1, List.of())), stats.tree());
        assertEquals(new DirectoryCount("/usr/lib", 2, List.of()), stats.largestDirectories().get(0));
        assertEquals(0.0, stats.dropRatio());
    }

    @Test
    void testStats_badDepth_rejected() {
        assertThrows(IllegalArgumentException.class, () -> ReportStats.of(Report.of(List.of()), 0, 1));
    }
}
