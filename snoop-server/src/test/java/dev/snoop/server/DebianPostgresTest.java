package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store's tests once more, on Debian's PostgreSQL server instead of the embedded one: the
 * same migrations and the same ingest, on the PostgreSQL a production install would use.
 */
@Timeout(300)
class DebianPostgresTest extends ReportStoreTest {
    private static DebianPostgres postgres;

    @Override
    Database database() throws Exception {
        synchronized (DebianPostgresTest.class) {
            if (postgres == null) {
                postgres = DebianPostgres.start();
            }
            return postgres.database();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    @Test
    void testMigrate_sameSchemaAsEmbedded() throws Exception {
        assertEquals(List.of("image", "image_tree", "instance", "instance_file", "path", "workload"), DatabaseTest.tables(database()));
    }
}
