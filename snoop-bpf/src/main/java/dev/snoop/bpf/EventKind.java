package dev.snoop.bpf;

/** What produced an event: {@code enum snoop_kind}, with the same wire ids. */
public enum EventKind {
    OPEN(1),
    OPENAT(2),
    OPENAT2(3),
    CREAT(4),
    /** A failed execve; a successful one is reported as EXEC_FILENAME/EXEC_FILE. */
    EXECVE(5),
    /** A failed execveat. */
    EXECVEAT(6),
    STAT(7),
    LSTAT(8),
    NEWFSTATAT(9),
    STATX(10),
    ACCESS(11),
    FACCESSAT(12),
    FACCESSAT2(13),
    READLINK(14),
    READLINKAT(15),
    /** sched_process_exec: the name given to exec. */
    EXEC_FILENAME(16),
    /** sched_process_exec: the file loaded, for a script its interpreter. */
    EXEC_FILE(17),
    /** sched_process_exec: a script's {@code #!} interpreter name. */
    EXEC_INTERP(18),
    /** sched_process_exec: the ELF interpreter (PT_INTERP) the kernel mapped for the new image. */
    EXEC_ELF_INTERP(19),
    /** Not a file access: names a container's cgroup (the directory chain), once per cgroup. */
    CGROUP(20);

    private static final EventKind[] BY_WIRE_ID = new EventKind[Wire.KIND_MAX];

    static {
        for (EventKind k : values()) {
            BY_WIRE_ID[k.wireId] = k;
        }
    }

    private final int wireId;

    EventKind(int wireId) {
        this.wireId = wireId;
    }

    /** The number in snoop.h, never renumbered. */
    public int wireId() {
        return wireId;
    }

    /** The kind with this wire id; an unknown id means the object and this jar disagree. */
    public static EventKind fromWireId(int wireId) {
        EventKind k = wireId > 0 && wireId < BY_WIRE_ID.length ? BY_WIRE_ID[wireId] : null;
        if (k == null) {
            throw new IllegalArgumentException("unknown event kind " + wireId);
        }
        return k;
    }
}
