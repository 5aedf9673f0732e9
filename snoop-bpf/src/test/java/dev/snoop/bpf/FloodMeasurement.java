package dev.snoop.bpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.snoop.bpf.BpfTestSupport.Cgroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The numbers in snoop-bpf/README.md, not a test: runs only with -Dsnoop.measure=true.
 * Per-open cost without BPF, untraced and traced, then a flood of distinct paths drained by a
 * Java poller thread.
 */
@Tag("bpf")
class FloodMeasurement {

    private static final String N = "1000000";

    @Test
    void measure() throws Exception {
        assumeTrue(Boolean.getBoolean("snoop.measure"), "measurement: run with -Dsnoop.measure=true");
        Path work = Files.createTempDirectory("snoop-measure").toRealPath();
        Path fileops = BpfTestSupport.compileC("fileops", work);
        String missing = work + "/missing";
        try (Cgroup root = Cgroup.create(BpfTestSupport.cgroup2Mount(), "snoop-measure-" + UUID.randomUUID());
             Cgroup traced = root.child("traced");
             Cgroup untraced = root.child("untraced")) {
            report("no BPF loaded", untraced.run(fileops.toString(), "time", N, missing));
            try (BpfRecorder r = BpfRecorder.open(RecorderOptions.defaults())) {
                r.traceRoot(traced.id(), RootMode.CONTAINER);
                report("loaded, task untraced", untraced.run(fileops.toString(), "time", N, missing));
                AtomicLong drained = new AtomicLong();
                AtomicBoolean stop = new AtomicBoolean();
                Thread poller = new Thread(() -> {
                    while (!stop.get()) {
                        r.poll(Duration.ofMillis(100), e -> drained.incrementAndGet());
                    }
                }, "poller");
                poller.start();
                report("traced, same path (dedup hit)", traced.run(fileops.toString(), "time", N, missing));

                Counters before = r.counters();
                long drainedBefore = drained.get();
                long t0 = System.nanoTime();
                String perOpen = traced.run(fileops.toString(), "flood", N, work + "/flood-");
                long floodNs = System.nanoTime() - t0;
                Counters after = r.counters();
                long expected = drainedBefore + (after.emitted() - before.emitted());
                while (drained.get() < expected) {
                    Thread.sleep(1);
                }
                long drainNs = System.nanoTime() - t0;
                stop.set(true);
                poller.join();
                long events = drained.get() - drainedBefore;
                report("traced, distinct paths (flood)", perOpen);
                System.out.printf("flood: %d opens in %.2f s, %d events drained in %.2f s = %.0f events/s, "
                                + "dropped %d (container %d), deduped %d%n",
                        Long.parseLong(N), floodNs / 1e9, events, drainNs / 1e9, events / (drainNs / 1e9),
                        after.dropped() - before.dropped(), r.droppedFor(traced.id()),
                        after.deduped() - before.deduped());
            }
            /* the poller's own ceiling: fill a ring big enough for the whole flood, then drain it */
            RecorderOptions big = RecorderOptions.defaults().withRingBufferBytes(256 << 20).withWakeupBytes(256 << 20);
            try (BpfRecorder r = BpfRecorder.open(big)) {
                r.traceRoot(traced.id(), RootMode.CONTAINER);
                traced.run(fileops.toString(), "flood", N, work + "/fill-");
                long[] events = new long[1];
                long t0 = System.nanoTime();
                while (r.poll(Duration.ZERO, e -> events[0]++) > 0) {
                    /* drain */
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("drain only: %d events in %.2f s = %.0f events/s (dropped %d)%n",
                        events[0], s, events[0] / s, r.counters().dropped());
            }
        }
    }

    private static void report(String what, String nsPerOpen) {
        System.out.printf("%-32s %8s ns per open%n", what, nsPerOpen.strip());
    }
}
