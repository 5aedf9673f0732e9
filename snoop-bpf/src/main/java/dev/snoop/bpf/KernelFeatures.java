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
    private record Helper(String name, int id, String since) {}

    private static final List<Helper> HELPERS = List.of(
            new Helper("bpf_get_current_ancestor_cgroup_id", 123, "5.7"),
            new Helper("bpf_ringbuf_output", 130, "5.8"),
            new Helper("bpf_get_current_task_btf", 158, "5.11"),
            new Helper("bpf_find_vma", 180, "5.17"),
            new Helper("bpf_loop", 181, "5.17"));

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
        List<Check> checks = probes();
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
            checks.add(probed(helper.name() + " (" + helper.since() + ")", privileged,
                    bpf.libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, helper.id(), null)));
        }
        return checks;
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
