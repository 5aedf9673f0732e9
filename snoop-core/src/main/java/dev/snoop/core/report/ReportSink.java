package dev.snoop.core.report;

import java.util.List;

/**
 * What {@link ReportReader} hands a report to as it reads it: the reader walks the JSON and checks
 * every field it reads; the sink decides where the paths go and builds the result.
 * {@link WholeReportSink} builds a {@link Report} in memory; {@link StreamedReport}'s sink puts the
 * paths into the path sets a recording continues.
 *
 * @param <F> where a {@code files} list goes
 * @param <C> a container built
 * @param <R> the report built
 */
interface ReportSink<F extends PathCollector, C, R> {
    /** A new, empty collector for the next {@code files} list. */
    F newFiles();

    /**
     * True to read (and so check) what only a whole report keeps: {@code labels},
     * {@code merged_reports}, {@code recording} and {@code seen_in}; false skips them unread.
     */
    boolean keepsReportOnlyFields();

    /** Builds a container from its fields, once its object (or, for the single-container shape, the report) is read. */
    C container(ContainerFields<F> fields);

    /**
     * Builds the report.
     *
     * @param top the top-level fields; its counters and timestamps are the report's
     */
    R report(ReportFields report, ContainerFields<F> top, List<C> containers);
}
