package dev.snoop.server;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.FileAccess;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.SetChecksum;
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
            RETURNING id, file_count, checksum""";
    // The files that changed: new ones (old access null) and those that gained an access kind, with
    // their access before and after. Every part of the statement sees the rows as they were before
    // it, so "old" is the state this report found; the instance row's lock keeps anyone else out.
    private static final String INSERT_FILES = """
            WITH input AS (
                SELECT sha256(convert_to(p, 'UTF8')) AS d, p, a FROM unnest(?::text[], ?::smallint[]) AS t(p, a)
            ), src AS (
                SELECT path.id AS path_id, input.p, input.a FROM input JOIN path ON path.digest = input.d
            ), old AS (
                SELECT f.path_id, f.access FROM instance_file f JOIN src ON src.path_id = f.path_id
                WHERE f.instance_id = ?
            ), stored AS (
                INSERT INTO instance_file (instance_id, path_id, access)
                SELECT ?, path_id, a FROM src ORDER BY path_id
                ON CONFLICT (instance_id, path_id) DO UPDATE SET access = instance_file.access | EXCLUDED.access
                WHERE (instance_file.access | EXCLUDED.access) <> instance_file.access
                RETURNING path_id, access
            )
            SELECT src.p, old.access, stored.access
            FROM stored JOIN src ON src.path_id = stored.path_id LEFT JOIN old ON old.path_id = stored.path_id""";
    private static final String UPDATE_SET = "UPDATE instance SET file_count = ?, checksum = ? WHERE id = ?";
    private static final String ALL_FILES = """
            SELECT p.path, f.access FROM instance_file f JOIN path p ON p.id = f.path_id WHERE f.instance_id = ?""";

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
     * @param checksum the checksum of these instances' stored sets after the report (its files: {@code files})
     * @param resync a delta whose checksum did not match the stored sets: nothing was stored, the
     *     client must send its full report
     */
    record Result(int containers, long newFiles, long newAccess, long files, SetChecksum checksum, boolean resync) {}

    /** An instance as this report leaves it. */
    private record Stored(long id, SetChecksum set) {}

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
        return store(report, null);
    }

    /**
     * Stores {@code report}, a delta when {@code expected} is the checksum of the sender's whole
     * set: committed only if the instances' stored sets then match it exactly, else rolled back
     * with {@link Result#resync()}.
     */
    Result store(Report report, SetChecksum expected) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                try {
                    Result result = store(c, report);
                    if (expected != null && !expected.equals(result.checksum())) {
                        c.rollback();
                        return new Result(result.containers(), 0, 0, result.files(), result.checksum(), true);
                    }
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
        // by instance, as this report leaves it
        TreeMap<InstanceKey, Stored> after = new TreeMap<>();
        for (Target target : targets) {
            // a second entry of the same instance finds what the first stored: this transaction's own update
            Stored instance = upsertInstance(c, report, target, workloadId,
                    target.imageKey() == null ? null : imageIds.get(target.imageKey()));
            SetChecksum set = instance.set();
            long[] counts = new long[2];
            set = insertFiles(c, instance.id(), target.container(), set, counts);
            if (instance.set() == null) {
                set = storedSet(c, instance.id()); // stored before checksums were kept: counted once, now
            }
            if (!set.equals(instance.set())) {
                try (PreparedStatement update = c.prepareStatement(UPDATE_SET)) {
                    update.setLong(1, set.files());
                    update.setLong(2, set.sum());
                    update.setLong(3, instance.id());
                    update.executeUpdate();
                }
            }
            newFiles += counts[0];
            newAccess += counts[1];
            after.put(target.key(), new Stored(instance.id(), set));
        }
        SetChecksum total = SetChecksum.EMPTY;
        for (Stored instance : after.values()) {
            total = total.plus(instance.set());
        }
        return new Result(after.size(), newFiles, newAccess, total.files(), total, false);
    }

    /** Returns the instance's id and its set before this report (null sum: not known yet). */
    private static Stored upsertInstance(Connection c, Report report, Target target, long workloadId, Long imageId) throws SQLException {
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
                long id = rs.getLong(1);
                long files = rs.getLong(2);
                long sum = rs.getLong(3);
                return new Stored(id, rs.wasNull() ? null : new SetChecksum(sum, files));
            }
        }
    }

    /**
     * Stores the container's files; returns the instance's set after them ({@code set} is the set
     * before, or null if unknown), and counts new files in {@code counts[0]} and files that gained
     * an access kind in {@code counts[1]}.
     */
    private static SetChecksum insertFiles(Connection c, long instanceId, ContainerReport container, SetChecksum set,
            long[] counts) throws SQLException {
        SortedPaths files = container.files();
        if (files.size() == 0) {
            return set;
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
        SetChecksum result = set == null ? SetChecksum.EMPTY : set;
        try (PreparedStatement insert = c.prepareStatement(INSERT_FILES)) {
            insert.setArray(1, c.createArrayOf("text", paths));
            insert.setArray(2, c.createArrayOf("int2", access));
            insert.setLong(3, instanceId);
            insert.setLong(4, instanceId);
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    String path = rs.getString(1);
                    int old = rs.getShort(2);
                    boolean inserted = rs.wasNull();
                    long now = SetChecksum.fileHash(path, rs.getShort(3));
                    if (inserted) {
                        counts[0]++;
                        result = result.plus(now);
                    } else {
                        counts[1]++;
                        result = result.replaced(SetChecksum.fileHash(path, old), now);
                    }
                }
            }
        }
        return result;
    }

    /** The checksum of everything stored for an instance, read row by row. */
    private static SetChecksum storedSet(Connection c, long instanceId) throws SQLException {
        SetChecksum set = SetChecksum.EMPTY;
        try (PreparedStatement select = c.prepareStatement(ALL_FILES)) {
            select.setLong(1, instanceId);
            select.setFetchSize(10_000);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    set = set.plus(SetChecksum.fileHash(rs.getString(1), rs.getShort(2)));
                }
            }
        }
        return set;
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
