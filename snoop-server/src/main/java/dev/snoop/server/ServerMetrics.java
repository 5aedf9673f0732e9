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
    private final Counter retentionDeleted;
    private final Counter retentionFailed;
    private final java.util.concurrent.atomic.AtomicLong retentionLastRun = new java.util.concurrent.atomic.AtomicLong();

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
        retentionDeleted = Counter.builder("snoop.server.retention.deleted.instances")
                .description("Instances deleted for being past the retention").register(registry);
        retentionFailed = Counter.builder("snoop.server.retention.failures")
                .description("Retention runs that failed (the database was unreachable)").register(registry);
        io.micrometer.core.instrument.Gauge.builder("snoop.server.retention.last.success", retentionLastRun, Number::doubleValue)
                .description("Unix time of the last retention run that succeeded; 0 before one, or without --retention")
                .baseUnit("seconds").register(registry);
    }

    /** One retention run: the instances it deleted, or -1 if it failed. */
    void retention(long deleted, long epochSecond) {
        if (deleted < 0) {
            retentionFailed.increment();
        } else {
            retentionDeleted.increment(deleted);
            retentionLastRun.set(epochSecond);
        }
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
