package dev.snoop.bpf;

import java.util.Locale;

/**
 * How the syscall programs hook the kernel, best first. {@link BpfRecorder#open} takes the first
 * this kernel supports unless {@link RecorderOptions#attachment()} forces one.
 */
public enum Attachment {
    /** Let the recorder probe: fexit, else tracepoint, else raw. */
    AUTO("auto"),
    /** fexit on each traced syscall's {@code __x64_sys_*} function: other syscalls pay nothing. */
    FEXIT("fexit"),
    /** The {@code syscalls/sys_exit_*} tracepoints of the traced syscalls (needs tracefs). */
    TRACEPOINT("tracepoint"),
    /** tp_btf on the raw {@code sys_enter}/{@code sys_exit}: runs on every syscall of the node. */
    RAW("raw");

    private final String label;

    Attachment(String label) {
        this.label = label;
    }

    /** The name in reports, options and {@code SNOOP_ATTACH}. */
    public String label() {
        return label;
    }

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Attachment parse(String value) {
        for (Attachment a : values()) {
            if (a.label.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown attachment '" + value + "': expected auto, fexit, tracepoint or raw");
    }
}
