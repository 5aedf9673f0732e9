package dev.snoop.bpf;

import java.util.List;

/**
 * The architectures the BPF object is built for, one object each from the same source: what
 * differs is the object in the jar, the kernel's names for the syscall functions fexit attaches
 * to, and which syscalls exist (arm64, like every newer architecture, has only the *at forms).
 * Chosen by {@code os.arch}, the JVM's own architecture, which is the kernel's for a 64-bit JVM.
 */
enum BpfArch {
    X86_64("x86-64", "snoop.bpf.o", "__x64_sys_", false, List.of("open", "openat", "openat2", "creat", "execve",
            "execveat", "newstat", "newlstat", "newfstatat", "statx", "access", "faccessat", "faccessat2",
            "readlink", "readlinkat")),
    ARM64("arm64", "arm64/snoop.bpf.o", "__arm64_sys_", true, List.of("openat", "openat2", "execve", "execveat",
            "newfstatat", "statx", "faccessat", "faccessat2", "readlinkat"));

    private final String label;
    private final String resource;
    private final String syscallPrefix;
    private final boolean fexitNeedsFtraceDirect;
    private final List<String> syscalls;

    BpfArch(String label, String resource, String syscallPrefix, boolean fexitNeedsFtraceDirect, List<String> syscalls) {
        this.label = label;
        this.resource = resource;
        this.syscallPrefix = syscallPrefix;
        this.fexitNeedsFtraceDirect = fexitNeedsFtraceDirect;
        this.syscalls = syscalls;
    }

    /**
     * The architecture of this JVM.
     *
     * @throws BpfException (errno 0) naming it when no object is built for it
     */
    static BpfArch current() {
        return of(System.getProperty("os.arch", ""));
    }

    /** @throws BpfException (errno 0) naming the architecture when no object is built for it */
    static BpfArch of(String osArch) {
        return switch (osArch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> ARM64;
            default -> throw new BpfException("unsupported architecture " + osArch
                    + ": the recorder is built for x86-64 and arm64", 0);
        };
    }

    /** How docs and messages name it. */
    String label() {
        return label;
    }

    /** The object, relative to this class's package in the jar. */
    String resource() {
        return resource;
    }

    /** The kernel function of syscall {@code name} is this prefix and the name. */
    String syscallPrefix() {
        return syscallPrefix;
    }

    /**
     * Whether a BPF trampoline reaches a kernel function only through ftrace direct calls. On arm64
     * it does (x86-64 can also patch the call site itself), and arm64 got them in 6.4: Debian 12's
     * 6.1 loads fexit programs, then refuses to attach them (ENOTSUPP). Knowing it from the
     * kernel's BTF saves that load, which is seconds under emulation.
     */
    boolean fexitNeedsFtraceDirect() {
        return fexitNeedsFtraceDirect;
    }

    /** The syscalls the per-syscall programs are named after (kernel names: stat is newstat). */
    List<String> syscalls() {
        return syscalls;
    }
}
