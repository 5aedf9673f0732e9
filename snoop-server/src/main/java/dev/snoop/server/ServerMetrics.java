package dev.snoop.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The server's Prometheus metrics, served at {@code /metrics} on the API port. They hold counts
 * and times only: no token, hash, namespace or pod name is ever a label (a label per namespace
 * would also grow without bound).
 */
final class ServerMetrics {
    /** Why an ingest was refused: the label values of {@code snoop_server_ingest_rejected_total}. */
    static final List<String> REASONS = List.of("auth", "auth_unavailable", "scope", "too_large", "malformed",
            "busy", "rate_limited", "timeout", "database", "internal");
    /**
     * The latency histogram's buckets: fine around the 250 ms p99 target, up to the 60 s a body may
     * take to arrive.
     */
    static final List<Duration> LATENCY_BUCKETS = List.of(Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(150),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> rejected;
    private final Timer stored;
    private final Timer refused;
    private final Counter receivedBytes;
    private final Counter filesStored;

    ServerMetrics() {
        rejected = REASONS.stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                reason -> Counter.builder("snoop.server.ingest.rejected")
                        .description("Reports refused, by why").tag("reason", reason).register(registry)));
        stored = latency("stored");
        refused = latency("rejected");
        receivedBytes = Counter.builder("snoop.server.ingest.received").baseUnit("bytes")
                .description("Bytes of report bodies received, as sent (compressed if gzip)").register(registry);
        filesStored = Counter.builder("snoop.server.ingest.files.stored")
                .description("Files that no earlier report of their instance had").register(registry);
    }

    private Timer latency(String result) {
        return Timer.builder("snoop.server.ingest.duration")
                .description("From a report's request to its answer written, by result")
                .tag("result", result)
                .serviceLevelObjectives(LATENCY_BUCKETS.toArray(Duration[]::new))
                .register(registry);
    }

    MeterRegistry registry() {
        return registry;
    }

    String scrape() {
        return registry.scrape();
    }

    /**
     * One answered {@code POST /v1/reports}.
     *
     * @param reason why it was refused, one of {@link #REASONS}, or null if it was stored
     */
    void ingest(int status, String reason, long nanos, long bytes, long newFiles) {
        String result = reason == null ? "stored" : "rejected";
        Counter.builder("snoop.server.ingest.requests").description("Reports answered, by result and status")
                .tag("result", result).tag("status", Integer.toString(status)).register(registry).increment();
        (reason == null ? stored : refused).record(nanos, TimeUnit.NANOSECONDS);
        if (reason != null) {
            rejected.get(reason).increment();
        }
        receivedBytes.increment(bytes);
        filesStored.increment(newFiles);
    }
}
