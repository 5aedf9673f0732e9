package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start of {@code snoop record} against the real cgroup tree and kernel: targets that can
 * never be traced are refused before anything loads, and a stop requested while snoop starts
 * still ends in a final report and exit 0. Refused cases pass "--duration 1s --metrics-addr off",
 * so that the old code, which accepted them, stopped by itself (with exit 0).
 */
@Tag("bpf")
@Timeout(120)
class RecordStartTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void requireBpf() {
        BpfTests.require();
    }

    @Test
    void testCgroupThatCannotBeTraced_isAUsageError() throws Exception {
        Path mount = CgroupFs.current().mount();
        Path plainDirectory = Files.createDirectories(tmp.resolve("not-a-cgroup"));
        String[][] cases = {
            {"relative/app", "--cgroup 'relative/app': not an absolute path"},
            {mount.resolve("snoop-no-such-" + UUID.randomUUID()).toString(), ": no such cgroup"},
            {plainDirectory.toString(), ": not a cgroup v2 directory (the cgroup v2 tree is " + mount + ")"},
            {mount.resolve("cgroup.procs").toString(), ": not a directory"},
        };
        for (String[] c : cases) {
            Run run = inProcess("--cgroup", c[0]);
            assertEquals(2, run.code, c[0] + ": " + run.err);
            assertTrue(run.err.startsWith("snoop record: --cgroup") && run.err.lines().findFirst().orElse("").contains(c[1]),
                    run.err);
        }
    }

    @Test
    void testEveryTargetInvalid_isNotASilentExit0() throws Exception {
        Run run = inProcess("--target-mode", "explicit", "--cgroup", "/sys/fs/cgroup-v1-like/x,/also/missing");
        assertEquals(2, run.code, run.err);
    }

    @Test
    void testAmbiguousContainerId_isAUsageErrorNamingTheMatches() throws Exception {
        String id = "ab12" + UUID.randomUUID().toString().substring(0, 8);
        try (TestCgroup pod = TestCgroup.create("snoop-ambiguous")) {
            Path first = pod.child("cri-containerd-" + id + "11.scope");
            Path second = pod.child("cri-containerd-" + id + "22.scope");
            Run run = inProcess("--container-id", id);
            assertEquals(2, run.code, run.err);
            String line = run.err.lines().findFirst().orElse("");
            assertTrue(line.startsWith("snoop record: --container-id " + id + ": ambiguous, it is in the names of 2 cgroups"), line);
            assertTrue(line.contains(first.toString()) && line.contains(second.toString()), line);
            // the full name is not ambiguous
            Run exact = inProcess("--container-id", id + "11", "--duration", "1ms");
            assertEquals(0, exact.code, exact.err);
        }
    }

    @Test
    void testEmptyTargetCgroupVariable_isUnset() throws Exception {
        // SNOOP_TARGET_CGROUP="" used to be one explicit target, the working directory: nothing traced, exit 0
        Process p = snoop(List.of(), "SNOOP_TARGET_MODE", "explicit", "SNOOP_TARGET_CGROUP", "");
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.startsWith("snoop record: --target-mode explicit needs --cgroup or --container-id"), out);
    }

    @Test
    void testUnreadableExistingReport_failsWithExit1AndIsKept() throws Exception {
        Path report = Files.writeString(tmp.resolve("r.json"), "{\"schema_version\": 1, \"containers\": []}");
        Files.setPosixFilePermissions(report, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setAttribute(report, "unix:uid", 65534);
        // root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: as a non-root restart, it cannot read a 0600 report
        Process p = snoop(List.of("setpriv", "--inh-caps=-dac_override,-dac_read_search",
                "--bounding-set=-dac_override,-dac_read_search", "--"), "SNOOP_REPORT_PATH", report.toString(),
                "SNOOP_TARGET_CONTAINER_ID", "snoop-no-such-container");
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.startsWith("snoop record: --report-path " + report + ": the existing report cannot be read: permission denied"),
                out);
        assertEquals("{\"schema_version\": 1, \"containers\": []}", Files.readString(report));
    }

    @Test
    void testSigtermWhileTheProbesLoad_writesTheFinalReportAndExits0() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            Path report = tmp.resolve("r-" + signal + ".json");
            try (TestCgroup idle = TestCgroup.create("snoop-early-stop");
                    SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--report-path", report.toString(),
                            "--cgroup", idle.dir().toString(), "--metrics-addr", "off", "--log-level", "debug")) {
                // the first line snoop logs, just before BpfRecorder.open: before the fix the JVM's
                // own handler was still in place here, and the process ended with 143 and no report
                awaitLine(snoop, "msg=\"loading the probes\"");
                assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(snoop.pid())).start().waitFor());
                assertEquals(0, snoop.waitFor(Duration.ofSeconds(30)), snoop.log());
                Report written = ReportJson.read(report, w -> {});
                assertEquals(List.of(), written.containers(), "the empty report");
                assertTrue(written.recording() != null && !written.recording().probes().isEmpty(), "probes listed");
                assertTrue(snoop.log().contains("signal=SIG" + signal), snoop.log());
            }
        }
    }

    private static void awaitLine(SnoopProcess snoop, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (snoop.lines().stream().noneMatch(l -> l.contains(text))) {
            if (!snoop.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' line:\n" + snoop.log());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private record Run(int code, String err) {}

    private Run inProcess(String... args) {
        List<String> argv = new ArrayList<>(List.of("record", "--report-path", tmp.resolve("r.json").toString(),
                "--metrics-addr", "off"));
        argv.addAll(List.of(args));
        if (!argv.contains("--duration")) {
            argv.addAll(List.of("--duration", "1s"));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = dev.snoop.cli.Main.run(new PrintWriter(out), new PrintWriter(err), argv.toArray(String[]::new));
        return new Run(code, err.toString());
    }

    /** snoop record in its own JVM with these SNOOP_* variables (and no others), output and errors merged. */
    private Process snoop(List<String> prefix, String... variables) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.snoop.cli.Main", "record", "--metrics-addr", "off",
                "--duration", "1s"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SNOOP_"));
        pb.environment().put("SNOOP_REPORT_PATH", tmp.resolve("r.json").toString());
        for (int i = 0; i < variables.length; i += 2) {
            pb.environment().put(variables[i], variables[i + 1]);
        }
        return pb.start();
    }
}
