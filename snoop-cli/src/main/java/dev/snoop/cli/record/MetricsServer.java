package dev.snoop.cli.record;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;

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
     * @param address from {@link #parseAddress}
     * @param healthy true while probes are attached and the last report write succeeded
     * @throws IOException if the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier healthy)
            throws IOException {
        HttpServerLimits.apply();
        HttpServer server = HttpServer.create(address, HttpServerLimits.BACKLOG);
        server.setExecutor(HttpServerLimits.executor());
        server.createContext("/", new MetricsRoutes(registry, healthy));
        server.start();
        return new MetricsServer(server);
    }

    /** The address actually bound (its port, when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Parses {@code host:port}, {@code :port} (all interfaces) or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static InetSocketAddress parseAddress(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + value + "' is not an address such as :9090 or 127.0.0.1:9090");
        }
        String host = value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' has no valid port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + value + "': port out of range");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
