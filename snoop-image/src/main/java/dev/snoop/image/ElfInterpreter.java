package dev.snoop.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The program interpreter ({@code PT_INTERP}, e.g. {@code /lib64/ld-linux-x86-64.so.2}) an ELF
 * executable names. The kernel opens it on {@code execve} before any probe can attribute the open
 * to the container's view of the path, and on overlayfs the recorder may see only a lower layer's
 * name or none, so the keep list must add it itself.
 *
 * <p>Reads only the first {@link #HEAD} bytes of a file, where linkers put the program headers and
 * the interpreter's name; anything malformed, truncated or out of range is "no interpreter".
 */
final class ElfInterpreter {
    /** Bytes of a file's start that are read; PT_INTERP lies within the first page in practice. */
    static final int HEAD = 16 * 1024;
    private static final int PT_INTERP = 3;
    private static final int MAX_NAME = 4096;

    private ElfInterpreter() {}

    /** True if {@code head} starts like an ELF file (so that callers look no further otherwise). */
    static boolean isElf(byte[] head, int length) {
        return length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }

    /**
     * @param head the file's first {@code length} bytes
     * @return the interpreter's path, or null if the file is not ELF, names none, or is damaged
     */
    static String of(byte[] head, int length) {
        if (!isElf(head, length) || length < 52) {
            return null;
        }
        boolean is64 = head[4] == 2;
        if (!is64 && head[4] != 1) {
            return null;
        }
        ByteOrder order = head[5] == 1 ? ByteOrder.LITTLE_ENDIAN : head[5] == 2 ? ByteOrder.BIG_ENDIAN : null;
        if (order == null || (is64 && length < 64)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, length).order(order);
        long phoff = is64 ? b.getLong(32) : Integer.toUnsignedLong(b.getInt(28));
        int phentsize = Short.toUnsignedInt(b.getShort(is64 ? 54 : 42));
        int phnum = Short.toUnsignedInt(b.getShort(is64 ? 56 : 44));
        if (phentsize < (is64 ? 56 : 32) || phoff < 0 || phoff >= length) {
            return null;
        }
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * phentsize;
            if (at + phentsize > length) {
                return null;
            }
            int p = (int) at;
            if (b.getInt(p) != PT_INTERP) {
                continue;
            }
            long offset = is64 ? b.getLong(p + 8) : Integer.toUnsignedLong(b.getInt(p + 4));
            long size = is64 ? b.getLong(p + 32) : Integer.toUnsignedLong(b.getInt(p + 16));
            if (offset < 0 || size <= 1 || size > MAX_NAME || offset + size > length) {
                return null;
            }
            int end = (int) offset;
            while (end < offset + size && head[end] != 0) {
                end++;
            }
            String name = new String(head, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
            return name.startsWith("/") ? name : null;
        }
        return null;
    }
}
