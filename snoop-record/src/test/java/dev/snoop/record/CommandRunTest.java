package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link CommandRun}: real processes in a real cgroup that it makes and removes. */
@Tag("bpf")
@Timeout(60)
class CommandRunTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void requireRoot() {
        BpfTests.require(); // root and a cgroup v2 tree
    }

    @Test
    void testStart_runsInItsOwnCgroupAndGivesTheExitCode() throws Exception {
        Path out = tmp.resolve("cgroup.txt");
        CommandRun run = CommandRun.prepare(CgroupFs.current(), List.of("sh", "-c", "cat /proc/self/cgroup > \"$0\"; exit 3",
                out.toString()));
        Path cgroup = run.cgroup();
        try (run) {
            assertTrue(Files.isRegularFile(cgroup.resolve("cgroup.procs")), "made before the command starts");
            assertEquals("snoop-run-" + ProcessHandle.current().pid(), cgroup.getFileName().toString());
            run.start();
            assertTrue(run.awaitEnd(10_000));
            assertEquals(3, run.exitCode());
        }
        assertTrue(Files.readString(out).contains("0::" + CgroupFs.current().pathOf(cgroup) + "\n"), Files.readString(out));
        assertFalse(Files.exists(cgroup), "removed after the command");
        assertEquals("sh", run.name());
    }

    @Test
    void testClose_killsWhatTheCommandLeftRunningAndRemovesChildCgroups() throws Exception {
        Path pidFile = tmp.resolve("pid");
        CommandRun run = CommandRun.prepare(CgroupFs.current(),
                List.of("sh", "-c", "sleep 600 & echo $! > \"$0\"", pidFile.toString()));
        Path cgroup = run.cgroup();
        Process inChild;
        try (run) {
            run.start();
            assertTrue(run.awaitEnd(10_000));
            assertEquals(0, run.exitCode());
            // a container that runc placed below the command's cgroup, still running
            Path child = Files.createDirectory(cgroup.resolve("ctr"));
            inChild = TestCgroup.in(child, List.of("sleep", "600")).start();
            waitFor(() -> readOr(child.resolve("cgroup.procs")).contains(Long.toString(inChild.pid())));
        }
        long background = Long.parseLong(Files.readString(pidFile).strip());
        assertFalse(Files.exists(cgroup), "the cgroup and its child are removed");
        assertTrue(inChild.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the child cgroup's process is killed");
        waitFor(() -> ProcessHandle.of(background).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void testExitCode_ofACommandKilledByASignalIs128PlusTheSignal() throws Exception {
        try (CommandRun run = CommandRun.prepare(CgroupFs.current(), List.of("sh", "-c", "kill -KILL $$"))) {
            run.start();
            assertTrue(run.awaitEnd(10_000));
            assertEquals(128 + 9, run.exitCode());
        }
        try (CommandRun run = CommandRun.prepare(CgroupFs.current(), List.of("sleep", "600"))) {
            run.start();
            assertFalse(run.awaitEnd(200));
            run.terminate();
            assertTrue(run.awaitEnd(10_000));
            assertEquals(128 + 15, run.exitCode());
        }
    }

    @Test
    void testProblemWith_namesWhyACommandCannotRun() throws Exception {
        Path plain = Files.writeString(tmp.resolve("plain"), "not executable");
        String path = "/nonexistent:" + tmp + ":/usr/bin:/bin";
        assertNull(CommandRun.problemWith("sh", path));
        assertNull(CommandRun.problemWith("/bin/sh", path));
        assertEquals("snoop-no-such-command: command not found", CommandRun.problemWith("snoop-no-such-command", path));
        assertEquals("plain: command not found", CommandRun.problemWith("plain", path), "on PATH but not executable");
        assertEquals("/nonexistent/x: no such file", CommandRun.problemWith("/nonexistent/x", path));
        assertEquals(plain + ": not an executable file", CommandRun.problemWith(plain.toString(), path));
        assertEquals(tmp + ": not an executable file", CommandRun.problemWith(tmp.toString(), path));
        assertEquals("the command is empty", CommandRun.problemWith("", path));
        assertEquals(127, CommandRun.exitCodeOf(CommandRun.problemWith("snoop-no-such-command", path)));
        assertEquals(127, CommandRun.exitCodeOf(CommandRun.problemWith("/nonexistent/x", path)));
        assertEquals(126, CommandRun.exitCodeOf(CommandRun.problemWith(plain.toString(), path)));
    }

    private static String readOr(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), "condition not met within 5 s");
    }
}
