package dev.snoop.core.report;

import java.util.EnumSet;
import java.util.Set;

/**
 * How a process touched a file, so a report can tell a file that was read or run from one that was
 * only probed for existence. Each kind is one bit; the letters are the compact JSON form.
 */
public enum AccessKind {
    /** Executed: execve/execveat, or loaded as the interpreter of an executed file. */
    EXEC('x', 1),
    /** Opened as a file: open, openat, openat2, creat. */
    OPEN('r', 2),
    /** Opened as a directory (O_DIRECTORY), e.g. to list it. */
    DIRECTORY('d', 4),
    /** Only its metadata was asked for: stat, lstat, statx, newfstatat, access, faccessat, readlink. */
    METADATA('m', 8);

    private final char letter;
    private final int bit;

    AccessKind(char letter, int bit) {
        this.letter = letter;
        this.bit = bit;
    }

    public char letter() {
        return letter;
    }

    public int bit() {
        return bit;
    }

    /** The letters of the kinds in {@code bits}, in declaration order, e.g. "xr". */
    public static String letters(int bits) {
        StringBuilder sb = new StringBuilder(4);
        for (AccessKind kind : values()) {
            if ((bits & kind.bit) != 0) {
                sb.append(kind.letter);
            }
        }
        return sb.toString();
    }

    /**
     * The bits of the kinds named by {@code letters}.
     *
     * @throws IllegalArgumentException for a letter that names no kind
     */
    public static int bits(String letters) {
        int bits = 0;
        for (int i = 0; i < letters.length(); i++) {
            bits |= of(letters.charAt(i)).bit;
        }
        return bits;
    }

    public static Set<AccessKind> set(int bits) {
        Set<AccessKind> set = EnumSet.noneOf(AccessKind.class);
        for (AccessKind kind : values()) {
            if ((bits & kind.bit) != 0) {
                set.add(kind);
            }
        }
        return set;
    }

    private static AccessKind of(char letter) {
        for (AccessKind kind : values()) {
            if (kind.letter == letter) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown access kind '" + letter + "'");
    }
}
