package dev.snoop.bpf;

import dev.snoop.bpf.internal.LibBpf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What this kernel and this process have of what the recorder needs, found by probing (libbpf's
 * feature probes load a trivial program for each helper), never from the kernel's version: RHEL
 * 9.2 says 5.14 and has {@code bpf_loop}. {@link #check()} reports everything ({@code snoop record
 * --check}); {@link #requireForRecording()} fails before the object loads with a line naming what is
 * missing, rather than the verifier's EINVAL.
 */
public final class KernelFeatures {
    /** enum bpf_prog_type: helpers are probed with raw tracepoints (libbpf cannot probe tracing programs). */
    private static final int BPF_PROG_TYPE_RAW_TRACEPOINT = 17;
    private static final int BPF_MAP_TYPE_RINGBUF = 27;
    /** capability bits in /proc/self/status CapEff */
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;
    private static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");

    /** A helper the programs call, its enum bpf_func_id number, and the mainline release that added it. */
    private record Helper(String name, int id, String since) {
        String label() {
            return name + " (" + since + ")";
        }
    }

    /** What both program sets call. */
    private static final List<Helper> HELPERS = List.of(
            new Helper("bpf_ringbuf_output", 130, "5.8"));
    /**
     * What the modern set calls besides: a kernel lacking one gets the legacy set. The ancestor
     * helper came in 5.7 for networking programs but reached tracing ones only in 5.14, so 5.10's
     * verifier rejects it; the legacy set reads the ancestry from the task's cgroup instead.
     */
    private static final List<Helper> MODERN_HELPERS = List.of(
            new Helper("bpf_get_current_ancestor_cgroup_id", 123, "5.14"),
            new Helper("bpf_get_current_task_btf", 158, "5.11"),
            new Helper("bpf_task_pt_regs", 175, "5.15"),
            new Helper("bpf_find_vma", 180, "5.17"),
            new Helper("bpf_loop", 181, "5.17"));
    private static final int BTF_KIND_STRUCT = 4;
    private static final int BTF_KIND_UNION = 5;
    /** What the legacy set cannot see without bpf_find_vma on a kernel without mm_struct.mmap (6.1+). */
    public static final String ELF_INTERPRETER_MAPPING = "elf interpreter mapping";

    /**
     * The program set for this kernel and why.
     *
     * @param set never {@link ProgramSet#AUTO}
     * @param reason what decided it, for {@code --check} and the log
     * @param notSeen what this set cannot see on this kernel (the report's {@code recording.not_seen})
     */
    public record SetChoice(ProgramSet set, String reason, List<String> notSeen) {
        public SetChoice {
            notSeen = List.copyOf(notSeen);
        }
    }

    /**
     * One prerequisite: {@code ok}, or why not. {@code required} ones stop a recording; the others
     * only narrow what it can do.
     */
    public record Check(String name, boolean ok, boolean required, String detail) {}

    private KernelFeatures() {}

    /**
     * Every probe and prerequisite, in the order a user fixes them, tracefs last (optional: it
     * lets the probes attach per syscall). Loads nothing that stays.
     */
    public static List<Check> check() {
        return check(ProgramSet.AUTO);
    }

    /** {@link #check()} with the program set forced ({@link ProgramSet#AUTO}: probed). */
    public static List<Check> check(ProgramSet forced) {
        List<Check> checks = probes();
        boolean privileged = checks.get(0).ok();
        if (privileged && checks.stream().noneMatch(c -> c.name().equals("libbpf") && !c.ok())) {
            try {
                SetChoice choice = chooseSet(forced);
                String detail = choice.set().label() + ": " + choice.reason();
                if (!choice.notSeen().isEmpty()) {
                    detail += "; not seen here: " + String.join(", ", choice.notSeen());
                }
                checks.add(new Check("program set", true, true, detail));
            } catch (BpfException e) {
                checks.add(new Check("program set", false, true, e.getMessage()));
            }
        }
        Path events = AttachPlan.syscallEvents();
        checks.add(events != null
                ? new Check("tracefs", true, false, events.getParent().getParent() + " (syscall tracepoints)")
                : new Check("tracefs", false, false, "not mounted: mount -t tracefs none /sys/kernel/tracing "
                        + "(optional: lets snoop attach per syscall)"));
        return checks;
    }

    private static List<Check> probes() {
        List<Check> checks = new ArrayList<>();
        checks.add(architecture());
        Check privileges = privileges();
        checks.add(privileges);
        checks.add(hasBtf(BTF)
                ? new Check("BTF", true, true, BTF.toString())
                : new Check("BTF", false, true, "kernel lacks BTF (" + BTF + "): CONFIG_DEBUG_INFO_BTF=y is needed"));
        NativeLibs libs;
        try {
            libs = NativeLibs.get();
        } catch (BpfException e) {
            checks.add(new Check("libbpf", false, true, e.getMessage()));
            return checks;
        }
        LibBpf bpf = libs.bpf;
        checks.add(new Check("libbpf", true, true, "libbpf " + bpf.libbpf_major_version() + "." + bpf.libbpf_minor_version()));
        boolean privileged = privileges.ok();
        checks.add(probed("ring buffer map (5.8)", privileged, bpf.libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, null)));
        for (Helper helper : HELPERS) {
            checks.add(probed(helper.label(), privileged,
                    bpf.libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, helper.id(), null)));
        }
        for (Helper helper : MODERN_HELPERS) {
            Check c = probed(helper.label(), privileged,
                    bpf.libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, helper.id(), null));
            // optional: without it the legacy program set is loaded
            checks.add(new Check(c.name(), c.ok(), false, c.ok() ? c.detail() : c.detail() + " (the legacy program set does without)"));
        }
        return checks;
    }

    /**
     * The program set to load: {@code forced}, or with {@link ProgramSet#AUTO} modern when the
     * kernel has every helper it calls beyond the legacy set's, else legacy. Probes helpers, not
     * the kernel's version (backports).
     *
     * @throws BpfException (errno 0) when the modern set is forced on a kernel without its helpers
     */
    public static SetChoice chooseSet(ProgramSet forced) {
        LibBpf bpf = NativeLibs.get().bpf;
        List<String> missing = new ArrayList<>();
        for (Helper helper : MODERN_HELPERS) {
            if (bpf.libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, helper.id(), null) != 1) {
                missing.add(helper.label());
            }
        }
        String lacks = "kernel lacks " + String.join(", ", missing);
        return switch (forced) {
            case MODERN -> {
                if (!missing.isEmpty()) {
                    throw new BpfException("the modern program set was asked for, but the " + lacks, 0);
                }
                yield new SetChoice(ProgramSet.MODERN, "forced", List.of());
            }
            case LEGACY -> new SetChoice(ProgramSet.LEGACY, "forced" + (missing.isEmpty() ? "" : "; " + lacks), legacyNotSeen());
            case AUTO -> missing.isEmpty()
                    ? new SetChoice(ProgramSet.MODERN, "kernel has bpf_loop, bpf_find_vma, bpf_get_current_task_btf, bpf_task_pt_regs, bpf_get_current_ancestor_cgroup_id", List.of())
                    : new SetChoice(ProgramSet.LEGACY, lacks, legacyNotSeen());
        };
    }

    /**
     * The legacy set finds the ELF interpreter's mapping on the VMA list ({@code mm_struct.mmap},
     * before 6.1); on a kernel without it (the set forced on 6.1+) that mapping is not seen.
     */
    private static List<String> legacyNotSeen() {
        return hasBtfMember("mm_struct", "mmap") ? List.of() : List.of(ELF_INTERPRETER_MAPPING);
    }

    /** Whether the kernel's BTF struct has a member of that name, in it or an anonymous struct in it. */
    private static boolean hasBtfMember(String struct, String member) {
        LibBpf bpf = NativeLibs.get().bpf;
        jnr.ffi.Pointer btf = bpf.btf__load_vmlinux_btf();
        if (btf == null || btf.address() == 0) {
            return false;
        }
        try {
            int id = bpf.btf__find_by_name_kind(btf, struct, BTF_KIND_STRUCT);
            return id > 0 && hasMember(bpf, btf, id, member, 0);
        } finally {
            bpf.btf__free(btf);
        }
    }

    private static boolean hasMember(LibBpf bpf, jnr.ffi.Pointer btf, int id, String member, int depth) {
        /* struct btf_type {name_off, info, size}, then vlen struct btf_member {name_off, type, offset} */
        jnr.ffi.Pointer type = bpf.btf__type_by_id(btf, id);
        int kind = type.getInt(4) >>> 24 & 0x1f;
        if (depth > 3 || kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION) {
            return false;
        }
        int vlen = type.getInt(4) & 0xffff;
        for (int i = 0; i < vlen; i++) {
            long at = 12 + 12L * i;
            int nameOff = type.getInt(at);
            if (nameOff == 0 && hasMember(bpf, btf, type.getInt(at + 4), member, depth + 1)) {
                return true;
            }
            if (nameOff != 0 && member.equals(bpf.btf__name_by_offset(btf, nameOff))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Throws, naming every missing requirement in one line, unless the recorder can load here.
     *
     * @throws BpfException with errno 0 when something is missing
     */
    public static void requireForRecording() {
        List<Check> checks = probes(); // tracefs is optional: the attachment falls back without it
        List<String> missing = new ArrayList<>();
        for (Check c : checks) {
            if (c.required() && !c.ok()) {
                missing.add(List.of("architecture", "privileges", "BTF", "libbpf").contains(c.name())
                        ? c.detail() : "kernel lacks " + c.name());
            }
            if (c.name().equals("privileges") && !c.ok()) {
                break; // without them the probes cannot tell: name only this
            }
        }
        if (!missing.isEmpty()) {
            throw new BpfException("cannot record here: " + String.join("; ", missing), 0);
        }
    }

    private static Check probed(String name, boolean privileged, int result) {
        if (!privileged) {
            // an unprivileged probe fails to load for want of permission, whatever the kernel has
            return new Check(name, false, true, "cannot tell without the privileges to load a program");
        }
        if (result == 1) {
            return new Check(name, true, true, "present");
        }
        if (result == 0) {
            return new Check(name, false, true, "missing");
        }
        return new Check(name, false, true, "cannot tell: the probe failed with " + Errno.name(-result));
    }

    /** Whether the jar has an object for this JVM's architecture (x86-64, arm64). */
    private static Check architecture() {
        try {
            return new Check("architecture", true, true, BpfArch.current().label());
        } catch (BpfException e) {
            return new Check("architecture", false, true, e.getMessage());
        }
    }

    /** Root's capabilities, or CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN before 5.8), in effect. */
    private static Check privileges() {
        long effective;
        try {
            effective = capEff(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | NumberFormatException e) {
            return new Check("privileges", false, true, "cannot read /proc/self/status: " + e.getMessage());
        }
        boolean bpfAndPerfmon = bit(effective, CAP_BPF) && bit(effective, CAP_PERFMON);
        if (bpfAndPerfmon || bit(effective, CAP_SYS_ADMIN)) {
            return new Check("privileges", true, true, bpfAndPerfmon ? "CAP_BPF and CAP_PERFMON" : "CAP_SYS_ADMIN");
        }
        return new Check("privileges", false, true, "not permitted to load BPF: run as root or grant CAP_BPF and CAP_PERFMON");
    }

    /** A readable BTF blob: its header starts with the magic 0xeB9F (little- or big-endian). */
    static boolean hasBtf(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(2);
            return magic.length == 2 && (magic[0] == (byte) 0x9f && magic[1] == (byte) 0xeb
                    || magic[0] == (byte) 0xeb && magic[1] == (byte) 0x9f);
        } catch (IOException e) {
            return false;
        }
    }

    static long capEff(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
            }
        }
        throw new NumberFormatException("no CapEff line");
    }

    private static boolean bit(long mask, int bit) {
        return (mask >>> bit & 1) != 0;
    }
}
