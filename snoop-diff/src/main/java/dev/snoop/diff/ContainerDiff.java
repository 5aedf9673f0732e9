package dev.snoop.diff;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.path.SortedPathsBuilder;
import java.util.Objects;

/**
 * What changed in one container between two reports.
 *
 * @param name the container's name (the new side's, when a single container was paired by position)
 * @param removed files only the old report has, sorted
 * @param added files only the new report has, sorted
 * @param unchangedCount files both have
 */
public record ContainerDiff(String name, SortedPaths removed, SortedPaths added, long unchangedCount) {
    public ContainerDiff {
        Objects.requireNonNull(name, "name");
        removed = removed.withoutCounts();
        added = added.withoutCounts();
    }

    public boolean hasChanges() {
        return !removed.isEmpty() || !added.isEmpty();
    }

    /**
     * Compares two sorted lists in one pass, without a String per path; the runs of paths that two
     * reports read from files have in common are skipped a run at a time ({@link
     * SortedPaths.Cursor#skipSame}).
     */
    public static ContainerDiff of(String name, SortedPaths oldFiles, SortedPaths newFiles) {
        SortedPathsBuilder removed = SortedPaths.builder();
        SortedPathsBuilder added = SortedPaths.builder();
        long unchanged = 0;
        SortedPaths.Cursor a = oldFiles.cursor();
        SortedPaths.Cursor b = newFiles.cursor();
        boolean hasA = a.next();
        boolean hasB = b.next();
        while (hasA || hasB) {
            int c = !hasA ? 1 : !hasB ? -1 : a.compareTo(b);
            if (c < 0) {
                removed.appendIfAscending(a.bytes(), a.length(), 0);
                hasA = a.next();
            } else if (c > 0) {
                added.appendIfAscending(b.bytes(), b.length(), 0);
                hasB = b.next();
            } else {
                unchanged += 1 + a.skipSame(b);
                hasA = a.next();
                hasB = b.next();
            }
        }
        return new ContainerDiff(name, removed.build(false), added.build(false), unchanged);
    }
}
