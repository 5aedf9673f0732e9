package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.Report;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} of a whole server on its own embedded database (so that its pool reports too). */
@Timeout(180)
class MetricsHandlerTest {
    @TempDir
    Path dir;

    @Test
    void testMetrics_countsEveryOutcome_noTokenNeeded_noSecrets() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), Http.tokensFile());
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir.resolve("data"), null, tokens, 4);
        try (SnoopServer server = SnoopServer.start(config, line -> { })) {
            Http http = new Http(server.port());
            Report shop = Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 2, 10);
            byte[] json = Http.json(shop);
            long sent = 0;
            assertEquals(200, http.post(Http.TOKEN, shop).statusCode());
            sent += json.length;
            assertEquals(200, http.post(Http.TOKEN, shop).statusCode(), "a redelivery stores no new file");
            sent += json.length;
            assertEquals(401, http.post("wrong-token", shop).statusCode());
            sent += json.length; // a refused body is read and dropped: received all the same
            assertEquals(403, http.post(Http.OTHER_TOKEN, shop).statusCode());
            sent += json.length;
            assertEquals(400, http.send(http.post(Http.TOKEN, "{".getBytes(java.nio.charset.StandardCharsets.UTF_8))).statusCode());
            sent += 1;
            assertEquals(415, http.send(http.post(Http.TOKEN, json).setHeader("Content-Type", "text/plain")).statusCode());
            sent += json.length;
            byte[] big = Arrays.copyOf(json, (int) ApiHandler.MAX_BODY_BYTES + 1);
            Arrays.fill(big, json.length - 2, big.length, (byte) ' ');
            assertEquals(413, http.send(http.post(Http.TOKEN, new byte[0])
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))).statusCode());
            Semaphore permits = server.api().ingests();
            // all of them: the 413's handler may still hold its permit after its answer was read
            int taken = 4;
            assertTrue(permits.tryAcquire(taken, 30, java.util.concurrent.TimeUnit.SECONDS));
            try {
                assertEquals(503, http.post(Http.TOKEN, shop).statusCode());
                sent += json.length;
            } finally {
                permits.release(taken);
            }
            assertEquals(404, http.get("/v1/nothing").statusCode());

            HttpResponse<String> scrape = http.get(MetricsHandler.METRICS);
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            String text = scrape.body();
            assertEquals(2, value(text, "snoop_server_ingest_requests_total", "result=\"stored\"", "status=\"200\""), text);
            assertEquals(1, value(text, "snoop_server_ingest_requests_total", "result=\"rejected\"", "status=\"401\""));
            assertEquals(1, value(text, "snoop_server_ingest_rejected_total", "reason=\"auth\""));
            assertEquals(1, value(text, "snoop_server_ingest_rejected_total", "reason=\"scope\""));
            assertEquals(2, value(text, "snoop_server_ingest_rejected_total", "reason=\"malformed\""), "400 and 415");
            assertEquals(1, value(text, "snoop_server_ingest_rejected_total", "reason=\"too_large\""));
            assertEquals(1, value(text, "snoop_server_ingest_rejected_total", "reason=\"busy\""));
            assertEquals(0, value(text, "snoop_server_ingest_rejected_total", "reason=\"rate_limited\""), "listed at 0");
            assertEquals(21, value(text, "snoop_server_ingest_files_stored_total"), "new files of the first report only");
            double received = value(text, "snoop_server_ingest_received_bytes_total");
            // the 413 body counts as far as it was read before the answer: between nothing and all of it
            assertTrue(received >= sent && received <= sent + big.length, received + " vs " + sent);
            assertEquals(2, value(text, "snoop_server_ingest_duration_seconds_count", "result=\"stored\""));
            assertEquals(2, value(text, "snoop_server_ingest_duration_seconds_bucket", "result=\"stored\"", "le=\"60.0\""));
            assertTrue(text.contains("snoop_server_ingest_duration_seconds_bucket{result=\"stored\",le=\"0.25\"}"), text);
            assertEquals(4, value(text, "hikaricp_connections_max", "pool=\"snoop\""));
            for (String pool : new String[] {"hikaricp_connections_active", "hikaricp_connections_idle", "hikaricp_connections_pending"}) {
                assertTrue(value(text, pool, "pool=\"snoop\"") >= 0, pool);
            }
            assertFalse(text.contains(Http.TOKEN) || text.contains(Tokens.sha256Hex(Http.TOKEN)), "a token in /metrics");
            assertFalse(text.contains("shop"), "a namespace or pod in /metrics");

            assertEquals(405, http.send(HttpRequest.newBuilder(http.base.resolve(MetricsHandler.METRICS))
                    .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
        }
    }

    /** The value of the sample named {@code name} whose labels include all of {@code labels}. */
    static double value(String scrape, String name, String... labels) {
        for (String line : scrape.lines().toList()) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            String head = line.substring(0, line.lastIndexOf(' '));
            if (Arrays.stream(labels).allMatch(head::contains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sample " + name + " " + Arrays.toString(labels) + " in:\n" + scrape);
    }
}
