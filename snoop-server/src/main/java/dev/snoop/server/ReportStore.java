package dev.snoop.server;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.FileAccess;
import dev.snoop.core.report.Report;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Keeps reports: each call stores one report in one transaction, idempotently. Per container
 * instance the files are a grow-only set (a file once stored stays, its access bits are ORed) and
 * the counters are cumulative (each is kept as the largest value reported, never summed), so a
 * redelivered, duplicated or reordered report changes nothing and any order of the same reports
 * ends in the same state.
 *
 * <p>Rows are locked in one order by every transaction (workloads, images, paths by digest,
 * instances by key, then their files), so concurrent reports do not deadlock; the instance row's
 * lock makes concurrent reports of one instance take turns. A transaction that fails all the same
 * on a serialization failure or deadlock is retried.
 */
final class ReportStore {
    /** Attempts of one report's transaction when PostgreSQL aborts it for a conflict. */
    static final int MAX_ATTEMPTS = 3;

    private static final Instant UNKNOWN_START = Instant.EPOCH;

    private static final String INSERT_WORKLOAD = """
            INSERT INTO workload (namespace, kind, name) VALUES (?, ?, ?)
            ON CONFLICT (namespace, kind, name) DO NOTHING""";
    private static final String SELECT_WORKLOAD = "SELECT id FROM workload WHERE namespace = ? AND kind = ? AND name = ?";
    // DO NOTHING, not DO UPDATE: an update would lock the image's row until commit and make every
    // instance of a popular image wait for the others
    private static final String INSERT_IMAGE = """
            INSERT INTO image (image_key, digest, ref) VALUES (?, ?, ?)
            ON CONFLICT (image_key) DO NOTHING""";
    private static final String SELECT_IMAGE = "SELECT id FROM image WHERE image_key = ?";
    private static final String INSERT_PATHS = """
            INSERT INTO path (digest, path)
            SELECT sha256(convert_to(p, 'UTF8')) AS d, p FROM unnest(?::text[]) AS t(p) ORDER BY d
            ON CONFLICT (digest) DO NOTHING""";
    private static final String UPSERT_INSTANCE = """
            INSERT INTO instance (namespace, pod_name, container_name, started_at, workload_id, image_id,
                container_id, last_updated_at, last_new_file_at, total_events, dropped_events,
                failed_path_reads, unresolved_paths, recording_started_at, completeness_known)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (namespace, pod_name, container_name, started_at) DO UPDATE SET
                image_id = COALESCE(instance.image_id, EXCLUDED.image_id),
                container_id = COALESCE(instance.container_id, EXCLUDED.container_id),
                last_updated_at = GREATEST(instance.last_updated_at, EXCLUDED.last_updated_at),
                last_new_file_at = GREATEST(instance.last_new_file_at, EXCLUDED.last_new_file_at),
                total_events = GREATEST(instance.total_events, EXCLUDED.total_events),
                dropped_events = GREATEST(instance.dropped_events, EXCLUDED.dropped_events),
                failed_path_reads = GREATEST(instance.failed_path_reads, EXCLUDED.failed_path_reads),
                unresolved_paths = GREATEST(instance.unresolved_paths, EXCLUDED.unresolved_paths),
                recording_started_at = LEAST(instance.recording_started_at, EXCLUDED.recording_started_at),
                completeness_known = instance.completeness_known OR EXCLUDED.completeness_known
            RETURNING id, file_count""";
    // xmax = 0 only on a row this statement inserted: the count of new files, told from updated ones
    private static final String INSERT_FILES = """
            WITH input AS (
                SELECT sha256(convert_to(p, 'UTF8')) AS d, a FROM unnest(?::text[], ?::smallint[]) AS t(p, a)
            ), stored AS (
                INSERT INTO instance_file (instance_id, path_id, access)
                SELECT ?, path.id, input.a FROM input JOIN path ON path.digest = input.d ORDER BY path.id
                ON CONFLICT (instance_id, path_id) DO UPDATE SET access = instance_file.access | EXCLUDED.access
                WHERE (instance_file.access | EXCLUDED.access) <> instance_file.access
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM stored""";
    private static final String ADD_FILE_COUNT = "UPDATE instance SET file_count = file_count + ? WHERE id = ?";

    private final DataSource dataSource;

    ReportStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource);
    }

    /**
     * What one report changed.
     *
     * @param containers the container instances the report is about
     * @param newFiles files no earlier report of their instance had
     * @param newAccess files already stored that gained an access kind
     * @param files the files of these instances after the report, new ones included
     */
    record Result(int containers, long newFiles, long newAccess, long files) {}

    /** Where a container's data goes: its instance key and what it points at. */
    private record Target(InstanceKey key, ContainerReport container, String imageKey) {}

    /** An instance's identity: the columns of its unique key. */
    record InstanceKey(String namespace, String podName, String containerName, Instant startedAt)
            implements Comparable<InstanceKey> {
        private static final Comparator<InstanceKey> ORDER = Comparator.comparing(InstanceKey::namespace)
                .thenComparing(InstanceKey::podName).thenComparing(InstanceKey::containerName)
                .thenComparing(InstanceKey::startedAt);

        static InstanceKey of(Report report, ContainerReport container) {
            Instant started = container.startedAt() != null ? container.startedAt()
                    : report.startedAt() != null ? report.startedAt() : UNKNOWN_START;
            return new InstanceKey(orEmpty(report.namespace()), orEmpty(report.podName()), container.name(), started);
        }

        @Override
        public int compareTo(InstanceKey other) {
            return ORDER.compare(this, other);
        }
    }

    /**
     * Stores {@code report}, committed when this returns.
     *
     * @throws SQLException if the database fails or stays in conflict over {@link #MAX_ATTEMPTS}
     */
    Result store(Report report) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                try {
                    Result result = store(c, report);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                if (attempt >= MAX_ATTEMPTS || !retryable(e)) {
                    throw e;
                }
            }
        }
    }

    /** 40001 serialization failure, 40P01 deadlock: the transaction was undone and may be run again. */
    static boolean retryable(SQLException e) {
        return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
    }

    private Result store(Connection c, Report report) throws SQLException {
        Workload workload = Workload.of(report);
        long workloadId = idOf(c, INSERT_WORKLOAD, SELECT_WORKLOAD, workload.namespace(), workload.kind(), workload.name());

        // the same instance twice in one report (two entries of one container name): one target each,
        // stored in turn, which the set semantics make the same as their union
        List<Target> targets = new ArrayList<>();
        TreeMap<String, ContainerReport> images = new TreeMap<>();
        for (ContainerReport container : report.containers()) {
            targets.add(new Target(InstanceKey.of(report, container), container, container.imageKey()));
            if (container.imageKey() != null) {
                images.putIfAbsent(container.imageKey(), container);
            }
        }
        targets.sort(Comparator.comparing(Target::key));

        TreeMap<String, Long> imageIds = new TreeMap<>();
        for (var image : images.entrySet()) {
            imageIds.put(image.getKey(), idOf(c, INSERT_IMAGE, SELECT_IMAGE, image.getKey(),
                    image.getValue().imageDigest(), image.getValue().imageRef()));
        }

        List<String> paths = new ArrayList<>();
        for (Target target : targets) {
            for (String path : target.container().files()) {
                paths.add(path);
            }
        }
        if (!paths.isEmpty()) {
            try (PreparedStatement insert = c.prepareStatement(INSERT_PATHS)) {
                insert.setArray(1, c.createArrayOf("text", paths.toArray()));
                insert.executeUpdate();
            }
        }

        long newFiles = 0;
        long newAccess = 0;
        // by instance: its file count after this report (a later entry of the same instance sees the earlier's)
        TreeMap<InstanceKey, Long> filesAfter = new TreeMap<>();
        for (Target target : targets) {
            long[] instance = upsertInstance(c, report, target, workloadId, target.imageKey() == null ? null : imageIds.get(target.imageKey()));
            long[] stored = insertFiles(c, instance[0], target.container());
            if (stored[0] > 0) {
                try (PreparedStatement add = c.prepareStatement(ADD_FILE_COUNT)) {
                    add.setLong(1, stored[0]);
                    add.setLong(2, instance[0]);
                    add.executeUpdate();
                }
            }
            newFiles += stored[0];
            newAccess += stored[1];
            filesAfter.put(target.key(), instance[1] + stored[0]);
        }
        long files = filesAfter.values().stream().mapToLong(Long::longValue).sum();
        return new Result(filesAfter.size(), newFiles, newAccess, files);
    }

    /** Returns the instance's id and its file count before this report. */
    private static long[] upsertInstance(Connection c, Report report, Target target, long workloadId, Long imageId) throws SQLException {
        ContainerReport container = target.container();
        InstanceKey key = target.key();
        try (PreparedStatement upsert = c.prepareStatement(UPSERT_INSTANCE)) {
            upsert.setString(1, key.namespace());
            upsert.setString(2, key.podName());
            upsert.setString(3, key.containerName());
            upsert.setObject(4, timestamp(key.startedAt()));
            upsert.setLong(5, workloadId);
            upsert.setObject(6, imageId, Types.BIGINT);
            upsert.setString(7, container.containerId());
            upsert.setObject(8, timestamp(container.lastUpdatedAt()), Types.TIMESTAMP_WITH_TIMEZONE);
            upsert.setObject(9, container.completeness() == null ? null : timestamp(container.completeness().lastNewFileAt()),
                    Types.TIMESTAMP_WITH_TIMEZONE);
            upsert.setLong(10, container.totalEvents());
            upsert.setLong(11, container.droppedEvents());
            upsert.setLong(12, container.completeness() == null ? 0 : container.completeness().failedPathReads());
            upsert.setLong(13, container.completeness() == null ? 0 : container.completeness().unresolvedPaths());
            // for the fleet API (V2__fleet.sql): whether the container was recorded from its start, whether complete is known
            upsert.setObject(14, timestamp(report.startedAt()), Types.TIMESTAMP_WITH_TIMEZONE);
            upsert.setBoolean(15, container.completeness() != null);
            try (ResultSet rs = upsert.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** Returns how many files were new and how many gained an access kind. */
    private static long[] insertFiles(Connection c, long instanceId, ContainerReport container) throws SQLException {
        SortedPaths files = container.files();
        if (files.size() == 0) {
            return new long[2];
        }
        String[] paths = new String[files.size()];
        Short[] access = new Short[files.size()];
        FileAccess kinds = container.access();
        int i = 0;
        for (String path : files) {
            paths[i] = path;
            access[i] = (short) (kinds == null ? 0 : kinds.bitsAt(i));
            i++;
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT_FILES)) {
            insert.setArray(1, c.createArrayOf("text", paths));
            insert.setArray(2, c.createArrayOf("int2", access));
            insert.setLong(3, instanceId);
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** Inserts a dictionary row unless it exists, then reads its id: no row lock is taken either way. */
    private static long idOf(Connection c, String insert, String select, String... values) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(insert)) {
            for (int i = 0; i < values.length; i++) {
                statement.setString(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
        try (PreparedStatement statement = c.prepareStatement(select)) {
            int keys = select.split("\\?", -1).length - 1;
            for (int i = 0; i < keys; i++) {
                statement.setString(i + 1, values[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("row vanished after insert: " + select);
                }
                return rs.getLong(1);
            }
        }
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
