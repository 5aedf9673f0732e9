package dev.snoop.bpf;

/**
 * Settings applied before the BPF object is loaded.
 *
 * @param dedup suppress repeats of the same access by the same container in the kernel
 * @param wakeupBytes wake the poller early once this much data waits (0: on every event);
 *     below it, events wait for the next {@link BpfRecorder#poll} timeout
 * @param ringBufferBytes size of the events ring buffer: a power of two, at least one page
 * @param dedupEntries size of the in-kernel dedup LRU
 * @param attachment how the syscall programs attach; {@link Attachment#AUTO} probes
 * @param programSet which BPF object is loaded; {@link ProgramSet#AUTO} probes
 */
public record RecorderOptions(boolean dedup, long wakeupBytes, int ringBufferBytes, int dedupEntries,
        Attachment attachment, ProgramSet programSet) {

    private static final int PAGE = 4096;

    public RecorderOptions {
        if (ringBufferBytes < PAGE || Integer.bitCount(ringBufferBytes) != 1) {
            throw new IllegalArgumentException("ring buffer size must be a power of two >= 4096, not " + ringBufferBytes);
        }
        if (wakeupBytes < 0 || wakeupBytes > ringBufferBytes) {
            throw new IllegalArgumentException("wakeup threshold must be within the ring buffer, not " + wakeupBytes);
        }
        if (dedupEntries < 1) {
            throw new IllegalArgumentException("dedup entries must be positive, not " + dedupEntries);
        }
        java.util.Objects.requireNonNull(attachment, "attachment");
        java.util.Objects.requireNonNull(programSet, "programSet");
    }

    public RecorderOptions(boolean dedup, long wakeupBytes, int ringBufferBytes, int dedupEntries) {
        this(dedup, wakeupBytes, ringBufferBytes, dedupEntries, Attachment.AUTO, ProgramSet.AUTO);
    }

    /** Dedup on, 4 MiB ring buffer, wakeup at 1 MiB, 65536 dedup entries. */
    public static RecorderOptions defaults() {
        return new RecorderOptions(true, 1 << 20, 4 << 20, 65536);
    }

    public RecorderOptions withDedup(boolean on) {
        return new RecorderOptions(on, wakeupBytes, ringBufferBytes, dedupEntries, attachment, programSet);
    }

    public RecorderOptions withWakeupBytes(long bytes) {
        return new RecorderOptions(dedup, bytes, ringBufferBytes, dedupEntries, attachment, programSet);
    }

    public RecorderOptions withRingBufferBytes(int bytes) {
        return new RecorderOptions(dedup, Math.min(wakeupBytes, bytes), bytes, dedupEntries, attachment, programSet);
    }

    public RecorderOptions withDedupEntries(int entries) {
        return new RecorderOptions(dedup, wakeupBytes, ringBufferBytes, entries, attachment, programSet);
    }

    public RecorderOptions withAttachment(Attachment mode) {
        return new RecorderOptions(dedup, wakeupBytes, ringBufferBytes, dedupEntries, mode, programSet);
    }

    public RecorderOptions withProgramSet(ProgramSet set) {
        return new RecorderOptions(dedup, wakeupBytes, ringBufferBytes, dedupEntries, attachment, set);
    }
}
