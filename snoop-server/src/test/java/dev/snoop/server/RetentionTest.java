package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class RetentionTest {
    @TempDir
    Path dir;
    DataSource db;
    ReportStore store;

    @BeforeEach
    void clean() throws Exception {
        db = TestDatabase.shared().dataSource();
        TestDatabase.truncate(db);
        store = new ReportStore(db);
    }

    /** Makes an instance's last report {@code age} old, as if no report had come since. */
    private void age(String pod, Duration age) throws Exception {
        try (Connection c = db.getConnection()) {
            c.createStatement().executeUpdate("UPDATE instance SET last_report_at = now() - interval '"
                    + age.toSeconds() + " seconds' WHERE pod_name = '" + pod + "'");
            c.commit();
        }
    }

    private long count(String sql) throws Exception {
        return ReportStoreTest.count(db, sql);
    }

    @Test
    void testRun_oldInstancesGo_recentOnesStay() throws Exception {
        store.store(Reports.growing("shop", "shop-5b8d-old01", "shop", 3, 10));
        store.store(Reports.growing("shop", "shop-5b8d-old02", "shop", 2, 10));
        store.store(Reports.growing("shop", "shop-5b8d-new01", "shop", 3, 10));
        store.store(Reports.growing("cart", "cart-7c9f-edge1", "cart", 1, 10));
        age("shop-5b8d-old01", Duration.ofDays(31));
        age("shop-5b8d-old02", Duration.ofDays(400));
        age("cart-7c9f-edge1", Duration.ofDays(29)); // inside the retention, if not by much
        long paths = count("SELECT count(*) FROM path");

        assertEquals(2, new Retention(db, Duration.ofDays(30)).run());

        assertEquals(List.of("cart-7c9f-edge1", "shop-5b8d-new01"), pods());
        assertEquals(0, count("SELECT count(*) FROM instance_file f LEFT JOIN instance i ON i.id = f.instance_id WHERE i.id IS NULL"),
                "no file of a deleted instance left");
        assertEquals(31 + 11, count("SELECT count(*) FROM instance_file"), "the recent instances' files all kept");
        assertEquals(paths, count("SELECT count(*) FROM path"), "the path dictionary stays");
        assertEquals(0, new Retention(db, Duration.ofDays(30)).run(), "nothing more to delete");
    }

    @Test
    void testRun_manyBatches_allGo() throws Exception {
        int instances = Retention.BATCH_INSTANCES * 2 + 3;
        for (int i = 0; i < instances; i++) {
            store.store(Reports.growing("shop", String.format("shop-5b8d-%05d", i), "shop", 1, 5));
        }
        try (Connection c = db.getConnection()) {
            c.createStatement().executeUpdate("UPDATE instance SET last_report_at = now() - interval '2 hours'");
            c.commit();
        }
        assertEquals(instances, new Retention(db, Duration.ofHours(1)).run());
        assertEquals(0, count("SELECT count(*) FROM instance"));
        assertEquals(0, count("SELECT count(*) FROM instance_file"));
    }

    @Test
    void testReport_redelivered_keepsItsInstance() throws Exception {
        // last_report_at is the server's time of the last report, a redelivery that changes nothing too
        store.store(Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 2, 10));
        age("shop-5b8d-aaaaa", Duration.ofDays(60));
        ReportStore.Result again = store.store(Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 2, 10));
        assertEquals(0, again.newFiles());
        assertEquals(1, count("SELECT count(*) FROM instance WHERE last_report_at > now() - interval '1 minute'"));
        assertEquals(0, new Retention(db, Duration.ofDays(30)).run());
        assertEquals(List.of("shop-5b8d-aaaaa"), pods());
    }

    @Test
    void testServer_withRetention_deletesOldOnesSoonAfterStart() throws Exception {
        store.store(Reports.growing("shop", "shop-5b8d-old01", "shop", 1, 10));
        store.store(Reports.growing("shop", "shop-5b8d-new01", "shop", 1, 10));
        age("shop-5b8d-old01", Duration.ofDays(8));
        List<String> log = new CopyOnWriteArrayList<>();
        try (SnoopServer server = Http.startServer(dir, 4, c -> c.withRetention(Duration.ofDays(7)), log::add)) {
            TokensFileTest.waitFor(() -> log.stream().anyMatch(l -> l.startsWith("snoop serve: retention:")), "a retention run");
            assertEquals(List.of("snoop serve: retention: deleted 1 instance(s) with no report for 168h"),
                    log.stream().filter(l -> l.contains("retention")).toList());
            assertEquals(List.of("shop-5b8d-new01"), pods());
            String metrics = new Http(server.port()).get(MetricsHandler.METRICS).body();
            assertEquals(1, MetricsHandlerTest.value(metrics, "snoop_server_retention_deleted_instances_total"));
            assertTrue(MetricsHandlerTest.value(metrics, "snoop_server_retention_last_success_seconds") > 1.7e9);
        }
    }

    @Test
    void testIntervalOf_aTenthBetweenAMinuteAndAnHour() {
        assertEquals(Duration.ofMinutes(1), Retention.intervalOf(Duration.ofMinutes(5)));
        assertEquals(Duration.ofMinutes(6), Retention.intervalOf(Duration.ofHours(1)));
        assertEquals(Duration.ofHours(1), Retention.intervalOf(Duration.ofDays(30)));
    }

    private List<String> pods() throws Exception {
        List<String> pods = new java.util.ArrayList<>();
        try (Connection c = db.getConnection();
                var rs = c.createStatement().executeQuery("SELECT pod_name FROM instance ORDER BY pod_name")) {
            while (rs.next()) {
                pods.add(rs.getString(1));
            }
            c.rollback();
        }
        return pods;
    }
}
