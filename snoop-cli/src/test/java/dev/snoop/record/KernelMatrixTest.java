package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recorder on Debian's packaged kernels: each boots under QEMU's software emulation with this
 * machine's root shared read-only (src/test/qemu/kernel-vm.sh) and runs the build's launcher
 * end to end in it: a cgroup recorded, a workload, SIGTERM, the report checked. It needs the
 * launcher, built at package, so it runs at verify (group {@code kernels}). Kernels are cached in
 * /var/cache/snoop-test-kernels. {@code -Dsnoop.kernels=6.1} picks the kernels; see docs/kernels.md.
 * Each kernel runs twice: the program set the guest probes (modern there), and forced onto the
 * legacy set that 5.10 and 5.15 get ({@code SNOOP_VM_PROGRAMS=legacy}, SNOOP_PROGRAMS in the guest).
 */
@Tag("kernels")
class KernelMatrixTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> kernels() {
        return Arrays.stream(System.getProperty("snoop.kernels", "6.1,6.12").split(","))
                .map(String::strip).filter(s -> !s.isEmpty())
                .flatMap(series -> Stream.of(Arguments.of(series, "probed"), Arguments.of(series, "legacy")));
    }

    @ParameterizedTest(name = "linux {0}, program set {1}")
    @MethodSource("kernels")
    void testRecord_debianKernelUnderQemu(String series, String programs) throws Exception {
        Path launcher = KernelVm.requireHarness();
        long start = System.nanoTime();
        List<String> command = new java.util.ArrayList<>(List.of("env"));
        if (!programs.equals("probed")) {
            command.add("SNOOP_VM_PROGRAMS=" + programs);
        }
        command.addAll(List.of(KernelVm.script().toString(), series, launcher.toString(), tmp.resolve("result").toString()));
        Commands.Result r = Commands.result(Duration.ofMinutes(10), command);
        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        System.out.println("kernel " + series + " (" + programs + "): whole run " + seconds + " s; " + KernelVm.verdict(r.output()));
        assertEquals(0, r.code(), "linux " + series + " (" + programs + ") under qemu:\n" + r.output());
        String verdict = KernelVm.verdict(r.output());
        assertTrue(verdict.startsWith("snoop-vm: PASS"), r.output());
        if (!programs.equals("probed")) {
            assertTrue(verdict.contains(" program_set=" + programs + " "), verdict);
        }
    }
}
