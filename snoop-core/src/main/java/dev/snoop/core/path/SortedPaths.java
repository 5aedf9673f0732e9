package dev.snoop.core.path;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An immutable, sorted list of unique paths, front-coded in one byte array, or left where a report
 * reader found them (see {@link #ofSlices}).
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
    private static final SortedPaths EMPTY = new SortedPaths(new byte[0], new int[0], 0, null, null);

    private final byte[] data; // front-coded entries; empty for slices
    private final int[] blockOffsets;
    private final int size;
    private final int[] counts;
    private final PathSlices slices; // null when front-coded

    private SortedPaths(byte[] data, int[] blockOffsets, int size, int[] counts, PathSlices slices) {
        this.data = data;
        this.blockOffsets = blockOffsets;
        this.size = size;
        this.counts = counts;
        this.slices = slices;
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

    public static SortedPathsBuilder builder() {
        return new SortedPathsBuilder();
    }

    /**
     * The paths where they lie in {@code source}: path {@code i} is the {@code bounds[2i + 1]} bytes
     * from {@code bounds[2i]}. Nothing is copied, so the list keeps {@code source} alive, and neither
     * array may change afterwards. For a reader that has checked, as it found them, what {@link
     * SortedPathsBuilder} would otherwise check: the paths are well-formed UTF-8, normalized, and strictly
     * ascending.
     */
    public static SortedPaths ofSlices(byte[] source, int[] bounds, int size) {
        if (bounds.length < 2 * size) {
            throw new IllegalArgumentException("bounds for " + bounds.length / 2 + " of " + size + " paths");
        }
        return size == 0 ? EMPTY : new SortedPaths(EMPTY.data, EMPTY.blockOffsets, size, null, new PathSlices(source, bounds));
    }

    /**
     * The same list front-coded in an array of its own: for a list read with {@link #ofSlices}
     * that is kept while the bytes it was read from are not needed any more.
     */
    public SortedPaths compact() {
        if (slices == null) {
            return this;
        }
        SortedPathsBuilder builder = builder();
        Cursor cursor = cursor();
        while (cursor.next()) {
            builder.appendIfAscending(cursor.array(), cursor.offset(), cursor.length(), cursor.count());
        }
        return builder.build(counts != null);
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
        return counts == null ? this : new SortedPaths(data, blockOffsets, size, null, slices);
    }

    public boolean contains(String path) {
        byte[] key = path.getBytes(StandardCharsets.UTF_8);
        if (slices != null) {
            return slices.indexOf(key, size) >= 0;
        }
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

    /**
     * Approximate heap footprint, for the memory benchmark and metrics. A list of slices counts the
     * bytes of its own paths, not the rest of the array they lie in.
     */
    public long estimatedBytes() {
        long paths = slices == null ? data.length + 16 + 4L * blockOffsets.length
                : 16 + 4L * slices.bounds().length + slices.pathBytes(size);
        return 32 + paths + (counts == null ? 0 : 16 + 4L * size);
    }

    /** Equal if the paths and counts are, whichever way each list holds them. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SortedPaths other) || size != other.size || !Arrays.equals(counts, other.counts)) {
            return false;
        }
        if (slices == null && other.slices == null) {
            return Arrays.equals(data, other.data); // front coding is canonical
        }
        Cursor a = cursor();
        Cursor b = other.cursor();
        while (a.next() && b.next()) {
            if (a.compareTo(b) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = Arrays.hashCode(counts);
        Cursor cursor = cursor();
        while (cursor.next()) {
            byte[] bytes = cursor.array();
            for (int i = cursor.offset(), end = i + cursor.length(); i < end; i++) {
                hash = 31 * hash + bytes[i];
            }
            hash = 31 * hash + '\n';
        }
        return hash;
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
        /* the array the current path lies in, from currentStart: buf, or the source of slices */
        private byte[] current = buf;
        private int currentStart;

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
            if (slices != null) {
                current = slices.source();
                currentStart = slices.start(index);
                length = slices.length(index);
                return true;
            }
            int shared = readVarint();
            int suffix = readVarint();
            if (shared + suffix > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, shared + suffix));
                current = buf;
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
            if (current != buf) {
                // a slice is copied only when asked for: walking and comparing need no copy
                if (length > buf.length) {
                    buf = new byte[Math.max(buf.length * 2, length)];
                }
                System.arraycopy(current, currentStart, buf, 0, length);
                current = buf;
                currentStart = 0;
            }
            return buf;
        }

        /**
         * The array that holds the current path's UTF-8 bytes from {@link #offset()} on, without the
         * copy {@link #bytes()} may make; valid until the next call to {@link #next()}.
         */
        public byte[] array() {
            return current;
        }

        /** Where the current path starts in {@link #array()}. */
        public int offset() {
            return currentStart;
        }

        public int length() {
            return length;
        }

        public String path() {
            return new String(current, currentStart, length, StandardCharsets.UTF_8);
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
            return Arrays.compareUnsigned(current, currentStart, currentStart + length, key, 0, key.length);
        }

        /** Compares the current paths of two cursors in path order. */
        public int compareTo(Cursor other) {
            return Arrays.compareUnsigned(current, currentStart, currentStart + length,
                    other.current, other.currentStart, other.currentStart + other.length);
        }

        /**
         * With this cursor and {@code other} on equal paths, moves both on past the paths the two
         * lists go on to have in common, for as long as these also lie alike in the arrays the
         * lists are slices of: one vectorized comparison of all the bytes that follow, instead of
         * one per path. Two reports written the same way lay out their common paths alike, so a
         * diff of similar reports costs little more than reading them. Both cursors are then on
         * the last path of the run, equal again.
         *
         * @return how many paths each cursor moved; always 0 unless both lists are slices
         */
        public int skipSame(Cursor other) {
            PathSlices mine = slices;
            PathSlices theirs = other.slices();
            if (mine == null || theirs == null || index < 0 || index >= size || other.index < 0
                    || other.index >= other.size()) {
                return 0;
            }
            int moved = mine.sameRun(index, size, theirs, other.index, other.size());
            if (moved > 0) {
                moveTo(index + moved);
                other.moveTo(other.index + moved);
            }
            return moved;
        }

        private PathSlices slices() {
            return slices;
        }

        private int size() {
            return size;
        }

        /** For lists of slices: puts the cursor on path {@code i}. */
        private void moveTo(int i) {
            index = i;
            current = slices.source();
            currentStart = slices.start(i);
            length = slices.length(i);
        }
    }

    /** A front-coded list, as {@link SortedPathsBuilder} builds it. */
    static SortedPaths frontCoded(byte[] data, int[] blockOffsets, int size, int[] counts) {
        return new SortedPaths(data, blockOffsets, size, counts, null);
    }
}
