package dev.snoop.record;

import dev.snoop.core.path.QuotedPaths;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;

/**
 * Structured logs in logfmt ({@code time=... level=info msg="..." key=value}) on stderr, one event a
 * line, which both people and log collectors read. Values are quoted when they need it; nothing
 * else is logged, so no secret that was not passed in a field can leak.
 */
public final class Log {
    public enum Level { DEBUG, INFO, WARN, ERROR }

    private final PrintWriter out;
    private final Level threshold;

    public Log(PrintWriter out, Level threshold) {
        this.out = out;
        this.threshold = threshold;
    }

    /**
     * Parses a level name as {@code SNOOP_LOG_LEVEL} gives it.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Level parseLevel(String name) {
        try {
            return Level.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown log level '" + name + "' (debug, info, warn, error)");
        }
    }

    public boolean enabled(Level level) {
        return level.compareTo(threshold) >= 0;
    }

    public void debug(String msg, Object... keyValues) {
        log(Level.DEBUG, msg, keyValues);
    }

    public void info(String msg, Object... keyValues) {
        log(Level.INFO, msg, keyValues);
    }

    public void warn(String msg, Object... keyValues) {
        log(Level.WARN, msg, keyValues);
    }

    public void error(String msg, Object... keyValues) {
        log(Level.ERROR, msg, keyValues);
    }

    /** Logs {@code msg} with alternating keys and values. */
    public void log(Level level, String msg, Object... keyValues) {
        if (!enabled(level)) {
            return;
        }
        StringBuilder sb = new StringBuilder(96);
        sb.append("time=").append(Instant.now()).append(" level=").append(level.name().toLowerCase(Locale.ROOT));
        sb.append(" msg=").append(quote(msg));
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            Object value = keyValues[i + 1];
            if (value == null) {
                continue; // an unknown value is left out, never logged as "null"
            }
            String text = value instanceof java.time.Duration d ? DurationParser.format(d) : String.valueOf(value);
            sb.append(' ').append(keyValues[i]).append('=').append(quote(text));
        }
        synchronized (out) {
            out.println(sb);
            out.flush();
        }
    }

    /**
     * A logfmt value: as it is when plain, else in double quotes with JSON's escapes, which logfmt
     * parsers read. Whatever {@link QuotedPaths#isControl} names (C0, DEL, C1, bidirectional
     * controls, a lone surrogate) is escaped as {@code \\uXXXX}, so that a file or container name
     * can neither forge a log line nor reach a terminal as a control.
     */
    static String quote(String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f;
        }
        if (plain) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (QuotedPaths.isControl(c)) {
                        sb.append(String.format("\\u%04x", c));
                    } else {
                        sb.appendCodePoint(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
