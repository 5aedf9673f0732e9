package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.snoop.core.path.PathFilter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric docs/recording.md lists, scraped from the real endpoint of a recorder running in this
 * JVM after a full GC: Micrometer holds what gauges and function counters read only weakly, so a
 * value that nothing else holds is lost at the first collection (issue 9, defect 3).
 */
@Tag("bpf")
@Timeout(120)
class RecorderMetricsTest {
    private static final Pattern DOCUMENTED = Pattern.compile("`((?:snoop|process|jvm)_[a-z_]+)");
    private static final Pattern METRICS_ADDRESS = Pattern.compile("msg=recording .*metrics=\\S*?:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    @BeforeEach
    void requireBpf() {
        BpfTests.require();
    }

    @Test
    void testEveryDocumentedMetric_afterAFullGc_hasItsValue() throws Exception {
        // two lines of the labels file cannot be read, one target is not cgroup v2, one is not there yet
        Path labels = Files.writeString(tmp.resolve("labels"), "app=\"web\"\nbroken\ntier=\"unterminated\n");
        Path report = tmp.resolve("report.json");
        Map<String, DoublePredicate> expected = new LinkedHashMap<>();
        expected.put("snoop_events_total", v -> v >= 1);
        expected.put("snoop_events_dropped_total", v -> v == 0);
        expected.put("snoop_events_deduplicated_total", v -> v >= 0);
        expected.put("snoop_events_emitted_total", v -> v >= 1);
        expected.put("snoop_path_read_failures_total", v -> v >= 0);
        expected.put("snoop_paths_unresolved_total", v -> v >= 0);
        expected.put("snoop_events_unattributed_total", v -> v >= 0);
        expected.put("snoop_unique_files", v -> v >= 1);
        expected.put("snoop_targets_waiting", v -> v == 1);
        expected.put("snoop_target_errors_total", v -> v == 1);
        expected.put("snoop_metadata_errors_total", v -> v == 0); // no Kubernetes API here
        expected.put("snoop_labels_file_errors_total", v -> v == 2);
        expected.put("snoop_report_writes_total", v -> v >= 1);
        expected.put("snoop_report_write_errors_total", v -> v == 0);
        expected.put("snoop_probes_attached", v -> v >= 1);
        expected.put("snoop_bpf_map_max_entries", v -> v >= 1);
        expected.put("snoop_memory_pressure", v -> v == 0 || v == 1); // the test JVM's own cgroup decides
        expected.put("snoop_major_faults_total", v -> v >= 0);
        expected.put("snoop_memory_limit_events_total", v -> v >= 0);
        expected.put("process_cpu_seconds_total", v -> v > 0);
        expected.put("process_resident_memory_bytes", v -> v > 0);
        expected.put("jvm_heap_used_bytes", v -> v > 0);
        expected.put("jvm_heap_committed_bytes", v -> v > 0);
        expected.put("jvm_heap_max_bytes", v -> v > 0);
        // only present when a probe could not attach; then 1 each
        Map<String, DoublePredicate> optional = Map.of("snoop_probes_skipped", v -> v == 1);
        TreeSet<String> untested = new TreeSet<>(documentedMetrics());
        untested.removeAll(expected.keySet());
        untested.removeAll(optional.keySet());
        assertEquals(List.of(), List.copyOf(untested), "documented metrics this test does not check");

        try (TestCgroup pod = TestCgroup.create("snoop-metrics")) {
            Path app = pod.child("app");
            RecordConfig config = new RecordConfig(
                    TargetSpec.of(List.of(app, Path.of("/sys/fs/cgroup/memory/not-v2"), pod.dir().resolve("later")), List.of()),
                    PathFilter.defaults(), report, Duration.ofSeconds(1), null, null, null, null, null,
                    new InetSocketAddress("127.0.0.1", 0), 1 << 20, null, null, null, labels, tmp.resolve("no-containerd"),
                    ExistingReport.check(report, "--report-path", null, null, false), null, List.of());
            StringWriter logText = new StringWriter();
            Recorder recorder = new Recorder(config, new Log(new PrintWriter(logText, true), Log.Level.INFO));
            int[] exit = {-1};
            Thread thread = new Thread(() -> exit[0] = recorder.run(), "recorder-under-test");
            thread.start();
            try {
                int port = awaitPort(logText, thread);
                Process cat = TestCgroup.in(app, List.of("cat", "/etc/hostname")).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                assertTrue(cat.waitFor(30, TimeUnit.SECONDS) && cat.exitValue() == 0, "workload failed");
                forceFullGc();
                String url = "http://127.0.0.1:" + port + "/metrics";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                List<String> wrong;
                String text;
                do {
                    text = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
                    wrong = wrongValues(text, expected, optional);
                    if (wrong.isEmpty()) {
                        break;
                    }
                    Thread.sleep(100); // polling a scrape: the values settle within a refresh or two
                } while (System.nanoTime() < deadline);
                assertEquals(List.of(), wrong, "after a full GC:\n" + text);
            } finally {
                recorder.stop();
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertEquals(0, exit[0], logText.toString());
        }
    }

    /** The metric names in the table of docs/recording.md's metrics section. */
    private static List<String> documentedMetrics() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "recording.md"));
        int start = doc.indexOf("## Metrics and health");
        int end = doc.indexOf("\n## ", start + 1);
        List<String> names = new ArrayList<>();
        for (String line : doc.substring(start, end).lines().filter(l -> l.startsWith("| `")).toList()) {
            Matcher m = DOCUMENTED.matcher(line.substring(0, line.indexOf('|', 1)));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        assertTrue(names.size() > 10, "no metrics table found in docs/recording.md");
        return names;
    }

    private static List<String> wrongValues(String text, Map<String, DoublePredicate> expected,
            Map<String, DoublePredicate> optional) {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, DoublePredicate> e : expected.entrySet()) {
            List<Double> values = samples(text, e.getKey());
            if (values.isEmpty()) {
                wrong.add(e.getKey() + " missing");
            } else if (!e.getValue().test(values.stream().mapToDouble(Double::doubleValue).sum())
                    || values.stream().anyMatch(v -> v.isNaN())) {
                wrong.add(e.getKey() + " " + values);
            }
        }
        for (Map.Entry<String, DoublePredicate> e : optional.entrySet()) {
            for (double v : samples(text, e.getKey())) {
                if (!e.getValue().test(v)) {
                    wrong.add(e.getKey() + " " + v);
                }
            }
        }
        return wrong;
    }

    /** The values of every sample of {@code name} (any labels) in Prometheus text. */
    static List<Double> samples(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
    }

    /** Collects until a weakly held canary is gone: every weak reference is then cleared as well. */
    static void forceFullGc() {
        WeakReference<Object> canary = new WeakReference<>(new Object());
        for (int i = 0; canary.get() != null; i++) {
            if (i == 50) {
                fail("a weakly held object survived 50 System.gc() calls");
            }
            System.gc();
        }
    }

    private static int awaitPort(StringWriter log, Thread recorder) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = METRICS_ADDRESS.matcher(log.toString());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!recorder.isAlive()) {
                fail("the recorder stopped before recording:\n" + log);
            }
            Thread.sleep(20); // polling the log for the line, with a deadline
        }
        throw new AssertionError("the recorder did not start within 30 s:\n" + log);
    }
}
