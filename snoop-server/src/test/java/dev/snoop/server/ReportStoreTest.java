package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.merge.ReportMerger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class ReportStoreTest {
    DataSource db;
    ReportStore store;

    /** The database the tests run on; a subclass runs them on another. */
    Database database() throws Exception {
        return TestDatabase.shared();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = database().dataSource();
        TestDatabase.truncate(db);
        store = new ReportStore(db);
    }

    @Test
    void testStore_hostReportWithoutImageOrPod_stored() throws Exception {
        // what snoop record --cgroup writes on a host: no pod, no namespace, no image (was a 500: NPE)
        Report withImage = Reports.report(null, null, "web", "x", java.util.Map.of("/etc/hostname", "r"), 5, 0);
        ContainerReport c = withImage.containers().get(0);
        ContainerReport noImage = new ContainerReport(c.name(), null, 42, "/web", null, null, c.startedAt(),
                c.lastUpdatedAt(), c.totalEvents(), c.droppedEvents(), c.files(), c.access(), c.completeness());
        Report host = withImage.withContainers(List.of(noImage));
        ReportStore.Result result = store.store(host);
        assertEquals(1, result.newFiles(), result.toString());
        assertEquals(0, store.store(host).newFiles(), "stored twice");
    }

    @Test
    void testStore_firstReport_storesEverything() throws Exception {
        ReportStore.Result result = store.store(Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 2, 5));
        assertCounts(1, 11, 0, 11, result);
        List<String> rows = TestDatabase.snapshot(db);
        assertTrue(rows.contains("workload | shop | Deployment | shop"), rows.toString());
        assertTrue(rows.contains("image | sha256:shop | sha256:shop | shop:1.0"), rows.toString());
    }

    @Test
    void testStore_duplicateDelivery_changesNothing() throws Exception {
        Report report = Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 3, 10);
        store.store(report);
        List<String> before = TestDatabase.snapshot(db);
        ReportStore.Result again = store.store(report);
        assertCounts(1, 0, 0, 31, again);
        assertEquals(before, TestDatabase.snapshot(db));
    }

    @Test
    void testStore_olderReportAfterNewer_changesNothing() throws Exception {
        store.store(Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 4, 10));
        List<String> before = TestDatabase.snapshot(db);
        ReportStore.Result older = store.store(Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 2, 10));
        assertEquals(0, older.newFiles());
        assertEquals(0, older.newAccess());
        assertEquals(before, TestDatabase.snapshot(db), "counters must keep the larger, cumulative value");
    }

    @Test
    void testStore_reorderedDeliveries_converge() throws Exception {
        List<Report> reports = new ArrayList<>();
        for (String pod : List.of("shop-5b8d-aaaaa", "shop-5b8d-bbbbb")) {
            for (int seq = 1; seq <= 4; seq++) {
                reports.add(Reports.growing("shop", pod, "shop", seq, 7));
            }
        }
        for (Report r : reports) {
            store.store(r);
        }
        List<String> inOrder = TestDatabase.snapshot(db);
        Random random = new Random(42);
        for (int round = 0; round < 3; round++) {
            TestDatabase.truncate(db);
            List<Report> shuffled = new ArrayList<>(reports);
            shuffled.addAll(reports.subList(0, 3 + round)); // and some delivered twice
            Collections.shuffle(shuffled, random);
            for (Report r : shuffled) {
                store.store(r);
            }
            assertEquals(inOrder, TestDatabase.snapshot(db), "round " + round);
        }
    }

    @Test
    void testStore_tenThousandFiles_eachPathTextOnce() throws Exception {
        // the design size of one instance; five replicas of one image share the dictionary's rows
        for (int replica = 0; replica < 5; replica++) {
            ReportStore.Result result = store.store(Reports.growing("shop", "shop-5b8d-" + replica + "xxxx", "shop", 1000, 10));
            assertEquals(10_001, result.newFiles());
        }
        assertEquals(5 * 10_001, count(db, "SELECT count(*) FROM instance_file"));
        assertEquals(count(db, "SELECT count(DISTINCT path) FROM path"), count(db, "SELECT count(*) FROM path"));
        assertEquals(0, store.store(Reports.growing("shop", "shop-5b8d-0xxxx", "shop", 1000, 10)).newFiles());
    }

    @Test
    void testStore_oneInstanceTwiceInOneReport_isTheirUnion() throws Exception {
        Report a = Reports.report("ns", "p", "app", "img", Map.of("/a", "r", "/both", "r"), 5, 0);
        Report b = Reports.report("ns", "p", "app", "img", Map.of("/b", "r", "/both", "x"), 7, 0);
        Report both = a.withContainers(List.of(a.containers().get(0), b.containers().get(0)));
        assertCounts(1, 3, 1, 3, store.store(both));
        assertEquals(Map.of("/a", 2, "/b", 2, "/both", 3), imageFiles(db, "sha256:img"));
        assertEquals(7, count(db, "SELECT total_events FROM instance"));
    }

    @Test
    void testStore_accessBits_areOred() throws Exception {
        store.store(Reports.report("ns", "p", "app", "img", Map.of("/bin/sh", "r", "/etc/x", "m"), 1, 0));
        ReportStore.Result result = store.store(Reports.report("ns", "p", "app", "img",
                Map.of("/bin/sh", "x", "/etc/x", "m", "/etc/y", "d"), 2, 0));
        assertCounts(1, 1, 1, 3, result);
        assertEquals(Map.of("/bin/sh", 3, "/etc/x", 8, "/etc/y", 4), imageFiles(db, "sha256:img"));
    }

    @Test
    void testStore_unionPerImage_equalsMerge() throws Exception {
        List<Report> all = new ArrayList<>();
        ReportMerger merger = new ReportMerger(false);
        for (String image : List.of("shop", "cart")) {
            for (int replica = 0; replica < 3; replica++) {
                String pod = image + "-5b8d-" + replica + "aaaa";
                int last = 2 + replica;
                for (int seq = 1; seq <= last; seq++) {
                    all.add(Reports.growing("shop", pod, image, seq, 4 + replica));
                }
                merger.add(Reports.growing("shop", pod, image, last, 4 + replica)); // each instance's newest
            }
        }
        Collections.shuffle(all, new Random(7));
        for (Report r : all) {
            store.store(r);
        }
        Report merged = merger.result();
        assertEquals(2, merged.containers().size());
        for (ContainerReport container : merged.containers()) {
            List<String> expected = new ArrayList<>();
            container.files().forEach(expected::add);
            assertEquals(expected, new ArrayList<>(imageFiles(db, container.imageKey()).keySet()), container.imageKey());
            assertEquals(container.totalEvents(), imageCounter(db, container.imageKey(), "total_events"));
            assertEquals(container.droppedEvents(), imageCounter(db, container.imageKey(), "dropped_events"));
        }
    }

    @Test
    void testStore_concurrentReportsOfOneInstance_loseNothing() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ReportStore.Result>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seq = t + 1;
                // each report has files of its own besides the shared ones, and instances of two pods
                futures.add(pool.submit(() -> store.store(withOwnFiles(
                        Reports.growing("shop", "shop-5b8d-aaaaa", "shop", seq, 50), seq))));
                futures.add(pool.submit(() -> store.store(Reports.growing("shop", "shop-5b8d-bbbbb", "shop", seq, 50))));
            }
            long newFiles = 0;
            for (Future<ReportStore.Result> f : futures) {
                newFiles += f.get().newFiles();
            }
            Map<String, Integer> files = imageFiles(db, "sha256:shop");
            // pod a: /f/X/0..399 + own files 8 x 1 + the image's; pod b: its /f/Y/0..399 (maybe the same X)
            assertTrue(files.containsKey("/own/8"));
            long rows = count(db, "SELECT count(*) FROM instance_file");
            assertEquals(rows, newFiles, "every stored file counted once as new");
            assertEquals(rows, count(db, "SELECT sum(file_count) FROM instance"));
            assertEquals(threads * 50 + 1 + threads, count(db,
                    "SELECT file_count FROM instance WHERE pod_name = 'shop-5b8d-aaaaa'"));
        } finally {
            pool.shutdownNow();
        }
    }

    private static Report withOwnFiles(Report report, int seq) {
        ContainerReport c = report.containers().get(0);
        Map<String, String> files = new TreeMap<>();
        c.files().forEach(p -> files.put(p, "r"));
        files.put("/own/" + seq, "r");
        return Reports.report(report.namespace(), report.podName(), c.name(), "shop", files, c.totalEvents(), c.droppedEvents());
    }

    /** The result's counts, and a checksum of as many files. */
    static void assertCounts(int containers, long newFiles, long newAccess, long files, ReportStore.Result result) {
        assertEquals(List.of((long) containers, newFiles, newAccess, files),
                List.of((long) result.containers(), result.newFiles(), result.newAccess(), result.files()), result.toString());
        assertEquals(files, result.checksum().files(), result.toString());
        assertEquals(false, result.resync());
    }

    /** The union of the files of an image's instances, with their access bits ORed. */
    static Map<String, Integer> imageFiles(DataSource db, String imageKey) throws Exception {
        Map<String, Integer> files = new TreeMap<>(java.util.Comparator.comparing(
                (String s) -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Arrays::compareUnsigned));
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement("""
                SELECT p.path, bit_or(f.access) FROM image im JOIN instance i ON i.image_id = im.id
                JOIN instance_file f ON f.instance_id = i.id JOIN path p ON p.id = f.path_id
                WHERE im.image_key = ? GROUP BY p.path""")) {
            q.setString(1, imageKey);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    files.put(rs.getString(1), rs.getInt(2));
                }
            }
            c.rollback();
        }
        return files;
    }

    private static long imageCounter(DataSource db, String imageKey, String column) throws Exception {
        return count(db, "SELECT sum(i." + column + ") FROM instance i JOIN image im ON im.id = i.image_id "
                + "WHERE im.image_key = '" + imageKey + "'");
    }

    static long count(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            long n = rs.getLong(1);
            c.rollback();
            return n;
        }
    }
}
