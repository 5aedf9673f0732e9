package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.Report;
import dev.snoop.core.report.SetChecksum;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Deltas checked against the checksum of the sender's whole set (docs/server.md, "Deltas"). */
@Timeout(120)
class DeltaStoreTest {
    DataSource db;
    ReportStore store;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.shared().dataSource();
        TestDatabase.truncate(db);
        store = new ReportStore(db);
    }

    static Report shop(int seq) {
        return Reports.growing("shop", "shop-5b8d-aaaaa", "shop", seq, 10);
    }

    @Test
    void testStore_checksum_isTheSendersChecksumOfTheSameSet() throws Exception {
        assertEquals(SetChecksum.of(shop(2)), store.store(shop(2)).checksum());
        // seq 3 gains files and turns some "r" into "xr": the sum follows both
        assertEquals(SetChecksum.of(shop(3)), store.store(shop(3)).checksum());
        assertEquals(SetChecksum.of(shop(3)), store.store(shop(1)).checksum(), "an older report changes nothing");
    }

    @Test
    void testStore_matchingDelta_storedAsTheFullReportWouldBe() throws Exception {
        store.store(shop(3));
        List<String> full = TestDatabase.snapshot(db);
        TestDatabase.truncate(db);

        store.store(shop(2));
        Report delta = Reports.delta(shop(3), shop(2));
        assertTrue(delta.fileCount() < shop(3).fileCount() / 2, "a delta is small: " + delta.fileCount());
        ReportStore.Result result = store.store(delta, SetChecksum.of(shop(3)));
        assertFalse(result.resync(), result.toString());
        assertEquals(shop(3).fileCount(), result.files());
        assertEquals(full, TestDatabase.snapshot(db));
        // the same delta again (a redelivery) still matches and changes nothing
        assertFalse(store.store(delta, SetChecksum.of(shop(3))).resync());
        assertEquals(full, TestDatabase.snapshot(db));
    }

    @Test
    void testStore_deltaOverALostDelivery_resyncAndNothingStored() throws Exception {
        store.store(shop(1));
        List<String> before = TestDatabase.snapshot(db);
        // the delivery of seq 2 was lost: the delta of seq 3 over seq 2 leaves a gap
        ReportStore.Result result = store.store(Reports.delta(shop(3), shop(2)), SetChecksum.of(shop(3)));
        assertTrue(result.resync(), result.toString());
        assertEquals(0, result.newFiles());
        assertEquals(before, TestDatabase.snapshot(db), "a rejected delta is rolled back");
        // the full report mends it
        assertFalse(store.store(shop(3), SetChecksum.of(shop(3))).resync());
    }

    @Test
    void testStore_serverHasMoreThanTheSender_resync() throws Exception {
        store.store(Reports.report("ns", "p", "app", "img", Map.of("/a", "r", "/extra", "r"), 1, 0));
        Report mine = Reports.report("ns", "p", "app", "img", Map.of("/a", "r", "/b", "r"), 2, 0);
        assertTrue(store.store(mine, SetChecksum.of(mine)).resync(), "same count, other set: the sum differs");
    }

    @Test
    void testStore_instanceStoredBeforeChecksums_computedFromItsRows() throws Exception {
        store.store(shop(2));
        try (Connection c = db.getConnection()) {
            c.createStatement().execute("UPDATE instance SET checksum = NULL"); // as V3 leaves older rows
            c.commit();
        }
        ReportStore.Result result = store.store(Reports.delta(shop(3), shop(2)), SetChecksum.of(shop(3)));
        assertFalse(result.resync(), result.toString());
        assertEquals(SetChecksum.of(shop(3)).sum(), ReportStoreTest.count(db, "SELECT checksum FROM instance"));
    }

    @Test
    void testSetChecksum_definition_asDocumented() {
        // docs/server.md gives these values so that another client can check its implementation
        assertEquals("8ab1d87514380090", Long.toHexString(SetChecksum.fileHash("/etc/hostname", 2)));
        assertEquals("5ad904a8f89eaaf3", Long.toHexString(SetChecksum.fileHash("/bin/sh", 3)));
        SetChecksum two = SetChecksum.EMPTY.plus(SetChecksum.fileHash("/etc/hostname", 2))
                .plus(SetChecksum.fileHash("/bin/sh", 3));
        assertEquals(2, two.files());
        assertEquals(two, SetChecksum.EMPTY.plus(SetChecksum.fileHash("/bin/sh", 3))
                .plus(SetChecksum.fileHash("/etc/hostname", 2)), "order-independent");
        assertEquals("e58add1e0cd6ab83", two.hex());
        assertEquals(two.sum(), SetChecksum.parseSum(two.hex()));
    }
}
