package dev.snoop.image;

import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import java.util.List;

/**
 * The files that reports saw, each with the number of reports that saw it. A report produced by
 * {@code snoop merge --with-counts} counts as the reports it unites, and its {@code seen_in}
 * counts are taken as they are; a file two containers of one report saw counts once for it.
 */
public final class Usage {
    private final PathSet paths = new PathSet();
    private int reports;

    /**
     * Adds one report's chosen containers.
     *
     * @param mergedReports the report's {@code merged_reports} (0 for a plain report)
     */
    public void add(List<ContainerReport> containers, int mergedReports) {
        reports += Math.max(1, mergedReports);
        if (containers.size() == 1) {
            addCounts(containers.get(0).files(), paths, false);
            return;
        }
        PathSet one = new PathSet();
        for (ContainerReport c : containers) {
            addCounts(c.files(), one, true);
        }
        addCounts(one.toSortedPaths(true), paths, false);
    }

    private static void addCounts(SortedPaths files, PathSet into, boolean max) {
        SortedPaths.Cursor cursor = files.cursor();
        while (cursor.next()) {
            int count = files.hasCounts() ? Math.max(1, cursor.count()) : 1;
            int ref = into.addRef(cursor.bytes(), cursor.length());
            into.setValue(ref, max ? Math.max(into.value(ref), count) : into.value(ref) + count);
        }
    }

    /** Reports added, a merged one counting as the reports it unites. */
    public int reports() {
        return reports;
    }

    /** Distinct files seen by any report. */
    public int files() {
        return paths.size();
    }

    /** Every file with the number of reports that saw it. */
    SortedPaths counted() {
        return paths.toSortedPaths(true);
    }
}
