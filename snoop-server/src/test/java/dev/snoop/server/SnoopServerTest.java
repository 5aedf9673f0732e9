package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.SnoopException;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole server as a command starts it: its own embedded PostgreSQL, real HTTP. */
@Timeout(300)
class SnoopServerTest {
    @TempDir
    Path dir;

    private ServerConfig config() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), Http.tokensFile());
        return new ServerConfig("127.0.0.1", 0, dir.resolve("data"), null, tokens, 4);
    }

    @Test
    void testStart_embedded_storesAcrossRestart() throws Exception {
        ServerConfig config = config();
        List<String> log = new ArrayList<>();
        List<String> stored;
        try (SnoopServer server = SnoopServer.start(config, log::add)) {
            Http http = new Http(server.port());
            assertEquals(200, http.get(ApiHandler.READYZ).statusCode());
            HttpResponse<String> first = http.post(Http.TOKEN, Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 3, 100));
            assertEquals(200, first.statusCode(), first.body());
            assertTrue(first.body().contains("\"new_files\": 301"), first.body());
            assertEquals(401, http.post(null, Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 1, 1)).statusCode());
        }
        assertTrue(log.stream().anyMatch(l -> l.startsWith("snoop serve: listening on 127.0.0.1:")), log.toString());
        assertTrue(log.stream().noneMatch(l -> l.contains(Http.TOKEN) || l.contains(Tokens.sha256Hex(Http.TOKEN))), log.toString());
        try (SnoopServer server = SnoopServer.start(config, line -> { })) {
            Http http = new Http(server.port());
            HttpResponse<String> again = http.post(Http.TOKEN, Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 3, 100));
            assertEquals(200, again.statusCode());
            assertTrue(again.body().contains("\"new_files\": 0, \"new_access\": 0, \"files\": 301"), again.body());
        }
    }

    @Test
    void testStart_badTokensFile_failsWithOneLine() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "secret-token-pasted-here shop\n");
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir.resolve("data"), null, tokens, 2);
        SnoopException e = org.junit.jupiter.api.Assertions.assertThrows(SnoopException.class,
                () -> SnoopServer.start(config, line -> { }));
        assertEquals(tokens + ": line 1: the first field is not a SHA-256 in hex (64 hex digits)",
                e.getMessage());
    }

    @Test
    void testPost_concurrentForOneInstance_losesNothing() throws Exception {
        try (SnoopServer server = SnoopServer.start(config(), line -> { })) {
            assertConcurrentPostsLoseNothing(List.of(new Http(server.port())), server.database().dataSource());
        }
    }

    @Test
    void testTwoServers_oneDatabase_loseNothing() throws Exception {
        // the second server reaches the first's PostgreSQL by URL, as a second process behind a load balancer would
        ServerConfig config = config();
        try (SnoopServer first = SnoopServer.start(config, line -> { });
                SnoopServer second = SnoopServer.start(config.withDatabaseUrl(first.database().embeddedJdbcUrl()), line -> { })) {
            assertEquals(200, new Http(second.port()).get(ApiHandler.READYZ).statusCode());
            assertConcurrentPostsLoseNothing(List.of(new Http(first.port()), new Http(second.port())),
                    second.database().dataSource());
        }
    }

    /**
     * 16 threads send, through the given servers in turn, growing reports of 2 instances, each
     * report also carrying a file of its own; every 503 and 429 is retried. Afterwards each instance has
     * every file any report had, and its counters are the largest reported.
     */
    static void assertConcurrentPostsLoseNothing(List<Http> servers, DataSource db) throws Exception {
        int threads = 16;
        int reportsPerThread = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    int retries = 0;
                    for (int i = 0; i < reportsPerThread; i++) {
                        int seq = 1 + (thread * reportsPerThread + i) % 10;
                        String pod = "shop-5b8d-" + (thread % 2 == 0 ? "aaaaa" : "bbbbb");
                        Report report = withOwnFile(Reports.growing("shop", pod, "shop", seq, 100), thread + "-" + i);
                        Http http = servers.get((thread + i) % servers.size());
                        HttpResponse<String> response;
                        while ((response = http.post(Http.TOKEN, report)).statusCode() == 503 || response.statusCode() == 429) {
                            retries++;
                            // the client's backoff, shortened: a pause is what it asks for, not a synchronization
                            Thread.sleep(ThreadLocalRandom.current().nextInt(10, 100));
                        }
                        if (response.statusCode() != 200) {
                            throw new AssertionError(response.statusCode() + " " + response.body());
                        }
                    }
                    return retries;
                }));
            }
            for (Future<Integer> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (String pod : List.of("shop-5b8d-aaaaa", "shop-5b8d-bbbbb")) {
            int maxSeq = 0;
            List<String> own = new ArrayList<>();
            for (int t = pod.endsWith("aaaaa") ? 0 : 1; t < threads; t += 2) {
                for (int i = 0; i < reportsPerThread; i++) {
                    maxSeq = Math.max(maxSeq, 1 + (t * reportsPerThread + i) % 10);
                    own.add("/own/" + t + "-" + i);
                }
            }
            long files = ReportStoreTest.count(db, "SELECT count(*) FROM instance_file f JOIN instance i ON i.id = f.instance_id "
                    + "WHERE i.pod_name = '" + pod + "'");
            assertEquals(maxSeq * 100 + 1 + own.size(), files, pod);
            assertEquals(files, ReportStoreTest.count(db, "SELECT file_count FROM instance WHERE pod_name = '" + pod + "'"));
            assertEquals(maxSeq * 100L, ReportStoreTest.count(db, "SELECT total_events FROM instance WHERE pod_name = '" + pod + "'"));
            for (String path : own) {
                assertEquals(1, ReportStoreTest.count(db, "SELECT count(*) FROM instance_file f JOIN path p ON p.id = f.path_id "
                        + "JOIN instance i ON i.id = f.instance_id WHERE i.pod_name = '" + pod + "' AND p.path = '" + path + "'"), path);
            }
        }
    }

    private static Report withOwnFile(Report report, String own) {
        ContainerReport c = report.containers().get(0);
        Map<String, String> files = new TreeMap<>();
        c.files().forEach(p -> files.put(p, "r"));
        files.put("/own/" + own, "r");
        return Reports.report(report.namespace(), report.podName(), c.name(), "shop", files, c.totalEvents(), c.droppedEvents());
    }
}
