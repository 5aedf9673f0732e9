package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder on arm64: Debian's arm64 kernel boots under qemu-system-aarch64's software
 * emulation on an arm64 Debian root with its own JRE and libbpf (src/test/qemu/arm64-vm.sh), and
 * runs the build's launcher end to end in it as {@link KernelMatrixTest} does on x86-64, so the
 * jar's arm64 BPF object is loaded, verified and attached by a real arm64 kernel. Runs at verify
 * (group {@code kernels}); the root is cached in /var/cache/snoop-test-arm64. See docs/kernels.md.
 */
@Tag("kernels")
class Arm64VmTest {
    @TempDir
    Path tmp;

    @Test
    void testRecord_arm64DebianKernelUnderQemu() throws Exception {
        Path launcher = requireHarness();
        long start = System.nanoTime();
        Commands.Result r = Commands.result(Duration.ofMinutes(16),
                List.of(script().toString(), launcher.toString(), tmp.resolve("result").toString()));
        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        String verdict = KernelVm.verdict(r.output());
        System.out.println("arm64: whole run " + seconds + " s; " + verdict);
        assertEquals(0, r.code(), "arm64 under qemu:\n" + r.output());
        assertTrue(verdict.startsWith("snoop-vm: PASS kernel=") && verdict.contains("-arm64 "), r.output());
    }

    static Path script() {
        return KernelVm.script().resolveSibling("arm64-vm.sh");
    }

    /** Gates the test (skip, or fail under CI) unless the arm64 VM can run; returns the launcher. */
    static Path requireHarness() {
        if (Boolean.getBoolean("snoop.kernels.skip") || Boolean.getBoolean("snoop.arm64.skip")) {
            BpfTests.gate("the kernel tests are turned off (-Dsnoop.kernels.skip=true or -Dsnoop.arm64.skip=true)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            // the root is built under /var/cache, and the launcher is bind-mounted into it
            BpfTests.gate("not running as root");
        }
        BpfTests.requireTool("qemu-system-aarch64", "mmdebstrap", "unshare", "flock", "busybox");
        String launcher = System.getProperty("snoop.launcher");
        if (launcher == null || !Files.isExecutable(Path.of(launcher))) {
            BpfTests.gate("no launcher (built at package; run ./mvnw verify): " + launcher);
        }
        if (!Files.isExecutable(script())) {
            BpfTests.gate("no harness: " + script());
        }
        return Path.of(launcher);
    }
}
