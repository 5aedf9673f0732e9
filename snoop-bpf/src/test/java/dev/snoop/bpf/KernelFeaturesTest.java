package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link KernelFeatures}: real probes on this kernel. */
class KernelFeaturesTest {
    @Test
    void testCapEff_readsTheEffectiveSet() {
        String status = "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000000c000000000\n";
        long eff = KernelFeatures.capEff(status);
        assertEquals(0xc0_0000_0000L, eff); // CAP_PERFMON (38) and CAP_BPF (39)
    }

    @Test
    void testCheck_asRootOnThisKernel_everythingPresent() {
        BpfTestSupport.require(BpfTestSupport.isRoot(), "not running as root");
        BpfTestSupport.require(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "the kernel has no BTF");
        List<KernelFeatures.Check> checks = KernelFeatures.check();
        for (KernelFeatures.Check c : checks) {
            assertTrue(c.ok(), c.toString());
        }
        List<String> names = checks.stream().map(KernelFeatures.Check::name).toList();
        assertTrue(names.contains("bpf_loop (5.17)"), names.toString());
        assertTrue(names.contains("ring buffer map (5.8)"), names.toString());
        KernelFeatures.requireForRecording(); // does not throw
        KernelFeatures.Check set = checks.stream().filter(c -> c.name().equals("program set")).findFirst().orElseThrow();
        assertTrue(set.detail().startsWith("modern: "), set.toString());
    }

    @Test
    void testChooseSet_thisKernelModern_legacyWhenForced() {
        BpfTestSupport.require(BpfTestSupport.isRoot(), "not running as root");
        BpfTestSupport.require(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "the kernel has no BTF");
        /* this 6.18 host has every helper: probed, the modern set; forced, the legacy one */
        assertEquals(ProgramSet.MODERN, KernelFeatures.chooseSet(ProgramSet.AUTO).set());
        assertEquals(List.of(), KernelFeatures.chooseSet(ProgramSet.AUTO).notSeen());
        KernelFeatures.SetChoice legacy = KernelFeatures.chooseSet(ProgramSet.LEGACY);
        assertEquals(ProgramSet.LEGACY, legacy.set());
        assertEquals("forced", legacy.reason());
        /* 6.1+ has no mm_struct.mmap list: the legacy set cannot find the interpreter's mapping */
        assertEquals(List.of(KernelFeatures.ELF_INTERPRETER_MAPPING), legacy.notSeen());
        List<KernelFeatures.Check> checks = KernelFeatures.check(ProgramSet.LEGACY);
        KernelFeatures.Check set = checks.stream().filter(c -> c.name().equals("program set")).findFirst().orElseThrow();
        assertEquals("legacy: forced; not seen here: elf interpreter mapping", set.detail());
    }

    @Test
    void testParse_namesTheAcceptedValues() {
        assertEquals(ProgramSet.LEGACY, ProgramSet.parse(" Legacy "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProgramSet.parse("old"));
        assertEquals("unknown program set 'old': expected auto, modern or legacy", e.getMessage());
    }
}
