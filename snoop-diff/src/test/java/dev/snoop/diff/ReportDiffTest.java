package dev.snoop.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    private static List<String> list(SortedPaths paths) {
        List<String> list = new ArrayList<>();
        paths.forEach(list::add);
        return list;
    }
}
