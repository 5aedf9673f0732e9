package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

    /** A record as the kernel sends it: header, path, chain, nothing after. */
    static ByteBuffer record(long cgroup, int kind, int flags, int result, String path, String chain) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        byte[] c = chain.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(Wire.EVENT_HEADER + p.length + c.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(cgroup).putLong(77).putInt(10).putInt(11).putInt(kind).putInt(flags)
                .putInt(result).putInt(-100).putInt(0x241).putShort((short) p.length).putShort((short) c.length)
                .put(p).put(c);
        return b.flip();
    }

    @Test
    void testDecode_allFields() {
        FileEvent e = EventDecoder.decode(record(1234, 2, Wire.F_RELATIVE, 3, "b.txt", "a\0tmp\0"));
        assertEquals(1234, e.containerCgroupId());
        assertEquals(77, e.ino());
        assertEquals(10, e.pid());
        assertEquals(11, e.tid());
        assertEquals(EventKind.OPENAT, e.kind());
        assertEquals(3, e.result());
        assertEquals(-100, e.dirfd());
        assertEquals(0x241, e.openFlags());
        assertArrayEquals("b.txt".getBytes(StandardCharsets.US_ASCII), e.pathBytes());
        assertEquals(List.of("a", "tmp"), e.directoryChain());
        assertEquals("/tmp/a/b.txt", e.absolutePath());
    }

    @Test
    void testDecode_truncatedRecord_isRejected() {
        ByteBuffer whole = record(1, 1, 0, 0, "/etc/passwd", "");
        ByteBuffer cut = whole.duplicate().limit(whole.limit() - 1);
        assertThrows(IllegalArgumentException.class, () -> EventDecoder.decode(cut));
        assertThrows(IllegalArgumentException.class, () -> EventDecoder.decode(ByteBuffer.allocate(47)));
    }

    @Test
    void testDecode_unknownKind_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> EventDecoder.decode(record(1, 99, 0, 0, "/x", "")));
    }
}
