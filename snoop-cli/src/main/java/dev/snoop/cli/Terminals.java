package dev.snoop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * What the process is attached to: whether stdout may carry colour, and how to reach a terminal on
 * stderr for progress. {@code --color=auto} (the default) colours when stdout is a terminal and
 * {@code NO_COLOR} (no-color.org) is unset or empty; {@code always} and {@code never} decide alone.
 *
 * @param stdoutTerminal stdout is a terminal: data meant for tools (the keep list) is quoted for people
 */
record Terminals(boolean colour, boolean stderrMayBeTerminal, boolean stdoutTerminal) {

    static Terminals none() {
        return new Terminals(false, false, false);
    }

    /** {@code --color}'s values. */
    enum ColorWhen { auto, always, never }

    static Terminals system(ColorWhen when) {
        boolean terminal = isTerminal(STDOUT);
        return new Terminals(colour(when, System.getenv("NO_COLOR"), terminal), true, terminal);
    }

    static boolean colour(ColorWhen when, String noColor, boolean stdoutIsTerminal) {
        return switch (when) {
            case always -> true;
            case never -> false;
            case auto -> stdoutIsTerminal && (noColor == null || noColor.isEmpty());
        };
    }

    /**
     * The {@code --color} value on a command line, read before picocli parses it: the help's own
     * colours are chosen before parsing. Options after {@code --} are arguments; a bad value is
     * left for picocli to refuse.
     */
    static ColorWhen colorWhen(String... args) {
        ColorWhen when = ColorWhen.auto;
        for (int i = 0; i < args.length; i++) {
            String value = null;
            if (args[i].equals("--")) {
                break;
            } else if (args[i].startsWith("--color=")) {
                value = args[i].substring("--color=".length());
            } else if (args[i].equals("--color") && i + 1 < args.length) {
                value = args[++i];
            }
            if (value != null) {
                for (ColorWhen w : ColorWhen.values()) {
                    if (w.name().equalsIgnoreCase(value)) {
                        when = w;
                    }
                }
            }
        }
        return when;
    }

    private static final Path STDOUT = Path.of("/proc/self/fd/1");

    /**
     * Whether {@code fd} is a terminal device. Without /proc, a console on both stdin and stdout
     * (what {@link System#console()} tells) is the best Java knows.
     */
    static boolean isTerminal(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /**
     * The terminal on stderr, or null when stderr is not one (redirected, or a dumb terminal).
     * Opened lazily: JLine's start-up costs tens of milliseconds that short commands should not pay.
     */
    Terminal stderrTerminal() {
        if (!stderrMayBeTerminal || !mayBeTerminal(STDERR)) {
            return null;
        }
        try {
            Terminal terminal = TerminalBuilder.builder()
                    .system(true)
                    .systemOutput(TerminalBuilder.SystemOutput.SysErr)
                    .dumb(true)
                    .build();
            if (terminal.getType().startsWith(Terminal.TYPE_DUMB)) {
                terminal.close();
                return null;
            }
            return terminal;
        } catch (IOException e) {
            return null;
        } catch (UncheckedIOException | IllegalStateException e) {
            return null;
        }
    }

    private static final Path STDERR = Path.of("/proc/self/fd/2");

    /**
     * False if {@code fd}, a file descriptor's link under /proc, surely is no terminal: a file, a
     * pipe, /dev/null. JLine, to find out the same, starts processes ({@code tty}, {@code infocmp}):
     * 200 ms of a merge's start that the workers waited for. Without /proc, JLine decides.
     */
    static boolean mayBeTerminal(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            // any device may be one (/dev/pts/N, /dev/ttyS0, /dev/console, /dev/hvc0, ...)
            return target.startsWith("/dev/") && !target.equals("/dev/null");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return true;
        }
    }

    /** Writes "\r" progress lines on a terminal and clears them when done. */
    static final class Progress implements AutoCloseable {
        private final Terminal terminal;
        private final PrintWriter writer;
        private final String what;
        private final int total;
        private long lastDraw;

        Progress(Terminal terminal, String what, int total) {
            this.terminal = terminal;
            this.writer = terminal == null ? null : terminal.writer();
            this.what = what;
            this.total = total;
        }

        void update(int done) {
            if (writer == null) {
                return;
            }
            long now = System.nanoTime();
            if (done < total && now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            writer.print("\r" + what + " " + done + "/" + total + " (" + (100L * done / Math.max(1, total)) + "%)");
            writer.flush();
        }

        @Override
        public void close() {
            if (terminal != null) {
                writer.print("\r\033[K");
                writer.flush();
                try {
                    terminal.close();
                } catch (IOException ignored) {
                    // progress is cosmetic
                }
            }
        }
    }
}
