package dev.snoop.core.report;

import dev.snoop.core.path.PathNormalizer;
import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Collects a report's {@code files} list as it streams in.
 *
 * <p>Reports are normally sorted and normalized, so paths go straight into a front-coded
 * {@link SortedPaths.Builder}; the first path out of order switches to a {@link PathSet}, which
 * sorts and deduplicates whatever arrives. Paths that need normalizing are normalized (relative
 * ones against {@code /}, the container's root) and counted for one warning.
 */
final class FileCollector {
    private SortedPaths.Builder sorted = SortedPaths.builder();
    private PathSet unsorted;
    private int normalized;
    private String normalizedExample;
    private int invalid;
    private String invalidExample;
    private int duplicates;

    void add(String raw) {
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
            normalizedExample = "'" + raw + "' -> '" + path + "'";
        }
        if (unsorted == null) {
            if (sorted.appendIfAscending(path)) {
                return;
            }
            switchToSet();
        }
        if (!unsorted.add(path)) {
            duplicates++;
        }
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
        if (unsorted == null) {
            if (sorted.appendIfAscending(utf8, offset, length, 0)) {
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
        SortedPaths.Cursor cursor = sorted.build(false).cursor();
        while (cursor.next()) {
            unsorted.addRef(cursor.bytes(), cursor.length());
        }
        sorted = null;
    }

    SortedPaths paths() {
        return unsorted == null ? sorted.build(false) : unsorted.toSortedPaths(false);
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
