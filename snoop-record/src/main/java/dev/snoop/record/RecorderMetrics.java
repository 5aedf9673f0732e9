package dev.snoop.record;

import dev.snoop.bpf.BpfRecorder;
import dev.snoop.bpf.Counters;
import dev.snoop.bpf.EventKind;
import dev.snoop.core.record.Recording;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The recorder's Prometheus metrics. Kernel counters are read once a second into a snapshot
 * ({@link #refresh}); scrapes read the snapshot and never touch BPF maps themselves.
 */
final class RecorderMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final BpfRecorder probes;
    private final Recording recording;
    private final Set<String> containersWithGauge = new HashSet<>();
    /**
     * Every object a meter reads. Micrometer holds the object of a gauge or function counter only
     * weakly: a lambda made just for a meter was collected at the first full GC, after which its
     * gauge read NaN and its counter froze (snoop_targets_waiting, snoop_target_errors_total and
     * the labels file and metadata error counters did). Held here, they live as long as the meters.
     */
    private final List<Object> readBy = new ArrayList<>();
    private volatile Counters counters;

    RecorderMetrics(BpfRecorder probes, Recording recording, ReportFlusher flusher, EventRouter router,
            MemoryPressure memory) {
        this.probes = probes;
        this.recording = recording;
        this.counters = probes.counters();
        readBy.addAll(List.of(probes, recording, flusher, router, memory));
        for (EventKind kind : EventKind.values()) {
            if (kind == EventKind.CGROUP) {
                continue; // not a syscall
            }
            FunctionCounter.builder("snoop.events", this, m -> m.counters.count(kind))
                    .tag("syscall", kind.name().toLowerCase(Locale.ROOT))
                    .description("File-access syscalls and execs of traced processes, before deduplication")
                    .register(registry);
        }
        kernel("snoop.events.dropped", Counters::dropped, "Events lost because the ring buffer was full");
        kernel("snoop.events.deduplicated", Counters::deduped, "Repeated accesses the kernel did not send again");
        kernel("snoop.events.emitted", Counters::emitted, "Events sent to user space");
        kernel("snoop.path.read.failures", c -> c.pathFault() + c.pathTooLong(), "Paths that could not be read whole");
        kernel("snoop.paths.unresolved", Counters::dirUnresolved, "Relative paths whose directory could not be walked");
        FunctionCounter.builder("snoop.events.unattributed", router, r -> r.unattributed())
                .description("Events from a traced cgroup that belongs to no container (e.g. the pod's own)")
                .register(registry);
        FunctionCounter.builder("snoop.report.writes", flusher, f -> f.writes())
                .description("Reports written").register(registry);
        FunctionCounter.builder("snoop.report.write.errors", flusher, f -> f.failures())
                .description("Report writes that failed (the previous report is kept)").register(registry);
        Gauge.builder("snoop.probes.attached", probes, p -> p.attachedPrograms().size())
                .description("BPF programs attached").register(registry);
        for (String skipped : probes.skippedPrograms().keySet()) {
            Gauge.builder("snoop.probes.skipped", () -> 1).tag("probe", skipped)
                    .description("BPF programs that could not be attached").register(registry);
        }
        for (Map.Entry<String, Integer> map : probes.mapMaxEntries().entrySet()) {
            Gauge.builder("snoop.bpf.map.max.entries", map::getValue).tag("map", map.getKey())
                    .description("Capacity of each BPF map").register(registry);
        }
        // The process's own cost, from /proc and Runtime rather than Micrometer's JVM and processor
        // binders: those load java.lang.management (~90 classes, ~1 MB resident in a sidecar that
        // must stay small) and, on JDK 17 in a cgroup namespace of a hybrid host, can fail outright.
        FunctionCounter.builder("process.cpu", ProcessHandle.current(), RecorderMetrics::cpuSeconds).baseUnit("seconds")
                .description("CPU time (user and system) used by the snoop process").register(registry);
        Runtime runtime = Runtime.getRuntime();
        Gauge.builder("jvm.heap.used", runtime, r -> r.totalMemory() - r.freeMemory()).baseUnit("bytes")
                .description("Java heap in use (live and not yet collected)").register(registry);
        Gauge.builder("jvm.heap.committed", runtime, Runtime::totalMemory).baseUnit("bytes")
                .description("Java heap the JVM has committed").register(registry);
        Gauge.builder("jvm.heap.max", runtime, Runtime::maxMemory).baseUnit("bytes")
                .description("Largest Java heap the JVM may use (-Xmx)").register(registry);
        Gauge.builder("snoop.memory.pressure", memory, m -> m.underPressure() ? 1 : 0)
                .description("1 while the recorder is about to thrash: major faults climbing or its memory cgroup at its limit")
                .register(registry);
        FunctionCounter.builder("snoop.major.faults", memory, m -> Math.max(0, m.majorFaults()))
                .description("Major page faults of the snoop process (pages read back from disk)").register(registry);
        FunctionCounter.builder("snoop.memory.limit.events", memory, m -> Math.max(0, m.limitEvents()))
                .description("Times snoop's memory cgroup reached its limit (v2 memory.events high + max, v1 memory.failcnt)")
                .register(registry);
        Gauge.builder("process.resident.memory", RecorderMetrics::residentBytes).baseUnit("bytes")
                .description("Resident set size of the snoop process").register(registry);
    }

    /** A counter read from elsewhere, e.g. errors of a metadata source. */
    void counter(String name, String description, java.util.function.LongSupplier value, String... tags) {
        readBy.add(value);
        FunctionCounter.builder(name, value, v -> v.getAsLong()).tags(tags).description(description).register(registry);
    }

    /** A gauge read from elsewhere, e.g. how many targets are still missing. */
    void gauge(String name, String description, java.util.function.IntSupplier value) {
        readBy.add(value);
        Gauge.builder(name, value, v -> v.getAsInt()).strongReference(true).description(description).register(registry);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Reads the kernel counters and adds a gauge for each new container. */
    void refresh() {
        counters = probes.counters();
        for (String name : recording.containerNames()) {
            if (containersWithGauge.add(name)) {
                Gauge.builder("snoop.unique.files", recording, r -> r.uniqueFiles(name)).tag("container", name)
                        .description("Unique files recorded for a container").register(registry);
            }
        }
    }

    private void kernel(String name, ToDoubleFunction<Counters> value, String description) {
        FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.counters)).description(description).register(registry);
    }

    private static double cpuSeconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / (double) TimeUnit.SECONDS.toNanos(1)).orElse(Double.NaN);
    }

    private static double residentBytes() {
        try {
            String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
            return Long.parseLong(statm[1]) * 4096.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
