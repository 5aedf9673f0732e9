package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.FileAccess;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.core.report.SetChecksum;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ApiDelivery} against a real HTTP server on loopback that plays snoop serve: each request
 * gets the next scripted status, and the test sees what arrived (the body unzipped, the token).
 */
class ApiDeliveryTest {
    @TempDir
    Path tmp;

    private HttpServer server;
    private final LinkedBlockingQueue<Integer> script = new LinkedBlockingQueue<>();
    private final List<Report> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> deliveryHeaders = Collections.synchronizedList(new ArrayList<>());
    private final List<String> tokens = Collections.synchronizedList(new ArrayList<>());
    private final LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    /** Runs before each reply: what else happens while the server answers. */
    private volatile Runnable beforeReply = () -> {};
    private final StringWriter logText = new StringWriter();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Path report;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/reports", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            bodies.add(ReportJson.read("gzip".equals(encoding) ? new GZIPInputStream(new java.io.ByteArrayInputStream(body))
                    .readAllBytes() : body, "body", w -> { }));
            deliveryHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Snoop-Delivery")));
            tokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            beforeReply.run();
            Integer status = script.poll();
            int code = status == null ? 200 : status;
            if (code == 503) {
                exchange.getResponseHeaders().add("Retry-After", "1");
            }
            byte[] answer = (code == 409 ? "{\"error\": \"mismatch\", \"resync\": true}\n" : "{}\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
            arrivals.add(System.nanoTime());
        });
        server.start();
        report = tmp.resolve("r.json");
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private ApiDelivery delivery(Path tokenFile, String token) {
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/reports");
        var settings = new ApiSettings(endpoint, tokenFile, token, Duration.ofMillis(20), Duration.ofMillis(200),
                Duration.ofSeconds(5), Duration.ofSeconds(5));
        return new ApiDelivery(settings, report, new Log(new PrintWriter(logText, true), Log.Level.INFO), registry,
                new Random(7));
    }

    @Test
    void testDelivery_sendsTheNewestReportGzippedWithTheToken() throws Exception {
        try (ApiDelivery d = delivery(null, "s3cret")) {
            Report written = write(Map.of("/etc/hostname", "r"), 3);
            d.reportWritten(1);
            awaitArrivals(1);
            assertEquals(List.of(written), bodies);
            assertEquals(List.of("null"), deliveryHeaders, "the first report goes in full");
            assertEquals(List.of("Bearer s3cret"), tokens);
            assertTrue(d.finish(Instant.now().plusSeconds(5)));
            assertEquals(1.0, registry.get("snoop.api.deliveries").tag("result", "delivered").counter().count());
        }
        assertFalse(logText.toString().contains("s3cret"), "the token reached the log:\n" + logText);
    }

    @Test
    void testDelivery_5xxAnd429Retried_untilDelivered_honouringRetryAfter() throws Exception {
        script.addAll(List.of(500, 429, 503));
        try (ApiDelivery d = delivery(null, null)) {
            write(Map.of("/a", "r"), 1);
            d.reportWritten(3);
            awaitArrivals(3);
            long third = arrivals.stream().skip(2).findFirst().orElseThrow();
            awaitArrivals(4);
            long fourth = arrivals.stream().skip(3).findFirst().orElseThrow();
            // the 503 said Retry-After: 1; the backoff alone is at most 200 ms
            assertTrue(fourth - third >= TimeUnit.MILLISECONDS.toNanos(950), (fourth - third) / 1_000_000 + " ms");
            assertTrue(d.finish(Instant.now().plusSeconds(5)));
            assertEquals(0.0, registry.get("snoop.api.undelivered.files").gauge().value());
            assertEquals(3.0, registry.get("snoop.api.deliveries").tag("result", "retried").counter().count());
        }
    }

    @Test
    void testDelivery_rejectedReportNotRetried_theNextOneSent() throws Exception {
        script.addAll(List.of(400));
        try (ApiDelivery d = delivery(null, null)) {
            Report v1 = write(Map.of("/v1", "r"), 1);
            d.reportWritten(1);
            awaitArrivals(1);
            Thread.sleep(300); // time for a retry that must not come: well over the 20-200 ms backoff
            assertEquals(1, arrivals.size(), "a 400 was retried");
            assertFalse(d.finish(Instant.now().plusMillis(200)), "a rejected report counts as not delivered");
            Report v2 = write(Map.of("/v1", "r", "/v2", "r"), 2);
            d.reportWritten(2);
            awaitArrivals(2);
            assertEquals(List.of(v1, v2), bodies, "nothing was acknowledged: both in full");
        }
        assertTrue(logText.toString().contains("report rejected by snoop serve"), logText.toString());
    }

    @Test
    void testDelivery_401_rereadsTheTokenFileOnce() throws Exception {
        Path tokenFile = Files.writeString(tmp.resolve("token"), "old\n");
        script.addAll(List.of(401));
        // the kubelet rotates the projected token while the old one is refused
        beforeReply = () -> {
            try {
                Files.writeString(tokenFile, "rotated\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try (ApiDelivery d = delivery(tokenFile, null)) {
            write(Map.of("/a", "r"), 1);
            d.reportWritten(0);
            awaitArrivals(2);
            assertEquals(List.of("Bearer old", "Bearer rotated"), tokens.subList(0, 2));
            assertTrue(d.finish(Instant.now().plusSeconds(5)));
        }
    }

    @Test
    void testDelivery_serverDown_finishGivesUpAtTheDeadline() throws Exception {
        server.stop(0);
        try (ApiDelivery d = delivery(null, null)) {
            write(Map.of("/a", "r"), 1);
            d.reportWritten(5);
            Instant start = Instant.now();
            assertFalse(d.finish(start.plusMillis(500)));
            assertTrue(Duration.between(start, Instant.now()).toMillis() < 5_000);
            assertEquals(5.0, registry.get("snoop.api.undelivered.files").gauge().value());
        }
    }

    @Test
    void testDelivery_afterTheFirstAcknowledged_sendsDeltasWithTheChecksum() throws Exception {
        try (ApiDelivery d = delivery(null, null)) {
            write(Map.of("/a", "r", "/b", "r"), 10);
            d.reportWritten(2);
            awaitArrivals(1);
            // /b gains "x", /c is new: only they go, with every counter and the whole set's checksum
            Report second = write(Map.of("/a", "r", "/b", "xr", "/c", "m"), 20);
            d.reportWritten(3);
            awaitArrivals(2);
            assertEquals(List.of("/b", "/c"), files(bodies.get(1)));
            assertEquals(20, bodies.get(1).containers().get(0).totalEvents());
            assertEquals("delta; files=3; checksum=" + SetChecksum.of(second).hex(), deliveryHeaders.get(1));
            write(Map.of("/a", "r", "/b", "xr", "/c", "m"), 30); // nothing new but the counters
            d.reportWritten(3);
            awaitArrivals(3);
            assertEquals(List.of(), files(bodies.get(2)));
            assertEquals(30, bodies.get(2).containers().get(0).totalEvents());
            assertTrue(d.finish(Instant.now().plusSeconds(5)));
            assertEquals(0.0, registry.get("snoop.api.undelivered.files").gauge().value());
            double full = registry.get("snoop.api.sent.bytes").tag("kind", "full").counter().count();
            double delta = registry.get("snoop.api.sent.bytes").tag("kind", "delta").counter().count();
            assertTrue(full > 0 && delta > 0, full + " " + delta);
        }
    }

    @Test
    void testDelivery_409Resync_sendsTheFullReportAtOnce() throws Exception {
        script.addAll(List.of(200, 409));
        try (ApiDelivery d = delivery(null, null)) {
            write(Map.of("/a", "r"), 1);
            d.reportWritten(1);
            awaitArrivals(1);
            Report second = write(Map.of("/a", "r", "/b", "r"), 2);
            d.reportWritten(2);
            awaitArrivals(3);
            assertEquals(List.of("/b"), files(bodies.get(1)));
            assertEquals(List.of(second), bodies.subList(2, 3), "after the 409, the whole report");
            assertEquals("null", deliveryHeaders.get(2));
            assertTrue(d.finish(Instant.now().plusSeconds(5)));
            assertEquals(1.0, registry.get("snoop.api.deliveries").tag("result", "resync").counter().count());
        }
    }

    @Test
    void testDelivery_413_sendsPartsOfHalfAsManyFiles_thenDeltas() throws Exception {
        script.addAll(List.of(413));
        Map<String, String> eight = new TreeMap<>();
        for (int i = 0; i < 8; i++) {
            eight.put("/f" + i, "r");
        }
        try (ApiDelivery d = delivery(null, null)) {
            write(eight, 1);
            d.reportWritten(8);
            awaitArrivals(3);
            assertEquals(List.of(4, 4), List.of(files(bodies.get(1)).size(), files(bodies.get(2)).size()));
            List<String> union = new ArrayList<>(files(bodies.get(1)));
            union.addAll(files(bodies.get(2)));
            assertEquals(new ArrayList<>(eight.keySet()), union, "the parts are the report");
            eight.put("/f8", "r");
            Report next = write(eight, 2);
            d.reportWritten(9);
            awaitArrivals(4);
            assertEquals(List.of("/f8"), files(bodies.get(3)));
            assertEquals("delta; files=9; checksum=" + SetChecksum.of(next).hex(), deliveryHeaders.get(3));
            assertTrue(d.finish(Instant.now().plusSeconds(5)));
            assertEquals(1.0, registry.get("snoop.api.deliveries").tag("result", "too_large").counter().count());
        }
    }

    @Test
    void testBackoff_fullJitterUnderTheCap_honoursRetryAfter() {
        Duration base = Duration.ofSeconds(1);
        Duration cap = Duration.ofMinutes(5);
        // the ceiling doubles from 1 s and stops at 5 min (attempt 9: 512 s > 300 s), for ever after
        assertEquals(999, ApiDelivery.backoffMillis(0, base, cap, null, 0.999));
        assertEquals(255_744, ApiDelivery.backoffMillis(8, base, cap, null, 0.999));
        for (int attempt : new int[] {9, 10, 30, 31, 1_000, Integer.MAX_VALUE}) {
            assertEquals(299_700, ApiDelivery.backoffMillis(attempt, base, cap, null, 0.999), "attempt " + attempt);
            assertEquals(0, ApiDelivery.backoffMillis(attempt, base, cap, null, 0.0), "full jitter: from 0");
        }
        // so an outage of any length ends in a delivery within 5 min of the server's return: a
        // 10-minute outage is, for the client, the same as any outage longer than the ramp (about 8.5 min)
        assertEquals(5_000, ApiDelivery.backoffMillis(0, base, cap, Duration.ofSeconds(5), 0.5), "Retry-After is a floor");
        assertEquals(3_600_000, ApiDelivery.backoffMillis(0, base, cap, Duration.ofDays(7), 0.5), "held to an hour");
    }

    @Test
    void testRetryAfter_secondsAndHttpDate() {
        Instant now = Instant.parse("2026-12-03T12:00:00Z");
        assertEquals(Duration.ofSeconds(7), RetryAfter.parse("7", now));
        assertEquals(Duration.ofSeconds(30), RetryAfter.parse("Thu, 03 Dec 2026 12:00:30 GMT", now));
        assertEquals(Duration.ZERO, RetryAfter.parse("Thu, 03 Dec 2026 11:00:00 GMT", now));
        assertNull(RetryAfter.parse("soon", now));
        assertNull(RetryAfter.parse(null, now));
        assertNull(RetryAfter.parse("99999999999999999999999", now));
    }

    /** Writes a report of one container "app" with these files (path to access letters) as the outbox. */
    private Report write(Map<String, String> files, long totalEvents) throws Exception {
        SortedPaths paths = SortedPaths.of(files.keySet());
        byte[] bits = new byte[paths.size()];
        int i = 0;
        for (String path : paths) {
            bits[i++] = (byte) AccessKind.bits(files.get(path));
        }
        ContainerReport c = new ContainerReport("app", null, 0, null, "app:1", null, null, null, totalEvents, 0, paths)
                .withAccess(FileAccess.of(bits, bits.length));
        Report r = new Report(Report.SCHEMA_VERSION, "p", "ns", Map.of(), null, null, totalEvents, 0, 0, List.of(c));
        ReportJson.write(r, report);
        return r;
    }

    private static List<String> files(Report r) {
        List<String> files = new ArrayList<>();
        r.containers().forEach(c -> c.files().forEach(files::add));
        return files;
    }

    private void awaitArrivals(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (arrivals.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(arrivals.size() >= count, "requests: " + arrivals.size() + ", expected " + count + "\n" + logText);
    }
}
