package dev.snoop.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link ReportMerger}. */
class ReportMergerTest {
    private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-01-02T00:00:00Z");
    private static final Instant T3 = Instant.parse("2026-01-03T00:00:00Z");

    private static ContainerReport container(String name, String digest, Instant start, Instant end, long events, String... files) {
        return new ContainerReport(name, "id-" + name, 0, null, "img:" + digest, digest, start, end, events, 1,
                SortedPaths.of(files));
    }

    private static Report pod(String podName, Map<String, String> labels, ContainerReport... containers) {
        return new Report(1, podName, "ns", labels, null, null, 10, 1, 0, List.of(containers));
    }

    @Test
    void testMerge_sameContainer_unionsFilesSumsCountersWidensTime() {
        ReportMerger merger = new ReportMerger(false);
        merger.add(pod("p-1", Map.of(), container("app", "sha256:a", T2, T3, 5, "/a", "/b")));
        merger.add(pod("p-1", Map.of(), container("app", "sha256:a", T1, T2, 7, "/b", "/c")));
        Report merged = merger.result();
        assertEquals(1, merged.containers().size());
        ContainerReport app = merged.containers().get(0);
        assertEquals(List.of("/a", "/b", "/c"), list(app.files()));
        assertEquals(12, app.totalEvents());
        assertEquals(2, app.droppedEvents());
        assertEquals(T1, app.startedAt());
        assertEquals(T3, app.lastUpdatedAt());
        assertEquals(20, merged.totalEvents());
        assertEquals("p-1", merged.podName());
        assertEquals(0, merged.mergedReports(), "only counted with counts");
    }

    @Test
    void testMerge_differingIdentity_isDropped() {
        ReportMerger merger = new ReportMerger(false);
        merger.add(pod("p-1", Map.of("app", "shop", "pod-template-hash", "1"), container("app", "sha256:a", T1, T2, 1, "/a")));
        merger.add(pod("p-2", Map.of("app", "shop", "pod-template-hash", "2"), container("app", "sha256:a", T1, T2, 1, "/a")));
        Report merged = merger.result();
        assertNull(merged.podName());
        assertEquals("ns", merged.namespace());
        assertEquals(Map.of("app", "shop"), merged.labels());
        assertEquals("id-app", merged.containers().get(0).containerId());
    }

    @Test
    void testMerge_differentDigests_stayApart() {
        ReportMerger merger = new ReportMerger(false);
        merger.add(pod("p", Map.of(), container("app", "sha256:a", T1, T2, 1, "/a")));
        merger.add(pod("p", Map.of(), container("app", "sha256:b", T1, T2, 1, "/b")));
        assertEquals(2, merger.result().containers().size());
    }

    @Test
    void testMerge_withCounts_countsReportsPerFile() {
        ReportMerger merger = new ReportMerger(true);
        merger.add(pod("p", Map.of(), container("app", "d", T1, T2, 1, "/a", "/b")));
        merger.add(pod("p", Map.of(), container("app", "d", T1, T2, 1, "/a")));
        merger.add(pod("p", Map.of(), container("app", "d", T1, T2, 1, "/a", "/c")));
        Report merged = merger.result();
        assertEquals(3, merged.mergedReports());
        SortedPaths.Cursor cursor = merged.containers().get(0).files().cursor();
        List<String> seen = new ArrayList<>();
        while (cursor.next()) {
            seen.add(cursor.path() + "=" + cursor.count());
        }
        assertEquals(List.of("/a=3", "/b=1", "/c=1"), seen);
    }

    @Test
    void testMerge_mergedInput_weighsAsItsReports() {
        ReportMerger first = new ReportMerger(true);
        first.add(pod("p", Map.of(), container("app", "d", T1, T2, 1, "/a")));
        first.add(pod("p", Map.of(), container("app", "d", T1, T2, 1, "/a", "/b")));
        ReportMerger second = new ReportMerger(true);
        second.add(first.result());
        second.add(pod("p", Map.of(), container("app", "d", T1, T2, 1, "/b")));
        Report merged = second.result();
        assertEquals(3, merged.mergedReports());
        SortedPaths.Cursor cursor = merged.containers().get(0).files().cursor();
        cursor.next();
        assertEquals(2, cursor.count());
        cursor.next();
        assertEquals(2, cursor.count());
    }

    private static List<String> list(SortedPaths paths) {
        List<String> list = new ArrayList<>();
        paths.forEach(list::add);
        return list;
    }
}
