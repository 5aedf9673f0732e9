package dev.snoop.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The kernel side of {@code snoop record}, loaded and attached: tell it which cgroups are
 * containers, then poll for the files they touch.
 *
 * <pre>{@code
 * try (BpfRecorder r = BpfRecorder.open(RecorderOptions.defaults())) {
 *     r.exclude(ownCgroupId);
 *     r.traceRoot(podCgroupId, RootMode.PARENT);
 *     while (running) {
 *         r.poll(Duration.ofMillis(100), events::add);
 *     }
 * }
 * }</pre>
 *
 * <p>Threading: one thread polls; any thread may change roots, read counters or close. Calls
 * after {@link #close()} throw {@link IllegalStateException}. {@code close()} waits for a
 * running {@code poll} to return (at most its timeout), so it is safe from a shutdown hook;
 * it must not be called from inside the sink.
 */
public final class BpfRecorder implements AutoCloseable {

    private static final List<String> OPTIONAL = List.of("tp_btf__sched_process_exec");
    private static final List<String> MAPS = List.of("events", "dedup", "start", "counters",
            "traced_roots", "excluded_cgroups", "cgroup_verdicts", "container_stats");

    private final NativeLibs libs;
    private final BpfObject object;
    private final RingPoller poller;
    private final BpfMap tracedRoots;
    private final BpfMap excludedCgroups;
    private final BpfMap configGeneration;
    private final BpfMap counters;
    private final BpfMap containerStats;
    private final int possibleCpus;
    private final List<String> attached;
    private final Map<String, String> skipped;
    private final Attachment attachment;
    private final KernelFeatures.SetChoice programSet;
    private final Map<String, Integer> maxEntries;
    /** poll and map calls share it; close takes it exclusively, so no fd is used after close */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final Object configLock = new Object();
    private int generation;
    private boolean closed;

    private BpfRecorder(NativeLibs libs, BpfObject object, KernelFeatures.SetChoice programSet, Attachment attachment,
            List<String> attached, Map<String, String> skipped) {
        this.libs = libs;
        this.programSet = programSet;
        this.attachment = attachment;
        this.object = object;
        this.attached = List.copyOf(attached);
        this.skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
        this.tracedRoots = object.map("traced_roots");
        this.excludedCgroups = object.map("excluded_cgroups");
        this.configGeneration = object.map("config_generation");
        this.counters = object.map("counters");
        this.containerStats = object.map("container_stats");
        this.possibleCpus = libs.check(libs.bpf.libbpf_num_possible_cpus(), "failed to count the possible CPUs");
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (String map : MAPS) {
            sizes.put(map, object.maxEntries(map));
        }
        this.maxEntries = Collections.unmodifiableMap(sizes);
        this.poller = new RingPoller(libs, object.map("events").fd());
    }

    /**
     * Loads libbpf and the embedded BPF object, applies the options, loads it into the kernel
     * and attaches its programs. The syscall programs attach as {@link RecorderOptions#attachment()}
     * says; with {@link Attachment#AUTO} each mode of {@link Attachment} is tried in turn, best
     * first, until one loads and attaches (the reasons the better ones failed go to
     * {@link #skippedPrograms()}). A program other than the syscall ones that fails to attach
     * is skipped too. The object is the {@link RecorderOptions#programSet()}, or with
     * {@link ProgramSet#AUTO} the one {@link KernelFeatures#chooseSet} picks.
     *
     * @throws BpfException when libbpf is missing, BPF is not permitted, or loading fails
     */
    public static BpfRecorder open(RecorderOptions options) {
        // what is missing, named, instead of the verifier's EINVAL on an older kernel
        KernelFeatures.requireForRecording();
        BpfArch arch = BpfArch.current();
        NativeLibs libs = NativeLibs.get();
        KernelFeatures.SetChoice set = KernelFeatures.chooseSet(options.programSet());
        byte[] elf = embeddedObject(objectResource(arch, set.set()), arch.label());
        boolean auto = options.attachment() == Attachment.AUTO;
        List<Attachment> modes = auto ? AttachPlan.ORDER : List.of(options.attachment());
        Map<String, String> failed = new LinkedHashMap<>();
        for (int i = 0; i < modes.size(); i++) {
            Attachment mode = modes.get(i);
            try {
                AttachPlan plan = AttachPlan.probe(libs, arch, mode, set.set());
                BpfRecorder recorder = open(libs, arch, elf, options, set, plan, failed);
                libs.trimNativeHeap(); // the kernel BTF that each probe and load parsed, freed by now
                return recorder;
            } catch (BpfException e) {
                if (i == modes.size() - 1) {
                    throw failed.isEmpty() ? e : new BpfException(e.getMessage() + " (after " + String.join("; ", failed.values()) + ")", e.errno());
                }
                // privileges were checked above: libbpf's EPERM hint would mislead here (fexit refused by the kernel)
                failed.put(mode.label(), mode.label() + " programs not used: " + e.getMessage().replaceFirst("^" + mode.label() + ": ", "").replaceFirst("; run as root.*$", ""));
            }
        }
        throw new AssertionError("unreachable");
    }

    private static BpfRecorder open(NativeLibs libs, BpfArch arch, byte[] elf, RecorderOptions options, KernelFeatures.SetChoice set,
            AttachPlan plan, Map<String, String> failedModes) {
        BpfObject object = BpfObject.open(libs, elf, "snoop");
        try {
            object.setRodata("targ_dedup", new byte[] {(byte) (options.dedup() ? 1 : 0)});
            object.setRodata("targ_no_wakeup", new byte[] {1});
            object.setRodata("targ_wakeup_bytes", BpfMap.u64(options.wakeupBytes()));
            object.setMaxEntries("events", options.ringBufferBytes());
            object.setMaxEntries("dedup", options.dedupEntries());
            object.setMaxEntries("start", options.startEntries());
            object.setMaxEntries("cgroup_verdicts", options.cgroupVerdictEntries());
            for (String program : AttachPlan.allPrograms(arch)) {
                object.setAutoload(program, plan.programs().contains(program));
            }
            object.load();
            // without these nothing is recorded: their failure fails the mode
            for (String program : plan.programs()) {
                object.attach(program);
            }
            List<String> attached = new ArrayList<>(plan.programs());
            Map<String, String> skipped = new LinkedHashMap<>();
            for (Map.Entry<String, String> failed : failedModes.entrySet()) {
                skipped.put(failed.getKey() + " attachment", failed.getValue());
            }
            skipped.putAll(plan.skipped());
            for (String program : OPTIONAL) {
                try {
                    object.attach(program);
                    attached.add(program);
                } catch (BpfException e) {
                    skipped.put(program, e.getMessage());
                }
            }
            return new BpfRecorder(libs, object, set, plan.attachment(), attached, skipped);
        } catch (RuntimeException | Error e) {
            object.close();
            throw e;
        }
    }

    /**
     * The object of a program set for this architecture, beside this class: snoop.bpf.o,
     * snoop-legacy.bpf.o (x86-64 only: the kernels without bpf_loop that arm64 nodes run are rare),
     * arm64/snoop.bpf.o.
     */
    static String objectResource(BpfArch arch, ProgramSet set) {
        if (set == ProgramSet.MODERN) {
            return arch.resource();
        }
        if (arch != BpfArch.X86_64) {
            throw new BpfException("the legacy program set is built for x86-64 only, not " + arch.label()
                    + " (SNOOP_PROGRAMS=legacy)", 0);
        }
        return set.resource();
    }

    /** The object built for this architecture (dev/snoop/bpf/snoop.bpf.o, dev/snoop/bpf/arm64/snoop.bpf.o). */
    static byte[] embeddedObject(BpfArch arch) {
        return embeddedObject(arch.resource(), arch.label());
    }

    private static byte[] embeddedObject(String resource, String arch) {
        try (InputStream in = BpfRecorder.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("the " + arch + " BPF object " + resource + " is missing from the snoop-bpf jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read the embedded BPF object", e);
        }
    }

    /** Traces the cgroup (by id: its directory's inode number) and everything below it. */
    public void traceRoot(long cgroupId, RootMode mode) {
        changeConfig(() -> tracedRoots.put(BpfMap.u64(cgroupId), BpfMap.u32(mode.wireId())));
    }

    /** Stops tracing a root; false when it was not traced. */
    public boolean untraceRoot(long cgroupId) {
        boolean[] removed = new boolean[1];
        changeConfig(() -> removed[0] = tracedRoots.delete(BpfMap.u64(cgroupId)));
        return removed[0];
    }

    /** Never traces this cgroup's subtree (snoop's own), even below a traced root. */
    public void exclude(long cgroupId) {
        changeConfig(() -> excludedCgroups.put(BpfMap.u64(cgroupId), new byte[] {1}));
    }

    /** Changes the filter maps, then bumps the generation so cached verdicts are recomputed. */
    private void changeConfig(Runnable change) {
        withOpen(() -> {
            synchronized (configLock) {
                change.run();
                generation++;
                configGeneration.put(BpfMap.u32(0), BpfMap.u32(generation));
            }
            return null;
        });
    }

    /**
     * Waits up to timeout for events, then drains all that are waiting into sink, on this
     * thread. Returns how many were delivered. An exception thrown by sink stops the drain and
     * is rethrown here; the events not yet delivered stay in the ring for the next call.
     */
    public int poll(Duration timeout, Consumer<FileEvent> sink) {
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        return withOpen(() -> {
            if (!polling.compareAndSet(false, true)) {
                throw new IllegalStateException("poll() is already running on another thread");
            }
            try {
                return poller.poll(ms, sink);
            } finally {
                polling.set(false);
            }
        });
    }

    /** The kernel's counters now, summed over CPUs. */
    public Counters counters() {
        return withOpen(() -> {
            Map<EventKind, Long> perKind = new EnumMap<>(EventKind.class);
            for (EventKind k : EventKind.values()) {
                perKind.put(k, counter(Wire.CTR_KIND_BASE + k.wireId()));
            }
            return new Counters(counter(Wire.CTR_DROPPED), counter(Wire.CTR_PATH_FAULT),
                    counter(Wire.CTR_PATH_TOO_LONG), counter(Wire.CTR_DIR_UNRESOLVED),
                    counter(Wire.CTR_DEDUPED), counter(Wire.CTR_EMITTED),
                    counter(Wire.CTR_RUNTIME_SKIPPED), perKind);
        });
    }

    /** A per-CPU array element holds one u64 per possible CPU. */
    private long counter(int index) {
        byte[] values = new byte[possibleCpus * Long.BYTES];
        if (!counters.lookup(BpfMap.u32(index), values)) {
            return 0;
        }
        long sum = 0;
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            sum += BpfMap.u64At(values, cpu * Long.BYTES);
        }
        return sum;
    }

    /** Events lost for one container (by the id events carry) because the ring buffer was full. */
    public long droppedFor(long containerId) {
        return withOpen(() -> {
            byte[] value = new byte[2 * Long.BYTES];
            return containerStats.lookup(BpfMap.u64(containerId), value) ? BpfMap.u64At(value, Long.BYTES) : 0L;
        });
    }

    /**
     * The counts of one container (struct container_stats), since it was first seen.
     *
     * @param events matching syscalls and execs, deduplicated or not
     * @param dropped events lost because the ring buffer was full
     */
    public record ContainerCounts(long events, long dropped) {}

    /** Drops the counts of a container that is gone, so the map has room for new ones. */
    public void forgetContainer(long containerId) {
        withOpen(() -> containerStats.delete(BpfMap.u64(containerId)));
    }

    /** Every container's counts, by the container cgroup id events carry. */
    public Map<Long, ContainerCounts> containerCounts() {
        return withOpen(() -> {
            Map<Long, ContainerCounts> all = new java.util.TreeMap<>();
            byte[] value = new byte[2 * Long.BYTES];
            for (byte[] key : containerStats.keys(Long.BYTES)) {
                if (containerStats.lookup(key, value)) {
                    all.put(BpfMap.u64At(key, 0),
                            new ContainerCounts(BpfMap.u64At(value, 0), BpfMap.u64At(value, Long.BYTES)));
                }
            }
            return all;
        });
    }

    /** How the syscall programs attached: never {@link Attachment#AUTO}. */
    public Attachment attachment() {
        return attachment;
    }

    /** Which BPF object is loaded: never {@link ProgramSet#AUTO}. */
    public ProgramSet programSet() {
        return programSet.set();
    }

    /** Why {@link #programSet()} was chosen (forced, or what the kernel has or lacks). */
    public String programSetReason() {
        return programSet.reason();
    }

    /** What this program set cannot see on this kernel, e.g. {@link KernelFeatures#ELF_INTERPRETER_MAPPING}. */
    public List<String> notSeen() {
        return programSet.notSeen();
    }

    /** The programs attached, by name. */
    public List<String> attachedPrograms() {
        return attached;
    }

    /** Programs that could not be attached, with the reason; recording goes on without them. */
    public Map<String, String> skippedPrograms() {
        return skipped;
    }

    /** The capacity of each map as loaded, for metrics. */
    public Map<String, Integer> mapMaxEntries() {
        return maxEntries;
    }

    private <T> T withOpen(java.util.function.Supplier<T> action) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the BPF recorder is closed");
            }
            return action.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Gives the native memory the C library holds free back to the kernel (glibc's
     * {@code malloc_trim}; nothing elsewhere). What libbpf, jnr-ffi and the JIT free stays in
     * glibc's heaps otherwise, counted in the container's memory as if still used.
     */
    public void trimNativeHeap() {
        libs.trimNativeHeap();
    }

    /** Detaches the programs and frees the ring buffer and maps. Idempotent. */
    @Override
    public void close() {
        if (lifecycle.getReadHoldCount() > 0) {
            throw new IllegalStateException("close() called from inside poll()");
        }
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                try {
                    poller.close();
                } finally {
                    object.close();
                }
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
