package dev.snoop.record;

import dev.snoop.core.record.Recording;
import dev.snoop.core.record.Recording.Identity;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Names the container behind a container cgroup id, as events carry it. The name keys the report
 * entry, so it must outlive the cgroup: a container restarted into a new cgroup of the same name
 * continues its entry.
 *
 * <p>The poller asks for every event and must never wait: a new cgroup gets a provisional identity
 * at once (named by its cgroup directory when the kernel announced it, else {@code cgroup-ID}) and
 * its events are recorded under it, while the {@link Resolver} thread walks the cgroup tree and
 * asks the metadata sources; the answer then renames the entry ({@link Recording#rename}), or drops
 * it for a pod's sandbox.
 */
final class ContainerDirectory {
    private final Targets targets;
    private final CgroupFs fs;
    private final String imageRef;
    private final String imageDigest;
    private final Log log;
    private final List<MetadataSource> sources;
    private final Recording recording;
    private final Resolver resolver;
    private final Map<Long, Identity> known = new HashMap<>();
    private Set<Long> goneAtLastSweep = Set.of();

    /**
     * @param sources asked in order for a container's name and image; the cgroup's directory name
     *     and {@code imageRef}/{@code imageDigest} (from flags) fill in what none of them knows
     */
    ContainerDirectory(Targets targets, CgroupFs fs, String imageRef, String imageDigest, List<MetadataSource> sources,
            Recording recording, Resolver resolver, Log log) {
        this.targets = targets;
        this.fs = fs;
        this.imageRef = imageRef;
        this.imageDigest = imageDigest;
        this.sources = List.copyOf(sources);
        this.recording = recording;
        this.resolver = resolver;
        this.log = log;
    }

    /** The identity of a traced container, or null for a cgroup that belongs to none; never waits for a look-up. */
    synchronized Identity identityOf(long cgroupId) {
        if (known.containsKey(cgroupId)) {
            return known.get(cgroupId); // null too: a cgroup of no container stays one
        }
        // not announced (the kernel could not name it): the tree walk tells which container it is
        Identity provisional = new Identity("cgroup-" + cgroupId, null, cgroupId, null, imageRef, imageDigest);
        known.put(cgroupId, provisional);
        resolver.submit(() -> resolve(cgroupId, null, provisional));
        return provisional;
    }

    /**
     * The identity the poller gave {@code cgroupId}, or null if it has none (yet): for the kernel's
     * counts, which must not start a look-up before the poller has read the cgroup's announcement
     * (the cgroup of a short-lived container may be gone by the time a look-up walks the tree).
     */
    synchronized Identity knownIdentity(long cgroupId) {
        return known.get(cgroupId);
    }

    /**
     * Records the cgroup path the kernel gave for a container id, while the cgroup still existed,
     * so that its events are attributed even if it is removed before they are read.
     */
    synchronized void announce(long cgroupId, String cgroupPath) {
        if (known.get(cgroupId) != null) {
            return;
        }
        Targets.Container container = targets.describeAnnounced(fs.resolve(cgroupPath), cgroupId);
        if (container == null) {
            log.debug("cgroup announced outside the targets", "cgroup", cgroupPath, "cgroup_id", cgroupId);
            return;
        }
        Identity provisional = byCgroup(container, cgroupId, cgroupPath);
        known.put(cgroupId, provisional);
        resolver.submit(() -> resolve(cgroupId, container, provisional));
    }

    /** On the resolver thread: finds the container's cgroup if needed, then asks the sources. */
    private void resolve(long cgroupId, Targets.Container announced, Identity provisional) {
        Targets.Container container = announced;
        Identity current = provisional;
        if (container == null) {
            container = targets.containerOf(cgroupId);
            if (container == null) {
                settle(cgroupId, current, null);
                return;
            }
            Identity named = byCgroup(container, cgroupId, fs.pathOf(container.cgroupDir()));
            settle(cgroupId, current, named);
            current = named;
        }
        settle(cgroupId, current, identify(container, cgroupId, current.cgroupPath()));
    }

    /** Replaces {@code from} by {@code to} (null: no container of the app), here and in the recording. */
    private void settle(long cgroupId, Identity from, Identity to) {
        synchronized (this) {
            if (known.get(cgroupId) == from) { // not forgotten meanwhile
                known.put(cgroupId, to);
            }
        }
        // after the switch: an event the poller attributes to `to` meanwhile is merged by the rename
        if (to == null) {
            recording.discard(from);
        } else {
            recording.rename(from, to);
        }
    }

    private Identity byCgroup(Targets.Container container, long cgroupId, String cgroupPath) {
        return new Identity(container.name(), container.containerId(), cgroupId, cgroupPath, imageRef, imageDigest);
    }

    /** Asks the sources, slowly maybe (the Kubernetes API): only ever on the resolver thread. */
    private Identity identify(Targets.Container container, long cgroupId, String cgroupPath) {
        for (MetadataSource source : sources) {
            Optional<ContainerInfo> info = source.lookup(container.containerId(), cgroupPath);
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
        Identity identity = byCgroup(container, cgroupId, cgroupPath);
        log.info("container found", "name", identity.name(), "cgroup", cgroupPath, "cgroup_id", cgroupId,
                "image", identity.imageRef(), "digest", identity.imageDigest(), "source", "cgroup");
        return identity;
    }

    /**
     * Forgets containers whose cgroup was already gone at the previous sweep, so events still in
     * flight when a cgroup is removed are attributed; returns the cgroup ids forgotten. A cgroup
     * still being looked up (no path yet) waits for its answer.
     */
    synchronized Set<Long> forgetRemoved() {
        Set<Long> gone = new HashSet<>();
        for (Map.Entry<Long, Identity> e : known.entrySet()) {
            Identity identity = e.getValue();
            if (identity == null || identity.cgroupPath() != null && !Files.isDirectory(fs.resolve(identity.cgroupPath()))) {
                gone.add(e.getKey());
            }
        }
        Set<Long> forgotten = new HashSet<>(gone);
        forgotten.retainAll(goneAtLastSweep);
        known.keySet().removeAll(forgotten);
        goneAtLastSweep = gone;
        return forgotten;
    }
}
