package dev.snoop.core.report;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.path.SortedPathsBuilder;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds the {@link Report} that {@link ReportReader} reads, in memory: the paths into
 * {@link FileCollector}s (slices of the report's bytes where they can stay), the access kinds and
 * {@code seen_in} counts beside the lists they line up with, and one warning for each thing that
 * had to be fixed or was ignored.
 */
final class WholeReportSink implements ReportSink<FileCollector, ContainerReport, Report> {
    private final String source;
    private final Consumer<String> warnings;

    WholeReportSink(String source, Consumer<String> warnings) {
        this.source = source;
        this.warnings = warnings;
    }

    @Override
    public FileCollector newFiles() {
        return new FileCollector();
    }

    @Override
    public boolean keepsReportOnlyFields() {
        return true;
    }

    @Override
    public ContainerReport container(ContainerFields<FileCollector> c) {
        FileCollector files = c.files;
        SortedPaths paths = files == null ? SortedPaths.empty() : files.paths();
        ContainerReport container = new ContainerReport(c.name, c.containerId, c.cgroupId, c.cgroupPath, c.imageRef,
                c.imageDigest, c.startedAt, c.lastUpdatedAt, c.totalEvents, c.droppedEvents, paths, null,
                c.completeness());
        if (c.topLevel) {
            files.warn(source, warnings); // the single-container shape, which always has files
            return container;
        }
        if (c.access != null) {
            container = withAccess(container, c);
        }
        if (files != null) {
            files.warn(source + ": container '" + container.label() + "'", warnings);
        }
        if (c.seenIn != null) {
            paths = withCounts(container, paths, c.seenIn, files == null || files.keptOrder());
            container = container.withFiles(paths).withAccess(container.access()); // same paths, same order
        }
        return container;
    }

    /** Attaches {@code access} kinds, which are by index and so only meaningful beside an unchanged list. */
    private ContainerReport withAccess(ContainerReport container, ContainerFields<FileCollector> c) {
        int size = container.files().size();
        if (!c.accessLinesUp(size)) {
            boolean reordered = c.files != null && !c.files.keptOrder();
            warnings.accept(source + ": container '" + container.label() + "': ignored 'access' (" + c.access.length
                    + " entries for " + size + " files" + (reordered ? ", which were reordered" : "") + ")");
            return container;
        }
        return container.withAccess(FileAccess.of(c.accessBits(), size));
    }

    /** Re-attaches {@code seen_in} counts, which are only meaningful beside an unchanged list. */
    private SortedPaths withCounts(ContainerReport container, SortedPaths paths, int[] seenIn, boolean aligned) {
        if (!aligned) {
            warnings.accept(source + ": container '" + container.label() + "': ignored 'seen_in' (files were not sorted and unique)");
            return paths;
        }
        if (seenIn.length != paths.size()) {
            warnings.accept(source + ": container '" + container.label() + "': ignored 'seen_in' ("
                    + seenIn.length + " counts for " + paths.size() + " files)");
            return paths;
        }
        SortedPathsBuilder builder = SortedPaths.builder();
        SortedPaths.Cursor cursor = paths.cursor();
        int i = 0;
        while (cursor.next()) {
            builder.appendIfAscending(cursor.bytes(), cursor.length(), seenIn[i++]);
        }
        return builder.build(true);
    }

    @Override
    public Report report(ReportFields report, ContainerFields<FileCollector> top, List<ContainerReport> containers) {
        return new Report(report.schemaVersion(), report.podName(), report.namespace(), report.labels(), top.startedAt,
                top.lastUpdatedAt, top.totalEvents, top.droppedEvents, report.mergedReports(), containers,
                report.recording());
    }
}
