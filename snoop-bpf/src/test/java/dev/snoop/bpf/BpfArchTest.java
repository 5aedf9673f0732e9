package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each architecture's object is in the jar and holds exactly the programs Java loads for it,
 * each attaching where that architecture's kernel has the hook. Opening an object parses it
 * without the kernel, so the arm64 one is checked on x86-64 too.
 */
class BpfArchTest {

    @Test
    void testOf_jvmArchitectureNames() {
        assertEquals(BpfArch.X86_64, BpfArch.of("amd64"));
        assertEquals(BpfArch.X86_64, BpfArch.of("x86_64"));
        assertEquals(BpfArch.ARM64, BpfArch.of("aarch64"));
    }

    @Test
    void testOf_unsupportedArchitecture_failsNamingIt() {
        BpfException e = assertThrows(BpfException.class, () -> BpfArch.of("riscv64"));
        assertEquals("unsupported architecture riscv64: the recorder is built for x86-64 and arm64", e.getMessage());
        assertEquals(0, e.errno());
    }

    @Test
    void testCheck_namesTheArchitectureFirst() {
        KernelFeatures.Check first = KernelFeatures.check().get(0);
        assertEquals(new KernelFeatures.Check("architecture", true, true, BpfArch.current().label()), first);
    }

    @ParameterizedTest
    @EnumSource(BpfArch.class)
    void testEmbeddedObject_hasEveryProgramOfItsArchitecture(BpfArch arch) {
        BpfTestSupport.require(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libbpf.so.1"))
                || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libbpf.so.1"))
                || Files.exists(Path.of("/usr/lib64/libbpf.so.1")), "libbpf.so.1 is not installed (libbpf1)");
        Map<String, String> expected = new TreeMap<>();
        expected.put("tp_btf__sys_enter", "tp_btf/sys_enter");
        expected.put("tp_btf__sys_exit", "tp_btf/sys_exit");
        expected.put("tp_btf__sched_process_exec", "tp_btf/sched_process_exec");
        for (String syscall : arch.syscalls()) {
            expected.put(AttachPlan.program(arch, Attachment.TRACEPOINT, syscall), "tracepoint/syscalls/sys_exit_" + syscall);
            expected.put(AttachPlan.program(arch, Attachment.FEXIT, syscall), "fexit/" + arch.syscallPrefix() + syscall);
        }
        try (BpfObject object = BpfObject.open(NativeLibs.get(), BpfRecorder.embeddedObject(arch), "snoop")) {
            assertEquals(expected, new TreeMap<>(object.programSections()));
        }
    }
}
