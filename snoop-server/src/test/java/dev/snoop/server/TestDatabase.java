package dev.snoop.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * One embedded PostgreSQL for all the tests of a JVM (it takes seconds to start), emptied by each
 * test that wants a clean store. Stopped by the library's shutdown hook.
 */
final class TestDatabase {
    private static Database shared;

    private TestDatabase() {}

    static synchronized Database shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("snoop-server-test-pg");
                shared = Database.embeddedTemporary(dir, 8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** Deletes every row the store keeps. */
    static void truncate(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().execute("TRUNCATE image_tree, instance_file, instance, path, image, workload RESTART IDENTITY");
            c.commit();
        }
    }

    /** Everything stored, by natural keys (not ids, which depend on the order of arrival), sorted. */
    static List<String> snapshot(DataSource dataSource) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            query(c, rows, "SELECT 'workload', namespace, kind, name FROM workload");
            query(c, rows, "SELECT 'image', image_key, digest, ref FROM image");
            query(c, rows, "SELECT 'path', encode(digest, 'hex'), path FROM path");
            query(c, rows, """
                    SELECT 'instance', i.namespace, i.pod_name, i.container_name, i.started_at, w.kind, w.name,
                        im.image_key, i.container_id, i.last_updated_at, i.last_new_file_at, i.total_events,
                        i.dropped_events, i.failed_path_reads, i.unresolved_paths, i.file_count, i.checksum
                    FROM instance i JOIN workload w ON w.id = i.workload_id LEFT JOIN image im ON im.id = i.image_id""");
            query(c, rows, """
                    SELECT 'file', i.namespace, i.pod_name, i.container_name, i.started_at, p.path, f.access
                    FROM instance_file f JOIN instance i ON i.id = f.instance_id JOIN path p ON p.id = f.path_id""");
            c.rollback();
        }
        rows.sort(null);
        return rows;
    }

    private static void query(Connection c, List<String> rows, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
    }
}
