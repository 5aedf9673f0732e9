package dev.snoop.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads what {@link MemoryPressure} watches: this process's major faults ({@code /proc/self/stat})
 * and how often its memory cgroup hit its limit: {@code memory.events} high + max under cgroup v2,
 * {@code memory.failcnt} where the memory controller is on cgroup v1 (a hybrid host). The cgroup is
 * found once, from {@code /proc/self/cgroup} and the mounts; without one, its count is -1.
 */
final class MemoryCounters {
    private final Path stat;
    private final Path limitFile;
    private final boolean v2;

    MemoryCounters(Path stat, Path limitFile, boolean v2) {
        this.stat = stat;
        this.limitFile = limitFile;
        this.v2 = v2;
    }

    /** This process's. */
    static MemoryCounters ofSelf() {
        Path proc = Path.of("/proc/self");
        try {
            List<String> cgroups = Files.readAllLines(proc.resolve("cgroup"));
            List<String> mounts = Files.readAllLines(proc.resolve("mountinfo"));
            Path v1 = find(cgroups, mounts, false);
            if (v1 != null && Files.isReadable(v1.resolve("memory.failcnt"))) {
                return new MemoryCounters(proc.resolve("stat"), v1.resolve("memory.failcnt"), false);
            }
            Path v2 = find(cgroups, mounts, true);
            if (v2 != null && Files.isReadable(v2.resolve("memory.events"))) {
                return new MemoryCounters(proc.resolve("stat"), v2.resolve("memory.events"), true);
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup to read: major faults alone
        }
        return new MemoryCounters(proc.resolve("stat"), null, false);
    }

    /**
     * The directory of this process's memory cgroup: the v1 hierarchy with the memory controller,
     * or the v2 one; its mount point plus the cgroup's path below the mount's root.
     */
    static Path find(List<String> cgroups, List<String> mounts, boolean v2) {
        String path = null;
        for (String line : cgroups) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && (v2 ? f[0].equals("0") && f[1].isEmpty() : List.of(f[1].split(",")).contains("memory"))) {
                path = f[2];
            }
        }
        if (path == null) {
            return null;
        }
        for (String line : mounts) {
            // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 0 || dash + 3 >= f.length) {
                continue;
            }
            boolean match = v2 ? f[dash + 1].equals("cgroup2")
                    : f[dash + 1].equals("cgroup") && List.of(f[dash + 3].split(",")).contains("memory");
            if (match) {
                String root = f[3];
                String below = path.startsWith(root) ? path.substring(root.length()) : path;
                return Path.of(f[4].replace("\\040", " "), below.isEmpty() ? "." : below.replaceFirst("^/", "")).normalize();
            }
        }
        return null;
    }

    MemoryPressure.Sample read() {
        return new MemoryPressure.Sample(majorFaults(), limitEvents());
    }

    private long majorFaults() {
        try {
            String line = Files.readString(stat);
            // after "pid (comm) ": state is field 3, majflt field 12
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[9]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private long limitEvents() {
        if (limitFile == null) {
            return -1;
        }
        try {
            if (!v2) {
                return Long.parseLong(Files.readString(limitFile).trim());
            }
            long sum = 0;
            for (String line : Files.readAllLines(limitFile)) {
                String[] f = line.split(" ");
                if (f.length == 2 && (f[0].equals("high") || f[0].equals("max"))) {
                    sum += Long.parseLong(f[1]);
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Where the limit events come from, for the log; null without a memory cgroup. */
    Path limitFile() {
        return limitFile;
    }
}
