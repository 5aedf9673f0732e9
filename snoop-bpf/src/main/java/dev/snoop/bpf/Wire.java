package dev.snoop.bpf;

/**
 * The constants of {@code bpf/snoop.h}, mirrored. EventLayoutTest compiles the header with the
 * system C compiler and checks every value here against it.
 */
final class Wire {

    /* struct event offsets (little-endian) */
    static final int OFF_CGROUP_ID = 0;
    static final int OFF_INO = 8;
    static final int OFF_PID = 16;
    static final int OFF_TID = 20;
    static final int OFF_KIND = 24;
    static final int OFF_FLAGS = 28;
    static final int OFF_RESULT = 32;
    static final int OFF_DIRFD = 36;
    static final int OFF_OPEN_FLAGS = 40;
    static final int OFF_PATH_LEN = 44;
    static final int OFF_DIR_LEN = 46;
    static final int EVENT_HEADER = 48;

    static final int PATH_MAX = 4096;
    static final int DIR_MAX = 4096;
    static final int CGROUP_DEPTH = 32;

    /* SNOOP_F_* */
    static final int F_PATH_FAULT = 1;
    static final int F_PATH_TOO_LONG = 1 << 1;
    static final int F_RELATIVE = 1 << 2;
    static final int F_DIR_UNRESOLVED = 1 << 3;
    static final int F_DIRECTORY = 1 << 4;
    static final int F_EMPTY_PATH = 1 << 5;
    static final int F_PSEUDO = 1 << 6;

    /* SNOOP_CTR_*: indexes into the per-CPU counters array */
    static final int CTR_DROPPED = 0;
    static final int CTR_PATH_FAULT = 1;
    static final int CTR_PATH_TOO_LONG = 2;
    static final int CTR_DIR_UNRESOLVED = 3;
    static final int CTR_DEDUPED = 4;
    static final int CTR_EMITTED = 5;
    static final int CTR_RUNTIME_SKIPPED = 6;
    static final int CTR_KIND_BASE = 32;
    static final int KIND_MAX = 21;
    static final int CTR_MAX = CTR_KIND_BASE + KIND_MAX;

    /* sizeof(struct cgroup_verdict) */
    static final int VERDICT_SIZE = 16;

    private Wire() {
    }
}
