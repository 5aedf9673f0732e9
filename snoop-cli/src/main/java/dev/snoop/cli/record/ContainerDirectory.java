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
    private final Map<Long, Identity> known = new HashMap<>();

    ContainerDirectory(Targets targets, CgroupFs fs, String imageRef, String imageDigest, Log log) {
        this.targets = targets;
        this.fs = fs;
        this.imageRef = imageRef;
        this.imageDigest = imageDigest;
        this.log = log;
    }

    /** The identity of a traced container, or null for a cgroup that belongs to none. */
    synchronized Identity identityOf(long cgroupId) {
        Identity identity = known.get(cgroupId);
        if (identity == null && !known.containsKey(cgroupId)) {
            Targets.Container container = targets.containerOf(cgroupId);
            if (container != null) {
                identity = new Identity(container.name(), container.containerId(), cgroupId,
                        fs.pathOf(container.cgroupDir()), imageRef, imageDigest);
                log.info("container found", "name", identity.name(), "cgroup", identity.cgroupPath(), "cgroup_id", cgroupId);
            }
            known.put(cgroupId, identity); // null too: a cgroup of no container stays one
        }
        return identity;
    }

    /** Forgets cgroups that are gone, so a reused id is looked up afresh. */
    synchronized void forgetRemoved() {
        targets.forgetRemoved();
        known.entrySet().removeIf(e -> e.getValue() == null
                || !java.nio.file.Files.isDirectory(fs.resolve(e.getValue().cgroupPath())));
    }
}
