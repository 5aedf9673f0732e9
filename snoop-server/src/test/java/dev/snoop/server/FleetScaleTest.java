package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The union at a size: 100 instances of 10,001 files each (a million file rows: 10,000 common to
 * all, one of its own each), stored directly in SQL (posting them would take minutes). Checks the
 * counts, and prints how long the routes took (no timing is asserted: docs/fleet.md quotes it).
 */
@Timeout(600)
class FleetScaleTest {
    static final int INSTANCES = 100;
    static final int COMMON = 10_000;
    static final String DIGEST = "sha256:scale";

    @TempDir
    static Path dir;
    static SnoopServer server;
    static Http http;

    @BeforeAll
    static void fill() throws Exception {
        server = Http.startServer(dir, 4);
        http = new Http(server.port());
        TestDatabase.truncate(TestDatabase.shared().dataSource());
        long start = System.nanoTime();
        try (Connection c = TestDatabase.shared().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO workload (namespace, kind, name) VALUES ('shop', 'Deployment', 'scale')");
            s.execute("INSERT INTO image (image_key, digest, ref) VALUES ('" + DIGEST + "', '" + DIGEST + "', 'scale:1')");
            s.execute("INSERT INTO path (digest, path) SELECT sha256(convert_to(p, 'UTF8')), p FROM "
                    + "(SELECT '/usr/lib/scale/file-' || n AS p FROM generate_series(1, " + (COMMON + INSTANCES) + ") n) t");
            s.execute("INSERT INTO instance (namespace, pod_name, container_name, started_at, workload_id, image_id, "
                    + "file_count, total_events, completeness_known) SELECT 'shop', 'scale-5b8d-' || i, 'app', "
                    + "timestamptz '2026-11-01 09:00:00+00', w.id, im.id, " + (COMMON + 1) + ", 1000, true "
                    + "FROM generate_series(1, " + INSTANCES + ") i, workload w, image im");
            s.execute("INSERT INTO instance_file (instance_id, path_id) SELECT i.id, p.id FROM instance i, path p "
                    + "WHERE p.id <= " + COMMON + " OR p.id = " + COMMON + " + i.id");
            s.execute("ANALYZE");
            c.commit();
        }
        System.out.printf("FleetScaleTest: stored %d instances x %d files in %d ms%n", INSTANCES, COMMON + 1,
                (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<String> timed(String route) {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.base.resolve(route)).timeout(Duration.ofSeconds(300))
                .header("Authorization", "Bearer " + Http.TOKEN).GET());
        System.out.printf("FleetScaleTest: %s: %d in %d ms (%d bytes)%n", route, r.statusCode(),
                (System.nanoTime() - start) / 1_000_000, r.body().length());
        assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    @Test
    void testUnion_millionFileRows_exactCounts() throws Exception {
        Report union = ReportJson.read(timed("/v1/images/" + DIGEST + "/report").body().getBytes(StandardCharsets.UTF_8),
                "answer", w -> { });
        assertEquals(INSTANCES, union.mergedReports());
        SortedPaths files = union.containers().get(0).files();
        assertEquals(COMMON + INSTANCES, files.size());
        int common = 0;
        int rare = 0;
        SortedPaths.Cursor cursor = files.cursor();
        while (cursor.next()) {
            common += cursor.count() == INSTANCES ? 1 : 0;
            rare += cursor.count() == 1 ? 1 : 0;
        }
        assertEquals(COMMON, common);
        assertEquals(INSTANCES, rare);

        JsonNode summary = new ObjectMapper().readTree(timed("/v1/images/" + DIGEST + "/summary").body());
        assertEquals(COMMON, summary.get("containers").get(0).get("files_in_every_instance").asInt());
        assertEquals(INSTANCES, summary.get("coverage").get("complete").get("true").asInt());
        JsonNode timeline = new ObjectMapper().readTree(timed("/v1/images/" + DIGEST + "/timeline").body());
        assertEquals(COMMON + INSTANCES, timeline.get("buckets").get(timeline.get("buckets").size() - 1).get("files").asInt());
        Report every = ReportJson.read(timed("/v1/images/" + DIGEST + "/report?used_in=100%25").body()
                .getBytes(StandardCharsets.UTF_8), "answer", w -> { });
        assertEquals(COMMON, every.containers().get(0).files().size());
        timed("/v1/images/" + DIGEST + "/instances?limit=1000");
        timed("/v1/workloads");
    }
}
