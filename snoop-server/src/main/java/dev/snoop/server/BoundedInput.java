package dev.snoop.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that fails with {@link TooLarge} once more than {@code limit} bytes come through: put
 * under a decompressor it bounds the compressed body, over one the decompressed (a gzip bomb stops
 * at the limit, never in memory). Optionally it fails with {@link TooSlow} once a deadline has
 * passed, so that a client trickling its body cannot hold a place in the server for ever (each
 * read waits at most the connection's idle timeout).
 */
final class BoundedInput extends FilterInputStream {
    /** The body was not all there by the deadline. */
    static final class TooSlow extends IOException {
        private static final long serialVersionUID = 1L;

        TooSlow(long millis) {
            super("body not received within " + millis + " ms");
        }
    }

    /** The body was over the limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("body over " + limit + " bytes");
        }
    }

    private final long limit;
    private final long deadlineMillis;
    private final long deadline;
    private long count;

    BoundedInput(InputStream in, long limit) {
        this(in, limit, 0);
    }

    /** With {@code deadlineMillis} > 0, reads fail once that long has passed from now. */
    BoundedInput(InputStream in, long limit, long deadlineMillis) {
        super(in);
        this.limit = limit;
        this.deadlineMillis = deadlineMillis;
        this.deadline = System.nanoTime() + deadlineMillis * 1_000_000;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count(skipped);
        return skipped;
    }

    private void count(long n) throws IOException {
        if (deadlineMillis > 0 && System.nanoTime() - deadline > 0) {
            throw new TooSlow(deadlineMillis);
        }
        count += n;
        if (count > limit) {
            throw new TooLarge(limit);
        }
    }
}
