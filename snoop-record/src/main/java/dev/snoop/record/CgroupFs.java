package dev.snoop.record;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The cgroup v2 hierarchy as this process sees it: where it is mounted, which cgroup the process
 * is in, and the id of a cgroup, which is its directory's inode number and what
 * {@code bpf_get_current_cgroup_id()} returns.
 *
 * <p>The mount is read from {@code /proc/self/mountinfo}, never assumed: it is
 * {@code /sys/fs/cgroup} on unified hosts, {@code /sys/fs/cgroup/unified} on hybrid ones, and
 * anything at all inside a container.
 */
public record CgroupFs(Path mount) {

    /** The cgroup v2 mount of this process. */
    public static CgroupFs current() {
        return fromMountInfo(read(Path.of("/proc/self/mountinfo")))
                .orElseThrow(() -> new SnoopException("no cgroup v2 filesystem is mounted (cgroup v1-only hosts are not supported)"));
    }

    /**
     * Finds the first cgroup2 mount in mountinfo text. Fields: id, parent, major:minor, root,
     * mount point, options, optional fields, "-", fstype, source, super options.
     */
    static Optional<CgroupFs> fromMountInfo(List<String> lines) {
        for (String line : lines) {
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (dash > 4 && dash + 1 < fields.length && fields[dash + 1].equals("cgroup2")) {
                return Optional.of(new CgroupFs(Path.of(unescape(fields[4]))));
            }
        }
        return Optional.empty();
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    static String unescape(String field) {
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                String octal = field.substring(i + 1, Math.min(field.length(), i + 4));
                if (octal.matches("[0-7]{3}")) {
                    sb.append((char) Integer.parseInt(octal, 8));
                    i += 3;
                    continue;
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * A cgroup v2 hierarchy mounted at {@code root}, e.g. the host's {@code /sys/fs/cgroup} mounted
     * into a sidecar whose own cgroup namespace shows it only its own cgroup.
     *
     * @throws SnoopException if {@code root} is not the top of a cgroup v2 hierarchy
     */
    public static CgroupFs at(Path root) {
        Path dir = root.toAbsolutePath().normalize();
        if (!isHierarchyRoot(dir) && isHierarchyRoot(dir.resolve("unified"))) {
            dir = dir.resolve("unified"); // a hybrid host's /sys/fs/cgroup: v2 is mounted below it
        }
        if (!isHierarchyRoot(dir)) {
            throw new SnoopException(root + ": not the root of a cgroup v2 hierarchy (mount the host's /sys/fs/cgroup there)");
        }
        return new CgroupFs(dir);
    }

    /** The top of a cgroup v2 tree: it has cgroup.procs and cgroup.controllers but, unlike a child, no cgroup.type. */
    private static boolean isHierarchyRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("cgroup.procs")) && Files.isRegularFile(dir.resolve("cgroup.controllers"))
                && !Files.exists(dir.resolve("cgroup.type"));
    }

    /**
     * The cgroup of process {@code pid} (as this process numbers it) in this hierarchy: the one
     * /proc/self/cgroup names if it holds the process, else found by reading every cgroup.procs,
     * which the kernel translates into the reader's pid namespace. The search is what works inside
     * a container, where /proc/self/cgroup is relative to a private cgroup namespace.
     *
     * @throws SnoopException if no cgroup of this hierarchy holds the process
     */
    public Path cgroupOfProcess(long pid) {
        try {
            Path named = selfCgroup();
            if (holds(named, pid)) {
                return named;
            }
        } catch (SnoopException e) {
            // not readable here: search
        }
        try {
            return findDirectory(mount, dir -> holds(dir, pid))
                    .orElseThrow(() -> new SnoopException("no cgroup under " + mount + " holds snoop (pid " + pid
                            + "): is it the host's cgroup v2 tree?"));
        } catch (IOException e) {
            throw new SnoopException("cannot search " + mount + " for snoop's cgroup: " + e.getMessage(), e);
        }
    }

    /**
     * The first cgroup directory at or below {@code under} that {@code matches}, walking the tree.
     *
     * @throws IOException if the walk fails, e.g. a cgroup removed under it
     */
    static Optional<Path> findDirectory(Path under, java.util.function.Predicate<Path> matches) throws IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(under)) {
            return walk.filter(Files::isDirectory).filter(matches).findFirst();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean holds(Path cgroup, long pid) {
        try (java.util.stream.Stream<String> pids = Files.lines(cgroup.resolve("cgroup.procs"))) {
            String wanted = Long.toString(pid);
            return pids.anyMatch(wanted::equals);
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** The directory of the cgroup this process is in, from the "0::" line of /proc/self/cgroup. */
    public Path selfCgroup() {
        return cgroupOf(read(Path.of("/proc/self/cgroup")));
    }

    Path cgroupOf(List<String> procCgroup) {
        for (String line : procCgroup) {
            if (line.startsWith("0::")) {
                return resolve(line.substring(3));
            }
        }
        throw new SnoopException("/proc/self/cgroup has no cgroup v2 entry");
    }

    /** The directory of a cgroup given by its path inside the hierarchy, e.g. "/kubepods/pod1". */
    public Path resolve(String cgroupPath) {
        String relative = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return relative.isEmpty() ? mount : mount.resolve(relative);
    }

    /** The path inside the hierarchy of a cgroup directory, e.g. "/kubepods/pod1". */
    public String pathOf(Path dir) {
        Path relative = mount.relativize(dir);
        return "/" + relative.toString();
    }

    /** True if {@code dir} is a cgroup of this hierarchy (it lies under the mount and has cgroup.procs). */
    public boolean isCgroup(Path dir) {
        Path normalized = dir.toAbsolutePath().normalize();
        return normalized.startsWith(mount) && Files.isRegularFile(normalized.resolve("cgroup.procs"));
    }

    /** The cgroup id of a cgroup directory: its inode number. */
    public static long idOf(Path dir) {
        try {
            return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw new SnoopException("cannot read the id of cgroup " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new SnoopException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
