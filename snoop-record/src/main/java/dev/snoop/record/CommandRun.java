package dev.snoop.record;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The command of {@code snoop record -- CMD [ARGS...]}: it runs in a cgroup of its own, which snoop
 * makes below its own cgroup before the command starts and removes after it ends, so that the
 * command and everything it starts (processes, and containers that runc or containerd place below
 * that cgroup) are the one traced container.
 *
 * <p>The command enters its cgroup before its first instruction: a shell moves itself there, then
 * execs the command, so the only traced work before the command's own is that exec. The command
 * keeps snoop's standard streams and process group, so it reads the terminal and gets a terminal's
 * Ctrl-C directly, like any foreground program.
 */
public final class CommandRun implements AutoCloseable {
    /** How long the processes left in the cgroup after the command ended may take to die. */
    private static final long KILL_WAIT_MILLIS = 5_000;
    /** Exit codes of a command that cannot be run, as env(1), nohup(1) and shells use them. */
    public static final int NOT_EXECUTABLE = 126;
    public static final int NOT_FOUND = 127;
    /** snoop's own failure while it ran a command (docker run and timeout(1) use it the same way). */
    public static final int SNOOP_FAILED = 125;

    /**
     * The variable that tells the command its cgroup as a path in the hierarchy ({@code
     * /snoop-run-4242}), so that it can place containers below it: runc's {@code linux.cgroupsPath}
     * ({@code $SNOOP_RUN_CGROUP/app}) or {@code ctr run --cgroup}. A relative cgroupsPath is not
     * below it: runc puts those under the hierarchy's root.
     */
    public static final String CGROUP_VARIABLE = "SNOOP_RUN_CGROUP";

    private final Path cgroup;
    private final String cgroupPath;
    private final List<String> command;
    private Process process;

    private CommandRun(Path cgroup, String cgroupPath, List<String> command) {
        this.cgroup = cgroup;
        this.cgroupPath = cgroupPath;
        this.command = List.copyOf(command);
    }

    /**
     * Makes the command's cgroup, {@code snoop-run-<pid>} below snoop's own, but does not start it.
     *
     * @throws SnoopException if the cgroup cannot be made (not root, no cgroup v2, a read-only tree)
     */
    public static CommandRun prepare(CgroupFs fs, List<String> command) {
        Path parent = fs.cgroupOfProcess(ProcessHandle.current().pid());
        Path dir = parent.resolve("snoop-run-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new SnoopException("cannot make a cgroup for the command in " + parent + ": " + reason(e), e);
        }
        return new CommandRun(dir, fs.pathOf(dir), command);
    }

    /**
     * Why {@code name} cannot be run, or null if it can: it is looked up on {@code PATH} unless it
     * holds a '/', as execvp(3) does. Checked before anything loads, so a mistyped command costs
     * nothing.
     */
    public static String problemWith(String name, String path) {
        if (name.isEmpty()) {
            return "the command is empty";
        }
        if (name.contains("/")) {
            Path file = Path.of(name);
            if (!Files.exists(file)) {
                return name + ": no such file";
            }
            return Files.isRegularFile(file) && Files.isExecutable(file) ? null : name + ": not an executable file";
        }
        for (String dir : (path == null ? "" : path).split(":")) {
            Path file = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                return null;
            }
        }
        return name + ": command not found";
    }

    /** The exit code {@link #problemWith} implies: 127 for a command not found, 126 otherwise. */
    public static int exitCodeOf(String problem) {
        return problem.endsWith("not found") || problem.endsWith("no such file") ? NOT_FOUND : NOT_EXECUTABLE;
    }

    /** The command's cgroup directory, to be traced as one container. */
    public Path cgroup() {
        return cgroup;
    }

    /** The command's name, which names its entry in the report. */
    public String name() {
        return Path.of(command.get(0)).getFileName().toString();
    }

    /** Starts the command in its cgroup. */
    public void start() {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "echo 0 > \"$0/cgroup.procs\" && exec \"$@\"",
                cgroup.toString()));
        argv.addAll(command);
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).inheritIO();
            builder.environment().put(CGROUP_VARIABLE, cgroupPath);
            process = builder.start();
        } catch (IOException e) {
            throw new SnoopException("cannot start " + name() + ": " + reason(e), e);
        }
    }

    /** Whether the command has ended (true before it started, too: there is nothing to wait for). */
    public boolean ended() {
        return process == null || !process.isAlive();
    }

    /** Waits up to {@code millis} for the command to end; true once it has. */
    public boolean awaitEnd(long millis) throws InterruptedException {
        return process == null || process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * The command's exit code: its own, or 128 + the signal that killed it, as a shell reports it.
     *
     * @throws IllegalStateException while it runs
     */
    public int exitCode() {
        if (process == null) {
            throw new IllegalStateException("the command was never started");
        }
        return process.exitValue();
    }

    /**
     * Passes a signal snoop received on to the command ({@code TERM}, {@code HUP}). Through kill(1):
     * Java signals a child only with SIGTERM or SIGKILL.
     */
    public void signal(String name) {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            process.destroy(); // without kill(1), SIGTERM at least
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The command's process id, once started. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Sends SIGTERM to the command (snoop was asked to stop). */
    public void terminate() {
        if (process != null) {
            process.destroy();
        }
    }

    /**
     * Kills whatever the command left running in its cgroup and removes the cgroup with its
     * children: a background process or a container the command did not stop would otherwise keep
     * running untraced, and a cgroup with members cannot be removed.
     */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MILLIS);
        List<Path> left = cgroupsBottomUp();
        while (!left.isEmpty()) {
            killMembers(left);
            left.removeIf(CommandRun::removed);
            if (left.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            sleepBriefly();
        }
        if (!left.isEmpty()) {
            throw new SnoopException("cannot remove the command's cgroup " + cgroup + ": processes are still in it");
        }
        removeV1Copies();
    }

    /**
     * On a hybrid host runc also makes a container's cgroup path in every v1 hierarchy, and with it
     * our {@code snoop-run-<pid>} parent, which it leaves behind. The name is ours alone; empty by
     * now (the v2 tree is gone, and with it every process), so rmdir takes them.
     */
    private void removeV1Copies() {
        Path v1 = Path.of("/sys/fs/cgroup");
        if (!Files.isDirectory(v1) || Files.exists(v1.resolve("cgroup.controllers"))) {
            return; // no v1 hierarchies: /sys/fs/cgroup is the v2 tree itself
        }
        try (Stream<Path> hierarchies = Files.list(v1)) {
            for (Path hierarchy : hierarchies.toList()) {
                Path copy = hierarchy.resolve(cgroupPath.substring(1));
                if (!cgroup.equals(copy) && Files.isDirectory(copy, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> walk = Files.walk(copy)) {
                        walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).forEach(CommandRun::removed);
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort: an empty v1 directory costs nothing
        }
    }

    private List<Path> cgroupsBottomUp() {
        if (!Files.isDirectory(cgroup)) {
            return new ArrayList<>();
        }
        try (Stream<Path> walk = Files.walk(cgroup)) {
            return new ArrayList<>(walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList());
        } catch (IOException | java.io.UncheckedIOException e) {
            return new ArrayList<>(List.of(cgroup));
        }
    }

    private static void killMembers(List<Path> cgroups) {
        for (Path dir : cgroups) {
            Path kill = dir.resolve("cgroup.kill"); // Linux 5.14+: kills the whole subtree at once
            if (Files.exists(kill)) {
                try {
                    Files.writeString(kill, "1");
                    continue;
                } catch (IOException e) {
                    // fall back to killing each member
                }
            }
            try (Stream<String> pids = Files.lines(dir.resolve("cgroup.procs"))) {
                pids.map(Long::parseLong).map(ProcessHandle::of)
                        .forEach(p -> p.ifPresent(ProcessHandle::destroyForcibly));
            } catch (IOException | java.io.UncheckedIOException | NumberFormatException e) {
                // gone already, or unreadable: removal below says what is left
            }
        }
    }

    private static boolean removed(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            return false; // EBUSY: members still exiting
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
