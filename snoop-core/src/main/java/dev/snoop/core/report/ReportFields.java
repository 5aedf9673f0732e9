package dev.snoop.core.report;

import java.util.Map;

/**
 * The report-wide fields {@link ReportReader} has read, besides those it shares with a container
 * ({@link ContainerFields}); labels and the recording block are empty and null where the sink does
 * not keep them.
 */
record ReportFields(int schemaVersion, String podName, String namespace, Map<String, String> labels,
        int mergedReports, RecordingInfo recording) {}
