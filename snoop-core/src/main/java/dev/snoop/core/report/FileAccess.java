package dev.snoop.core.report;

import java.util.Arrays;

/**
 * The kinds of access seen for each file of a container, by the file's index in its sorted list:
 * one byte of {@link AccessKind} bits per file. Written beside {@code files} as a list of letter
 * strings ({@code "access": ["r", "xr", "m"]}), so {@code files} stays a plain list every reader
 * understands.
 */
public final class FileAccess {
    private final byte[] bits;

    private FileAccess(byte[] bits) {
        this.bits = bits;
    }

    /** Takes the first {@code size} entries of {@code bits}; the caller gives up the array. */
    public static FileAccess of(byte[] bits, int size) {
        return new FileAccess(bits.length == size ? bits : Arrays.copyOf(bits, size));
    }

    public int size() {
        return bits.length;
    }

    /** The {@link AccessKind} bits of the file at {@code index}. */
    public int bitsAt(int index) {
        return bits[index] & 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileAccess other && Arrays.equals(bits, other.bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "FileAccess[" + bits.length + "]";
    }
}
