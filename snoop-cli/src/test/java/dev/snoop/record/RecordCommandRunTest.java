package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code snoop record -- CMD} end to end: a real snoop process runs real commands in the cgroup it
 * makes, records them with real BPF and exits with their exit codes.
 */
@Tag("bpf")
class RecordCommandRunTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void requireBpf() {
        BpfTests.require();
    }

    @Test
    void testRecordCommand_recordsTheCommandAndItsChildren_exitsWithItsCode() throws Exception {
        Path first = Files.writeString(tmp.resolve("first.txt"), "1\n");
        Path later = Files.writeString(tmp.resolve("later.txt"), "2\n");
        try (TestCgroup cgroup = TestCgroup.create("snoop-cmd");
                SnoopProcess snoop = SnoopProcess.start(cgroup.dir(), inDirectory(tmp), "--", "sh", "-c",
                        "cat " + first + " > /dev/null; (sleep 0.2; cat " + later + " > /dev/null) & wait; exit 3")) {
            assertEquals(3, snoop.waitFor(Duration.ofSeconds(60)), snoop.log());
            assertEquals(List.of(), leftCgroups(cgroup.dir()), "the command's cgroup was not removed");
            // the default report path of this mode: ./snoop-report.json, beside the user
            Report report = ReportJson.read(tmp.resolve("snoop-report.json"), w -> {});
            assertEquals(1, report.containers().size(), report.toString());
            ContainerReport sh = report.containers().get(0);
            assertEquals("sh", sh.name());
            List<String> files = RecordEndToEndTest.list(sh.files());
            assertTrue(files.contains(first.toString()), files.toString());
            assertTrue(files.contains(later.toString()), "a child's file is missing: " + files);
            assertTrue(files.contains("/usr/bin/cat"), files.toString());
            assertEquals(0, report.droppedEvents());
            assertTrue(snoop.log().contains(" metrics=off "), "metrics are off by default with -- CMD:\n" + snoop.log());
        }
    }

    @Test
    void testRecordCommand_backgroundLeftovers_areKilled() throws Exception {
        Path pidFile = tmp.resolve("sleep.pid");
        Path report = tmp.resolve("r.json");
        try (TestCgroup cgroup = TestCgroup.create("snoop-cmd");
                SnoopProcess snoop = SnoopProcess.start(cgroup.dir(), List.of(), "--report-path", report.toString(),
                        "--", "sh", "-c", "sleep 1000 & echo $! > " + pidFile + "; exit 0")) {
            assertEquals(0, snoop.waitFor(Duration.ofSeconds(60)), snoop.log());
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            assertFalse(running(pid), "the command's background process outlived the recording");
            assertEquals(List.of(), leftCgroups(cgroup.dir()));
            assertTrue(Files.exists(report));
        }
    }

    @Test
    void testRecordCommand_sigterm_isPassedOnAndTheCommandsCodeReturned() throws Exception {
        Path ready = tmp.resolve("ready");
        Path report = tmp.resolve("r.json");
        try (TestCgroup cgroup = TestCgroup.create("snoop-cmd");
                SnoopProcess snoop = SnoopProcess.start(cgroup.dir(), List.of(), "--report-path", report.toString(),
                        "--", "sh", "-c", "trap 'cat /etc/hostname > /dev/null; exit 7' TERM; touch " + ready
                                + "; while :; do sleep 0.05; done")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(ready) && System.nanoTime() < deadline && snoop.process().isAlive()) {
                Thread.onSpinWait();
            }
            assertTrue(Files.exists(ready), snoop.log());
            snoop.process().destroy(); // SIGTERM to snoop, which passes it on
            assertEquals(7, snoop.waitFor(Duration.ofSeconds(30)), snoop.log());
            List<String> files = RecordEndToEndTest.list(ReportJson.read(report, w -> {}).containers().get(0).files());
            assertTrue(files.contains("/etc/hostname"), "what the trap did after the signal is missing: " + files);
        }
    }

    @Test
    void testRecordCommand_runcContainerBelowItsCgroup_isRecorded() throws Exception {
        BpfTests.requireTool("runc", "/bin/busybox");
        Path rootfs = RecordContainerTest.busyboxRoot(tmp.resolve("rootfs"));
        Path bundle = RuncBundles.write(tmp.resolve("bundle"), rootfs,
                List.of("/bin/busybox", "cat", "/data/config.txt"), "/PLACEHOLDER/app");
        Path report = tmp.resolve("r.json");
        String id = "snoop-cmd-" + System.nanoTime();
        Path config = bundle.resolve("config.json");
        try (TestCgroup cgroup = TestCgroup.create("snoop-cmd");
                SnoopProcess snoop = SnoopProcess.start(cgroup.dir(), List.of(), "--report-path", report.toString(),
                        "--", "sh", "-c", "sed -i \"s|/PLACEHOLDER/app|$SNOOP_RUN_CGROUP/app|\" " + config
                                + " && runc run --bundle " + bundle + " " + id)) {
            assertEquals(0, snoop.waitFor(Duration.ofSeconds(120)), snoop.log());
            assertEquals(List.of(), leftCgroups(cgroup.dir()));
        } finally {
            Commands.quietly(List.of("runc", "delete", "--force", id));
        }
        ContainerReport entry = ReportJson.read(report, w -> {}).containers().get(0);
        assertEquals("sh", entry.name());
        List<String> files = RecordEndToEndTest.list(entry.files());
        // the container's own view of its files, in the command's one entry
        assertTrue(files.contains("/data/config.txt"), files.toString());
        assertTrue(files.contains("/bin/busybox"), files.toString());
    }

    /**
     * Whether the process still runs: a zombie has been killed already, it only waits for its new
     * parent (init, which may be slow to reap) to collect it.
     */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false; // gone
        }
    }

    /** A prefix that starts snoop in {@code dir}, so that ./snoop-report.json lands there. */
    private static List<String> inDirectory(Path dir) {
        return List.of("sh", "-c", "cd " + dir + " && exec \"$@\"", "sh");
    }

    /** The cgroups left below the test's: the command's must be gone. */
    private static List<Path> leftCgroups(Path dir) throws Exception {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isDirectory).toList();
        }
    }
}
