package dev.snoop.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Probes {@code /healthz} the way kubelet does (a new connection each time, 1 s timeout) while
 * other clients scrape {@code /metrics} as fast as they can and others hold connections open in
 * the middle of their headers (reopened whenever the server drops them). Only the JDK, so the
 * bench runs it against a real {@code snoop record} (the load runs niced, see {@link #run}):
 *
 * <pre>java -cp snoop-cli/target/test-classes dev.snoop.record.HealthUnderLoad HOST PORT [SCRAPERS STALLS PROBES]</pre>
 */
final class HealthUnderLoad {
    static final int PROBE_TIMEOUT_MILLIS = 1000;
    private static final byte[] STALL = "GET /metrics HTTP/1.1\r\nHost: snoop\r\nUser-Agent: stall".getBytes(StandardCharsets.US_ASCII);

    /** Latencies of the probes in ms (a failed probe counts as {@link Double#POSITIVE_INFINITY}). */
    record Result(double[] probeMillis, int failedProbes, long scrapes, long failedScrapes, long stallsDropped,
            double maxStallMillis) {
        double percentile(double p) {
            double[] sorted = probeMillis.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "healthz: %d probes, %d failed, p50 %.1f ms, p99 %.1f ms, max %.1f ms; /metrics: %d scrapes, %d failed;"
                            + " stalled connections dropped by the server: %d (longest held %.1f s)",
                    probeMillis.length, failedProbes, percentile(50), percentile(99), percentile(100), scrapes,
                    failedScrapes, stallsDropped, maxStallMillis / 1000);
        }
    }

    private HealthUnderLoad() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--load")) {
            load(new InetSocketAddress(args[1], Integer.parseInt(args[2])), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int scrapers = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int stalls = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int probes = args.length > 4 ? Integer.parseInt(args[4]) : 300;
        System.out.println(run(server, scrapers, stalls, probes));
    }

    /**
     * Runs the scrapers and stalls in a JVM of their own at the lowest CPU priority ({@code nice
     * 19}), as clients on other machines would be: 250 busy client threads on the prober's 2 cores
     * otherwise delay the prober itself (~20 ms median, whatever the server does). Then probes
     * {@code probes} times, 10 ms apart.
     */
    static Result run(InetSocketAddress server, int scrapers, int stalls, int probes) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("nice", "-n", "19",
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss256k",
                "-cp", System.getProperty("java.class.path"), HealthUnderLoad.class.getName(), "--load",
                server.getHostString(), String.valueOf(server.getPort()), String.valueOf(scrapers), String.valueOf(stalls));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process load = pb.start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = out.readLine();
            if (!"ready".equals(ready)) {
                throw new IllegalStateException("the load did not start: " + ready);
            }
            double[] millis = probe(server, probes);
            load.getOutputStream().close();
            String[] counts = out.readLine().split(" ");
            if (!load.waitFor(20, TimeUnit.SECONDS)) {
                load.destroyForcibly();
            }
            int failed = (int) Arrays.stream(millis).filter(Double::isInfinite).count();
            return new Result(millis, failed, Long.parseLong(counts[0]), Long.parseLong(counts[1]), Long.parseLong(counts[2]),
                    Long.parseLong(counts[3]));
        } finally {
            load.destroyForcibly();
        }
    }

    /** Probes like kubelet, 10 ms apart; stops after 20 failures, when the answer is known. */
    private static double[] probe(InetSocketAddress server, int probes) throws InterruptedException {
        double[] millis = new double[probes];
        int failed = 0;
        int done = 0;
        for (; done < probes && failed < 20; done++) {
            long t0 = System.nanoTime();
            try {
                String status = get(server, "/healthz", PROBE_TIMEOUT_MILLIS);
                millis[done] = (System.nanoTime() - t0) / 1e6;
                if (!status.startsWith("HTTP/1.1 200")) {
                    throw new IOException(status);
                }
            } catch (IOException e) {
                millis[done] = Double.POSITIVE_INFINITY;
                failed++;
            }
            Thread.sleep(10); // kubelet probes periodically, not back to back
        }
        return Arrays.copyOf(millis, done);
    }

    /**
     * The load alone: prints {@code ready} once every stall is open and every scraper under way,
     * runs until stdin closes, then prints {@code SCRAPES FAILED DROPPED LONGEST_MS}.
     */
    private static void load(InetSocketAddress server, int scrapers, int stalls) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong scrapes = new AtomicLong();
        AtomicLong failedScrapes = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        AtomicLong longestStall = new AtomicLong();
        CountDownLatch stalled = new CountDownLatch(stalls);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < stalls; i++) {
            threads.add(start("stall-" + i, () -> {
                boolean first = true;
                while (running.get()) {
                    long opened = System.nanoTime();
                    try (Socket s = new Socket()) {
                        s.connect(server, 2000);
                        s.getOutputStream().write(STALL);
                        s.getOutputStream().flush();
                        if (first) {
                            stalled.countDown();
                            first = false;
                        }
                        s.setSoTimeout(200);
                        while (running.get() && !closedByPeer(s)) {
                            // held open, mid-headers, until the server drops it
                        }
                        if (running.get()) {
                            dropped.incrementAndGet();
                            longestStall.accumulateAndGet((System.nanoTime() - opened) / 1_000_000, Math::max);
                        }
                    } catch (IOException e) {
                        // dropped while connecting or writing: open the next
                    }
                }
            }));
        }
        if (!stalled.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not open " + stalls + " stalled connections");
        }
        for (int i = 0; i < scrapers; i++) {
            threads.add(start("scrape-" + i, () -> {
                while (running.get()) {
                    try {
                        get(server, "/metrics", 10_000);
                        scrapes.incrementAndGet();
                    } catch (IOException e) {
                        failedScrapes.incrementAndGet();
                    }
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (scrapes.get() < scrapers && System.nanoTime() < deadline) {
            Thread.sleep(10); // until every scraper is under way
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the prober is done
        }
        running.set(false);
        for (Thread t : threads) {
            t.join(5000);
        }
        System.out.println(scrapes.get() + " " + failedScrapes.get() + " " + dropped.get() + " " + longestStall.get());
        System.out.flush();
    }

    /** One request on a new connection; returns the status line after reading the whole response. */
    static String get(InetSocketAddress server, String path, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: snoop\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] all = in.readAllBytes();
            String text = new String(all, 0, Math.min(all.length, 64), StandardCharsets.US_ASCII);
            int eol = text.indexOf('\r');
            if (eol < 0) {
                throw new IOException("no response");
            }
            return text.substring(0, eol);
        }
    }

    /** True once the peer has closed the connection; false after a read timeout. */
    private static boolean closedByPeer(Socket s) {
        try {
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(null, body, name, 256 << 10);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
