package dev.snoop.cli.record;

import dev.snoop.core.record.Recording.Identity;
import java.util.HashMap;
import java.util.Map;

/**
 * Names the container behind a container cgroup id, as events carry it. The name keys the report
 * entry, so it must outlive the cgroup: a container restarted into a new cgroup of the same name
 * continues its entry.
 */
final class ContainerDirectory {
    private final Targets targets;
    private final CgroupFs fs;
    private final String imageRef;
    private final String imageDigest;
    private final Log log;
    private final java.util.List<MetadataSource> sources;
    private final Map<Long, Identity> known = new HashMap<>();

    /**
     * @param sources asked in order for a container's name and image; the cgroup's directory name
     *     and {@code imageRef}/{@code imageDigest} (from flags) fill in what none of them knows
     */
    ContainerDirectory(Targets targets, CgroupFs fs, String imageRef, String imageDigest,
            java.util.List<MetadataSource> sources, Log log) {
        this.targets = targets;
        this.fs = fs;
        this.imageRef = imageRef;
        this.imageDigest = imageDigest;
        this.sources = java.util.List.copyOf(sources);
        this.log = log;
    }

    private Identity identify(Targets.Container container, long cgroupId, String cgroupPath) {
        for (MetadataSource source : sources) {
            java.util.Optional<ContainerInfo> info = source.lookup(container.containerId(), cgroupPath);
            if (info.isPresent() && info.get().sandbox()) {
                log.info("sandbox container not traced", "cgroup", cgroupPath, "source", info.get().source());
                return null;
            }
            if (info.isPresent()) {
                ContainerInfo i = info.get();
                Identity identity = new Identity(i.name(), container.containerId(), cgroupId, cgroupPath,
                        i.imageRef() != null ? i.imageRef() : imageRef, i.imageDigest() != null ? i.imageDigest() : imageDigest);
                log.info("container found", "name", identity.name(), "cgroup", cgroupPath, "cgroup_id", cgroupId,
                        "image", identity.imageRef(), "digest", identity.imageDigest(), "source", i.source());
                return identity;
            }
        }
        Identity identity = new Identity(container.name(), container.containerId(), cgroupId, cgroupPath, imageRef, imageDigest);
        log.info("container found", "name", identity.name(), "cgroup", cgroupPath, "cgroup_id", cgroupId,
                "image", identity.imageRef(), "digest", identity.imageDigest(), "source", "cgroup");
        return identity;
    }

    /** The identity of a traced container, or null for a cgroup that belongs to none. */
    synchronized Identity identityOf(long cgroupId) {
        Identity identity = known.get(cgroupId);
        if (identity == null && !known.containsKey(cgroupId)) {
            Targets.Container container = targets.containerOf(cgroupId);
            if (container != null) {
                identity = identify(container, cgroupId, fs.pathOf(container.cgroupDir()));
            }
            known.put(cgroupId, identity); // null too: a cgroup of no container stays one
        }
        return identity;
    }

    /**
     * Records the cgroup path the kernel gave for a container id, while the cgroup still existed,
     * so that its events are attributed even if it is removed before they are read.
     */
    synchronized void announce(long cgroupId, String cgroupPath) {
        Identity current = known.get(cgroupId);
        if (current != null) {
            return;
        }
        java.nio.file.Path dir = fs.resolve(cgroupPath);
        Targets.Container container = targets.describeAnnounced(dir, cgroupId);
        if (container == null) {
            log.debug("cgroup announced outside the targets", "cgroup", cgroupPath, "cgroup_id", cgroupId);
            return;
        }
        Identity identity = identify(container, cgroupId, cgroupPath);
        if (identity != null) {
            known.put(cgroupId, identity);
        }
    }

    /** Forgets cgroups that are gone, so a reused id is looked up afresh. */
    /**
     * Forgets containers whose cgroup was already gone at the previous sweep, so events still in
     * flight when a cgroup is removed are attributed; returns the cgroup ids forgotten.
     */
    synchronized java.util.Set<Long> forgetRemoved() {
        java.util.Set<Long> gone = new java.util.HashSet<>();
        for (Map.Entry<Long, Identity> e : known.entrySet()) {
            if (e.getValue() == null || !java.nio.file.Files.isDirectory(fs.resolve(e.getValue().cgroupPath()))) {
                gone.add(e.getKey());
            }
        }
        java.util.Set<Long> forgotten = new java.util.HashSet<>(gone);
        forgotten.retainAll(goneAtLastSweep);
        known.keySet().removeAll(forgotten);
        goneAtLastSweep = gone;
        return forgotten;
    }

    private java.util.Set<Long> goneAtLastSweep = java.util.Set.of();
}
