package dev.snoop.bench;

import dev.snoop.core.path.PathFilter;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.record.Recording;
import dev.snoop.core.record.Recording.Identity;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * How long {@link Recording#record} (the poller) waits while the report writer takes
 * {@link Recording#snapshot}s of a recording of N paths: the writer snapshots in a loop, the main
 * thread records (new paths and new access bits of old ones) and times every call. Prints the
 * median snapshot time and the longest and 99.99th-percentile record() calls.
 *
 * <p>{@code java -Xmx4g -cp bench/target/benchmarks.jar dev.snoop.bench.SnapshotStallBenchmark 1000000 10}
 */
public final class SnapshotStallBenchmark {
    private static final Identity APP = new Identity("app", "c1", 7, "/pod/app", null, null);

    private SnapshotStallBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int snapshots = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<String> paths = PathList.shuffled(RealisticPaths.generate(42, 2 * n), 7);
        byte[][] names = paths.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        Recording recording = new Recording(Clock.systemUTC(), PathFilter.none());
        for (int i = 0; i < n; i++) {
            recording.record(APP, names[i], AccessKind.OPEN.bit());
        }
        recording.snapshot(); // warm-up
        long[] snapshotNanos = new long[snapshots];
        Thread writer = new Thread(() -> {
            for (int i = 0; i < snapshots; i++) {
                long t0 = System.nanoTime();
                recording.snapshot();
                snapshotNanos[i] = System.nanoTime() - t0;
            }
        }, "writer");
        long[] calls = new long[1 << 24];
        int count = 0;
        writer.start();
        int next = n;
        while (writer.isAlive() && count < calls.length) {
            int i = count % 2 == 0 ? next++ % names.length : count % n;
            int bits = count % 2 == 0 ? AccessKind.OPEN.bit() : AccessKind.METADATA.bit();
            long t0 = System.nanoTime();
            recording.record(APP, names[i], bits);
            calls[count++] = System.nanoTime() - t0;
        }
        writer.join();
        Arrays.sort(snapshotNanos);
        long[] timed = Arrays.copyOf(calls, count);
        Arrays.sort(timed);
        System.out.printf("paths %d, snapshots %d: snapshot median %.1f ms; record() calls %d, max %.2f ms, p99.99 %.3f ms%n",
                n, snapshots, snapshotNanos[snapshots / 2] / 1e6, count, timed[count - 1] / 1e6,
                timed[Math.min(count - 1, (int) (count * 0.9999))] / 1e6);
    }
}
