package dev.snoop.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tests for {@link ReportDiff} and {@link ContainerDiff}. */
class ReportDiffTest {
    private static Report report(ContainerReport... containers) {
        return Report.of(List.of(containers));
    }

    private static ContainerReport c(String name, String... files) {
        return ContainerReport.of(name, SortedPaths.of(files));
    }

    @Test
    void testDiff_sameFiles_noChanges() {
        ReportDiff diff = ReportDiff.of(report(c("app", "/a", "/b")), report(c("app", "/b", "/a")), null);
        assertFalse(diff.hasChanges());
        assertEquals(2, diff.containers().get(0).unchangedCount());
    }

    @Test
    void testDiff_byteOrderAcrossSeparators() {
        // '-' sorts before '/', so /a-b lies between /a and /a/x in both lists
        ContainerDiff d = ContainerDiff.of("app", SortedPaths.of("/a", "/a-b", "/a/x"), SortedPaths.of("/a", "/a/x", "/a/y"));
        assertEquals(List.of("/a-b"), list(d.removed()));
        assertEquals(List.of("/a/y"), list(d.added()));
        assertEquals(2, d.unchangedCount());
    }

    @Test
    void testDiff_singleContainers_pairedWhateverTheirNames() {
        ReportDiff diff = ReportDiff.of(report(c("web-v1", "/a")), report(c("web-v2", "/a", "/b")), null);
        assertEquals(1, diff.containers().size());
        assertEquals("web-v2", diff.containers().get(0).name());
        assertEquals(List.of("/b"), list(diff.containers().get(0).added()));
    }

    @Test
    void testDiff_containerOnOneSide_allRemovedOrAdded() {
        ReportDiff diff = ReportDiff.of(report(c("app", "/a"), c("db", "/d")), report(c("app", "/a"), c("cache", "/c")), null);
        assertEquals(List.of("app", "cache", "db"), diff.containers().stream().map(ContainerDiff::name).toList());
        assertEquals(List.of("/c"), list(diff.containers().get(1).added()));
        assertEquals(List.of("/d"), list(diff.containers().get(2).removed()));
        assertTrue(diff.hasChanges());
    }

    @Test
    void testDiff_containerFilter_selectsByName() {
        ReportDiff diff = ReportDiff.of(report(c("app", "/a"), c("db", "/d")), report(c("app", "/a"), c("db", "/e")), "app");
        assertEquals(1, diff.containers().size());
        assertFalse(diff.hasChanges());
    }

    @Test
    void testDiff_containerFilter_unknownName_fails() {
        SnoopException e = assertThrows(SnoopException.class,
                () -> ReportDiff.of(report(c("app", "/a")), report(c("app", "/a")), "db"));
        assertEquals("no container named 'db' in either report", e.getMessage());
    }

    /**
     * Reports read from files keep their paths as slices of the files' bytes, which the walk skips
     * through a run at a time; the result must be the one of the front-coded lists, path by path.
     * Cases: seeded random lists with several rates of change, written as snoop writes reports, as
     * one-line JSON, and one of each.
     */
    @ParameterizedTest
    @CsvSource({
        "1, 2000, 0.0, pretty, pretty",
        "2, 2000, 0.02, pretty, pretty",
        "3, 2000, 0.3, pretty, pretty",
        "4, 2000, 0.02, compact, compact",
        "5, 2000, 0.02, pretty, compact",
        "6, 300, 1.0, pretty, pretty",
        "7, 1, 0.5, compact, pretty",
    })
    void testDiff_readFromFiles_sameAsFrontCoded(long seed, int size, double changed, String oldLayout, String newLayout,
            @TempDir Path dir) throws IOException {
        Random random = new Random(seed);
        List<String> olds = new ArrayList<>();
        List<String> news = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String path = "/usr/lib/app" + random.nextInt(8) + "/m" + i + (random.nextBoolean() ? "/x.py" : ".so");
            boolean keep = random.nextDouble() >= changed;
            if (keep || random.nextBoolean()) {
                olds.add(path);
            }
            if (keep || random.nextBoolean()) {
                news.add(path + (keep ? "" : "-new"));
            }
        }
        Report oldReport = read(dir.resolve("old.json"), olds, oldLayout);
        Report newReport = read(dir.resolve("new.json"), news, newLayout);
        SortedPaths oldFiles = oldReport.containers().get(0).files();
        SortedPaths newFiles = newReport.containers().get(0).files();
        assertNotSame(oldFiles, oldFiles.compact(), "read as slices");
        ContainerDiff fast = ContainerDiff.of("app", oldFiles, newFiles);
        ContainerDiff expected = ContainerDiff.of("app", oldFiles.compact(), newFiles.compact());
        assertEquals(list(expected.removed()), list(fast.removed()));
        assertEquals(list(expected.added()), list(fast.added()));
        assertEquals(expected.unchangedCount(), fast.unchangedCount());
        assertEquals(expected, fast);
        assertEquals(expected, ReportDiff.of(oldReport, newReport, null).containers().get(0));
    }

    private static Report read(Path file, List<String> paths, String layout) throws IOException {
        Report report = report(ContainerReport.of("app", SortedPaths.of(paths)));
        if (layout.equals("pretty")) {
            ReportJson.write(report, file);
        } else {
            String files = paths.stream().sorted().distinct().map(p -> "\"" + p + "\"").collect(Collectors.joining(","));
            Files.writeString(file, "{\"containers\":[{\"name\":\"app\",\"files\":[" + files + "]}]}");
        }
        List<String> warnings = new ArrayList<>();
        Report read = ReportJson.read(file, warnings::add);
        assertEquals(List.of(), warnings);
        return read;
    }

    private static List<String> list(SortedPaths paths) {
        List<String> list = new ArrayList<>();
        paths.forEach(list::add);
        return list;
    }
}
