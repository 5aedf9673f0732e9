package dev.snoop.record;

import dev.snoop.bpf.RootMode;
import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a {@link TargetSpec} against the live cgroup hierarchy and attributes cgroup ids to
 * containers.
 *
 * <p>The kernel filter is given <em>roots</em>: a process is traced when one of its cgroup's
 * ancestors is a root and none is excluded, so a container that starts after snoop is traced from
 * its first syscall; user space only learns its name when its first event arrives. Only
 * {@code --container-id} and {@code --cgroup} targets must be found by scanning, because their
 * cgroups may not exist before the container does.
 *
 * <p>Thread safe: the poller thread attributes events while the main thread rescans and the
 * resolver thread looks containers up. Walks of the cgroup tree happen outside the lock, so the
 * poller's {@link #describeAnnounced} never waits for one.
 */
public final class Targets {
    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");

    private final CgroupFs fs;
    private final TargetSpec spec;
    private final Path self;
    /** root cgroup directory -> whether each child of it is a container (exclude-self) or it is one */
    private final Map<Path, Boolean> roots = new LinkedHashMap<>();

    /**
     * One traced container.
     *
     * @param name the cgroup directory's name, until runtime metadata names it better
     * @param containerId the 64-hex-digit id in the directory name, or null
     * @param cgroupDir the container's cgroup directory
     * @param cgroupId its id
     */
    public record Container(String name, String containerId, Path cgroupDir, long cgroupId) {}

    /**
     * @throws IllegalArgumentException for a target that cannot be traced: a path that is not a
     *     cgroup v2 directory, or exclude-self while snoop runs in the root cgroup
     */
    public Targets(CgroupFs fs, TargetSpec spec, Path self) {
        this.fs = fs;
        this.spec = spec;
        this.self = self;
        if (spec.excludeSelf()) {
            if (self.equals(fs.mount())) {
                throw new IllegalArgumentException("--target-mode exclude-self: snoop runs in the root cgroup, so it has no "
                        + "sibling containers; run it in its own cgroup (a sidecar) or name targets with --cgroup or --container-id");
            }
            roots.put(self.getParent(), true);
        }
        for (Path cgroup : spec.cgroups()) {
            Path dir = cgroup.toAbsolutePath().normalize();
            if (!dir.startsWith(fs.mount()) || Files.isDirectory(dir) && !fs.isCgroup(dir)) {
                // e.g. a cgroup v1 path: never traceable, but the other targets still are
                invalid.add("--cgroup " + cgroup + ": not a cgroup v2 directory (the cgroup v2 tree is " + fs.mount() + ")");
            } else {
                pendingCgroups.add(dir); // traced once it exists: a container may start after snoop
            }
        }
    }

    private final List<Path> pendingCgroups = new ArrayList<>();
    private final List<String> invalid = new ArrayList<>();

    /** Targets that can never be traced, one message each. */
    public List<String> invalidTargets() {
        return List.copyOf(invalid);
    }

    /**
     * Looks for the cgroups of {@code --cgroup} and {@code --container-id} targets that did not
     * exist yet; returns the ones still missing.
     */
    public List<String> scanContainerIds() {
        List<String> missing = new ArrayList<>();
        List<Path> found = new ArrayList<>();
        for (Path dir : pendingCgroups) {
            if (fs.isCgroup(dir)) {
                found.add(dir);
            } else {
                missing.add(dir.toString());
            }
        }
        for (String id : spec.containerIds()) {
            List<Path> matches = matching(fs.mount(), id, 2);
            if (matches.size() == 1) {
                found.add(matches.get(0));
            } else {
                // two containers whose names hold the id: tracing either could be the wrong one
                missing.add(matches.isEmpty() ? id : id + " (ambiguous: " + matches.get(0) + ", " + matches.get(1) + ", ...)");
            }
        }
        synchronized (this) {
            found.forEach(dir -> roots.putIfAbsent(dir, false));
        }
        return missing;
    }

    /**
     * Directories at or below {@code mount} whose name contains {@code id}, at most {@code limit};
     * none if the tree keeps changing under the walk.
     */
    static List<Path> matching(Path mount, String id, int limit) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return TargetCheck.walkMatching(mount, id, limit);
            } catch (IOException e) {
                // a cgroup removed during the walk: walk again
            }
        }
        return List.of();
    }

    /**
     * The cgroups below which processes are traced, by id, with whether each is a container itself
     * or the parent of containers. Roots whose directory is gone are left out.
     */
    public synchronized Map<Long, RootMode> roots() {
        Map<Long, RootMode> ids = new java.util.TreeMap<>();
        for (Map.Entry<Path, Boolean> root : roots.entrySet()) {
            try {
                ids.put(CgroupFs.idOf(root.getKey()), root.getValue() ? RootMode.PARENT : RootMode.CONTAINER);
            } catch (SnoopException e) {
                // removed since it was found: a container that stopped
            }
        }
        return ids;
    }

    /** The cgroup ids below which nothing is traced: snoop's own, in exclude-self mode. */
    public Set<Long> excludedIds() {
        return spec.excludeSelf() ? Set.of(CgroupFs.idOf(self)) : Set.of();
    }

    /**
     * The container a cgroup id belongs to, or null if it is not (or no longer) below a root, or is
     * snoop's own. Looked up by walking the roots; {@link ContainerDirectory} remembers the answer.
     */
    public Container containerOf(long cgroupId) {
        Map<Path, Boolean> now;
        synchronized (this) {
            now = new LinkedHashMap<>(roots);
        }
        for (Map.Entry<Path, Boolean> root : now.entrySet()) {
            Path leaf = findById(root.getKey(), cgroupId);
            if (leaf == null) {
                continue;
            }
            Path containerDir = root.getValue() ? childOnPath(root.getKey(), leaf) : root.getKey();
            if (containerDir == null || spec.excludeSelf() && containerDir.equals(self)) {
                return null;
            }
            return describe(containerDir, CgroupFs.idOf(containerDir));
        }
        return null;
    }

    /**
     * The container of a cgroup directory the kernel named, whether or not it still exists: the
     * kernel only announces containers below a root, so the directory is a root or a root's child.
     */
    public synchronized Container describeAnnounced(Path dir, long cgroupId) {
        for (Map.Entry<Path, Boolean> root : roots.entrySet()) {
            boolean isRoot = dir.equals(root.getKey());
            boolean isChild = root.getValue() && root.getKey().equals(dir.getParent());
            if (isRoot || isChild) {
                if (spec.excludeSelf() && dir.equals(self)) {
                    return null;
                }
                return describe(dir, cgroupId);
            }
        }
        return null;
    }

    private static Path childOnPath(Path root, Path leaf) {
        if (leaf.equals(root)) {
            return null; // a process in the pod's own cgroup belongs to no container
        }
        return root.resolve(root.relativize(leaf).getName(0));
    }

    private static Path findById(Path root, long id) {
        try {
            return CgroupFs.findDirectory(root, p -> {
                try {
                    return CgroupFs.idOf(p) == id;
                } catch (SnoopException e) {
                    return false;
                }
            }).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** A container named after its cgroup directory, with the 64-hex-digit id in that name if any. */
    private static Container describe(Path dir, long cgroupId) {
        String name = dir.getFileName().toString();
        Matcher m = CONTAINER_ID.matcher(name);
        return new Container(name, m.find() ? m.group() : null, dir, cgroupId);
    }
}
