package dev.snoop.bpf;

import java.util.Map;

/** Symbolic names for the errnos BPF calls return, so messages say EPERM and not just 1. */
final class Errno {

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EACCES = 13;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(3, "ESRCH"),
            Map.entry(EINTR, "EINTR"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(EACCES, "EACCES"),
            Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"),
            Map.entry(19, "ENODEV"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"),
            Map.entry(28, "ENOSPC"), Map.entry(38, "ENOSYS"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(524, "ENOTSUPP"));

    private Errno() {
    }

    /** "EPERM" for 1; the number itself for one without a name here. */
    static String name(int errno) {
        return NAMES.getOrDefault(errno, Integer.toString(errno));
    }

    /** What the user can do about it, or "" when there is nothing specific to say. */
    static String hint(int errno) {
        return errno == EPERM || errno == EACCES
                ? "; run as root or grant CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN before Linux 5.8)"
                : "";
    }
}
