package dev.snoop.core.report;

import dev.snoop.core.path.PathNormalizer;
import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.QuotedPaths;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.path.SortedPathsBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Collects a report's {@code files} list as it streams in.
 *
 * <p>Reports are normally sorted and normalized. Then paths that {@link ReportScanner} has checked
 * stay where they are in the report's bytes, as slices ({@link SortedPaths#ofSlices}); any other
 * path moves them into a front-coded {@link SortedPathsBuilder}, and the first path out of order
 * into a {@link PathSet}, which sorts and deduplicates whatever arrives. Paths that need
 * normalizing are normalized (relative ones against {@code /}, the container's root) and counted
 * for one warning.
 */
final class FileCollector implements PathCollector {
    /** The longest path component, NAME_MAX: no Linux file system stores a longer one. */
    static final int MAX_NAME_BYTES = 255;

    /**
     * The longest path: a name of up to PATH_MAX bytes relative to a directory whose path is up to
     * PATH_MAX bytes, the longest the recorder can write.
     */
    static final int MAX_PATH_BYTES = 8192;

    /** A path no report can hold, which makes the reader refuse the report; no stack trace. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private byte[] sliceSource;
    private int[] sliceBounds;
    private int sliceCount;
    private SortedPathsBuilder sorted; // null while the paths are slices, and once they are in a set
    private PathSet unsorted;
    private int normalized;
    private String normalizedExample;
    private int invalid;
    private String invalidExample;
    private int duplicates;
    /*
     * True while the last path kept (as a slice or in the builder) is, byte for byte, the last path
     * given to this collector, or both are absent: addAfterPrevious may then take the reader's word
     * for the order.
     */
    private boolean lastIsPrevious = true;

    @Override
    public void add(char[] chars, int offset, int length) {
        add(new String(chars, offset, length));
    }

    @Override
    public void add(String raw) {
        lastIsPrevious = false;
        int surrogate = loneSurrogate(raw);
        if (surrogate >= 0) {
            throw new Refused("path " + QuotedPaths.quote(raw) + " holds a lone surrogate (\\u"
                    + Integer.toHexString(raw.charAt(surrogate)) + "), which is no character and has no UTF-8 bytes");
        }
        String path;
        try {
            path = PathNormalizer.normalize(raw, "/");
        } catch (IllegalArgumentException e) {
            if (invalid++ == 0) {
                invalidExample = e.getMessage();
            }
            return;
        }
        if (path.length() > MAX_NAME_BYTES / 3) {
            byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
            checkLength(utf8, 0, utf8.length);
        }
        if (path != raw && normalized++ == 0) {
            normalizedExample = shown(raw) + " -> " + shown(path);
        }
        if (unsorted == null) {
            if (sorted().appendIfAscending(path)) {
                lastIsPrevious = path == raw;
                return;
            }
            switchToSet();
        }
        if (!unsorted.add(path)) {
            duplicates++;
        }
    }

    /**
     * As {@link #add(byte[], int, int, boolean)}, for a path that {@link ReportScanner} has found,
     * where it lies in the report, to be normalized and to sort after the path given just before it,
     * sharing its first {@code shared} bytes: the common case then costs no second comparison.
     */
    @Override
    public void addAfterPrevious(byte[] utf8, int offset, int length, int shared) {
        if (length > MAX_NAME_BYTES) {
            checkLength(utf8, offset, length);
        }
        if (unsorted == null && lastIsPrevious) {
            if (sorted == null && (sliceSource == null || sliceSource == utf8)) {
                addSlice(utf8, offset, length);
                return;
            }
            if (sorted != null) {
                sorted.appendAscending(utf8, offset, length, shared);
                return;
            }
        }
        add(utf8, offset, length, true);
    }

    private void addSlice(byte[] source, int offset, int length) {
        if (sliceSource == null) {
            sliceSource = source;
            sliceBounds = new int[256];
        } else if (2 * sliceCount == sliceBounds.length) {
            sliceBounds = Arrays.copyOf(sliceBounds, 2 * sliceBounds.length);
        }
        sliceBounds[2 * sliceCount] = offset;
        sliceBounds[2 * sliceCount + 1] = length;
        sliceCount++;
    }

    /** The builder; the first time, the slices so far move into it. */
    private SortedPathsBuilder sorted() {
        if (sorted == null) {
            sorted = SortedPaths.builder();
            for (int i = 0; i < sliceCount; i++) {
                sorted.appendIfAscending(sliceSource, sliceBounds[2 * i], sliceBounds[2 * i + 1], 0);
            }
            sliceSource = null;
            sliceBounds = null;
            sliceCount = 0;
        }
        return sorted;
    }

    /** True if every path was kept in the position it came in, so parallel lists still line up. */
    @Override
    public boolean keptOrder() {
        return unsorted == null && invalid == 0;
    }

    /**
     * As {@link #add(String)}, for the well-formed UTF-8 bytes {@code utf8[offset, offset + length)}
     * without NUL: a normalized path goes in without a String being made of it.
     *
     * @param slashDotOrSlash false only if the bytes contain neither "//" nor "/.", so that an
     *     absolute path without a trailing '/' is known to be normalized
     */
    @Override
    public void add(byte[] utf8, int offset, int length, boolean slashDotOrSlash) {
        if (length > MAX_NAME_BYTES) {
            checkLength(utf8, offset, length);
        }
        boolean normalized = slashDotOrSlash
                ? PathNormalizer.isNormalized(utf8, offset, length)
                : length > 0 && utf8[offset] == '/' && (length == 1 || utf8[offset + length - 1] != '/');
        if (!normalized) {
            add(new String(utf8, offset, length, StandardCharsets.UTF_8));
            return;
        }
        lastIsPrevious = false;
        if (unsorted == null) {
            if (sorted().appendIfAscending(utf8, offset, length, 0)) {
                lastIsPrevious = true;
                return;
            }
            switchToSet();
        }
        if (!unsorted.add(utf8, offset, length)) {
            duplicates++;
        }
    }

    private void switchToSet() {
        unsorted = new PathSet();
        SortedPaths.Cursor cursor = sorted().build(false).cursor();
        while (cursor.next()) {
            unsorted.addRef(cursor.bytes(), cursor.length());
        }
        sorted = null;
    }

    /**
     * Refuses a path longer than {@link #MAX_PATH_BYTES} or with a component longer than
     * {@link #MAX_NAME_BYTES}: no file has such a name, and a 10 MB one would only cost memory.
     */
    static void checkLength(byte[] utf8, int offset, int length) {
        if (length > MAX_PATH_BYTES) {
            throw new Refused("a path of " + length + " bytes, longer than the " + MAX_PATH_BYTES + " a path may have: "
                    + start(utf8, offset, length));
        }
        int componentStart = offset;
        for (int i = offset; i <= offset + length; i++) {
            if (i == offset + length || utf8[i] == '/') {
                if (i - componentStart > MAX_NAME_BYTES) {
                    throw new Refused("a path component of " + (i - componentStart) + " bytes, longer than the "
                            + MAX_NAME_BYTES + " a name may have (NAME_MAX): " + start(utf8, offset, length));
                }
                componentStart = i + 1;
            }
        }
    }

    /** The first 64 bytes of a path, shown in a message. */
    private static String start(byte[] utf8, int offset, int length) {
        int n = Math.min(length, 64);
        while (n < length && (utf8[offset + n] & 0xc0) == 0x80) {
            n++; // not within a character
        }
        return QuotedPaths.quote(utf8, offset, n) + (n < length ? "..." : "");
    }

    /** The index of the first surrogate in {@code s} that is not half of a pair, or -1. */
    static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** A path in a warning: in single quotes, or quoted if it could forge a line ({@link QuotedPaths}). */
    static String shown(String path) {
        return QuotedPaths.needsQuoting(path) ? QuotedPaths.quote(path) : "'" + path + "'";
    }

    @Override
    public int size() {
        return unsorted != null ? unsorted.size() : sorted != null ? sorted.size() : sliceCount;
    }

    SortedPaths paths() {
        if (unsorted != null) {
            return unsorted.toSortedPaths(false);
        }
        if (sorted != null) {
            return sorted.build(false);
        }
        return sliceCount == 0 ? SortedPaths.empty() : SortedPaths.ofSlices(sliceSource, sliceBounds, sliceCount);
    }

    /** Reports what had to be fixed, one line per kind of problem. */
    void warn(String where, Consumer<String> warnings) {
        if (normalized > 0) {
            warnings.accept(where + ": normalized " + normalized + plural(normalized, " path") + " (first: " + normalizedExample + ")");
        }
        if (duplicates > 0) {
            warnings.accept(where + ": dropped " + duplicates + plural(duplicates, " duplicate path"));
        }
        if (invalid > 0) {
            warnings.accept(where + ": skipped " + invalid + plural(invalid, " invalid path") + " (first: " + invalidExample + ")");
        }
    }

    private static String plural(int n, String word) {
        return n == 1 ? word : word + "s";
    }
}
