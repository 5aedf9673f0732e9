package dev.snoop.core;

/**
 * A failure the user can act on: a bad report, an unreadable file, a kernel that refuses a probe.
 *
 * <p>The CLI prints its message as one line and exits 1, without a stack trace, so the message
 * must name the object that failed and the cause, lower-case and without a trailing period.
 */
public class SnoopException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SnoopException(String message) {
        super(message);
    }

    public SnoopException(String message, Throwable cause) {
        super(message, cause);
    }
}
