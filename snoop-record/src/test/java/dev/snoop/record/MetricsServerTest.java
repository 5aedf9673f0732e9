package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metrics server's routes, limits and latency. Timeouts and sizes are the JDK's, read from
 * system properties once per process, so those tests run the server in a JVM of its own
 * ({@link MetricsServerHarness}) with the sidecar's JVM flags.
 */
@Timeout(180)
class MetricsServerTest {

    @Test
    void testRoutes_exactPathsOnly() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("snoop.test").register(registry).increment();
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> true)) {
            InetSocketAddress at = server.address();
            assertTrue(request(at, "GET /metrics HTTP/1.1").startsWith("HTTP/1.1 200"));
            assertTrue(request(at, "GET /metrics HTTP/1.1").contains("snoop_test_total 1.0"));
            assertTrue(request(at, "GET /metrics?name=x HTTP/1.1").startsWith("HTTP/1.1 200"));
            assertTrue(request(at, "GET /healthz HTTP/1.1").endsWith("\r\n\r\nok\n"));
            for (String path : List.of("/metricsXYZ", "/healthzz", "/metrics/", "/healthz/x", "/", "/favicon.ico", "/METRICS")) {
                assertTrue(request(at, "GET " + path + " HTTP/1.1").startsWith("HTTP/1.1 404"), path);
            }
            String post = request(at, "POST /metrics HTTP/1.1");
            assertTrue(post.startsWith("HTTP/1.1 405") && post.contains("Allow: GET, HEAD"), post);
            assertTrue(request(at, "DELETE /healthz HTTP/1.1").startsWith("HTTP/1.1 405"));
            String head = request(at, "HEAD /healthz HTTP/1.1");
            assertTrue(head.startsWith("HTTP/1.1 200") && head.endsWith("\r\n\r\n"), head);
            assertTrue(request(at, "GET /metrics HTTP/1.1", "Content-Length: 5", "", "hello").startsWith("HTTP/1.1 413"));
            assertTrue(request(at, "GET /healthz HTTP/1.1", "Transfer-Encoding: chunked", "", "5", "hello", "0", "")
                    .startsWith("HTTP/1.1 413"));
        }
    }

    @Test
    void testHealthz_unhealthy_503() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> false)) {
            assertTrue(request(server.address(), "GET /healthz HTTP/1.1").startsWith("HTTP/1.1 503"));
        }
    }

    @Test
    void testHealthz_memoryPressure_200WithTheReason() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        String[] reason = {"420 major faults/s"};
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> true,
                () -> reason[0])) {
            String response = request(server.address(), "GET /healthz HTTP/1.1");
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("degraded: memory pressure (420 major faults/s)\n"), response);
            reason[0] = null;
            assertTrue(request(server.address(), "GET /healthz HTTP/1.1").endsWith("\r\n\r\nok\n"));
        }
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> false,
                () -> "pressure")) {
            String response = request(server.address(), "GET /healthz HTTP/1.1");
            assertTrue(response.startsWith("HTTP/1.1 503") && response.endsWith("unhealthy\n"), response);
        }
    }

    @Test
    void testScrape_sharedForASecond_thenRenderedAgain() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter counter = Counter.builder("snoop.test").register(registry);
        MetricsRoutes routes = new MetricsRoutes(registry, () -> true);
        long t0 = System.nanoTime();
        byte[] first = routes.scrape();
        counter.increment();
        byte[] second = routes.scrape();
        if (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(MetricsRoutes.SCRAPE_MAX_AGE_MILLIS)) {
            assertTrue(first == second, "a scrape within the second is the same rendering");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (new String(routes.scrape(), StandardCharsets.UTF_8).contains("snoop_test_total 0.0")) {
            assertTrue(System.nanoTime() < deadline, "the scrape was never rendered again");
            Thread.sleep(50); // polling for the next rendering, with a deadline
        }
    }

    @Test
    void testStalledClient_droppedWithinTheRequestTimeout_healthzAnswersMeanwhile() throws Exception {
        try (Harness harness = Harness.start()) {
            long t0 = System.nanoTime();
            try (Socket stalled = new Socket()) {
                stalled.connect(harness.address);
                stalled.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: snoop\r\n".getBytes(StandardCharsets.US_ASCII));
                stalled.setSoTimeout((HttpServerLimits.REQUEST_TIMEOUT_SECONDS + 5) * 1000);
                assertTrue(request(harness.address, "GET /healthz HTTP/1.1").startsWith("HTTP/1.1 200"));
                assertEquals(-1, stalled.getInputStream().read(), "the server closes the stalled connection");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            // the JDK checks request times once a second
            assertTrue(seconds < HttpServerLimits.REQUEST_TIMEOUT_SECONDS + 2.5, "dropped after " + seconds + " s");
        }
    }

    @Test
    void testOversizedHeaders_refused() throws Exception {
        try (Harness harness = Harness.start()) {
            String big = "X-Filler: " + "a".repeat(HttpServerLimits.MAX_REQUEST_HEADER_BYTES);
            String answer = request(harness.address, "GET /healthz HTTP/1.1", big);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
            String[] many = new String[HttpServerLimits.MAX_REQUEST_HEADERS + 1];
            for (int i = 0; i < many.length; i++) {
                many[i] = "X-H" + i + ": 1";
            }
            answer = request(harness.address, "GET /healthz HTTP/1.1", many);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
            assertTrue(request(harness.address, "GET /healthz HTTP/1.1").startsWith("HTTP/1.1 200"));
        }
    }

    /**
     * The target: /healthz p99 under 100 ms while 200 clients scrape /metrics and 50
     * connections stall mid-headers. Every probe must answer within kubelet's 1 s.
     */
    @Test
    void testHealthz_200ScrapersAnd50Stalls_p99Under100ms() throws Exception {
        try (Harness harness = Harness.start()) {
            HealthUnderLoad.Result result = HealthUnderLoad.run(harness.address, 200, 50, 300);
            System.out.println("MetricsServerTest: " + result);
            assertEquals(0, result.failedProbes(), result.toString());
            assertTrue(result.percentile(99) < 100, result.toString());
            assertTrue(result.scrapes() > 200, result.toString());
        }
    }

    /** Sends the lines (CRLF-terminated, then an empty line unless given) and reads the whole answer. */
    static String request(InetSocketAddress at, String requestLine, String... more) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(10_000);
            StringBuilder sb = new StringBuilder(requestLine).append("\r\nHost: snoop\r\nConnection: close\r\n");
            for (String line : more) {
                sb.append(line).append("\r\n");
            }
            if (!List.of(more).contains("")) {
                sb.append("\r\n"); // no body given: end the headers
            }
            OutputStream out = s.getOutputStream();
            out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try {
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            } catch (java.net.SocketException e) {
                return ""; // reset: refused without an answer
            }
        }
    }

    /** {@link MetricsServerHarness} in a JVM of its own, with the sidecar's flags. */
    private static final class Harness implements AutoCloseable {
        final Process process;
        final InetSocketAddress address;

        private Harness(Process process, InetSocketAddress address) {
            this.process = process;
            this.address = address;
        }

        static Harness start() throws IOException {
            ProcessBuilder pb = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k", "-Xmx64m",
                    "-cp", System.getProperty("java.class.path"), MetricsServerHarness.class.getName());
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process process = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("port=")) {
                process.destroyForcibly();
                throw new IllegalStateException("the harness did not start: " + line);
            }
            return new Harness(process, new InetSocketAddress("127.0.0.1", Integer.parseInt(line.substring(5))));
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
