package dev.snoop.record;

import dev.snoop.bpf.Attachment;
import dev.snoop.bpf.ProgramSet;
import dev.snoop.bpf.RecorderOptions;
import dev.snoop.core.SnoopException;

/**
 * The probes' load options a recording starts from: the ring's size and wakeup threshold, and the
 * attachment and program set that SNOOP_ATTACH and SNOOP_PROGRAMS may force (benchmarks, CI,
 * old-kernel checks). The map sizes come on top ({@link MapSizes}).
 */
final class ProbeOptions {
    private ProbeOptions() {
    }

    /**
     * The probes' options for a ring of {@code ringBytes}: the poller is woken once a quarter of
     * the ring waits (at most the default 1 MiB). With the threshold at the whole ring, as a
     * 1 MiB ring otherwise gets, no early wakeup ever comes, events wait for the timed drain and a
     * burst fills the ring (bench/record: 61% of a 1M-file flood dropped with a 1 MiB ring).
     */
    static RecorderOptions forRing(int ringBytes) {
        RecorderOptions options = RecorderOptions.defaults().withRingBufferBytes(ringBytes)
                .withAttachment(attachmentFromEnv(System.getenv("SNOOP_ATTACH")))
                .withProgramSet(programSetFromEnv(System.getenv("SNOOP_PROGRAMS")));
        return options.withWakeupBytes(Math.min(options.wakeupBytes(), ringBytes / 4));
    }

    /** SNOOP_ATTACH=fexit|tracepoint|raw forces how the syscall probes attach (benchmarks, CI); unset: probe. */
    static Attachment attachmentFromEnv(String value) {
        if (value == null || value.isBlank()) {
            return Attachment.AUTO;
        }
        try {
            return Attachment.parse(value);
        } catch (IllegalArgumentException e) {
            throw new SnoopException("SNOOP_ATTACH: " + e.getMessage());
        }
    }

    /** SNOOP_PROGRAMS=modern|legacy forces which BPF program set loads (CI, old-kernel checks); unset: probe. */
    static ProgramSet programSetFromEnv(String value) {
        if (value == null || value.isBlank()) {
            return ProgramSet.AUTO;
        }
        try {
            return ProgramSet.parse(value);
        } catch (IllegalArgumentException e) {
            throw new SnoopException("SNOOP_PROGRAMS: " + e.getMessage());
        }
    }
}
