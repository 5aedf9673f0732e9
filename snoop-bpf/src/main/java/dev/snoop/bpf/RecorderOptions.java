package dev.snoop.bpf;

/**
 * Settings applied before the BPF object is loaded.
 *
 * <p>The hash maps are preallocated, so their sizes are kernel memory charged to snoop's memory
 * cgroup from load on, whatever the workload: about 96 bytes per dedup entry, 110 per start entry
 * and 85 per cgroup verdict on 6.x x86-64 (docs/performance.md, Map sizes).
 *
 * @param dedup suppress repeats of the same access by the same container in the kernel
 * @param wakeupBytes wake the poller early once this much data waits (0: on every event);
 *     below it, events wait for the next {@link BpfRecorder#poll} timeout
 * @param ringBufferBytes size of the events ring buffer: a power of two, at least one page
 * @param dedupEntries size of the in-kernel dedup LRU; an evicted access is sent again (and
 *     deduplicated in user space), so a small map costs events, never files
 * @param startEntries threads that may be inside a traced syscall at once (the raw tracepoint
 *     attachment saves the arguments at entry); beyond it, that syscall is not seen
 * @param cgroupVerdictEntries cgroups whose container is cached (an LRU); a miss walks the
 *     cgroup's ancestry again, so a small map costs CPU, never events
 * @param attachment how the syscall programs attach; {@link Attachment#AUTO} probes
 * @param programSet which BPF object is loaded; {@link ProgramSet#AUTO} probes
 */
public record RecorderOptions(boolean dedup, long wakeupBytes, int ringBufferBytes, int dedupEntries,
        int startEntries, int cgroupVerdictEntries, Attachment attachment, ProgramSet programSet) {

    private static final int PAGE = 4096;
    /** Defaults chosen by measurement: docs/performance.md, Map sizes. */
    public static final int DEFAULT_DEDUP_ENTRIES = 16384;
    public static final int DEFAULT_START_ENTRIES = 4096;
    public static final int DEFAULT_CGROUP_VERDICT_ENTRIES = 2048;

    public RecorderOptions {
        if (ringBufferBytes < PAGE || Integer.bitCount(ringBufferBytes) != 1) {
            throw new IllegalArgumentException("ring buffer size must be a power of two >= 4096, not " + ringBufferBytes);
        }
        if (wakeupBytes < 0 || wakeupBytes > ringBufferBytes) {
            throw new IllegalArgumentException("wakeup threshold must be within the ring buffer, not " + wakeupBytes);
        }
        requirePositive("dedup entries", dedupEntries);
        requirePositive("start entries", startEntries);
        requirePositive("cgroup verdict entries", cgroupVerdictEntries);
        java.util.Objects.requireNonNull(attachment, "attachment");
        java.util.Objects.requireNonNull(programSet, "programSet");
    }

    public RecorderOptions(boolean dedup, long wakeupBytes, int ringBufferBytes, int dedupEntries) {
        this(dedup, wakeupBytes, ringBufferBytes, dedupEntries, DEFAULT_START_ENTRIES, DEFAULT_CGROUP_VERDICT_ENTRIES,
                Attachment.AUTO, ProgramSet.AUTO);
    }

    private static void requirePositive(String what, int entries) {
        if (entries < 1) {
            throw new IllegalArgumentException(what + " must be positive, not " + entries);
        }
    }

    /** Dedup on, 4 MiB ring buffer, wakeup at 1 MiB, the default map sizes. */
    public static RecorderOptions defaults() {
        return new RecorderOptions(true, 1 << 20, 4 << 20, DEFAULT_DEDUP_ENTRIES);
    }

    public RecorderOptions withDedup(boolean on) {
        return new RecorderOptions(on, wakeupBytes, ringBufferBytes, dedupEntries, startEntries, cgroupVerdictEntries,
                attachment, programSet);
    }

    public RecorderOptions withWakeupBytes(long bytes) {
        return new RecorderOptions(dedup, bytes, ringBufferBytes, dedupEntries, startEntries, cgroupVerdictEntries,
                attachment, programSet);
    }

    public RecorderOptions withRingBufferBytes(int bytes) {
        return new RecorderOptions(dedup, Math.min(wakeupBytes, bytes), bytes, dedupEntries, startEntries,
                cgroupVerdictEntries, attachment, programSet);
    }

    public RecorderOptions withDedupEntries(int entries) {
        return new RecorderOptions(dedup, wakeupBytes, ringBufferBytes, entries, startEntries, cgroupVerdictEntries,
                attachment, programSet);
    }

    public RecorderOptions withStartEntries(int entries) {
        return new RecorderOptions(dedup, wakeupBytes, ringBufferBytes, dedupEntries, entries, cgroupVerdictEntries,
                attachment, programSet);
    }

    public RecorderOptions withCgroupVerdictEntries(int entries) {
        return new RecorderOptions(dedup, wakeupBytes, ringBufferBytes, dedupEntries, startEntries, entries, attachment,
                programSet);
    }

    public RecorderOptions withAttachment(Attachment mode) {
        return new RecorderOptions(dedup, wakeupBytes, ringBufferBytes, dedupEntries, startEntries,
                cgroupVerdictEntries, mode, programSet);
    }

    public RecorderOptions withProgramSet(ProgramSet set) {
        return new RecorderOptions(dedup, wakeupBytes, ringBufferBytes, dedupEntries, startEntries,
                cgroupVerdictEntries, attachment, set);
    }
}
