package dev.snoop.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tests for {@link ElfInterpreter}: both classes and byte orders, and damage of every kind. */
class ElfInterpreterTest {
    /**
     * A minimal ELF file: the header, {@code phnum} program headers (a PT_LOAD, then PT_INTERP
     * when {@code interp} is not null) and the interpreter's name after them.
     */
    static byte[] elf(boolean is64, boolean littleEndian, String interp) {
        int ehsize = is64 ? 64 : 52;
        int phentsize = is64 ? 56 : 32;
        int phnum = interp == null ? 1 : 2;
        byte[] name = interp == null ? new byte[0] : (interp + "\0").getBytes(StandardCharsets.UTF_8);
        int nameOff = ehsize + phnum * phentsize;
        ByteBuffer b = ByteBuffer.allocate(nameOff + name.length + 64)
                .order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), (byte) (littleEndian ? 1 : 2), 1});
        b.putShort(16, (short) 2); // ET_EXEC
        if (is64) {
            b.putLong(32, ehsize);
            b.putShort(54, (short) phentsize);
            b.putShort(56, (short) phnum);
        } else {
            b.putInt(28, ehsize);
            b.putShort(42, (short) phentsize);
            b.putShort(44, (short) phnum);
        }
        b.putInt(ehsize, 1); // PT_LOAD
        if (interp != null) {
            int p = ehsize + phentsize;
            b.putInt(p, 3);
            if (is64) {
                b.putLong(p + 8, nameOff);
                b.putLong(p + 32, name.length);
            } else {
                b.putInt(p + 4, nameOff);
                b.putInt(p + 16, name.length);
            }
            b.put(nameOff, name);
        }
        return b.array();
    }

    private static String of(byte[] bytes) {
        return ElfInterpreter.of(bytes, bytes.length);
    }

    @Test
    void testOf_everyClassAndByteOrder_readsTheInterpreter() {
        for (boolean is64 : new boolean[] {true, false}) {
            for (boolean le : new boolean[] {true, false}) {
                assertEquals("/lib/ld-test.so.1", of(elf(is64, le, "/lib/ld-test.so.1")), is64 + " " + le);
                assertNull(of(elf(is64, le, null)), "static: " + is64 + " " + le);
            }
        }
    }

    @Test
    void testOf_realExecutable_namesTheHostsLoader() throws Exception {
        Path ls = Path.of("/bin/ls").toRealPath();
        byte[] head = Files.readAllBytes(ls);
        String interp = of(Arrays.copyOf(head, Math.min(head.length, ElfInterpreter.HEAD)));
        org.junit.jupiter.api.Assertions.assertTrue(interp != null && interp.startsWith("/") && interp.contains("ld"),
                "interpreter of " + ls + ": " + interp);
    }

    @Test
    void testOf_everyTruncation_noInterpreterOrTheRightOne() {
        byte[] full = elf(true, true, "/lib64/ld.so");
        for (int n = 0; n <= full.length; n++) {
            String interp = ElfInterpreter.of(full, n);
            if (interp != null) {
                assertEquals("/lib64/ld.so", interp, "cut at " + n);
            }
        }
    }

    @Test
    void testOf_garbage_neverThrows() {
        Random random = new Random(9);
        byte[] base = elf(true, true, "/lib64/ld.so");
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = random.nextBoolean() ? base.clone() : new byte[random.nextInt(200)];
            if (bytes.length >= 4 && random.nextBoolean()) {
                bytes[0] = 0x7f;
                bytes[1] = 'E';
                bytes[2] = 'L';
                bytes[3] = 'F';
            }
            for (int k = random.nextInt(8); k > 0 && bytes.length > 4; k--) {
                bytes[4 + random.nextInt(bytes.length - 4)] = (byte) random.nextInt();
            }
            ElfInterpreter.of(bytes, bytes.length); // any answer, never an exception
        }
        assertNull(of("#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8)));
        assertNull(of(new byte[0]));
    }
}
