package dev.snoop.server;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.report.Completeness;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.FileAccess;
import dev.snoop.core.report.Report;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reports as a sidecar would send them, for the tests. */
final class Reports {
    static final Instant START = Instant.parse("2026-11-01T09:00:00Z");

    private Reports() {}

    /**
     * The {@code seq}th report of one container of pod {@code pod} in {@code namespace}: files
     * {@code /f/0} to {@code /f/(seq * step - 1)} plus the image's own, read ("r") and for every
     * third one also executed ("x") once {@code seq} is past 1; counters grow with {@code seq}.
     */
    static Report growing(String namespace, String pod, String image, int seq, int step) {
        TreeMap<String, String> files = new TreeMap<>();
        for (int i = 0; i < seq * step; i++) {
            files.put("/f/" + pod.hashCode() % 3 + "/" + i, i % 3 == 0 && seq > 1 ? "xr" : "r");
        }
        files.put("/usr/lib/" + image + ".so", "m");
        return report(namespace, pod, "app", image, files, seq * 100L, seq);
    }

    /** A report of one container with the given files (path to access letters). */
    static Report report(String namespace, String pod, String container, String image, Map<String, String> files,
            long totalEvents, long droppedEvents) {
        SortedPaths paths = SortedPaths.of(files.keySet());
        byte[] bits = new byte[paths.size()];
        int i = 0;
        for (String path : paths) {
            bits[i++] = (byte) AccessKind.bits(files.get(path));
        }
        Instant updated = START.plusSeconds(totalEvents);
        ContainerReport c = new ContainerReport(container, "containerd://" + pod, 0, null, image + ":1.0",
                "sha256:" + image, START, updated, totalEvents, droppedEvents, paths, FileAccess.of(bits, bits.length),
                new Completeness(0, droppedEvents / 2, updated));
        return new Report(Report.SCHEMA_VERSION, pod, namespace, Map.of("pod-template-hash", "5b8d"), START, updated,
                totalEvents, droppedEvents, 0, List.of(c));
    }

    /**
     * What a sidecar sends as a delta of {@code current} after {@code base} was acknowledged: every
     * container with its counters, and only the files new since, or whose access grew.
     */
    static Report delta(Report current, Report base) {
        List<ContainerReport> containers = new java.util.ArrayList<>();
        for (ContainerReport c : current.containers()) {
            Map<String, Integer> before = new java.util.HashMap<>();
            for (ContainerReport b : base.containers()) {
                if (b.name().equals(c.name())) {
                    int i = 0;
                    for (String path : b.files()) {
                        before.put(path, b.access().bitsAt(i++));
                    }
                }
            }
            List<String> paths = new java.util.ArrayList<>();
            java.io.ByteArrayOutputStream bits = new java.io.ByteArrayOutputStream();
            int i = 0;
            for (String path : c.files()) {
                int access = c.access().bitsAt(i++);
                if (!Integer.valueOf(access).equals(before.get(path))) {
                    paths.add(path);
                    bits.write(access);
                }
            }
            containers.add(new ContainerReport(c.name(), c.containerId(), c.cgroupId(), c.cgroupPath(), c.imageRef(),
                    c.imageDigest(), c.startedAt(), c.lastUpdatedAt(), c.totalEvents(), c.droppedEvents(),
                    SortedPaths.of(paths), FileAccess.of(bits.toByteArray(), paths.size()), c.completeness()));
        }
        return current.withContainers(containers);
    }
}
