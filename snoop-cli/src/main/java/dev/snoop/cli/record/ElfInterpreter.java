package dev.snoop.cli.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Reads the program interpreter (ELF {@code PT_INTERP}, e.g. {@code /lib64/ld-linux-x86-64.so.2})
 * of an executable. The kernel opens it for the process without a syscall the probes see, so the
 * recorder reads it from the executed file itself.
 */
public final class ElfInterpreter {
    private static final int PT_INTERP = 3;
    private static final int MAX_INTERP = 4096;

    private ElfInterpreter() {}

    /**
     * The interpreter of the ELF file at {@code file}, or empty for a static binary, a file that is
     * not ELF, or one that cannot be read.
     */
    public static Optional<String> of(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer ident = ByteBuffer.allocate(64);
            if (ch.read(ident, 0) < 52) {
                return Optional.empty();
            }
            ident.flip();
            if (ident.getInt(0) != 0x7f454c46) { // "\x7fELF", read big-endian
                return Optional.empty();
            }
            boolean is64 = ident.get(4) == 2;
            ident.order(ident.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long phoff = is64 ? ident.getLong(32) : Integer.toUnsignedLong(ident.getInt(28));
            int phentsize = Short.toUnsignedInt(ident.getShort(is64 ? 54 : 42));
            int phnum = Short.toUnsignedInt(ident.getShort(is64 ? 56 : 44));
            if (phentsize < (is64 ? 56 : 32) || phnum == 0 || phnum > 4096) {
                return Optional.empty();
            }
            ByteBuffer headers = ByteBuffer.allocate(phentsize * phnum).order(ident.order());
            ch.read(headers, phoff);
            for (int i = 0; i < phnum; i++) {
                int at = i * phentsize;
                if (at + phentsize > headers.position()) {
                    break;
                }
                if (headers.getInt(at) != PT_INTERP) {
                    continue;
                }
                long offset = is64 ? headers.getLong(at + 8) : Integer.toUnsignedLong(headers.getInt(at + 4));
                long size = is64 ? headers.getLong(at + 32) : Integer.toUnsignedLong(headers.getInt(at + 16));
                if (size <= 1 || size > MAX_INTERP) {
                    return Optional.empty();
                }
                ByteBuffer name = ByteBuffer.allocate((int) size);
                ch.read(name, offset);
                int length = 0;
                while (length < name.position() && name.get(length) != 0) {
                    length++;
                }
                return length == 0 ? Optional.empty()
                        : Optional.of(new String(name.array(), 0, length, StandardCharsets.UTF_8));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, unreadable or malformed: nothing to add
        }
    }
}
