package dev.snoop.server;

import dev.snoop.core.path.PathSet;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * The read side of the store (docs/fleet.md): workloads, the images they ran, and per image the
 * union of its instances' files, in the report format {@code snoop merge --with-counts} writes.
 * Every query is limited to the namespaces of the asking token; each runs in one read-only
 * transaction, so its numbers are of one moment.
 */
final class FleetQueries {
    private final DataSource dataSource;

    FleetQueries(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource);
    }

    /** What a token may see: null for every namespace (a {@code *} token), else these. */
    static Set<String> scope(Tokens.Entry token) {
        return token.namespaces().contains(Tokens.ANY_NAMESPACE) ? null : token.namespaces();
    }

    /** The optional filters of a query; null fields do not filter. */
    record Filter(String namespace, String kind, String workload, String container) {
        static final Filter NONE = new Filter(null, null, null, null);
    }

    /** One page of a list, and the id after which the next one starts (null on the last page). */
    record Page<T>(List<T> items, Long nextAfter) {}

    /** A workload and what its instances ran. */
    record WorkloadRow(long id, String namespace, String kind, String name, List<ImageUse> images, long instances,
            Instant lastReportAt) {
        Set<String> containers() {
            TreeSet<String> names = new TreeSet<>();
            images.forEach(i -> names.add(i.container()));
            return names;
        }
    }

    /** One container name of a workload on one image, and how many instances ran it. */
    record ImageUse(String container, String key, String digest, String ref, long instances, Instant lastReportAt) {}

    /** An image (a version) and a summary of the instances that ran it, within a filter. */
    record ImageRow(long id, String key, String digest, String ref, Set<String> containers, Set<String> workloads,
            long instances, long complete, long maxInstanceFiles, Instant firstReportAt, Instant lastReportAt,
            boolean treeAttached) {}

    /** One container instance, as the store keeps it. */
    record InstanceRow(long id, String namespace, String podName, String containerName, String workloadKind,
            String workloadName, Instant startedAt, Instant recordingStartedAt, String podUid, String containerId,
            Instant lastUpdatedAt, Instant lastNewFileAt, long totalEvents, long droppedEvents, long failedPathReads,
            long unresolvedPaths, long files, Instant firstReportAt, boolean completenessKnown, String imageDigest,
            String imageRef) {
        /** True or false when the reports said how complete they were; null when they did not. */
        Boolean complete() {
            return completenessKnown ? droppedEvents == 0 && failedPathReads == 0 && unresolvedPaths == 0 : null;
        }

        /**
         * Whether the container was recorded from its start: it was first seen more than {@link
         * #FROM_START_MARGIN_SECONDS} after its recording began, so the recorder was tracing before
         * it appeared. A container found when the recording started may have run before it; null
         * when either time is unknown.
         */
        Boolean fromStart() {
            if (recordingStartedAt == null || startedAt.equals(Instant.EPOCH)) {
                return null;
            }
            return startedAt.isAfter(recordingStartedAt.plusSeconds(FROM_START_MARGIN_SECONDS));
        }
    }

    /**
     * The slack between a recording's start and a container it found already running: the
     * recorder looks up the running containers in its first second or two.
     */
    static final long FROM_START_MARGIN_SECONDS = 2;

    /** The union of an image's instances, and the instances it unites. */
    record Union(Report report, List<InstanceRow> instances, Map<String, Integer> instancesByContainer) {}

    /** Workloads by id, after {@code after}. */
    Page<WorkloadRow> workloads(Set<String> scope, Filter filter, long after, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id, namespace, kind, name FROM workload w WHERE id > ?");
        List<Object> args = new ArrayList<>(List.of(after));
        scoped(sql, args, scope, "w.namespace");
        equal(sql, args, "w.namespace", filter.namespace());
        equal(sql, args, "w.kind", filter.kind());
        equal(sql, args, "w.name", filter.workload());
        sql.append(" ORDER BY id LIMIT ?");
        args.add(limit + 1);
        try (Connection c = readOnly()) {
            Map<Long, WorkloadRow> rows = new LinkedHashMap<>();
            try (ResultSet rs = query(c, sql.toString(), args)) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), new WorkloadRow(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), new ArrayList<>(), 0, null));
                }
            }
            Long next = FleetRows.trim(rows, limit);
            if (rows.isEmpty()) {
                return new Page<>(List.of(), null);
            }
            String uses = """
                    SELECT i.workload_id, i.container_name, im.image_key, im.digest, im.ref, count(*), max(i.last_updated_at)
                    FROM instance i LEFT JOIN image im ON im.id = i.image_id
                    WHERE i.workload_id = ANY(?) GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3""";
            Map<Long, List<ImageUse>> byWorkload = new TreeMap<>();
            try (ResultSet rs = query(c, uses, List.of(c.createArrayOf("bigint", rows.keySet().toArray())))) {
                while (rs.next()) {
                    byWorkload.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new ImageUse(rs.getString(2),
                            rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6), FleetRows.instant(rs, 7)));
                }
            }
            List<WorkloadRow> out = new ArrayList<>();
            for (WorkloadRow w : rows.values()) {
                List<ImageUse> images = byWorkload.getOrDefault(w.id(), List.of());
                Instant last = images.stream().map(ImageUse::lastReportAt).filter(Objects::nonNull)
                        .max(Instant::compareTo).orElse(null);
                out.add(new WorkloadRow(w.id(), w.namespace(), w.kind(), w.name(), List.copyOf(images),
                        images.stream().mapToLong(ImageUse::instances).sum(), last));
            }
            return new Page<>(out, next);
        }
    }

    /** Images by id, after {@code after}, with a summary of their instances within the filter. */
    Page<ImageRow> images(Set<String> scope, Filter filter, long after, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("""
                SELECT im.id, im.image_key, im.digest, im.ref,
                    array_agg(DISTINCT i.container_name ORDER BY i.container_name),
                    array_agg(DISTINCT w.namespace || '/' || w.kind || '/' || w.name),
                    count(*), count(*) FILTER (WHERE i.completeness_known AND i.dropped_events = 0
                        AND i.failed_path_reads = 0 AND i.unresolved_paths = 0),
                    max(i.file_count), min(i.first_report_at), max(i.last_updated_at),
                    EXISTS (SELECT 1 FROM image_tree t WHERE t.image_id = im.id)
                FROM image im JOIN instance i ON i.image_id = im.id JOIN workload w ON w.id = i.workload_id
                WHERE im.id > ?""");
        List<Object> args = new ArrayList<>(List.of(after));
        filtered(sql, args, scope, filter);
        sql.append(" GROUP BY im.id ORDER BY im.id LIMIT ?");
        args.add(limit + 1);
        try (Connection c = readOnly(); ResultSet rs = query(c, sql.toString(), args)) {
            Map<Long, ImageRow> rows = new LinkedHashMap<>();
            while (rs.next()) {
                rows.put(rs.getLong(1), new ImageRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        FleetRows.strings(rs.getArray(5)), FleetRows.strings(rs.getArray(6)), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                        FleetRows.instant(rs, 10), FleetRows.instant(rs, 11), rs.getBoolean(12)));
            }
            Long next = FleetRows.trim(rows, limit);
            return new Page<>(List.copyOf(rows.values()), next);
        }
    }

    /** The instances of the image {@code key} within the filter, by id, after {@code after}. */
    Page<InstanceRow> instances(Set<String> scope, String key, Filter filter, long after, int limit) throws SQLException {
        try (Connection c = readOnly()) {
            List<InstanceRow> rows = instances(c, scope, key, filter, after, limit + 1);
            Long next = rows.size() > limit ? rows.get(limit - 1).id() : null;
            return new Page<>(rows.size() > limit ? List.copyOf(rows.subList(0, limit)) : rows, next);
        }
    }

    /**
     * The union of the files of the image's instances within the filter: per container name, each
     * file with the number of instances that saw it ({@code seen_in}); {@code merged_reports} is
     * the largest number of instances of one container name, which is the number of replicas
     * (pods) whose reports are united. Files seen in fewer than {@code minSeenIn} or more than
     * {@code maxSeenIn} instances are left out; {@code minSeenIn} may depend on that number.
     *
     * @return null if no instance matches
     */
    Union union(Set<String> scope, String key, Filter filter, java.util.function.IntUnaryOperator minSeenIn,
            int maxSeenIn) throws SQLException {
        try (Connection c = readOnly()) {
            List<InstanceRow> rows = instances(c, scope, key, filter, 0, Integer.MAX_VALUE);
            if (rows.isEmpty()) {
                return null;
            }
            Map<String, List<InstanceRow>> byName = new TreeMap<>();
            rows.forEach(r -> byName.computeIfAbsent(r.containerName(), k -> new ArrayList<>()).add(r));
            int merged = byName.values().stream().mapToInt(List::size).max().orElse(0);
            int min = minSeenIn.applyAsInt(merged);
            Map<String, PathSet> files = new TreeMap<>();
            byName.keySet().forEach(name -> files.put(name, new PathSet()));
            // grouped by path id, not text: the text is joined only once per distinct file
            String sql = """
                    SELECT s.container_name, p.path, s.seen_in FROM (
                        SELECT i.container_name, f.path_id, count(*) AS seen_in
                        FROM instance_file f JOIN instance i ON i.id = f.instance_id
                        WHERE f.instance_id = ANY(?) GROUP BY 1, 2) s
                    JOIN path p ON p.id = s.path_id WHERE s.seen_in BETWEEN ? AND ?""";
            Array ids = c.createArrayOf("bigint", rows.stream().map(InstanceRow::id).toArray());
            try (PreparedStatement statement = c.prepareStatement(sql)) {
                statement.setArray(1, ids);
                statement.setInt(2, min);
                statement.setInt(3, maxSeenIn);
                statement.setFetchSize(10_000);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        PathSet set = files.get(rs.getString(1));
                        set.setValue(set.addRef(rs.getString(2)), rs.getInt(3));
                    }
                }
            }
            List<ContainerReport> containers = new ArrayList<>();
            long total = 0;
            long dropped = 0;
            for (Map.Entry<String, List<InstanceRow>> e : byName.entrySet()) {
                List<InstanceRow> of = e.getValue();
                long events = of.stream().mapToLong(InstanceRow::totalEvents).sum();
                long lost = of.stream().mapToLong(InstanceRow::droppedEvents).sum();
                total += events;
                dropped += lost;
                containers.add(new ContainerReport(e.getKey(), FleetRows.same(of, InstanceRow::containerId), 0, null,
                        of.get(0).imageRef(), of.get(0).imageDigest(), FleetRows.earliest(of, InstanceRow::startedAt),
                        FleetRows.latest(of, InstanceRow::lastUpdatedAt), events, lost, files.get(e.getKey()).toSortedPaths(true)));
            }
            Instant started = FleetRows.earliest(rows, r -> r.recordingStartedAt() != null ? r.recordingStartedAt() : r.startedAt());
            Report report = new Report(Report.SCHEMA_VERSION, FleetRows.same(rows, InstanceRow::podName),
                    FleetRows.same(rows, InstanceRow::namespace), Map.of(), started, FleetRows.latest(rows, InstanceRow::lastUpdatedAt),
                    total, dropped, merged, containers);
            Map<String, Integer> counts = new TreeMap<>();
            byName.forEach((name, of) -> counts.put(name, of.size()));
            return new Union(report, rows, counts);
        }
    }

    /** A bucket of the new-files chart: files first stored in {@code [start, start + bucket)}. */
    record Bucket(Instant start, long newFiles) {}

    /**
     * New files over time: the distinct files (per container name) of the image's instances within
     * the filter, counted by when the server first stored one of them, in buckets of {@code
     * bucketSeconds} from the first; at most {@code maxBuckets} (the buckets widen to fit).
     */
    List<Bucket> timeline(Set<String> scope, String key, Filter filter, long bucketSeconds, int maxBuckets)
            throws SQLException {
        try (Connection c = readOnly()) {
            List<InstanceRow> rows = instances(c, scope, key, filter, 0, Integer.MAX_VALUE);
            if (rows.isEmpty()) {
                return null;
            }
            String sql = """
                    SELECT floor(extract(epoch FROM s.first))::bigint AS second, count(*) FROM (
                        SELECT i.container_name, f.path_id, min(f.first_seen_at) AS first
                        FROM instance_file f JOIN instance i ON i.id = f.instance_id
                        WHERE f.instance_id = ANY(?) GROUP BY 1, 2) s
                    GROUP BY 1 ORDER BY 1""";
            TreeMap<Long, Long> bySecond = new TreeMap<>();
            try (ResultSet rs = query(c, sql, List.of(c.createArrayOf("bigint", rows.stream().map(InstanceRow::id).toArray())))) {
                while (rs.next()) {
                    bySecond.put(rs.getLong(1), rs.getLong(2));
                }
            }
            if (bySecond.isEmpty()) {
                return List.of();
            }
            long first = bySecond.firstKey();
            long span = bySecond.lastKey() - first + 1;
            long bucket = Math.max(bucketSeconds, (span + maxBuckets - 1) / maxBuckets);
            long[] counts = new long[(int) ((span + bucket - 1) / bucket)];
            bySecond.forEach((second, n) -> counts[(int) ((second - first) / bucket)] += n);
            List<Bucket> out = new ArrayList<>(counts.length);
            for (int i = 0; i < counts.length; i++) {
                out.add(new Bucket(Instant.ofEpochSecond(first + i * bucket), counts[i]));
            }
            return out;
        }
    }

    private static List<InstanceRow> instances(Connection c, Set<String> scope, String key, Filter filter, long after,
            int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("""
                SELECT i.id, i.namespace, i.pod_name, i.container_name, w.kind, w.name, i.started_at,
                    i.recording_started_at, i.pod_uid, i.container_id, i.last_updated_at, i.last_new_file_at,
                    i.total_events, i.dropped_events, i.failed_path_reads, i.unresolved_paths, i.file_count,
                    i.first_report_at, i.completeness_known, im.digest, im.ref
                FROM instance i JOIN workload w ON w.id = i.workload_id JOIN image im ON im.id = i.image_id
                WHERE im.image_key = ? AND i.id > ?""");
        List<Object> args = new ArrayList<>(List.of(key, after));
        filtered(sql, args, scope, filter);
        sql.append(" ORDER BY i.id LIMIT ?");
        args.add(limit);
        List<InstanceRow> rows = new ArrayList<>();
        try (ResultSet rs = query(c, sql.toString(), args)) {
            while (rs.next()) {
                rows.add(new InstanceRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), FleetRows.instant(rs, 7), FleetRows.instant(rs, 8), rs.getString(9),
                        rs.getString(10), FleetRows.instant(rs, 11), FleetRows.instant(rs, 12), rs.getLong(13), rs.getLong(14),
                        rs.getLong(15), rs.getLong(16), rs.getLong(17), FleetRows.instant(rs, 18), rs.getBoolean(19),
                        rs.getString(20), rs.getString(21)));
            }
        }
        return rows;
    }

    /** The image row of {@code key} if a token of {@code scope} may see it: any instance in scope, or a * token. */
    Long visibleImage(Connection c, Set<String> scope, String key) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT im.id FROM image im WHERE im.image_key = ?");
        List<Object> args = new ArrayList<>(List.of(key));
        if (scope != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM instance i WHERE i.image_id = im.id AND i.namespace = ANY(?))");
            args.add(scope.toArray(String[]::new));
        }
        try (ResultSet rs = query(c, sql.toString(), args)) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private static void filtered(StringBuilder sql, List<Object> args, Set<String> scope, Filter filter) {
        scoped(sql, args, scope, "i.namespace");
        equal(sql, args, "i.namespace", filter.namespace());
        equal(sql, args, "w.kind", filter.kind());
        equal(sql, args, "w.name", filter.workload());
        equal(sql, args, "i.container_name", filter.container());
    }

    private static void scoped(StringBuilder sql, List<Object> args, Set<String> scope, String column) {
        if (scope != null) {
            sql.append(" AND ").append(column).append(" = ANY(?)");
            args.add(scope.toArray(String[]::new));
        }
    }

    private static void equal(StringBuilder sql, List<Object> args, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }

    /**
     * A connection for one consistent read (repeatable read: every query of a request sees the
     * same snapshot). The caller closes it; the pool rolls the transaction back and resets the
     * connection's read-only flag and isolation before lending it again.
     */
    Connection readOnly() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static ResultSet query(Connection c, String sql, List<Object> args) throws SQLException {
        PreparedStatement statement = c.prepareStatement(sql);
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            if (arg instanceof String[] strings) {
                statement.setArray(i + 1, c.createArrayOf("text", strings));
            } else if (arg instanceof Array array) {
                statement.setArray(i + 1, array);
            } else {
                statement.setObject(i + 1, arg);
            }
        }
        statement.closeOnCompletion();
        return statement.executeQuery();
    }
}
