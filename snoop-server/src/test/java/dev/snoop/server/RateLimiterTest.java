package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.Report;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void testAcquire_burstThenRefusedUntilRefilled() {
        AtomicLong now = new AtomicLong(5 * SECOND);
        RateLimiter limiter = new RateLimiter(10);
        limiter.clock(now::get);
        for (int i = 0; i < 10 * RateLimiter.BURST_SECONDS; i++) {
            assertEquals(0, limiter.acquire("a"), "within the burst: " + i);
        }
        long wait = limiter.acquire("a");
        assertEquals(SECOND / 10, wait, "one report every 100 ms");
        assertEquals(0, limiter.acquire("b"), "another identity has its own bucket");
        now.addAndGet(wait - 1);
        assertTrue(limiter.acquire("a") > 0);
        now.addAndGet(1);
        assertEquals(0, limiter.acquire("a"));
        assertTrue(limiter.acquire("a") > 0);
        now.addAndGet(3600 * SECOND);
        for (int i = 0; i < 10 * RateLimiter.BURST_SECONDS; i++) {
            assertEquals(0, limiter.acquire("a"), "refilled to the burst, not beyond: " + i);
        }
        assertTrue(limiter.acquire("a") > 0);
    }

    @Test
    void testAcquire_zero_isNoLimit() {
        RateLimiter limiter = new RateLimiter(0);
        assertFalse(limiter.enabled());
        for (int i = 0; i < 10_000; i++) {
            assertEquals(0, limiter.acquire("a"));
        }
        assertEquals(0, limiter.size());
    }

    @Test
    void testAcquire_manyIdentities_bucketsBounded() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(1);
        limiter.clock(now::get);
        for (int i = 0; i < RateLimiter.MAX_BUCKETS * 3; i++) {
            limiter.acquire("id-" + i);
            now.addAndGet(SECOND / 1000);
        }
        assertTrue(limiter.size() <= RateLimiter.MAX_BUCKETS, "buckets: " + limiter.size());
        // a bucket in use is kept when full ones are dropped: its debt is not forgiven
        limiter = new RateLimiter(1);
        limiter.clock(now::get);
        limiter.acquire("busy");
        limiter.acquire("busy");
        assertTrue(limiter.acquire("busy") > 0);
        for (int i = 0; i < RateLimiter.MAX_BUCKETS; i++) {
            limiter.acquire("idle-" + i);
            now.addAndGet(1);
        }
        now.addAndGet(10 * SECOND);
        limiter.acquire("one-more"); // over the bound: the refilled ones go
        assertTrue(limiter.size() < 10, "buckets: " + limiter.size());
    }

    @Test
    void testPost_overTheRate_is429WithJitteredRetryAfter_perToken() throws Exception {
        try (SnoopServer server = Http.startServer(dir, 4, config -> config.withRateLimit(1), line -> { })) {
            TestDatabase.truncate(server.database().dataSource());
            AtomicLong now = new AtomicLong(System.nanoTime());
            server.api().rateLimiter().clock(now::get); // frozen: no refill while the test runs
            Http http = new Http(server.port());
            Report shop = Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 1, 10);
            assertEquals(200, http.post(Http.TOKEN, shop).statusCode());
            assertEquals(200, http.post(Http.TOKEN, shop).statusCode(), "a burst of two");
            java.util.Set<Long> retryAfters = new java.util.TreeSet<>();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> refused = http.post(Http.TOKEN, Reports.growing("shop", "shop-5b8d-bbbbb", "shop", 1, 10));
                assertEquals(429, refused.statusCode(), refused.body());
                assertEquals("{\"error\": \"over this token's rate limit\"}\n", refused.body());
                long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);
                retryAfters.add(retryAfter);
            }
            assertTrue(retryAfters.size() > 1, "jittered: " + retryAfters);
            assertEquals(0, ReportStoreTest.count(server.database().dataSource(),
                    "SELECT count(*) FROM instance WHERE pod_name = 'shop-5b8d-bbbbb'"), "nothing stored from a 429");
            assertEquals(200, http.post(Http.ANY_TOKEN, shop).statusCode(), "another token has its own rate");
            assertEquals(401, http.post("not-a-token", shop).statusCode(), "a bad token is refused 401, not counted");
            now.addAndGet(SECOND);
            assertEquals(200, http.post(Http.TOKEN, shop).statusCode(), "a second later, one more");
            assertEquals(429, http.post(Http.TOKEN, shop).statusCode());
            assertEquals(2, server.api().rateLimiter().size(), "one bucket per token that reported");
            assertEquals(21, MetricsHandlerTest.value(http.get(MetricsHandler.METRICS).body(),
                    "snoop_server_ingest_rejected_total", "reason=\"rate_limited\""));
        }
    }
}
