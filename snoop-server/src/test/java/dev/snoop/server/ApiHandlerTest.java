package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.Report;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class ApiHandlerTest {
    @TempDir
    static Path dir;
    static SnoopServer server;
    static Http http;
    DataSource db;

    @BeforeAll
    static void start() throws Exception {
        server = Http.startServer(dir, 4);
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void clean() throws Exception {
        db = TestDatabase.shared().dataSource();
        TestDatabase.truncate(db);
    }

    static Report shop(int seq) {
        return Reports.growing("shop", "shop-5b8d-aaaaa", "shop", seq, 10);
    }

    @Test
    void testPost_report_storesAndSaysWhat() throws Exception {
        HttpResponse<String> first = http.post(Http.TOKEN, shop(2));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("{\"containers\": 1, \"new_files\": 21, \"new_access\": 0, \"files\": 21, \"checksum\": \""
                + dev.snoop.core.report.SetChecksum.of(shop(2)).hex() + "\"}\n", first.body());
        assertEquals("application/json", first.headers().firstValue("Content-Type").orElse(null));
        List<String> stored = TestDatabase.snapshot(db);

        HttpResponse<String> again = http.post(Http.TOKEN, shop(2));
        assertEquals(200, again.statusCode());
        assertTrue(again.body().startsWith("{\"containers\": 1, \"new_files\": 0, \"new_access\": 0, \"files\": 21, "), again.body());
        assertEquals(stored, TestDatabase.snapshot(db), "a redelivery changes nothing");
    }

    @Test
    void testPost_delta_matching200_mismatch409Resync() throws Exception {
        assertEquals(200, http.post(Http.TOKEN, shop(1)).statusCode());
        String sum3 = dev.snoop.core.report.SetChecksum.of(shop(3)).hex();
        long files3 = shop(3).fileCount();
        // seq 2 never arrived: the delta of 3 over 2 leaves a gap
        HttpResponse<String> gap = http.send(http.post(Http.TOKEN, Http.json(Reports.delta(shop(3), shop(2))))
                .header("Snoop-Delivery", "delta; files=" + files3 + "; checksum=" + sum3));
        assertEquals(409, gap.statusCode(), gap.body());
        assertTrue(gap.body().contains("\"resync\": true"), gap.body());
        assertEquals(200, http.post(Http.TOKEN, shop(2)).statusCode());
        HttpResponse<String> delta = http.send(http.post(Http.TOKEN, Http.json(Reports.delta(shop(3), shop(2))))
                .header("Snoop-Delivery", "delta; files=" + files3 + "; checksum=" + sum3));
        assertEquals(200, delta.statusCode(), delta.body());
        assertTrue(delta.body().endsWith("\"files\": " + files3 + ", \"checksum\": \"" + sum3 + "\"}\n"), delta.body());
    }

    @Test
    void testPost_malformedDeliveryHeader_is400OneLine() throws Exception {
        for (String header : List.of("delta", "delta; files=x; checksum=00", "delta; files=1; checksum=xyz", "partial")) {
            HttpResponse<String> response = http.send(http.post(Http.TOKEN, Http.json(shop(1))).header("Snoop-Delivery", header));
            assertEquals(400, response.statusCode(), header);
            assertTrue(response.body().startsWith("{\"error\": \"Snoop-Delivery: "), response.body());
        }
        assertEquals(List.of(), TestDatabase.snapshot(db), "nothing stored");
        assertEquals(200, http.send(http.post(Http.TOKEN, Http.json(shop(1))).header("Snoop-Delivery", "full")).statusCode());
    }

    @Test
    void testPost_gzip_isDecompressed() throws Exception {
        HttpResponse<String> response = http.send(http.post(Http.TOKEN, Http.gzip(Http.json(shop(1))))
                .header("Content-Encoding", "gzip"));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"new_files\": 11"), response.body());
    }

    @Test
    void testPost_noOrBadToken_is401() throws Exception {
        HttpResponse<String> none = http.post(null, shop(1));
        assertEquals(401, none.statusCode());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(401, http.post("not-a-token", shop(1)).statusCode());
        assertEquals(401, http.send(http.post(null, Http.json(shop(1))).header("Authorization", "Basic dXNlcjpwdw==")).statusCode());
        assertEquals(401, http.post(Tokens.sha256Hex(Http.TOKEN), shop(1)).statusCode(), "the hash is not the token");
        assertNothingStored();
    }

    @Test
    void testPost_refusedBeforeReading_clientReadsTheStatus() throws Exception {
        // a 2 MiB body refused at once: the server drops the body rather than close on a client still sending it
        byte[] json = Http.json(shop(1));
        byte[] big = Arrays.copyOf(json, 2 << 20);
        Arrays.fill(big, json.length - 2, big.length, (byte) ' ');
        for (int i = 0; i < 3; i++) {
            assertEquals(401, http.send(http.post("bad-token", big)).statusCode());
            assertEquals(415, http.send(http.post(Http.TOKEN, big).setHeader("Content-Type", "text/plain")).statusCode());
            assertEquals(404, http.send(http.post(Http.TOKEN, big).uri(http.base.resolve("/v1/nothing"))).statusCode());
        }
        assertNothingStored();
    }

    @Test
    void testPost_namespaceOutsideScope_is403() throws Exception {
        HttpResponse<String> response = http.post(Http.OTHER_TOKEN, shop(1));
        assertEquals(403, response.statusCode());
        assertEquals("{\"error\": \"this token may not report for namespace 'shop'\"}\n", response.body());
        Report host = new Report(1, null, null, null, null, null, 0, 0, 0, shop(1).containers());
        assertEquals(403, http.post(Http.TOKEN, host).statusCode(), "a report without a namespace needs '*'");
        assertNothingStored();
        assertEquals(200, http.post(Http.ANY_TOKEN, host).statusCode());
        assertEquals(200, http.post(Http.ANY_TOKEN, shop(1)).statusCode());
    }

    @Test
    void testPost_malformed_is400WithOneLineReason() throws Exception {
        for (String body : List.of("", "{", "[]", "{\"schema_version\": 1}", "{\"containers\": [{\"name\": 5}]}",
                "{\"schema_version\": 99, \"containers\": []}")) {
            HttpResponse<String> response = http.send(http.post(Http.TOKEN, body.getBytes(StandardCharsets.UTF_8)));
            assertEquals(400, response.statusCode(), body);
            assertTrue(response.body().startsWith("{\"error\": \"report: "), response.body());
            assertEquals(1, response.body().lines().count(), response.body());
        }
        assertEquals("{\"error\": \"report: truncated JSON (line 1, column 2)\"}\n",
                http.send(http.post(Http.TOKEN, "{".getBytes(StandardCharsets.UTF_8))).body());
        HttpResponse<String> gzip = http.send(http.post(Http.TOKEN, Http.json(shop(1))).header("Content-Encoding", "gzip"));
        assertEquals(400, gzip.statusCode());
        assertTrue(gzip.body().contains("not valid gzip"), gzip.body());
        byte[] truncated = Http.gzip(Http.json(shop(1)));
        HttpResponse<String> cut = http.send(http.post(Http.TOKEN, Arrays.copyOf(truncated, truncated.length / 2))
                .header("Content-Encoding", "gzip"));
        assertEquals(400, cut.statusCode(), cut.body());
        assertEquals(400, http.send(http.post(Http.TOKEN, Http.json(merged()))).statusCode());
        assertNothingStored();
    }

    private static Report merged() {
        Report r = shop(1);
        return new Report(1, r.podName(), r.namespace(), r.labels(), null, null, 0, 0, 2, r.containers());
    }

    @Test
    void testPost_wrongMediaType_is415() throws Exception {
        assertEquals(415, http.send(http.post(Http.TOKEN, Http.json(shop(1))).setHeader("Content-Type", "text/plain")).statusCode());
        assertEquals(415, http.send(http.post(Http.TOKEN, Http.json(shop(1))).header("Content-Encoding", "br")).statusCode());
        assertEquals(415, http.send(http.post(Http.TOKEN, Http.json(shop(1))).setHeader("Content-Type", "application/jsonx")).statusCode());
        assertNothingStored();
        assertEquals(200, http.send(http.post(Http.TOKEN, Http.json(shop(1)))
                .setHeader("Content-Type", "Application/JSON; charset=utf-8")).statusCode());
    }

    @Test
    void testPost_declaredOverLimit_is413BeforeTheBody() throws Exception {
        // with Expect: 100-continue the client sends no byte of a body that is refused anyway
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Http.TOKEN
                    + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                    + (ApiHandler.MAX_BODY_BYTES + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertEquals("HTTP/1.1 413 Payload Too Large", status);
        }
        assertNothingStored();
    }

    @Test
    void testPost_streamedOverLimit_is413() throws Exception {
        // no Content-Length (chunked): the limit is found while reading
        byte[] json = Http.json(shop(1));
        byte[] big = Arrays.copyOf(json, (int) ApiHandler.MAX_BODY_BYTES + 1);
        Arrays.fill(big, json.length - 2, big.length, (byte) ' ');
        HttpResponse<String> response = http.send(http.post(Http.TOKEN, new byte[0])
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
        assertEquals(413, response.statusCode(), response.body());
        assertNothingStored();
    }

    @Test
    void testPost_gzipBomb_is413() throws Exception {
        // 1 GiB of spaces inside a report compresses to about 1 MiB; the server stops at 20 MiB
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            byte[] json = Http.json(shop(1));
            gz.write(json, 0, json.length - 2);
            byte[] spaces = new byte[1 << 20];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 1024; i++) {
                gz.write(spaces);
            }
            gz.write("}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(out.size() < ApiHandler.MAX_BODY_BYTES);
        HttpResponse<String> response = http.send(http.post(Http.TOKEN, out.toByteArray()).header("Content-Encoding", "gzip"));
        assertEquals(413, response.statusCode(), response.body());
        assertTrue(response.body().contains("(decompressed)"), response.body());
        assertNothingStored();
    }

    @Test
    void testRoutes_unknownIs404_wrongMethodIs405() {
        assertEquals(404, http.get("/v1/report").statusCode());
        assertEquals(404, http.get("/v1/reports/").statusCode());
        assertEquals(404, http.get("/nothing").statusCode());
        // the root is the web page's (UiHandler)
        assertEquals(302, http.get("/").statusCode());
        HttpResponse<String> get = http.get(ApiHandler.REPORTS);
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(null));
        assertEquals(405, http.send(HttpRequest.newBuilder(http.base.resolve(ApiHandler.HEALTHZ))
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
    }

    @Test
    void testPost_tricklingBody_is408AndFreesItsPermit() throws Exception {
        server.api().bodyReadMillis(1_000);
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(60_000);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Http.TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread trickle = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(100); // the slow client's pace, not a synchronization
                        out.write(' ');
                        out.flush();
                    }
                } catch (Exception e) {
                    // stopped, or the server closed the connection
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            try {
                String status = new java.io.BufferedReader(new java.io.InputStreamReader(slow.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertEquals("HTTP/1.1 408 Request Timeout", status);
            } finally {
                trickle.interrupt();
            }
        } finally {
            server.api().bodyReadMillis(ApiHandler.MAX_BODY_READ_MILLIS);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.api().ingests().availablePermits() != 4 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(4, server.api().ingests().availablePermits());
        assertNothingStored();
    }

    @Test
    void testRequest_headersOverLimit_is431() {
        String big = "x".repeat(SnoopServer.MAX_REQUEST_HEADER_BYTES);
        HttpResponse<String> response = http.send(http.post(Http.TOKEN, Http.json(shop(1))).header("X-Padding", big));
        assertEquals(431, response.statusCode());
    }

    @Test
    void testProbes_healthyAndReady() {
        assertEquals(200, http.get(ApiHandler.HEALTHZ).statusCode());
        HttpResponse<String> ready = http.get(ApiHandler.READYZ);
        assertEquals(200, ready.statusCode());
        assertEquals("{\"status\": \"ready\"}\n", ready.body());
    }

    @Test
    void testPost_overConcurrencyLimit_is503WithJitteredRetryAfter() throws Exception {
        // every permit taken, as by reports being read and stored (SnoopServerTest makes real contention)
        java.util.concurrent.Semaphore permits = server.api().ingests();
        int taken = permits.drainPermits();
        assertEquals(4, taken);
        try {
            java.util.Set<Integer> retryAfters = new java.util.TreeSet<>();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = http.post(Http.TOKEN, shop(1));
                assertEquals(503, response.statusCode(), response.body());
                assertEquals("{\"error\": \"too many reports at once\"}\n", response.body());
                int retryAfter = Integer.parseInt(response.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter >= ApiHandler.RETRY_AFTER_MIN_SECONDS && retryAfter <= ApiHandler.RETRY_AFTER_MAX_SECONDS);
                retryAfters.add(retryAfter);
            }
            assertTrue(retryAfters.size() > 1, "jittered: " + retryAfters);
            assertNothingStored();
        } finally {
            permits.release(taken);
        }
        assertEquals(200, http.post(Http.TOKEN, shop(1)).statusCode());
    }

    private void assertNothingStored() throws Exception {
        assertFalse(TestDatabase.snapshot(db).stream().anyMatch(row -> row.startsWith("instance")),
                "nothing is stored from a rejected request");
    }
}
