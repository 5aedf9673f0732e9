package dev.snoop.record;

import java.nio.file.Files;
import java.nio.file.Path;

/** The prerequisites and output of the QEMU kernel harness (src/test/qemu) KernelMatrixTest runs. */
final class KernelVm {
    private KernelVm() {}

    static Path script() {
        return Path.of(System.getProperty("snoop.qemu.dir", "src/test/qemu"), "kernel-vm.sh");
    }

    /** Gates the test (skip, or fail under CI) unless the VM can run; returns the launcher. */
    static Path requireHarness() {
        if (Boolean.getBoolean("snoop.kernels.skip")) {
            BpfTests.gate("the kernel tests are turned off (-Dsnoop.kernels.skip=true)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            // the guest's snoop runs as root on the host's files, and kernels are cached under /var/cache
            BpfTests.gate("not running as root");
        }
        BpfTests.requireTool("qemu-system-x86_64", "apt-get", "dpkg-deb", "xz", "jq", "/bin/busybox");
        String launcher = System.getProperty("snoop.launcher");
        if (launcher == null || !Files.isExecutable(Path.of(launcher))) {
            BpfTests.gate("no launcher (built at package; run ./mvnw verify): " + launcher);
        }
        if (!Files.isExecutable(script())) {
            BpfTests.gate("no harness: " + script());
        }
        return Path.of(launcher);
    }

    /** The guest's last snoop-vm PASS/FAIL line, or a note that there was none. */
    static String verdict(String console) {
        String verdict = "no verdict from the guest";
        for (String line : console.split("\n")) {
            String l = line.strip();
            if (l.startsWith("snoop-vm: PASS") || l.startsWith("snoop-vm: FAIL")) {
                verdict = l;
            }
        }
        return verdict;
    }
}
