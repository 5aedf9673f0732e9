package dev.snoop.core.path;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An immutable, sorted list of unique paths, front-coded in one byte array.
 *
 * <p>Paths are ordered by their UTF-8 bytes (unsigned), which is code-point order and the order
 * {@code sort.Strings}, {@code jq} and {@code LC_ALL=C sort} use. Each entry stores only the bytes
 * that differ from its predecessor; every {@value #BLOCK}th entry is stored whole so lookups can
 * binary-search. Sibling files share long directory prefixes, so a path costs about a third of its
 * length.
 *
 * <p>Optionally every path carries an int (for {@code merge --with-counts}, the number of input
 * reports that saw it).
 */
public final class SortedPaths implements Iterable<String> {
    static final int BLOCK = 16;
    private static final SortedPaths EMPTY = new SortedPaths(new byte[0], new int[0], 0, null);

    private final byte[] data;
    private final int[] blockOffsets;
    private final int size;
    private final int[] counts;

    private SortedPaths(byte[] data, int[] blockOffsets, int size, int[] counts) {
        this.data = data;
        this.blockOffsets = blockOffsets;
        this.size = size;
        this.counts = counts;
    }

    public static SortedPaths empty() {
        return EMPTY;
    }

    /** Sorts and deduplicates {@code paths}; they must already be normalized. */
    public static SortedPaths of(Collection<String> paths) {
        PathSet set = new PathSet();
        paths.forEach(set::add);
        return set.toSortedPaths(false);
    }

    public static SortedPaths of(String... paths) {
        return of(Arrays.asList(paths));
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** True if every path carries a count. */
    public boolean hasCounts() {
        return counts != null;
    }

    /** The same paths without counts. */
    public SortedPaths withoutCounts() {
        return counts == null ? this : new SortedPaths(data, blockOffsets, size, null);
    }

    public boolean contains(String path) {
        byte[] key = path.getBytes(StandardCharsets.UTF_8);
        // the last block whose first path is <= key
        int lo = 0;
        int hi = blockOffsets.length - 1;
        int block = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Cursor first = cursorAt(mid);
            first.next();
            int c = first.compareTo(key);
            if (c == 0) {
                return true;
            } else if (c < 0) {
                block = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (block < 0) {
            return false;
        }
        Cursor cursor = cursorAt(block);
        for (int i = 0; i < BLOCK && cursor.next(); i++) {
            int c = cursor.compareTo(key);
            if (c == 0) {
                return true;
            } else if (c > 0) {
                return false;
            }
        }
        return false;
    }

    /** A cursor positioned before the first path. */
    public Cursor cursor() {
        return cursorAt(0);
    }

    private Cursor cursorAt(int block) {
        return new Cursor(block == 0 || blockOffsets.length == 0 ? 0 : blockOffsets[block], block * BLOCK);
    }

    @Override
    public Iterator<String> iterator() {
        Cursor cursor = cursor();
        return new Iterator<>() {
            private boolean ready;
            private boolean more;

            @Override
            public boolean hasNext() {
                if (!ready) {
                    more = cursor.next();
                    ready = true;
                }
                return more;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return cursor.path();
            }
        };
    }

    /** Approximate heap footprint, for the memory benchmark and metrics. */
    public long estimatedBytes() {
        return 16L + data.length + 16 + 4L * blockOffsets.length + 16 + (counts == null ? 0 : 16 + 4L * size);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SortedPaths other
                && size == other.size
                && Arrays.equals(data, other.data)
                && Arrays.equals(counts, other.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SortedPaths[");
        int shown = 0;
        for (String p : this) {
            if (shown++ == 5) {
                sb.append(", ...");
                break;
            }
            sb.append(shown > 1 ? ", " : "").append(p);
        }
        return sb.append("] (").append(size).append(')').toString();
    }

    /**
     * Walks the paths in order without creating a String per path: {@link #bytes()} holds the
     * current path's UTF-8 bytes, valid until the next call to {@link #next()}.
     */
    public final class Cursor {
        private int offset;
        private int index;
        private byte[] buf = new byte[256];
        private int length;

        private Cursor(int offset, int index) {
            this.offset = offset;
            this.index = index - 1;
        }

        public boolean next() {
            if (index + 1 >= size) {
                index = size;
                return false;
            }
            index++;
            int shared = readVarint();
            int suffix = readVarint();
            if (shared + suffix > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, shared + suffix));
            }
            System.arraycopy(data, offset, buf, shared, suffix);
            offset += suffix;
            length = shared + suffix;
            return true;
        }

        private int readVarint() {
            int value = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = data[offset++];
                value |= (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
        }

        /** The current path's UTF-8 bytes; only the first {@link #length()} are valid. */
        public byte[] bytes() {
            return buf;
        }

        public int length() {
            return length;
        }

        public String path() {
            return new String(buf, 0, length, StandardCharsets.UTF_8);
        }

        /** The position of the current path in the list. */
        public int index() {
            return index;
        }

        /** The current path's count; 0 if the list carries none. */
        public int count() {
            return counts == null ? 0 : counts[index];
        }

        /** Compares the current path with {@code key} in path order. */
        public int compareTo(byte[] key) {
            return Arrays.compareUnsigned(buf, 0, length, key, 0, key.length);
        }

        /** Compares the current paths of two cursors in path order. */
        public int compareTo(Cursor other) {
            return Arrays.compareUnsigned(buf, 0, length, other.buf, 0, other.length);
        }
    }

    /** Appends paths in strictly ascending order. */
    public static final class Builder {
        private byte[] data = new byte[64];
        private int used;
        private int[] blockOffsets = new int[4];
        private int[] counts;
        private int size;
        private byte[] last = new byte[256];
        private int lastLength = -1;

        private Builder() {}

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
            if (size % BLOCK == 0) {
                shared = 0;
                if (size / BLOCK == blockOffsets.length) {
                    blockOffsets = Arrays.copyOf(blockOffsets, blockOffsets.length * 2);
                }
                blockOffsets[size / BLOCK] = used;
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
            return true;
        }

        /**
         * Appends {@code path}.
         *
         * @throws IllegalArgumentException if it does not sort after the previous path
         */
        public Builder add(String path) {
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
                return EMPTY;
            }
            int blocks = (size + BLOCK - 1) / BLOCK;
            int[] keptCounts = null;
            if (withCounts) {
                keptCounts = counts == null ? new int[size] : Arrays.copyOf(counts, size);
            }
            return new SortedPaths(Arrays.copyOf(data, used), Arrays.copyOf(blockOffsets, blocks), size, keptCounts);
        }

        public SortedPaths build() {
            return build(counts != null);
        }
    }
}
