package dev.snoop.record;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The two routes of the metrics server, matched exactly: {@code GET}/{@code HEAD} of
 * {@code /metrics} and {@code /healthz}; any other path is 404, any other method 405, a request
 * with a body 413 (nothing here reads one).
 *
 * <p>{@code /metrics} is rendered at most once per {@link #SCRAPE_MAX_AGE_MILLIS} and shared by
 * the scrapes in between: the kernel counters it shows change once a second anyway, and a burst
 * of scrapes then costs a copy of bytes each, not a render each, so it never keeps a thread long
 * enough to hold {@code /healthz} up.
 */
final class MetricsRoutes implements HttpHandler {
    static final long SCRAPE_MAX_AGE_MILLIS = 1000;
    private static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier healthy;
    private final Supplier<String> degraded;
    private byte[] scrape;
    private long scrapedAt;

    MetricsRoutes(PrometheusMeterRegistry registry, BooleanSupplier healthy) {
        this(registry, healthy, () -> null);
    }

    MetricsRoutes(PrometheusMeterRegistry registry, BooleanSupplier healthy, Supplier<String> degraded) {
        this.registry = registry;
        this.healthy = healthy;
        this.degraded = degraded;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            boolean known = "/metrics".equals(path) || "/healthz".equals(path);
            String method = exchange.getRequestMethod();
            if (!known) {
                respond(exchange, 404, TEXT, "not found\n".getBytes(StandardCharsets.UTF_8));
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT, "method not allowed\n".getBytes(StandardCharsets.UTF_8));
            } else if (hasBody(exchange)) {
                // the body is not read: close rather than let the server drain it
                exchange.getResponseHeaders().set("Connection", "close");
                respond(exchange, 413, TEXT, "no request body expected\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/metrics")) {
                respond(exchange, 200, METRICS_TYPE, scrape());
            } else {
                respond(exchange, healthStatus(), TEXT, healthBody().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * 503 only when recording has stopped working (the poller failed, the report cannot be
     * written): a restart may fix that. Memory pressure stays 200, "degraded: ...": a liveness
     * probe that restarted a thrashing sidecar would bring it back under the same limit, into the
     * same pressure, after losing the events of every restart (a restart loop); the metric
     * snoop_memory_pressure is what to alert on.
     */
    int healthStatus() {
        return healthy.getAsBoolean() ? 200 : 503;
    }

    String healthBody() {
        if (!healthy.getAsBoolean()) {
            return "unhealthy\n";
        }
        String reason = degraded.get();
        return reason == null ? "ok\n" : "degraded: memory pressure (" + reason + ")\n";
    }

    /** The last rendering if it is recent enough, else a new one (one at a time). */
    synchronized byte[] scrape() {
        long now = System.nanoTime();
        if (scrape == null || now - scrapedAt >= TimeUnit.MILLISECONDS.toNanos(SCRAPE_MAX_AGE_MILLIS)) {
            scrape = registry.scrape().getBytes(StandardCharsets.UTF_8);
            scrapedAt = now;
        }
        return scrape;
    }

    private static boolean hasBody(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        return exchange.getRequestHeaders().containsKey("Transfer-Encoding")
                || length != null && !length.strip().equals("0");
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
