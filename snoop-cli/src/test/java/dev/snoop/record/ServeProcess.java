package dev.snoop.record;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code snoop serve} as a process of its own (its embedded PostgreSQL in {@code dataDir}), so that
 * a test can kill it with SIGKILL and start it again on the same data.
 */
final class ServeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final int port;

    private ServeProcess(Process process, Duration timeout) throws Exception {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    log.add(line);
                }
            } catch (java.io.IOException e) {
                // the process is gone
            }
        }, "serve-log");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        int found = -1;
        while (found < 0 && System.nanoTime() < deadline && process.isAlive()) {
            synchronized (log) {
                for (String line : log) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        found = Integer.parseInt(m.group(1));
                    }
                }
            }
            if (found < 0) {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
        if (found < 0) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("snoop serve did not start:\n" + log());
        }
        this.port = found;
    }

    /** Starts {@code snoop serve} on a free loopback port and waits until it listens. */
    static ServeProcess start(Path dataDir, Path tokensFile, int poolSize) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.snoop.cli.Main", "serve",
                "--listen", "127.0.0.1:0", "--tokens-file", tokensFile.toString(), "--data-dir", dataDir.toString(),
                "--pool-size", Integer.toString(poolSize));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SNOOP_"));
        return new ServeProcess(pb.start(), Duration.ofSeconds(90));
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown of any kind; its PostgreSQL is left running (the next start stops it). */
    void kill9() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** SIGTERM, as Kubernetes stops it; its exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("snoop serve did not stop on SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
