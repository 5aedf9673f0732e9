package dev.snoop.bpf;

/**
 * {@link BpfRecorderTest} forced onto the legacy program set (snoop-legacy.bpf.o, bounded loops, no
 * bpf_loop / bpf_find_vma / bpf_get_current_task_btf / bpf_task_pt_regs): the same workloads must
 * give the same events here, where the kernel would pick the modern set.
 */
class BpfRecorderLegacyTest extends BpfRecorderTest {
    @Override
    RecorderOptions options() {
        return RecorderOptions.defaults().withProgramSet(ProgramSet.LEGACY);
    }

    @Override
    ProgramSet expectedSet() {
        return ProgramSet.LEGACY;
    }
}
