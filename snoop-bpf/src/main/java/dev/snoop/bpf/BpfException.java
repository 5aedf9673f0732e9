package dev.snoop.bpf;

/**
 * BPF could not be loaded, attached or used. The message is one line, lower-case, naming what
 * failed and why, e.g. {@code failed to load the BPF object: Operation not permitted (EPERM);
 * run as root or grant CAP_BPF and CAP_PERFMON}.
 */
public final class BpfException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public BpfException(String message) {
        this(message, 0);
    }

    public BpfException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The positive errno behind the failure, 0 when there is none. */
    public int errno() {
        return errno;
    }
}
