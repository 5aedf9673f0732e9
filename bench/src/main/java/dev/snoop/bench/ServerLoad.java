package dev.snoop.bench;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.FileAccess;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.core.report.SetChecksum;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Load on {@code snoop serve} (docs/performance.md, "The reporting server"): N simulated sidecars,
 * each with its own report of F files growing by G files a delivery, speaking the sidecar's
 * protocol (a full report first, then deltas with the checksum of the whole set, Retry-After
 * honoured). The server runs as a child process (the built launcher), so its RSS is read from
 * /proc. Phases: the initial full reports; steady state, one delivery per sidecar per interval,
 * spread evenly, latency per request; an outage (the server stopped, the sidecars' reports
 * growing); then every sidecar delivering at once, timed until all are acknowledged.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.snoop.bench.ServerLoad --snoop snoop-cli/target/snoop [options]</pre>
 */
public final class ServerLoad {
    private static final String TOKEN = "bench-token";

    private final Options o;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<List<String>> imagePaths = new ArrayList<>();
    private final List<long[]> imageHashes = new ArrayList<>();
    private Process server;
    private URI endpoint;
    private final RssSampler rss = new RssSampler();

    /** Command-line options, with the sizes as defaults. */
    record Options(Path snoop, Path dir, int sidecars, int images, int files, int growth, Duration interval,
            Duration steady, Duration outage, int initialConcurrency, int clientThreads) {
        static Options parse(String[] args) {
            Map<String, String> m = new java.util.HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                m.put(args[i], args[i + 1]);
            }
            return new Options(Path.of(m.getOrDefault("--snoop", "snoop-cli/target/snoop")),
                    Path.of(m.getOrDefault("--dir", "/tmp/snoop-server-bench")),
                    Integer.parseInt(m.getOrDefault("--sidecars", "1000")),
                    Integer.parseInt(m.getOrDefault("--images", "10")),
                    Integer.parseInt(m.getOrDefault("--files", "10000")),
                    Integer.parseInt(m.getOrDefault("--growth", "20")),
                    Duration.ofSeconds(Long.parseLong(m.getOrDefault("--interval", "60"))),
                    Duration.ofSeconds(Long.parseLong(m.getOrDefault("--steady", "180"))),
                    Duration.ofSeconds(Long.parseLong(m.getOrDefault("--outage", "60"))),
                    Integer.parseInt(m.getOrDefault("--initial-concurrency", "8")),
                    Integer.parseInt(m.getOrDefault("--client-threads", "256")));
        }
    }

    /** One simulated sidecar: what it has recorded and what the server acknowledged. */
    final class Sidecar {
        final int id;
        final int image;
        final String pod;
        int step;
        int ackedStep = -1;
        SetChecksum ownSum = SetChecksum.EMPTY;
        int ownHashed;

        Sidecar(int id) {
            this.id = id;
            this.image = id % o.images();
            this.pod = "img" + image + "-5b8d-" + id;
        }

        int imageFiles(int atStep) {
            return o.files() * 9 / 10 + atStep * o.growth();
        }

        int ownFiles() {
            return o.files() - o.files() * 9 / 10;
        }

        String ownPath(int n) {
            return "/var/lib/app/" + pod + "/data/" + n + ".db";
        }

        SetChecksum checksum(int atStep) {
            while (ownHashed < ownFiles()) {
                ownSum = ownSum.plus(SetChecksum.fileHash(ownPath(ownHashed++), AccessKind.bits("r")));
            }
            long sum = ownSum.sum();
            long[] hashes = imageHashes.get(image);
            int n = imageFiles(atStep);
            for (int i = 0; i < n; i++) {
                sum += hashes[i];
            }
            return new SetChecksum(sum, ownFiles() + n);
        }

        /** The report at {@code atStep}, with only the files after {@code fromStep}'s (-1: all). */
        byte[] body(int atStep, int fromStep) throws IOException {
            List<String> paths = new ArrayList<>();
            List<String> image = imagePaths.get(this.image);
            int from = fromStep < 0 ? 0 : imageFiles(fromStep);
            for (int i = from; i < imageFiles(atStep); i++) {
                paths.add(image.get(i));
            }
            if (fromStep < 0) {
                for (int n = 0; n < ownFiles(); n++) {
                    paths.add(ownPath(n));
                }
            }
            SortedPaths sorted = SortedPaths.of(paths);
            byte[] bits = new byte[sorted.size()];
            java.util.Arrays.fill(bits, (byte) AccessKind.bits("r"));
            Instant start = Instant.parse("2026-12-01T08:00:00Z");
            long events = 50_000L + atStep * 1_000L;
            ContainerReport c = new ContainerReport("app", "containerd://" + pod, 0, null, "img" + this.image + ":1",
                    "sha256:img" + this.image, start, start.plusSeconds(atStep * 60L), events, atStep, sorted,
                    FileAccess.of(bits, bits.length), null);
            Report r = new Report(Report.SCHEMA_VERSION, pod, "bench", Map.of("pod-template-hash", "5b8d"), start,
                    start.plusSeconds(atStep * 60L), events, atStep, 0, List.of(c));
            ByteArrayOutputStream out = new ByteArrayOutputStream(fromStep < 0 ? 256 * 1024 : 4 * 1024);
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                ReportJson.write(r, gz);
            }
            return out.toByteArray();
        }
    }

    /** One request's outcome. */
    record Sent(int status, long nanos, int bytes, boolean delta) {}

    /** Delivers the sidecar's current step until acknowledged; returns every attempt. */
    List<Sent> deliver(Sidecar s) throws Exception {
        List<Sent> attempts = new ArrayList<>();
        int attempt = 0;
        while (true) {
            int at = s.step;
            boolean delta = s.ackedStep >= 0;
            byte[] body = s.body(at, delta ? s.ackedStep : -1);
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (delta) {
                SetChecksum sum = s.checksum(at);
                b.header("Snoop-Delivery", "delta; files=" + sum.files() + "; checksum=" + sum.hex());
            }
            long t0 = System.nanoTime();
            int status;
            String retryAfter = null;
            try {
                HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                retryAfter = r.headers().firstValue("Retry-After").orElse(null);
            } catch (IOException e) {
                status = -1;
            }
            attempts.add(new Sent(status, System.nanoTime() - t0, body.length, delta));
            if (status == 200) {
                s.ackedStep = at;
                return attempts;
            }
            if (status == 409) {
                s.ackedStep = -1; // resync: the full report, at once
                continue;
            }
            if (status != -1 && status != 429 && status < 500) {
                throw new IllegalStateException(s.pod + ": answered " + status);
            }
            // the sidecar's schedule: full jitter from 1 s, capped at 5 min, never sooner than Retry-After
            double ceiling = Math.min(300_000, 1_000 * Math.pow(2, Math.min(attempt++, 30)));
            long wait = (long) (ThreadLocalRandom.current().nextDouble() * ceiling);
            if (retryAfter != null) {
                wait = Math.max(wait, Long.parseLong(retryAfter.trim()) * 1000);
            }
            TimeUnit.MILLISECONDS.sleep(wait);
        }
    }

    ServerLoad(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        new ServerLoad(Options.parse(args)).run();
    }

    void run() throws Exception {
        Files.createDirectories(o.dir());
        Path data = o.dir().resolve("pg");
        if (Files.exists(data)) {
            throw new IllegalStateException(data + " exists: remove it first, each run starts empty");
        }
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
        Path tokens = Files.writeString(o.dir().resolve("tokens"), hash + " *\n");
        int maxSteps = (int) (o.steady().toSeconds() / o.interval().toSeconds()) + 2;
        for (int k = 0; k < o.images(); k++) {
            List<String> paths = RealisticPaths.generate(1000 + k, o.files() + o.growth() * (maxSteps + 20));
            imagePaths.add(paths);
            long[] h = new long[paths.size()];
            for (int i = 0; i < h.length; i++) {
                h[i] = SetChecksum.fileHash(paths.get(i), AccessKind.bits("r"));
            }
            imageHashes.add(h);
        }
        List<Sidecar> sidecars = new ArrayList<>();
        for (int i = 0; i < o.sidecars(); i++) {
            sidecars.add(new Sidecar(i));
        }
        print("sidecars %d, images %d, files %d (+%d a delivery), interval %s, steady %s, outage %s",
                o.sidecars(), o.images(), o.files(), o.growth(), o.interval(), o.steady(), o.outage());
        startServer(data, tokens);
        rss.start();
        cpuMark = rss.cpuSeconds();

        // 1. the first, full reports
        long t0 = System.nanoTime();
        List<Sent> initial = runAll(sidecars, o.initialConcurrency());
        double initialSeconds = seconds(t0);
        print("initial: %d full reports in %.1f s (%.1f/s), %s; %s", o.sidecars(), initialSeconds,
                o.sidecars() / initialSeconds, summary(initial), cpu());
        long fullBytes = initial.stream().filter(s -> s.status() == 200).mapToLong(Sent::bytes).sum();
        print("server RSS after the initial load: %s", rss.describe());

        // 2. steady state: each sidecar once an interval, spread evenly
        List<Sent> steady = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(o.clientThreads());
        long steadyStart = System.nanoTime();
        long intervalNanos = o.interval().toNanos();
        int rounds = (int) (o.steady().toNanos() / intervalNanos);
        List<Future<?>> futures = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (Sidecar s : sidecars) {
                long due = steadyStart + round * intervalNanos + intervalNanos * s.id / sidecars.size();
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the schedule's pace
                }
                futures.add(pool.submit(() -> {
                    synchronized (s) {
                        s.step++;
                        steady.addAll(deliver(s));
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : futures) {
            f.get();
        }
        List<Sent> steadyOk = steady.stream().filter(s -> s.status() == 200).toList();
        print("steady: %d deliveries in %.1f s, %s; %s", steadyOk.size(), seconds(steadyStart), summary(steady), cpu());
        long deltaBytes = steadyOk.stream().mapToLong(Sent::bytes).sum();
        double fullAvg = (double) fullBytes / o.sidecars();
        double deltaAvg = (double) deltaBytes / Math.max(1, steadyOk.size());
        print("bytes: full report %.0f B on average, converged delta %.0f B: %.1f%% fewer", fullAvg, deltaAvg,
                100 * (1 - deltaAvg / fullAvg));
        print("server RSS after steady state: %s", rss.describe());

        // 3. the outage: the server stopped, every sidecar's report growing meanwhile
        stopServer();
        long outageStart = System.nanoTime();
        int outageSteps = (int) Math.max(1, o.outage().toSeconds() / o.interval().toSeconds());
        for (Sidecar s : sidecars) {
            s.step += outageSteps;
        }
        TimeUnit.NANOSECONDS.sleep(Math.max(0, o.outage().toNanos() - (System.nanoTime() - outageStart)));
        startServer(data, tokens);
        cpuMark = rss.cpuSeconds();

        // 4. all at once: every sidecar's backoff ends at the same moment (the worst case)
        long backlogStart = System.nanoTime();
        List<Sent> backlog = java.util.Collections.synchronizedList(new ArrayList<>());
        futures.clear();
        for (Sidecar s : sidecars) {
            futures.add(pool.submit(() -> {
                backlog.addAll(deliver(s));
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        print("backlog: %d sidecars delivered %d steps each in %.1f s after the server was back, %s", o.sidecars(),
                outageSteps, seconds(backlogStart), summary(backlog) + "; " + cpu());
        print("server RSS: %s", rss.describe());
        pool.shutdown();
        stopServer();
        rss.stop();
    }

    private List<Sent> runAll(List<Sidecar> sidecars, int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Sent> all = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> futures = new ArrayList<>();
        for (Sidecar s : sidecars) {
            futures.add(pool.submit(() -> {
                all.addAll(deliver(s));
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return all;
    }

    private static String summary(List<Sent> sent) {
        List<Sent> ok = sent.stream().filter(s -> s.status() == 200).toList();
        long[] ms = ok.stream().mapToLong(s -> s.nanos() / 1_000).sorted().toArray();
        Map<Integer, Long> statuses = new java.util.TreeMap<>();
        sent.forEach(s -> statuses.merge(s.status(), 1L, Long::sum));
        if (ms.length == 0) {
            return "statuses " + statuses;
        }
        return String.format(Locale.ROOT, "latency of 200s p50 %.1f ms, p99 %.1f ms, max %.1f ms; statuses %s",
                ms[ms.length / 2] / 1e3, ms[Math.min(ms.length - 1, (int) Math.ceil(ms.length * 0.99) - 1)] / 1e3,
                ms[ms.length - 1] / 1e3, statuses);
    }

    private double cpuMark;

    /** The server's and its database's CPU seconds since the last call, and the load average now. */
    private String cpu() {
        double now = rss.cpuSeconds();
        double used = now - cpuMark;
        cpuMark = now;
        return String.format(Locale.ROOT, "server+database CPU %.1f s; load average %s", used, RssSampler.loadAverage());
    }

    private void startServer(Path data, Path tokens) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(o.snoop().toString(), "serve", "--listen", "127.0.0.1:0",
                "--tokens-file", tokens.toString(), "--data-dir", data.toString()).redirectErrorStream(true);
        server = pb.start();
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            var m = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(line);
            if (m.find()) {
                endpoint = URI.create("http://127.0.0.1:" + m.group(1) + "/v1/reports");
                break;
            }
        }
        if (endpoint == null || !server.isAlive()) {
            throw new IllegalStateException("snoop serve did not start");
        }
        Thread drain = new Thread(() -> {
            try {
                in.transferTo(java.io.Writer.nullWriter());
            } catch (IOException e) {
                // gone
            }
        });
        drain.setDaemon(true);
        drain.start();
        rss.watch(server.pid(), data);
        print("snoop serve started (pid %d) at %s", server.pid(), endpoint);
    }

    private void stopServer() throws Exception {
        server.destroy();
        server.waitFor();
        endpoint = null;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
