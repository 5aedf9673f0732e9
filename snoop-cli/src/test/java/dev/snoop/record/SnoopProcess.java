package dev.snoop.record;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code snoop record} as a separate process, started from the test's class path, optionally inside
 * a cgroup (it moves itself there before exec'ing java, so the JVM never runs elsewhere).
 */
final class SnoopProcess implements AutoCloseable {
    private static final Pattern METRICS = Pattern.compile("metrics=\\S*?:(\\d+)");

    private final Process process;
    private final Path logFile;

    private SnoopProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts snoop in {@code cgroup} (or where the test runs, if null) and waits until it records. */
    static SnoopProcess start(Path cgroup, List<String> prefix, String... args) throws Exception {
        return start(cgroup, prefix, List.of(), args);
    }

    /**
     * Starts snoop; {@code prefix} runs before the move into {@code cgroup} (e.g. setpriv), and
     * {@code afterMove} after it (e.g. {@code unshare -C}, to give snoop a cgroup namespace rooted
     * at its own cgroup, as a container has).
     */
    static SnoopProcess start(Path cgroup, List<String> prefix, List<String> afterMove, String... args) throws Exception {
        return start(java.util.Map.of(), Path.of(System.getProperty("java.home")), cgroup, prefix, afterMove, args);
    }

    /** {@link #start(Path, List, List, String...)} with these variables set (e.g. SNOOP_PROGRAMS); other SNOOP_ ones unset. */
    static SnoopProcess start(java.util.Map<String, String> env, Path cgroup, List<String> prefix, List<String> afterMove,
            String... args) throws Exception {
        return start(env, Path.of(System.getProperty("java.home")), cgroup, prefix, afterMove, args);
    }

    /** As above, with the JVM of {@code javaHome} (a private copy of the JDK, say). */
    static SnoopProcess start(Path javaHome, Path cgroup, List<String> prefix, List<String> afterMove, String... args)
            throws Exception {
        return start(java.util.Map.of(), javaHome, cgroup, prefix, afterMove, args);
    }

    private static SnoopProcess start(java.util.Map<String, String> env, Path javaHome, Path cgroup, List<String> prefix,
            List<String> afterMove, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        if (cgroup != null) {
            command.addAll(List.of("sh", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$@\"", "sh"));
        }
        command.addAll(afterMove);
        command.addAll(List.of(javaHome.resolve("bin").resolve("java").toString(),
                "-XX:+UseSerialGC", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                "dev.snoop.cli.Main", "record"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("SNOOP_"));
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Path logFile = java.nio.file.Files.createTempFile("snoop-test-", ".log");
        pb.redirectError(logFile.toFile());
        return new SnoopProcess(pb.start(), logFile);
    }

    /** Waits for the "recording" log line; fails with the log if snoop exits first. */
    SnoopProcess awaitRecording(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (lines().stream().anyMatch(l -> l.contains("msg=recording"))) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("snoop exited with " + process.exitValue() + " before recording:\n" + log());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("snoop did not start recording within " + timeout + ":\n" + log());
    }

    /** The port /metrics is served on, from the "recording" line. */
    int metricsPort() {
        for (String line : lines()) {
            Matcher m = METRICS.matcher(line);
            if (line.contains("msg=recording") && m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no metrics address in the log:\n" + log());
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** Sends SIGTERM and returns the exit code; fails if snoop takes longer than 5 s. */
    int terminate() throws Exception {
        long start = System.nanoTime();
        process.destroy(); // SIGTERM
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("snoop did not stop within 10 s of SIGTERM:\n" + log());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (ms > 5000) {
            throw new AssertionError("snoop took " + ms + " ms to stop after SIGTERM (limit 5 s):\n" + log());
        }
        return process.exitValue();
    }

    int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("snoop still running after " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    String log() {
        return String.join("\n", lines());
    }

    List<String> lines() {
        try {
            return java.nio.file.Files.readAllLines(logFile);
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            java.nio.file.Files.deleteIfExists(logFile);
        } catch (IOException e) {
            // a temporary file
        }
    }
}
