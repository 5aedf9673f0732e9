package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real recorder in a memory cgroup held at its limit by page cache (a reader in the same cgroup
 * fills it): the cgroup's limit events and the process's major faults reach the metrics, and
 * /healthz says what snoop_memory_pressure says, 200 either way. Whether this much is pressure
 * depends on how many of the recorder's own pages the kernel takes and it reads back (page cache
 * meeting the limit alone is how every container that reads files lives): MemoryPressureTest
 * decides that on fed counters, and docs/performance.md shows a real thrash, at 5,000 major faults
 * a second, flagged. Needs the cgroup v1 memory controller of a hybrid host such as the CI
 * machine's.
 */
@Tag("bpf")
class RecordMemoryPressureTest {
    private static final Path V1 = Path.of("/sys/fs/cgroup/memory");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void testCgroupAtItsLimitByPageCache_limitEventsCounted_healthzSaysWhatTheGaugeSays() throws Exception {
        BpfTests.require();
        if (!Files.exists(V1.resolve("memory.limit_in_bytes"))) {
            // a v2-only host enables the memory controller per subtree, which this test does not set up
            BpfTests.gate("no cgroup v1 memory controller at " + V1);
        }
        Path memcg = Files.createDirectories(V1.resolve("snoop-pressure-" + ProcessHandle.current().pid()));
        Path limit = memcg.resolve("memory.limit_in_bytes");
        try (TestCgroup pod = TestCgroup.create("snoop-pressure");
                // a heap of fixed size, touched at start: the limit is met by page cache, not by the heap growing
                SnoopProcess snoop = SnoopProcess.start(memcg, List.of("env", "JAVA_TOOL_OPTIONS=-Xms48m -Xmx48m -XX:+AlwaysPreTouch"),
                        "--cgroup", pod.child("app").toString(), "--report-path", tmp.resolve("r.json").toString(),
                        "--report-interval", "1s", "--metrics-addr", "127.0.0.1:0")) {
            snoop.awaitRecording(Duration.ofSeconds(60));
            String base = "http://127.0.0.1:" + snoop.metricsPort();
            long usage = Long.parseLong(Files.readString(memcg.resolve("memory.usage_in_bytes")).trim());
            // headroom for what the JVM still allocates (the first scrapes, C1's code): the reader's
            // page cache fills it and meets the limit, which the kernel answers by reclaiming that
            // cache. 8 MiB was too little on a loaded machine: the OOM killer took snoop.
            Files.writeString(limit, Long.toString(usage + (32 << 20)));
            Path big = Files.createTempFile(tmp, "cache", ".bin");
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
                f.setLength(96 << 20); // more than the headroom: the cache meets the limit on every pass
            }
            Process reader = new ProcessBuilder("sh", "-c", "echo $$ > " + memcg.resolve("cgroup.procs")
                    + " && while :; do cat \"$0\" > /dev/null; done", big.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (metric(snoop, memcg, base, "snoop_memory_limit_events_total") == 0) {
                    assertTrue(System.nanoTime() < deadline, "no limit events counted within 30 s:\n" + snoop.log());
                    Thread.sleep(200); // polling the scrape, with a deadline
                }
                assertTrue(metric(snoop, memcg, base, "snoop_major_faults_total") >= 0);
                // the scrape is at most a second old; the body is read now: compare until they agree
                String body;
                double pressure;
                do {
                    assertTrue(System.nanoTime() < deadline, "/healthz and snoop_memory_pressure disagree:\n" + snoop.log());
                    pressure = metric(snoop, memcg, base, "snoop_memory_pressure");
                    HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, health.statusCode());
                    body = health.body();
                } while (pressure == 1.0 != body.startsWith("degraded: memory pressure ("));
                assertTrue(body.equals("ok\n") || pressure == 1.0, body);
            } finally {
                reader.destroyForcibly().waitFor();
            }
            Files.writeString(limit, "-1");
            assertEquals(0, snoop.terminate(), snoop.log());
        } finally {
            Files.writeString(limit, "-1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(memcg)) {
                try {
                    Files.delete(memcg); // rmdir: once the stopped processes have left it
                } catch (java.io.IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    private static double metric(SnoopProcess snoop, Path memcg, String base, String name) throws Exception {
        if (!snoop.process().isAlive()) {
            throw new AssertionError("snoop exited with " + snoop.process().exitValue() + " ("
                    + Files.readString(memcg.resolve("memory.oom_control")).replace('\n', ' ') + "):\n" + snoop.log());
        }
        String text = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(name + " missing:\n" + text));
    }
}
