package dev.snoop.core.report;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One recording of one pod or host: who was recorded, when, and each container's files.
 *
 * <p>Field order is the JSON order; see {@code docs/report-format.md}.
 *
 * @param schemaVersion the format version this report was read from or is written as
 * @param podName the Kubernetes pod, or null
 * @param namespace the pod's namespace, or null
 * @param labels the pod's labels, sorted by key
 * @param startedAt when recording began, or null if unknown
 * @param lastUpdatedAt when the report was last written, or null if unknown
 * @param totalEvents file-access syscalls seen across all containers
 * @param droppedEvents events lost before they reached the report
 * @param mergedReports for the output of {@code snoop merge}, how many reports it unites; else 0
 * @param containers one entry per container, sorted by name, then image
 * @param recording what the recorder watched, or null for reports that do not say
 */
public record Report(
        int schemaVersion,
        String podName,
        String namespace,
        Map<String, String> labels,
        Instant startedAt,
        Instant lastUpdatedAt,
        long totalEvents,
        long droppedEvents,
        int mergedReports,
        List<ContainerReport> containers,
        RecordingInfo recording) {

    /** The schema version this code writes, and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    static final Comparator<ContainerReport> CONTAINER_ORDER = Comparator
            .comparing(ContainerReport::name)
            .thenComparing(ContainerReport::imageKey, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(ContainerReport::containerId, Comparator.nullsFirst(Comparator.naturalOrder()));

    public Report {
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        containers = Objects.requireNonNull(containers, "containers").stream().sorted(CONTAINER_ORDER).toList();
        if (totalEvents < 0 || droppedEvents < 0 || mergedReports < 0) {
            throw new IllegalArgumentException("negative counter");
        }
    }

    /** A report that does not say what was watched, as offline commands produce. */
    public Report(int schemaVersion, String podName, String namespace, Map<String, String> labels, Instant startedAt,
            Instant lastUpdatedAt, long totalEvents, long droppedEvents, int mergedReports,
            List<ContainerReport> containers) {
        this(schemaVersion, podName, namespace, labels, startedAt, lastUpdatedAt, totalEvents, droppedEvents,
                mergedReports, containers, null);
    }

    /** A report of the current schema version with the given containers and no pod identity. */
    public static Report of(List<ContainerReport> containers) {
        long total = containers.stream().mapToLong(ContainerReport::totalEvents).sum();
        long dropped = containers.stream().mapToLong(ContainerReport::droppedEvents).sum();
        return new Report(SCHEMA_VERSION, null, null, Map.of(), null, null, total, dropped, 0, containers);
    }

    public Report withContainers(List<ContainerReport> newContainers) {
        return new Report(schemaVersion, podName, namespace, labels, startedAt, lastUpdatedAt,
                totalEvents, droppedEvents, mergedReports, newContainers, recording);
    }

    /** The number of unique files over all containers (a file two containers use counts twice). */
    public long fileCount() {
        return containers.stream().mapToLong(c -> c.files().size()).sum();
    }
}
