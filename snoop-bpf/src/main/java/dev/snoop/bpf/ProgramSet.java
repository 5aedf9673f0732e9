package dev.snoop.bpf;

import java.util.Locale;

/**
 * Which of the two BPF objects built from bpf/snoop.bpf.c is loaded. {@link BpfRecorder#open}
 * picks one by probing the kernel's helpers ({@link KernelFeatures#chooseSet}) unless
 * {@link RecorderOptions#programSet()} forces one.
 */
public enum ProgramSet {
    /** Probe: modern where the kernel has its helpers, else legacy. */
    AUTO("auto", null),
    /** bpf_loop, bpf_find_vma, bpf_get_current_task_btf, bpf_task_pt_regs: 5.17+ or a backport. */
    MODERN("modern", "snoop.bpf.o"),
    /** Bounded loops and bpf_get_current_task(): kernels without those helpers (5.10, 5.15). */
    LEGACY("legacy", "snoop-legacy.bpf.o");

    private final String label;
    private final String resource;

    ProgramSet(String label, String resource) {
        this.label = label;
        this.resource = resource;
    }

    /** The name in reports, {@code --check} and {@code SNOOP_PROGRAMS}. */
    public String label() {
        return label;
    }

    /** The object's resource name beside {@link BpfRecorder}; null for {@link #AUTO}. */
    String resource() {
        return resource;
    }

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ProgramSet parse(String value) {
        for (ProgramSet s : values()) {
            if (s.label.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown program set '" + value + "': expected auto, modern or legacy");
    }
}
