package dev.snoop.server;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Deletes the instances whose last report is older than the retention, with their files; the
 * dictionary rows (paths, images, workloads) they used stay, shared or not. Run periodically by
 * the server ({@link #intervalOf}); several servers on one database may run it at once.
 *
 * <p>Each transaction takes a few instances: their rows are locked first ({@code FOR UPDATE SKIP
 * LOCKED}: an instance whose report is being stored is left for the next run, and the lock order
 * is the store's, instance before files, so the two never deadlock), then their files go, then
 * they. A report arriving just after makes its instance anew.
 */
final class Retention {
    /** Instances a transaction deletes: at 10,000 files each, 100,000 rows, a short transaction. */
    static final int BATCH_INSTANCES = 10;

    private static final String SELECT_EXPIRED = """
            SELECT id FROM instance WHERE last_report_at < now() - ? * interval '1 millisecond'
            ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED""";
    private static final String DELETE_FILES = "DELETE FROM instance_file WHERE instance_id = ANY (?)";
    private static final String DELETE_INSTANCES = "DELETE FROM instance WHERE id = ANY (?)";

    private final DataSource dataSource;
    private final Duration keep;

    Retention(DataSource dataSource, Duration keep) {
        this.dataSource = dataSource;
        this.keep = keep;
    }

    /** How often to run for a retention: a tenth of it, between a minute and an hour. */
    static Duration intervalOf(Duration keep) {
        Duration tenth = keep.dividedBy(10);
        return tenth.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1)
                : tenth.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : tenth;
    }

    Duration keep() {
        return keep;
    }

    /** Deletes every expired instance; returns how many. */
    long run() throws SQLException {
        long deleted = 0;
        while (true) {
            int batch = deleteBatch();
            deleted += batch;
            if (batch < BATCH_INSTANCES) {
                return deleted;
            }
        }
    }

    private int deleteBatch() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try {
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement select = c.prepareStatement(SELECT_EXPIRED)) {
                    select.setLong(1, keep.toMillis());
                    select.setInt(2, BATCH_INSTANCES);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                if (!ids.isEmpty()) {
                    Array array = c.createArrayOf("bigint", ids.toArray());
                    for (String sql : List.of(DELETE_FILES, DELETE_INSTANCES)) {
                        try (PreparedStatement delete = c.prepareStatement(sql)) {
                            delete.setArray(1, array);
                            delete.executeUpdate();
                        }
                    }
                }
                c.commit();
                return ids.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
