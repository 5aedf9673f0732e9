package dev.snoop.core.path;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds a {@link SortedPaths} from paths appended in strictly ascending order, front-coded in
 * blocks of {@link SortedPaths#SortedPaths.BLOCK}: each path stores only what it does not share with the one
 * before it.
 */
public final class SortedPathsBuilder {
    private byte[] data = new byte[64];
    private int used;
    private int[] blockOffsets = new int[4];
    private int[] counts;
    private int size;
    private byte[] last = new byte[256];
    private int lastLength = -1;

    SortedPathsBuilder() {}

    public int size() {
        return size;
    }

    /**
     * Appends {@code path} if it sorts after every path appended so far.
     *
     * @return false, appending nothing, if it does not (out of order or a duplicate)
     */
    public boolean appendIfAscending(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        return appendIfAscending(bytes, bytes.length, 0);
    }

    /** As {@link #appendIfAscending(String)}, for the first {@code length} bytes of UTF-8. */
    public boolean appendIfAscending(byte[] bytes, int length, int count) {
        return appendIfAscending(bytes, 0, length, count);
    }

    /** As {@link #appendIfAscending(String)}, for the UTF-8 bytes {@code bytes[offset, offset + length)}. */
    public boolean appendIfAscending(byte[] bytes, int offset, int length, int count) {
        int shared = 0;
        if (lastLength >= 0) {
            // one pass finds both the order and the prefix shared with the previous path
            int max = Math.min(lastLength, length);
            int mismatch = Arrays.mismatch(last, 0, max, bytes, offset, offset + max);
            if (mismatch < 0 ? lastLength >= length : (last[mismatch] & 0xff) > (bytes[offset + mismatch] & 0xff)) {
                return false;
            }
            shared = mismatch < 0 ? max : mismatch;
        }
        append(bytes, offset, length, shared, count);
        return true;
    }

    /**
     * Appends the UTF-8 bytes {@code bytes[offset, offset + length)} without comparing them with
     * the previous path: for a reader that has already compared the two where they lie in its
     * input. The caller guarantees that the path sorts after the previous one and that their
     * first {@code shared} bytes are equal (fewer than they really share is fine).
     */
    public void appendAscending(byte[] bytes, int offset, int length, int shared) {
        append(bytes, offset, length, shared, 0);
    }

    private void append(byte[] bytes, int offset, int length, int shared, int count) {
        if (size % SortedPaths.BLOCK == 0) {
            shared = 0;
            if (size / SortedPaths.BLOCK == blockOffsets.length) {
                blockOffsets = Arrays.copyOf(blockOffsets, blockOffsets.length * 2);
            }
            blockOffsets[size / SortedPaths.BLOCK] = used;
        }
        ensure(10 + length - shared);
        writeVarint(shared);
        writeVarint(length - shared);
        System.arraycopy(bytes, offset + shared, data, used, length - shared);
        used += length - shared;
        if (count != 0 && counts == null) {
            counts = new int[Math.max(16, size + 1)];
        }
        if (counts != null) {
            if (size == counts.length) {
                counts = Arrays.copyOf(counts, counts.length * 2);
            }
            counts[size] = count;
        }
        if (length > last.length) {
            last = Arrays.copyOf(last, Math.max(last.length * 2, length));
        }
        // the shared prefix is already there
        System.arraycopy(bytes, offset + shared, last, shared, length - shared);
        lastLength = length;
        size++;
    }

    /**
     * Appends {@code path}.
     *
     * @throws IllegalArgumentException if it does not sort after the previous path
     */
    public SortedPathsBuilder add(String path) {
        if (!appendIfAscending(path)) {
            throw new IllegalArgumentException("path out of order or repeated: " + path);
        }
        return this;
    }

    private void ensure(int extra) {
        if (used + extra > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length + (data.length >> 1), used + extra));
        }
    }

    private void writeVarint(int value) {
        while ((value & ~0x7f) != 0) {
            data[used++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        data[used++] = (byte) value;
    }

    /**
     * The list built so far.
     *
     * @param withCounts keep the per-path counts (zeros where none were given)
     */
    public SortedPaths build(boolean withCounts) {
        if (size == 0) {
            return SortedPaths.empty();
        }
        int blocks = (size + SortedPaths.BLOCK - 1) / SortedPaths.BLOCK;
        int[] keptCounts = null;
        if (withCounts) {
            keptCounts = counts == null ? new int[size] : Arrays.copyOf(counts, size);
        }
        return SortedPaths.frontCoded(Arrays.copyOf(data, used), Arrays.copyOf(blockOffsets, blocks), size, keptCounts);
    }

    public SortedPaths build() {
        return build(counts != null);
    }
}
