package dev.snoop.merge;

import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Unites reports, for example from CI runs or from the replicas of one deployment.
 *
 * <p>Containers are matched by name and image (digest, else reference): the same container of two
 * image versions stays two entries, so a merged report can still be diffed by version. Files are
 * unioned, counters summed and the time range widened. Identity that differs between inputs (pod
 * name, namespace, a label, a container id or cgroup) is dropped rather than picked at random.
 *
 * <p>With counts, each file carries the number of input reports in which its container saw it.
 * Merged inputs count as the reports they unite, so merging merges gives the same counts as
 * merging everything at once.
 */
public final class ReportMerger {
    private final boolean withCounts;
    private final Map<Key, ContainerAccumulator> containers = new LinkedHashMap<>();
    private int reports;
    private long totalEvents;
    private long droppedEvents;
    private Instant startedAt;
    private Instant lastUpdatedAt;
    private String podName;
    private String namespace;
    private Map<String, String> labels;

    public ReportMerger(boolean withCounts) {
        this.withCounts = withCounts;
    }

    /** Adds one report. */
    public void add(Report report) {
        int weight = Math.max(1, report.mergedReports());
        podName = reports == 0 ? report.podName() : same(podName, report.podName());
        namespace = reports == 0 ? report.namespace() : same(namespace, report.namespace());
        if (reports == 0) {
            labels = new HashMap<>(report.labels());
        } else {
            labels.entrySet().removeIf(e -> !e.getValue().equals(report.labels().get(e.getKey())));
        }
        reports += weight;
        totalEvents += report.totalEvents();
        droppedEvents += report.droppedEvents();
        startedAt = earliest(startedAt, report.startedAt());
        lastUpdatedAt = latest(lastUpdatedAt, report.lastUpdatedAt());
        for (ContainerReport container : report.containers()) {
            containers.computeIfAbsent(new Key(container.name(), container.imageKey()), k -> new ContainerAccumulator(container))
                    .add(container, weight);
        }
    }

    /** How many reports have been added, counting a merged input as the reports it unites. */
    public int reportCount() {
        return reports;
    }

    /** The union of everything added so far. */
    public Report result() {
        List<ContainerReport> merged = new ArrayList<>(containers.size());
        for (ContainerAccumulator accumulator : containers.values()) {
            merged.add(accumulator.result(withCounts));
        }
        return new Report(Report.SCHEMA_VERSION, podName, namespace, labels, startedAt, lastUpdatedAt,
                totalEvents, droppedEvents, withCounts ? reports : 0, merged);
    }

    private record Key(String name, String image) {}

    /** One container's union; the paths live in a {@link PathSet} whose node value is the count. */
    private static final class ContainerAccumulator {
        private final PathSet files = new PathSet();
        private final String name;
        private ContainerReport first;
        private String containerId;
        private long cgroupId;
        private String cgroupPath;
        private String imageRef;
        private String imageDigest;
        private Instant startedAt;
        private Instant lastUpdatedAt;
        private long totalEvents;
        private long droppedEvents;

        ContainerAccumulator(ContainerReport first) {
            this.first = first;
            this.name = first.name();
            this.containerId = first.containerId();
            this.cgroupId = first.cgroupId();
            this.cgroupPath = first.cgroupPath();
            this.imageRef = first.imageRef();
            this.imageDigest = first.imageDigest();
        }

        void add(ContainerReport c, int weight) {
            if (c != first) {
                containerId = same(containerId, c.containerId());
                cgroupId = cgroupId == c.cgroupId() ? cgroupId : 0;
                cgroupPath = same(cgroupPath, c.cgroupPath());
                // matched on the digest, a container may be known by several refs (tags): keep one only if all agree
                imageRef = c.imageRef() == null ? imageRef : imageRef == null ? c.imageRef() : same(imageRef, c.imageRef());
                imageDigest = imageDigest != null ? imageDigest : c.imageDigest();
            }
            first = null;
            startedAt = earliest(startedAt, c.startedAt());
            lastUpdatedAt = latest(lastUpdatedAt, c.lastUpdatedAt());
            totalEvents += c.totalEvents();
            droppedEvents += c.droppedEvents();
            boolean counted = c.files().hasCounts();
            SortedPaths.Cursor cursor = c.files().cursor();
            while (cursor.next()) {
                int ref = files.addRef(cursor.array(), cursor.offset(), cursor.length());
                files.setValue(ref, files.value(ref) + (counted ? cursor.count() : weight));
            }
        }

        ContainerReport result(boolean withCounts) {
            return new ContainerReport(name, containerId, cgroupId, cgroupPath, imageRef, imageDigest,
                    startedAt, lastUpdatedAt, totalEvents, droppedEvents, files.toSortedPaths(withCounts));
        }
    }

    private static String same(String a, String b) {
        return Objects.equals(a, b) ? a : null;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}
