package dev.snoop.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a thread of its own, a few blocks ahead of the consumer. A layer is hashed and
 * inflated on that thread while the tar entries are parsed and applied on the caller's, so the two
 * costs overlap instead of adding up.
 *
 * <p>A failure of the source is rethrown to the consumer at the point it happened. {@link #close}
 * stops the reader and waits for it, so that the source may be read again afterwards on the
 * caller's thread (to drain it and check its digest); it does not close the source.
 */
final class ReadAhead extends InputStream {
    private static final int BLOCK = 1 << 16;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<Object> blocks = new ArrayBlockingQueue<>(8);
    private final Thread reader;
    private byte[] current = new byte[0];
    private int pos;
    private int limit;
    private boolean ended;
    private volatile boolean stopped;

    ReadAhead(InputStream source) {
        reader = new Thread(() -> pump(source), "snoop-inflate");
        reader.setDaemon(true);
        reader.start();
    }

    private void pump(InputStream source) {
        try {
            while (!stopped) {
                byte[] block = new byte[BLOCK];
                int n = source.readNBytes(block, 0, BLOCK);
                if (n > 0) {
                    blocks.put(new Block(block, n));
                }
                if (n < BLOCK) {
                    blocks.put(END);
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed by the consumer
        } catch (IOException | RuntimeException e) {
            try {
                blocks.put(e);
            } catch (InterruptedException ignored) {
                // closed by the consumer
            }
        }
    }

    private record Block(byte[] bytes, int length) {}

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        Object next;
        try {
            next = blocks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a layer");
        }
        if (next == END) {
            ended = true;
            return false;
        }
        if (next instanceof IOException e) {
            ended = true;
            throw e;
        }
        if (next instanceof RuntimeException e) {
            ended = true;
            throw e;
        }
        Block block = (Block) next;
        current = block.bytes;
        pos = 0;
        limit = block.length;
        return true;
    }

    @Override
    public int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return current[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == limit && !fill()) {
            return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            if (pos == limit && !fill()) {
                break;
            }
            int step = (int) Math.min(n - skipped, limit - pos);
            pos += step;
            skipped += step;
        }
        return skipped;
    }

    @Override
    public int available() {
        return limit - pos;
    }

    /**
     * Stops the reader at its next block and waits for it. It is not interrupted: an interrupt
     * would close the archive's file channel under it.
     */
    @Override
    public void close() {
        stopped = true;
        try {
            while (reader.isAlive()) {
                blocks.clear();
                reader.join(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        blocks.clear();
    }
}
