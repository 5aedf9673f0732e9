package dev.snoop.core.report;

import dev.snoop.core.path.PathNormalizer;
import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.QuotedPaths;
import dev.snoop.core.path.SortedPaths;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Collects a report's {@code files} list as it streams in.
 *
 * <p>Reports are normally sorted and normalized. Then paths that {@link ReportScanner} has checked
 * stay where they are in the report's bytes, as slices ({@link SortedPaths#ofSlices}); any other
 * path moves them into a front-coded {@link SortedPaths.Builder}, and the first path out of order
 * into a {@link PathSet}, which sorts and deduplicates whatever arrives. Paths that need
 * normalizing are normalized (relative ones against {@code /}, the container's root) and counted
 * for one warning.
 */
final class FileCollector {
    private byte[] sliceSource;
    private int[] sliceBounds;
    private int sliceCount;
    private SortedPaths.Builder sorted; // null while the paths are slices, and once they are in a set
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

    void add(String raw) {
        lastIsPrevious = false;
        String path;
        try {
            path = PathNormalizer.normalize(raw, "/");
        } catch (IllegalArgumentException e) {
            if (invalid++ == 0) {
                invalidExample = e.getMessage();
            }
            return;
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
    void addAfterPrevious(byte[] utf8, int offset, int length, int shared) {
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
    private SortedPaths.Builder sorted() {
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
    boolean keptOrder() {
        return unsorted == null && invalid == 0;
    }

    /**
     * As {@link #add(String)}, for the well-formed UTF-8 bytes {@code utf8[offset, offset + length)}
     * without NUL: a normalized path goes in without a String being made of it.
     *
     * @param slashDotOrSlash false only if the bytes contain neither "//" nor "/.", so that an
     *     absolute path without a trailing '/' is known to be normalized
     */
    void add(byte[] utf8, int offset, int length, boolean slashDotOrSlash) {
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

    /** A path in a warning: in single quotes, or quoted if it could forge a line ({@link QuotedPaths}). */
    static String shown(String path) {
        return QuotedPaths.needsQuoting(path) ? QuotedPaths.quote(path) : "'" + path + "'";
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
