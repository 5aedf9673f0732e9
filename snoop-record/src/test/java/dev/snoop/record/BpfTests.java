package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The gate of every test that loads BPF: it needs root (or CAP_BPF + CAP_PERFMON), a cgroup v2
 * mount, gcc and bpftool. Elsewhere such tests skip with the reason; under CI ({@code CI=true}) they must
 * run, so a missing prerequisite fails them instead.
 */
final class BpfTests {
    private BpfTests() {}

    /** Requires tools (commands on PATH or absolute files) a test runs. */
    static void requireTool(String... tools) {
        for (String tool : tools) {
            boolean found = tool.startsWith("/") ? Files.isExecutable(Path.of(tool))
                    : java.util.stream.Stream.of(System.getenv("PATH").split(":"))
                            .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            if (!found) {
                gate(tool + " is not installed");
            }
        }
    }

    static void require() {
        String missing = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            missing = "not running as root";
        } else if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
            missing = "the kernel has no BTF (/sys/kernel/btf/vmlinux)";
        } else if (!Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libbpf.so.1")) && !Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libbpf.so.1"))
                && !Files.exists(Path.of("/usr/lib64/libbpf.so.1"))) {
            missing = "libbpf.so.1 is not installed";
        }
        if (missing != null) {
            gate(missing);
        }
        // the workloads are compiled statically with gcc; the kill tests list programs with bpftool
        requireTool("gcc", "bpftool");
    }

    static void gate(String missing) {
        if ("true".equals(System.getenv("CI"))) {
            fail("eBPF tests must run under CI, but " + missing);
        }
        assumeTrue(false, "eBPF test skipped: " + missing);
    }
}
