package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the programs the end-to-end tests drive (ctr, runc, tar, mount, debootstrap, workloads in a
 * cgroup). Output (stdout and stderr together) is read through a pipe on a thread of its own, so a
 * chatty command can never block on a full pipe nor a hung one on the read, and it is in the
 * failure message when the command fails or times out. A pipe, not a file: a traced workload that
 * looks at its own stdout would otherwise put that file in the report.
 */
final class Commands {
    private Commands() {}

    /** Runs {@code command}; fails the test unless it exits 0 within {@code timeout}. Returns its output. */
    static String run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        return run(timeout, new ProcessBuilder(command));
    }

    /** As {@link #run(Duration, List)}, for a prepared process (working directory, cgroup, environment). */
    static String run(Duration timeout, ProcessBuilder process) throws IOException, InterruptedException {
        Result r = result(timeout, process);
        assertEquals(0, r.code(), process.command() + "\n" + r.output());
        return r.output();
    }

    /** A command's exit code and its stdout and stderr together. */
    record Result(int code, String output) {}

    /** Runs {@code command} to its end, whatever its exit code; fails the test only on a timeout. */
    static Result result(Duration timeout, List<String> command) throws IOException, InterruptedException {
        return result(timeout, new ProcessBuilder(command));
    }

    static Result result(Duration timeout, ProcessBuilder process) throws IOException, InterruptedException {
        Process p = process.redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(output);
            } catch (IOException e) {
                // the process is gone: what was read is all there is
            }
        }, "command-output");
        reader.setDaemon(true);
        reader.start();
        boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(TimeUnit.SECONDS.toMillis(10)); // a child it left behind may hold the pipe open
        String out;
        synchronized (output) {
            out = output.toString(StandardCharsets.UTF_8);
        }
        assertTrue(done, "timed out after " + timeout + ": " + process.command() + "\n" + out);
        return new Result(p.exitValue(), out);
    }

    /** {@code ctr -n NAMESPACE ARGS...}, as {@link #run(Duration, List)}. */
    static String ctr(String namespace, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ctr", "-n", namespace));
        command.addAll(List.of(args));
        return run(timeout, command);
    }

    /** Runs a clean-up command and ignores how it ends: what it removes may be gone already. */
    static void quietly(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly(); // a hung clean-up must not outlive the test run
            }
        } catch (IOException e) {
            // nothing to clean up with
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
