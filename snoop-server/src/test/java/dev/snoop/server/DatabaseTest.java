package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DatabaseTest {
    @TempDir
    Path dir;

    @Test
    void testEmbedded_migratesAndKeepsDataAcrossRestart() throws Exception {
        try (Database db = Database.embedded(dir.resolve("pg"), 2)) {
            assertTrue(db.ready());
            assertEquals(List.of("image", "image_tree", "instance", "instance_file", "path", "workload"), tables(db));
            try (Connection c = db.dataSource().getConnection()) {
                c.createStatement().execute("INSERT INTO image (image_key) VALUES ('sha256:kept')");
                c.commit();
            }
        }
        try (Database db = Database.embedded(dir.resolve("pg"), 2);
                Connection c = db.dataSource().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT image_key FROM image")) {
            assertTrue(rs.next());
            assertEquals("sha256:kept", rs.getString(1));
        }
    }

    @Test
    void testEmbedded_afterTheServerWasKilled_startsAgain() throws Exception {
        Path data = dir.resolve("pg");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OrphanMain.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream()));
            List<String> log = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                log.add(line);
            }
            assertEquals("ready", line, String.join("\n", log));
        } finally {
            server.destroyForcibly().waitFor(); // kill -9: PostgreSQL stays behind, holding the data directory
        }
        assertTrue(Files.exists(data.resolve("postmaster.pid")));
        try (Database db = Database.embedded(data, 2);
                Connection c = db.dataSource().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT image_key FROM image")) {
            assertTrue(rs.next());
            assertEquals("sha256:before-the-kill", rs.getString(1));
        }
    }

    static List<String> tables(Database db) throws Exception {
        List<String> tables = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT tablename FROM pg_tables "
                        + "WHERE schemaname = 'public' AND tablename <> 'flyway_schema_history' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }
}
