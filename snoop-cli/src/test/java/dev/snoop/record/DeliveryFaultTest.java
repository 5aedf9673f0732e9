package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.merge.ReportMerger;
import dev.snoop.server.Database;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery under faults (issue 12, "Proved by"): real {@link ApiDelivery} clients, one per
 * simulated pod, deliver growing reports through a {@link FaultProxy} to a real {@code snoop
 * serve} running as a process of its own on its embedded PostgreSQL, which the tests kill with
 * SIGKILL, stop, cut off and flood. Each test ends the same way: the server stopped, its database
 * opened, and for every image the union of the stored files (with their access kinds) and the
 * sum of the instances' counters must equal exactly what a local {@link ReportMerger} of each
 * pod's newest report gives: nothing lost, nothing counted twice.
 */
@Timeout(600)
class DeliveryFaultTest {
    private static final String TOKEN = "fault-test-token";
    /**
     * The backoff cap and the outage of {@link #testOutage_serverStoppedThenBack_deliveredWithinTheBackoffCap}:
     * 2 s and 20 s in the suite; {@code -Dsnoop.fault.capSeconds=300 -Dsnoop.fault.outageSeconds=600}
     * runs the 10-minute outage with the shipped 5-minute cap (docs/server.md, Faults).
     */
    private static final Duration CAP = Duration.ofSeconds(Long.getLong("snoop.fault.capSeconds", 2));
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("snoop.fault.outageSeconds", 20));

    @TempDir
    Path tmp;

    private Path data;
    private Path tokens;
    private ServeProcess server;
    private FaultProxy proxy;
    private final List<SimulatedSidecar> sidecars = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        data = tmp.resolve("pg");
        tokens = Files.writeString(tmp.resolve("tokens"), ServerTokens.sha256Hex(TOKEN) + " shop\n");
        server = ServeProcess.start(data, tokens, 4);
        proxy = new FaultProxy(server.port());
        URI endpoint = URI.create("http://127.0.0.1:" + proxy.port() + "/v1/reports");
        int seed = 0;
        for (String image : List.of("shop", "cart")) {
            for (String replica : List.of("aaaaa", "bbbbb")) {
                sidecars.add(new SimulatedSidecar(image + "-5b8d-" + replica, image, tmp, endpoint, TOKEN, CAP, seed++));
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        sidecars.forEach(SimulatedSidecar::close);
        proxy.close();
        server.close();
        if (Files.exists(data.resolve("postmaster.pid"))) {
            Database.embedded(data, 1).close(); // a killed server's PostgreSQL: stopped, not left behind
        }
    }

    @Test
    void testKill9_midRequestAndMidBurst_nothingLostNothingCountedTwice() throws Exception {
        advanceAll(3);
        awaitUpToDate(Duration.ofSeconds(60));

        // a request half-sent when the server dies
        CountDownLatch held = proxy.holdNext();
        advanceAll(1);
        assertTrue(held.await(30, TimeUnit.SECONDS), "no request was held");
        server.kill9();
        proxy.release();
        advanceAll(2); // written while the server is dead: they supersede the undelivered ones
        restart();
        awaitUpToDate(Duration.ofSeconds(120));

        // killed again in the middle of a burst of full-sized work (some transaction is under way)
        for (SimulatedSidecar s : sidecars) {
            for (int i = 0; i < 5; i++) {
                s.advance();
            }
        }
        awaitRequests(proxy.requests.get() + 2);
        server.kill9();
        restart();
        awaitUpToDate(Duration.ofSeconds(120));
        assertEquals(0, server.terminate(), server.log());
        assertStoredEqualsMerge();
    }

    @Test
    void testCutRequestsAndDroppedAnswers_nothingLostNothingCountedTwice() throws Exception {
        proxy.faults(0.3, 0.3);
        for (int step = 0; step < 12; step++) {
            advanceAll(1);
            awaitUpToDate(Duration.ofSeconds(120));
        }
        assertTrue(proxy.cut.get() > 0 && proxy.dropped.get() > 0, "cut " + proxy.cut + ", dropped " + proxy.dropped);
        proxy.faults(0, 0);
        assertEquals(0, server.terminate(), server.log());
        assertStoredEqualsMerge();
    }

    @Test
    void testStorms429And503_retriedNoSoonerThanRetryAfter() throws Exception {
        advanceAll(2);
        awaitUpToDate(Duration.ofSeconds(60));
        for (int code : new int[] {429, 503}) {
            int before = proxy.answered.get();
            long start = System.nanoTime();
            proxy.answer(code);
            advanceAll(1);
            // a storm of at least three answers for each sidecar
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (proxy.answered.get() - before < 3 * sidecars.size() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20); // polling a counter the proxy's threads raise, until a deadline
            }
            proxy.forward();
            double seconds = (System.nanoTime() - start) / 1e9;
            int answers = proxy.answered.get() - before;
            assertTrue(answers >= 3 * sidecars.size(), code + ": " + answers + " answers");
            // Retry-After: 1 is a floor: each sidecar asks at most once a second, plus its first try
            assertTrue(answers <= sidecars.size() * (Math.ceil(seconds) + 1),
                    code + ": " + answers + " answers in " + seconds + " s from " + sidecars.size() + " sidecars");
            awaitUpToDate(Duration.ofSeconds(60));
        }
        assertEquals(0, server.terminate(), server.log());
        assertStoredEqualsMerge();
    }

    @Test
    void test413FromAnIngress_sentInParts_thenDeltas() throws Exception {
        advanceAll(1);
        awaitUpToDate(Duration.ofSeconds(60));
        proxy.maxBodyBytes(1500); // gzipped; an ingress's limit smaller than the server's
        // new pods, whose first (full) report is over the limit, each step's delta under it
        URI endpoint = URI.create("http://127.0.0.1:" + proxy.port() + "/v1/reports");
        List<SimulatedSidecar> large = List.of(new SimulatedSidecar("shop-5b8d-ccccc", "shop", tmp, endpoint, TOKEN, CAP, 9),
                new SimulatedSidecar("cart-5b8d-ccccc", "cart", tmp, endpoint, TOKEN, CAP, 10));
        sidecars.addAll(large);
        for (SimulatedSidecar s : large) {
            s.advance(12); // one write: the first report the delivery sees is the large one
        }
        awaitUpToDate(Duration.ofSeconds(60));
        advanceAll(2);
        awaitUpToDate(Duration.ofSeconds(60));
        for (SimulatedSidecar s : large) {
            assertTrue(s.registry.get("snoop.api.deliveries").tag("result", "too_large").counter().count() >= 1, s.log());
        }
        for (SimulatedSidecar s : sidecars) {
            assertEquals(0.0, s.registry.get("snoop.api.deliveries").tag("result", "rejected").counter().count(), s.log());
        }
        assertEquals(0, server.terminate(), server.log());
        assertStoredEqualsMerge();
    }

    @Test
    void testDuplicatedAndReorderedDeliveries_changeNothing() throws Exception {
        for (int step = 0; step < 6; step++) {
            advanceAll(1);
            awaitUpToDate(Duration.ofSeconds(60));
        }
        List<FaultProxy.Recorded> requests = new ArrayList<>(proxy.recorded);
        assertTrue(requests.size() >= 6 * sidecars.size(), requests.size() + " requests");
        // every request again, twice, in a shuffled order, straight to the server
        List<FaultProxy.Recorded> replays = new ArrayList<>(requests);
        replays.addAll(requests);
        Collections.shuffle(replays, new Random(3));
        HttpClient client = HttpClient.newHttpClient();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (FaultProxy.Recorded r : replays) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/reports"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(r.body()));
            for (String h : List.of("Authorization", "Content-Type", "Content-Encoding", "Snoop-Delivery")) {
                if (r.header(h) != null) {
                    b.header(h, r.header(h));
                }
            }
            statuses.merge(client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode(), 1, Integer::sum);
        }
        // a full report again: 200, changing nothing; an old delta: 409, its set is not the server's any more
        assertEquals(List.of(200, 409), new ArrayList<>(statuses.keySet()), statuses.toString());
        assertEquals(0, server.terminate(), server.log());
        assertStoredEqualsMerge();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // the class's 10 minutes are too short for the full-size outage
    void testOutage_serverStoppedThenBack_deliveredWithinTheBackoffCap() throws Exception {
        advanceAll(2);
        awaitUpToDate(Duration.ofSeconds(60));
        // 20 s down in the suite (the 10 minutes, scaled: with a 2 s cap instead of 5 min, what
        // matters is that the outage outlasts the backoff's ramp to its cap, as 10 minutes outlast 1 s..5 min)
        long start = System.nanoTime();
        proxy.down();
        assertEquals(0, server.terminate(), server.log());
        while (System.nanoTime() - start < OUTAGE.toNanos()) {
            advanceAll(1);
            TimeUnit.SECONDS.sleep(2); // the pace of the sidecars' writes during the outage, not a wait for anything
        }
        server = ServeProcess.start(data, tokens, 4);
        proxy.target(server.port());
        long back = System.nanoTime();
        proxy.forward();
        awaitUpToDate(CAP.plusSeconds(60));
        double seconds = (System.nanoTime() - back) / 1e9;
        assertTrue(proxy.refused.get() > sidecars.size(), "the sidecars kept trying: " + proxy.refused);
        // each sidecar tries again within the cap; the rest is four small requests on a loaded machine
        assertTrue(seconds < CAP.toSeconds() + 13, "delivered " + seconds + " s after the server was back");
        System.out.printf("outage %d s, cap %d s: delivered %.1f s after the server was back, %d requests refused%n",
                OUTAGE.toSeconds(), CAP.toSeconds(), seconds, proxy.refused.get());
        assertEquals(0, server.terminate(), server.log());
        assertStoredEqualsMerge();
    }

    private void restart() throws Exception {
        server = ServeProcess.start(data, tokens, 4);
        proxy.target(server.port());
    }

    private void advanceAll(int steps) {
        for (int i = 0; i < steps; i++) {
            sidecars.forEach(SimulatedSidecar::advance);
        }
    }

    private void awaitUpToDate(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (sidecars.stream().allMatch(s -> s.delivery.upToDate())) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20); // polling the deliveries' state until a deadline
        }
        StringBuilder logs = new StringBuilder();
        sidecars.forEach(s -> logs.append(s.pod).append(": up to date ").append(s.delivery.upToDate()).append('\n')
                .append(s.log()));
        throw new AssertionError("not delivered in " + timeout + ":\n" + logs + "\nserver:\n" + server.log());
    }

    private void awaitRequests(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (proxy.requests.get() < count && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /** The server's union per image against a local merge of each pod's newest report. */
    private void assertStoredEqualsMerge() throws Exception {
        ReportMerger merger = new ReportMerger(false);
        Map<String, Map<String, Integer>> access = new TreeMap<>();
        for (SimulatedSidecar s : sidecars) {
            merger.add(s.current());
            for (ContainerReport c : s.current().containers()) {
                Map<String, Integer> files = access.computeIfAbsent(c.imageKey(), k -> new TreeMap<>());
                int i = 0;
                for (String path : c.files()) {
                    files.merge(path, c.access().bitsAt(i++), (a, b) -> a | b);
                }
            }
        }
        Report merged = merger.result();
        try (Database db = Database.embedded(data, 1); Connection c = db.dataSource().getConnection()) {
            for (ContainerReport container : merged.containers()) {
                String image = container.imageKey();
                List<String> expected = new ArrayList<>();
                container.files().forEach(expected::add);
                Map<String, Integer> stored = storedFiles(c, image);
                assertEquals(expected, new ArrayList<>(stored.keySet()), image + ": files");
                assertEquals(access.get(image), stored, image + ": access kinds");
                assertEquals(container.totalEvents(), sum(c, image, "total_events"), image + ": total_events");
                assertEquals(container.droppedEvents(), sum(c, image, "dropped_events"), image + ": dropped_events");
                assertEquals(sum(c, image, "file_count"), sum(c, image, "(SELECT count(*) FROM instance_file f "
                        + "WHERE f.instance_id = i.id)"), image + ": file_count");
            }
            c.rollback();
        }
    }

    private static Map<String, Integer> storedFiles(Connection c, String image) throws Exception {
        Map<String, Integer> files = new TreeMap<>();
        try (PreparedStatement q = c.prepareStatement("""
                SELECT p.path, bit_or(f.access) FROM image im JOIN instance i ON i.image_id = im.id
                JOIN instance_file f ON f.instance_id = i.id JOIN path p ON p.id = f.path_id
                WHERE im.image_key = ? GROUP BY p.path""")) {
            q.setString(1, image);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    files.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return files;
    }

    private static long sum(Connection c, String image, String column) throws Exception {
        try (PreparedStatement q = c.prepareStatement("SELECT coalesce(sum(" + column + "), 0) FROM instance i "
                + "JOIN image im ON im.id = i.image_id WHERE im.image_key = ?")) {
            q.setString(1, image);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

}
