package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    }
}
