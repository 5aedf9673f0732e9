package dev.snoop.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tests for {@link ReadAhead}. */
class ReadAheadTest {
    @Test
    void testRead_sameBytesInOrder() throws IOException {
        byte[] data = new byte[1_000_003];
        new Random(1).nextBytes(data);
        try (ReadAhead in = new ReadAhead(new ByteArrayInputStream(data))) {
            assertEquals(data[0] & 0xff, in.read());
            assertEquals(10, in.skip(10));
            byte[] rest = in.readAllBytes();
            assertEquals(data.length - 11, rest.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 11, data.length), rest);
            assertEquals(-1, in.read());
        }
    }

    @Test
    void testRead_sourceFailure_rethrownToConsumer() {
        InputStream failing = new InputStream() {
            private int n;

            @Override
            public int read() throws IOException {
                if (n++ >= 70_000) {
                    throw new IOException("disk on fire");
                }
                return 'x';
            }
        };
        ReadAhead in = new ReadAhead(failing);
        IOException e = assertThrows(IOException.class, in::readAllBytes);
        assertEquals("disk on fire", e.getMessage());
        in.close();
    }

    @Test
    void testClose_stopsTheReaderAndLeavesTheSourceUsable() throws IOException {
        byte[] data = new byte[5 << 20];
        ByteArrayInputStream source = new ByteArrayInputStream(data);
        ReadAhead in = new ReadAhead(source);
        assertEquals(0, in.read());
        in.close();
        // the reader stopped at a block boundary with at most the queue's worth read ahead
        long left = source.available();
        assertEquals(0, left % (1 << 16));
        assertEquals(left, source.readAllBytes().length);
    }
}
