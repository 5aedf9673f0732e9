package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
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
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
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
            bodies.add(new String("gzip".equals(encoding) ? new GZIPInputStream(new java.io.ByteArrayInputStream(body))
                    .readAllBytes() : body, StandardCharsets.UTF_8));
            tokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            beforeReply.run();
            Integer status = script.poll();
            int code = status == null ? 200 : status;
            if (code == 503) {
                exchange.getResponseHeaders().add("Retry-After", "1");
            }
            exchange.sendResponseHeaders(code, -1);
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
            Files.writeString(report, "{\"containers\": []}");
            d.reportWritten(0);
            awaitArrivals(1);
            assertEquals(List.of("{\"containers\": []}"), bodies);
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
            Files.writeString(report, "{}");
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
            Files.writeString(report, "{\"v\": 1}");
            d.reportWritten(1);
            awaitArrivals(1);
            Thread.sleep(300); // time for a retry that must not come: well over the 20-200 ms backoff
            assertEquals(1, arrivals.size(), "a 400 was retried");
            assertFalse(d.finish(Instant.now().plusMillis(200)), "a rejected report counts as not delivered");
            Files.writeString(report, "{\"v\": 2}");
            d.reportWritten(2);
            awaitArrivals(2);
            assertEquals(List.of("{\"v\": 1}", "{\"v\": 2}"), bodies);
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
            Files.writeString(report, "{}");
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
            Files.writeString(report, "{}");
            d.reportWritten(5);
            Instant start = Instant.now();
            assertFalse(d.finish(start.plusMillis(500)));
            assertTrue(Duration.between(start, Instant.now()).toMillis() < 5_000);
            assertEquals(5.0, registry.get("snoop.api.undelivered.files").gauge().value());
        }
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

    private void awaitArrivals(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (arrivals.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(arrivals.size() >= count, "requests: " + arrivals.size() + ", expected " + count + "\n" + logText);
    }
}
