package dev.snoop.record;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.FileAccess;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One pod's sidecar without the kernel: its recording grows step by step (files of its image
 * that every replica shares, files of its own, access kinds that grow, cumulative counters), each
 * step written to its report file and delivered by a real {@link ApiDelivery}.
 */
final class SimulatedSidecar implements AutoCloseable {
    static final Instant START = Instant.parse("2026-12-01T08:00:00Z");

    final String pod;
    final String image;
    final Path reportFile;
    final ApiDelivery delivery;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StringWriter log = new StringWriter();
    private int step;
    private volatile Report current;

    SimulatedSidecar(String pod, String image, Path dir, URI endpoint, String token, Duration backoffCap, long seed) {
        this.pod = pod;
        this.image = image;
        this.reportFile = dir.resolve(pod + ".json");
        ApiSettings settings = new ApiSettings(endpoint, null, token, Duration.ofMillis(50), backoffCap,
                Duration.ofSeconds(10), Duration.ofSeconds(5));
        this.delivery = new ApiDelivery(settings, reportFile, new Log(new PrintWriter(log, true), Log.Level.INFO), registry,
                new Random(seed));
    }

    /** Records one more step: writes the report and tells the delivery. */
    Report advance() {
        return advance(1);
    }

    /** Records {@code steps} more steps at once: one report written, the newest. */
    Report advance(int steps) {
        step += steps;
        Report r = report(pod, image, step);
        ReportJson.write(r, reportFile);
        current = r;
        delivery.reportWritten(r.fileCount());
        return r;
    }

    Report current() {
        return current;
    }

    String log() {
        return log.toString();
    }

    /**
     * Step {@code step} of a pod: container "app" of {@code image} with 40 of the image's files a
     * step (shared by the replicas) and 5 of its own, each executed too from 3 steps after it
     * appeared if its number is a multiple of 7; container "log" of the shared image "logger".
     */
    static Report report(String pod, String image, int step) {
        TreeMap<String, String> app = new TreeMap<>();
        for (int i = 0; i < step * 40; i++) {
            app.put("/usr/lib/" + image + "/" + i, i % 7 == 0 && step >= i / 40 + 3 ? "xr" : "r");
        }
        for (int i = 0; i < step * 5; i++) {
            app.put("/tmp/" + pod + "/" + i, "d");
        }
        TreeMap<String, String> logger = new TreeMap<>();
        for (int i = 0; i < 10 + step; i++) {
            logger.put("/usr/share/logger/" + i, i < 3 ? "x" : "m");
        }
        long events = step * 1000L + pod.length();
        List<ContainerReport> containers = List.of(container("app", image, app, events, step),
                container("log", "logger", logger, step * 10L, 0));
        return new Report(Report.SCHEMA_VERSION, pod, "shop", Map.of("pod-template-hash", "5b8d"), START,
                START.plusSeconds(step), events + step * 10L, step, 0, containers);
    }

    private static ContainerReport container(String name, String image, TreeMap<String, String> files, long events,
            long dropped) {
        SortedPaths paths = SortedPaths.of(files.keySet());
        byte[] bits = new byte[paths.size()];
        int i = 0;
        for (String path : paths) {
            bits[i++] = (byte) AccessKind.bits(files.get(path));
        }
        return new ContainerReport(name, null, 0, null, image + ":1", "sha256:" + image, START, START.plusSeconds(events),
                events, dropped, paths, FileAccess.of(bits, bits.length), null);
    }

    @Override
    public void close() {
        delivery.close();
    }
}
