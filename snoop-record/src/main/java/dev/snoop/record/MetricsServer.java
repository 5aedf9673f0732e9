package dev.snoop.record;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Serves {@code /metrics} (Prometheus text format) and {@code /healthz} on the metrics address, the
 * only port snoop listens on. Routes are exact ({@link MetricsRoutes}); timeouts, sizes and
 * threads are bounded so that slow or many clients cannot hold {@code /healthz} up
 * ({@link HttpServerLimits}).
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving.
     *
     * @param address from {@link MetricsAddress#parse}
     * @param healthy true while probes are attached and the last report write succeeded
     * @throws IOException if the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy)
            throws IOException {
        return start(address, registry, healthy, () -> null);
    }

    /**
     * As {@link #start(InetSocketAddress, PrometheusMeterRegistry, BooleanSupplier)}, and
     * {@code /healthz} says "degraded" with the reason while {@code degraded} gives one: still 200.
     */
    public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy,
            Supplier<String> degraded) throws IOException {
        HttpServerLimits.apply();
        HttpServer server = HttpServer.create(address, HttpServerLimits.BACKLOG);
        server.setExecutor(HttpServerLimits.executor());
        server.createContext("/", new MetricsRoutes(registry, healthy, degraded));
        server.start();
        return new MetricsServer(server);
    }

    /** The address actually bound (its port, when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
