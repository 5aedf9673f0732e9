package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code snoop record --check} in a real snoop process, as root and with every capability dropped,
 * and the one-line refusal a recording gets without them.
 */
@Tag("bpf")
class RecordCheckTest {
    private static final List<String> NO_CAPABILITIES = List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all");

    @BeforeEach
    void requireBpf() {
        BpfTests.require();
        BpfTests.requireTool("setpriv");
    }

    @Test
    void testCheck_asRoot_everythingOk_exitZero() throws Exception {
        Commands.Result r = run(List.of(), "--check");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("snoop record can run here"), r.output());
        for (String name : List.of("privileges", "BTF", "libbpf", "bpf_loop (5.17)", "cgroup v2", "tracefs")) {
            assertTrue(r.output().lines().anyMatch(l -> l.startsWith("ok ") && l.contains(name)), name + ":\n" + r.output());
        }
        assertTrue(r.output().lines().anyMatch(l -> l.matches("ok +program set +modern: kernel has bpf_loop.*")), r.output());
    }

    @Test
    void testCheck_legacyForced_namesTheSetAndWhatItCannotSee() throws Exception {
        Commands.Result r = run(List.of("env", "SNOOP_PROGRAMS=legacy"), "--check");
        assertEquals(0, r.code(), r.output());
        // this kernel (6.18) has no VMA list for the legacy set to find the ELF interpreter on
        assertTrue(r.output().lines().anyMatch(l -> l.matches(
                "ok +program set +legacy: forced; not seen here: elf interpreter mapping")), r.output());
    }

    @Test
    void testCheck_withoutCapabilities_namesWhatIsMissing_exitOne() throws Exception {
        Commands.Result r = run(NO_CAPABILITIES, "--check");
        assertEquals(1, r.code(), r.output());
        assertTrue(r.output().lines().anyMatch(l -> l.startsWith("missing  privileges ")), r.output());
        assertTrue(r.output().contains("cannot tell without the privileges"), r.output());
    }

    @Test
    void testCheck_kernelWithoutBtf_namesTheGap_andRecordingRefused() throws Exception {
        BpfTests.requireTool("unshare");
        // a kernel without BTF, as far as snoop can tell: an empty file over it in a private mount namespace
        List<String> noBtf = List.of("unshare", "-m", "sh", "-c",
                "mount --bind /dev/null /sys/kernel/btf/vmlinux && exec \"$@\"", "sh");
        Commands.Result check = run(noBtf, "--check");
        assertEquals(1, check.code(), check.output());
        assertTrue(check.output().lines().anyMatch(l -> l.startsWith("missing  BTF ")
                && l.contains("kernel lacks BTF (/sys/kernel/btf/vmlinux)")), check.output());
        Commands.Result record = run(noBtf, "--cgroup", CgroupFs.current().mount().toString(), "--metrics-addr", "off",
                "--report-path", "/tmp/snoop-nobtf-" + ProcessHandle.current().pid() + ".json", "--duration", "1s");
        assertEquals(1, record.code(), record.output());
        assertTrue(record.output().strip().startsWith("snoop record: cannot record here: kernel lacks BTF"), record.output());
    }

    @Test
    void testRecord_withoutCapabilities_oneLineNamingThem_exitOne() throws Exception {
        Commands.Result r = run(NO_CAPABILITIES, "--cgroup", CgroupFs.current().mount().toString(), "--metrics-addr", "off", "--report-path", "/tmp/snoop-check-"
                + ProcessHandle.current().pid() + ".json", "--duration", "1s");
        assertEquals(1, r.code(), r.output());
        assertEquals("snoop record: cannot record here: not permitted to load BPF: run as root or grant CAP_BPF and CAP_PERFMON",
                r.output().strip());
    }

    private static Commands.Result run(List<String> prefix, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.snoop.cli.Main", "record"));
        command.addAll(List.of(args));
        return Commands.result(Duration.ofSeconds(60), command);
    }
}
