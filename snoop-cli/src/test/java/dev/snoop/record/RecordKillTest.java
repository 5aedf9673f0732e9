package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.ReportJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar killed with SIGKILL over and over, at random moments of its frequent writes of a large
 * report, as an OOM kill or a node's pressure does: every restart removes the temporary reports
 * the killed writes left, the report is never corrupt, and no file is lost across the restarts.
 */
@Tag("bpf")
class RecordKillTest {
    private static final int FILES = 30_000;
    private static final int KILLS = 8;

    @TempDir
    Path tmp;

    @Test
    void testSigkillDuringWrites_restartsRemoveLeftTemporaries_andLoseNothing() throws Exception {
        BpfTests.require();
        Path data = Files.createDirectories(tmp.resolve("data"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(data.resolve("f" + i), "");
        }
        Path reports = Files.createDirectories(tmp.resolve("reports"));
        Path report = reports.resolve("r.json");
        Random random = new Random(42);
        List<String> leftByKills = new ArrayList<>();
        try (TestCgroup cgroup = TestCgroup.create("snoop-kills")) {
            Path app = cgroup.child("app");
            for (int kill = 0; kill <= KILLS; kill++) {
                List<Path> stale = temporaries(reports);
                try (SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--cgroup", app.toString(),
                        "--report-path", report.toString(), "--report-interval", "100ms", "--metrics-addr", "off")) {
                    snoop.awaitRecording(Duration.ofSeconds(60));
                    for (Path left : stale) {
                        assertTrue(!Files.exists(left), "the restart kept " + left + ":\n" + snoop.log());
                    }
                    if (kill == 0) {
                        // one burst of distinct files: from now on every write is a large report
                        Commands.run(Duration.ofSeconds(120), TestCgroup.in(app,
                                List.of("find", data.toString(), "-type", "f", "-exec", "cat", "{}", "+")));
                        awaitFiles(report, FILES, snoop);
                    }
                    if (kill == KILLS) {
                        assertEquals(0, snoop.terminate(), snoop.log());
                        break;
                    }
                    // a few writes, then SIGKILL inside one: once its temporary file exists
                    Thread.sleep(100 + random.nextInt(400));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (temporaries(reports).isEmpty() && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    snoop.process().destroyForcibly();
                    snoop.process().waitFor(10, TimeUnit.SECONDS);
                }
                temporaries(reports).forEach(p -> leftByKills.add(p.getFileName().toString()));
                ReportJson.read(report, w -> {}); // complete after every kill
            }
        }
        ContainerReport app = ReportJson.read(report, w -> {}).containers().get(0);
        List<String> files = RecordEndToEndTest.list(app.files());
        long recorded = files.stream().filter(f -> f.startsWith(data + "/")).count();
        assertEquals(FILES, recorded, "files lost across " + KILLS + " kills");
        assertEquals(List.of(), temporaries(reports), "temporaries left after a clean stop; kills left " + leftByKills);
        // the kills landed inside writes: otherwise this test proved nothing about their leftovers
        assertTrue(!leftByKills.isEmpty(), "no kill left a temporary report");
    }

    /** Waits until the written report holds {@code count} files of the burst; fails on drops. */
    private static void awaitFiles(Path report, int count, SnoopProcess snoop) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(report)) {
                var r = ReportJson.read(report, w -> {});
                assertEquals(0, r.droppedEvents(), "the burst overflowed the ring buffer:\n" + snoop.log());
                if (r.fileCount() >= count) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the report never held the burst's " + count + " files:\n" + snoop.log());
    }

    /** Temporary reports, as {@code AtomicFiles} names them: {@code .r.json.DIGITS.tmp}. */
    private static List<Path> temporaries(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("\\.r\\.json\\.\\d+\\.tmp")).toList();
        }
    }
}
