package dev.snoop.record;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metrics server alone in a JVM of its own (the JDK reads its limits once per process), with
 * about as many meters as a recorder of 20 containers: prints {@code port=N}, serves until stdin
 * closes.
 */
final class MetricsServerHarness {
    private MetricsServerHarness() {}

    public static void main(String[] args) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicLong events = new AtomicLong();
        for (String syscall : new String[] {"open", "openat", "openat2", "exec", "stat", "statx", "access", "readlink"}) {
            FunctionCounter.builder("snoop.events", events, AtomicLong::incrementAndGet).tag("syscall", syscall)
                    .description("File-access syscalls").register(registry);
        }
        for (int i = 0; i < 20; i++) {
            Gauge.builder("snoop.unique.files", events, e -> e.get() % 1000).tag("container", "container-" + i)
                    .description("Unique files recorded for a container").strongReference(true).register(registry);
        }
        for (int i = 0; i < 30; i++) {
            FunctionCounter.builder("snoop.other." + i, events, AtomicLong::get).description("other").register(registry);
        }
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> true)) {
            System.out.println("port=" + server.address().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the test closes our stdin
            }
        }
    }
}
