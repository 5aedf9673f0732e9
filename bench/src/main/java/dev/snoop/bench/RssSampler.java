package dev.snoop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Samples, once a second, the resident memory of a server process (VmRSS) and the proportional
 * memory (Pss, so that PostgreSQL's shared buffers count once) of its descendants: the embedded
 * PostgreSQL (found by its data directory: pg_ctl detaches it from the server process). Keeps
 * the latest and the peak of each, and reads the CPU time both have used.
 */
final class RssSampler {
    private volatile long pid = -1;
    private volatile String dataDir;
    private volatile long rssKb;
    private volatile long peakRssKb;
    private volatile long childrenPssKb;
    private volatile long peakChildrenPssKb;
    private volatile boolean running;
    private Thread thread;

    void watch(long serverPid, Path data) {
        this.pid = serverPid;
        this.dataDir = data.toAbsolutePath().toString();
    }

    void start() {
        running = true;
        thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(1000); // the sampling period
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    private void sample() {
        long p = pid;
        if (p < 0) {
            return;
        }
        long rss = field(Path.of("/proc", Long.toString(p), "status"), "VmRSS:");
        if (rss <= 0) {
            return; // between a stop and a start
        }
        rssKb = rss;
        peakRssKb = Math.max(peakRssKb, rss);
        long children = postgres().stream()
                .mapToLong(d -> field(Path.of("/proc", Long.toString(d), "smaps_rollup"), "Pss:")).sum();
        childrenPssKb = children;
        peakChildrenPssKb = Math.max(peakChildrenPssKb, children);
    }

    /** The postmaster of the data directory and its children. */
    private java.util.List<Long> postgres() {
        java.util.List<Long> pids = new java.util.ArrayList<>();
        String dir = dataDir;
        if (dir == null) {
            return pids;
        }
        ProcessHandle.allProcesses().forEach(h -> {
            String cmd = h.info().commandLine().orElse("");
            if (cmd.contains("postgres") && cmd.contains("-D " + dir)) {
                pids.add(h.pid());
                h.descendants().forEach(d -> pids.add(d.pid()));
            }
        });
        return pids;
    }

    /** CPU seconds (user + system) the server and its PostgreSQL's current processes have used. */
    double cpuSeconds() {
        java.util.List<Long> pids = new java.util.ArrayList<>(postgres());
        pids.add(pid);
        long ticks = 0;
        for (long p : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(p), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return ticks / 100.0; // USER_HZ
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    String describe() {
        sample();
        return String.format(Locale.ROOT, "JVM RSS %d MB (peak %d MB), embedded PostgreSQL Pss %d MB (peak %d MB)",
                rssKb / 1024, peakRssKb / 1024, childrenPssKb / 1024, peakChildrenPssKb / 1024);
    }

    private static long field(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
        return 0;
    }
}
