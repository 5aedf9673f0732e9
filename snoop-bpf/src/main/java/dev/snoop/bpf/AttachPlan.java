package dev.snoop.bpf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;

/**
 * Which syscall programs of the architecture's object one {@link Attachment} loads, found by
 * probing the kernel: the BTF of the syscall functions for fexit, the tracefs event directories for the
 * tracepoints. A syscall this kernel lacks (openat2 before 5.6) is skipped, not fatal.
 *
 * @param attachment the mode
 * @param programs the syscall programs to load and attach
 * @param skipped programs of this mode left out, with the reason
 */
record AttachPlan(Attachment attachment, List<String> programs, Map<String, String> skipped) {

    static final List<String> RAW_PROGRAMS = List.of("tp_btf__sys_enter", "tp_btf__sys_exit");
    /** The modes {@link Attachment#AUTO} tries, cheapest for the node first. */
    static final List<Attachment> ORDER = List.of(Attachment.FEXIT, Attachment.TRACEPOINT, Attachment.RAW);

    private static final int BTF_KIND_FUNC = 12;
    private static final int BPF_PROG_TYPE_TRACEPOINT = 5;
    private static final int BPF_FUNC_TASK_PT_REGS = 175;
    private static final List<Path> TRACEFS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));

    AttachPlan {
        programs = List.copyOf(programs);
        skipped = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }

    /** Every syscall program in the architecture's object, of every mode. */
    static List<String> allPrograms(BpfArch arch) {
        List<String> all = new ArrayList<>(RAW_PROGRAMS);
        for (String syscall : arch.syscalls()) {
            all.add(program(arch, Attachment.TRACEPOINT, syscall));
            all.add(program(arch, Attachment.FEXIT, syscall));
        }
        return all;
    }

    static String program(BpfArch arch, Attachment mode, String syscall) {
        return switch (mode) {
            case FEXIT -> "fexit" + arch.syscallPrefix() + syscall; // fexit__x64_sys_openat
            case TRACEPOINT -> "tracepoint__syscalls__sys_exit_" + syscall;
            default -> throw new IllegalArgumentException("no per-syscall program in mode " + mode);
        };
    }

    /**
     * The plan for one mode on this kernel.
     *
     * @throws BpfException (errno 0) naming what the kernel lacks for it
     */
    static AttachPlan probe(NativeLibs libs, BpfArch arch, Attachment mode, ProgramSet set) {
        return switch (mode) {
            case RAW -> new AttachPlan(mode, RAW_PROGRAMS, Map.of());
            case FEXIT -> fexit(libs, arch);
            case TRACEPOINT -> tracepoint(libs, arch, set);
            case AUTO -> throw new IllegalArgumentException("auto is not a mode of its own");
        };
    }

    private static AttachPlan fexit(NativeLibs libs, BpfArch arch) {
        Pointer btf = libs.bpf.btf__load_vmlinux_btf();
        if (btf == null || btf.address() == 0) {
            throw new BpfException("fexit: kernel lacks BTF (/sys/kernel/btf/vmlinux)", 0);
        }
        try {
            if (arch.fexitNeedsFtraceDirect() && !hasFunction(libs, btf, "register_ftrace_direct")
                    && !hasFunction(libs, btf, "register_ftrace_direct_multi")) {
                throw new BpfException("fexit: kernel cannot attach BPF trampolines to its functions on " + arch.label()
                        + " (no ftrace direct calls: CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS, 6.4+)", 0);
            }
            return plan(arch, Attachment.FEXIT,
                    syscall -> libs.bpf.btf__find_by_name_kind(btf, arch.syscallPrefix() + syscall, BTF_KIND_FUNC) > 0,
                    "kernel BTF has no function " + arch.syscallPrefix());
        } finally {
            libs.bpf.btf__free(btf);
        }
    }

    private static boolean hasFunction(NativeLibs libs, Pointer btf, String name) {
        return libs.bpf.btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
    }

    /** tracefs's {@code events/syscalls}, where the syscall tracepoints are, or null without tracefs. */
    static Path syscallEvents() {
        for (Path root : TRACEFS) {
            if (Files.isDirectory(root.resolve("events/syscalls"))) {
                return root.resolve("events/syscalls");
            }
        }
        return null;
    }

    private static AttachPlan tracepoint(NativeLibs libs, BpfArch arch, ProgramSet set) {
        Path events = syscallEvents();
        if (events == null) {
            throw new BpfException("tracepoint: tracefs is not mounted (no /sys/kernel/tracing/events/syscalls)", 0);
        }
        // the legacy set finds the saved registers at the top of the task's kernel stack instead
        if (set == ProgramSet.MODERN
                && libs.bpf.libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_TASK_PT_REGS, null) != 1) {
            throw new BpfException("tracepoint: kernel lacks bpf_task_pt_regs (5.15)", 0);
        }
        Path dir = events;
        return plan(arch, Attachment.TRACEPOINT, syscall -> Files.isDirectory(dir.resolve("sys_exit_" + syscall)),
                "tracefs has no syscalls/sys_exit_");
    }

    private static AttachPlan plan(BpfArch arch, Attachment mode, java.util.function.Predicate<String> present,
            String missing) {
        List<String> programs = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (String syscall : arch.syscalls()) {
            if (present.test(syscall)) {
                programs.add(program(arch, mode, syscall));
            } else {
                skipped.put(program(arch, mode, syscall), missing + syscall);
            }
        }
        if (!programs.contains(program(arch, mode, "openat"))) {
            throw new BpfException(mode.label() + ": " + missing + "openat", 0);
        }
        return new AttachPlan(mode, programs, skipped);
    }
}
