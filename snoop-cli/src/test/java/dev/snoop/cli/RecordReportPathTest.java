package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.record.RecordConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What is at --report-path when snoop starts: a report of the same pod is continued, anything else
 * is refused with exit 2 before anything loads (and left as it was), unless --replace-report.
 * Each refused case ran with "--duration 1s --metrics-addr off", so the old code, which replaced
 * the file after a warning, stopped by itself with exit 0.
 */
class RecordReportPathTest {
    private static final String SAME_POD = "{\"schema_version\": 1, \"pod_name\": \"web-1\", \"namespace\": \"shop\", "
            + "\"total_events\": 1, \"containers\": [{\"name\": \"app\", \"total_events\": 1, \"files\": [\"/etc/hosts\"]}]}";

    @TempDir
    Path tmp;

    @Test
    void testNotAReport_isRefusedAndKept() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "my notes, not a report\n");
        CliRun run = record(file);
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(firstLine(run).contains("the existing file is not a snoop report"), run.err());
        assertTrue(firstLine(run).contains("--replace-report"), run.err());
        assertEquals("my notes, not a report\n", Files.readString(file));
    }

    @Test
    void testReportOfAnotherPod_isRefusedAndKept() throws Exception {
        Path file = Files.writeString(tmp.resolve("r.json"), SAME_POD);
        CliRun run = record(file, "--pod-name", "web-2", "--namespace", "shop");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(firstLine(run).contains("the existing report is of pod shop/web-1, not shop/web-2"), run.err());
        assertEquals(SAME_POD, Files.readString(file));
    }

    @Test
    void testReportOfNoPod_isRefusedForAPod() throws Exception {
        Path file = Files.writeString(tmp.resolve("r.json"), CliRun.report(null, "/etc/hosts"));
        CliRun run = record(file, "--pod-name", "web-1", "--namespace", "shop");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(firstLine(run).contains("is of pod (none), not shop/web-1"), run.err());
    }

    @Test
    void testSymlink_isRefusedEvenWithReplace() throws Exception {
        Path target = Files.writeString(tmp.resolve("target.json"), SAME_POD);
        Path link = Files.createSymbolicLink(tmp.resolve("r.json"), target);
        for (boolean replace : new boolean[] {false, true}) {
            CliRun run = replace ? record(link, "--replace-report") : record(link, "--pod-name", "web-1", "--namespace", "shop");
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(firstLine(run).contains(": is a symbolic link"), run.err());
        }
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(SAME_POD, Files.readString(target));
    }

    @Test
    void testDeviceFifoAndDirectory_areRefused() throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Files.createDirectory(tmp.resolve("dir"));
        for (Path path : List.of(Path.of("/dev/null"), fifo)) {
            CliRun run = record(path, "--replace-report");
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(firstLine(run).contains(": is not a regular file (a device, pipe or socket)"), run.err());
        }
        CliRun run = record(tmp.resolve("dir"), "--replace-report");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(firstLine(run).contains(": is a directory"), run.err());
    }

    @Test
    void testReportOfTheSamePod_isContinued() throws Exception {
        Path file = Files.writeString(tmp.resolve("r.json"), SAME_POD);
        RecordConfig config = validate("--report-path", file.toString(), "--pod-name", "web-1", "--namespace", "shop");
        assertNotNull(config.existingReport().previous());
        assertEquals("web-1", config.existingReport().previous().podName());
        assertNull(config.existingReport().replaced());
    }

    @Test
    void testReplaceReport_replacesAnyRegularFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("r.json"), "not a report");
        RecordConfig config = validate("--report-path", file.toString(), "--replace-report");
        assertNull(config.existingReport().previous());
        assertEquals("--replace-report", config.existingReport().replaced());
        CommandLine cmd = new CommandLine(new RecordCommand());
        cmd.setDefaultValueProvider(new RecordEnvironment(Map.of("SNOOP_REPLACE_REPORT", "true")));
        cmd.parseArgs("--report-path", file.toString());
        assertEquals("--replace-report", ((RecordCommand) cmd.getCommand()).validate().existingReport().replaced());
    }

    @Test
    void testNoFile_startsANewReport() {
        RecordConfig config = validate("--report-path", tmp.resolve("r.json").toString());
        assertNull(config.existingReport().previous());
        assertNull(config.existingReport().replaced());
    }

    private CliRun record(Path report, String... more) {
        // a target that never appears: the old code then recorded (nothing) for a second and exited 0
        List<String> args = new ArrayList<>(List.of("record", "--duration", "1s", "--metrics-addr", "off",
                "--container-id", "snoop-no-such-container", "--report-path", report.toString()));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    private static String firstLine(CliRun run) {
        String first = run.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("snoop record: --report-path "), first);
        return first;
    }

    private static RecordConfig validate(String... args) {
        CommandLine cmd = new CommandLine(new RecordCommand());
        cmd.setDefaultValueProvider(new RecordEnvironment(Map.of()));
        cmd.parseArgs(args);
        return ((RecordCommand) cmd.getCommand()).validate();
    }
}
