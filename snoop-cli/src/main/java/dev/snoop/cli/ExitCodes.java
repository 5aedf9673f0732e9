package dev.snoop.cli;

/** The exit codes every command documents; {@code diff} adds its own meaning to 1 and 2. */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    /** The "Exit Codes:" section of every command but diff. */
    static final String[] LIST = {
        "0:success",
        "1:failure: an unreadable or invalid report, an I/O error",
        "2:usage error: an unknown option, a missing argument",
    };

    private ExitCodes() {}
}
