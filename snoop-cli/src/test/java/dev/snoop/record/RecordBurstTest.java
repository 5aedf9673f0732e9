package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container that starts with a burst of distinct files while the Kubernetes API is slow: looking
 * its name up must never stop the ring buffer from being drained.
 */
@Tag("bpf")
class RecordBurstTest {
    private static final int FILES = 200_000;
    private static final Duration API_DELAY = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    @BeforeEach
    void requireBpf() {
        BpfTests.require();
        BpfTests.requireTool("unshare", "mount");
    }

    @Test
    void testRecord_burstWhileTheKubernetesApiIsSlow_dropsNothingAndNamesTheContainerLater() throws Exception {
        Path burst = compile(tmp.resolve("burst_files"));
        Path files = Files.createDirectories(tmp.resolve("files"));
        Commands.run(Duration.ofSeconds(30), List.of("mount", "-t", "tmpfs", "-o", "size=256m", "snoop-burst", files.toString()));
        Path report = tmp.resolve("report.json");
        try (SlowKubernetesApi api = SlowKubernetesApi.start(Files.createDirectories(tmp.resolve("api")), API_DELAY);
                TestCgroup pod = TestCgroup.create("snoop-burst")) {
            Commands.run(Duration.ofSeconds(120), List.of(burst.toString(), "mktree", files.toString(), String.valueOf(FILES)));
            String id = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
            String burstOutput;
            try (SnoopProcess snoop = SnoopProcess.start(pod.child("snoop"), api.inPod(), "--report-path", report.toString(),
                    "--report-interval", "1s", "--metrics-addr", "off", "--pod-name", SlowKubernetesApi.POD,
                    "--namespace", SlowKubernetesApi.NAMESPACE)) {
                snoop.awaitRecording(Duration.ofSeconds(60));
                Path container = pod.child("cri-containerd-" + id + ".scope");
                burstOutput = Commands.run(Duration.ofSeconds(120), TestCgroup.in(container,
                        List.of(burst.toString(), "open", files.toString(), String.valueOf(FILES))));
                api.start(id); // the kubelet shows a container's status once it runs: later asks see it
                // the name comes from the API, seconds later; the final report must carry it
                boolean named = awaitLine(snoop, "name=app", API_DELAY.multipliedBy(4));
                assertEquals(0, snoop.terminate(), snoop.log());
                Report written = ReportJson.read(report, w -> {});
                assertEquals(1, written.containers().size(), written.containers().toString());
                ContainerReport entry = written.containers().get(0);
                long recorded = countUnder(entry.files(), files);
                String numbers = burstOutput.strip() + "; " + recorded + " of " + FILES + " files in the report, dropped_events "
                        + entry.droppedEvents() + ", total_events " + entry.totalEvents() + ", name " + entry.name()
                        + ", api requests " + api.requests();
                System.out.println("RecordBurstTest: " + numbers);
                assertEquals(0, entry.droppedEvents(), numbers + "\n" + snoop.log());
                assertEquals(FILES, recorded, numbers);
                assertTrue(named, "no 'name=app' in the log: " + numbers + "\n" + snoop.log());
                assertEquals("app", entry.name(), numbers);
                assertEquals(SlowKubernetesApi.IMAGE, entry.imageRef());
                assertEquals(SlowKubernetesApi.DIGEST, entry.imageDigest());
                assertEquals(id, entry.containerId());
                assertEquals("shop", written.labels().get("app"), "labels from the API too");
            }
        } finally {
            Commands.quietly(List.of("umount", files.toString()));
        }
    }

    private static boolean awaitLine(SnoopProcess snoop, String text, Duration timeout) throws Exception {
        try {
            RecordEndToEndTest.waitFor(() -> snoop.lines().stream().anyMatch(l -> l.contains(text)), timeout);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    private static long countUnder(SortedPaths paths, Path dir) {
        String prefix = dir + "/d";
        long[] n = {0};
        paths.forEach(p -> {
            if (p.startsWith(prefix) && p.lastIndexOf('/') > prefix.length()) {
                n[0]++;
            }
        });
        return n[0];
    }

    private static Path compile(Path binary) throws Exception {
        Path source = Path.of("src/test/c/burst_files.c").toAbsolutePath();
        Commands.run(Duration.ofSeconds(60), List.of("gcc", "-static", "-O2", "-o", binary.toString(), source.toString()));
        return binary;
    }
}
