package dev.snoop.core.record;

import dev.snoop.core.path.PathFilter;
import dev.snoop.core.path.PathNormalizer;
import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.Completeness;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.FileAccess;
import dev.snoop.core.report.RecordingInfo;
import dev.snoop.core.report.Report;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code snoop record} has seen so far: per container, the unique normalized paths with the
 * kinds of access, and the counters that say how complete the picture is.
 *
 * <p>Entries are keyed by container name, so a restarted container (new cgroup, same name)
 * continues its entry. Paths are never evicted: the report must hold every path ever seen.
 * Thread safe: events arrive on the polling thread, snapshots are taken by the report writer.
 */
public final class Recording {
    private final Clock clock;
    private final PathFilter exclusions;
    private Instant startedAt;
    private final Map<String, Entry> containers = new LinkedHashMap<>();
    private String podName;
    private String namespace;
    private Map<String, String> labels = Map.of();
    private RecordingInfo info;

    /**
     * Identity of a container as the recorder knows it.
     *
     * @param name the key of its entry
     */
    public record Identity(String name, String containerId, long cgroupId, String cgroupPath, String imageRef, String imageDigest) {
        public Identity {
            Objects.requireNonNull(name, "name");
        }
    }

    public Recording(Clock clock, PathFilter exclusions) {
        this.clock = clock;
        this.exclusions = exclusions;
        this.startedAt = clock.instant();
    }

    public synchronized void setPod(String podName, String namespace, Map<String, String> labels) {
        this.podName = podName;
        this.namespace = namespace;
        this.labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /**
     * Continues a previous recording of the same pod, e.g. after snoop itself was restarted:
     * every container entry, its files and kinds of access, counters and start time are taken
     * over, so a restart loses nothing that was written before it.
     */
    public synchronized void resume(Report previous) {
        if (previous.startedAt() != null && previous.startedAt().isBefore(startedAt)) {
            startedAt = previous.startedAt();
        }
        for (ContainerReport c : previous.containers()) {
            Identity identity = new Identity(c.name(), c.containerId(), c.cgroupId(), c.cgroupPath(), c.imageRef(), c.imageDigest());
            Entry entry = new Entry(identity, c.startedAt() != null ? c.startedAt() : startedAt);
            SortedPaths.Cursor cursor = c.files().cursor();
            for (int i = 0; cursor.next(); i++) {
                int ref = entry.files.addRef(cursor.bytes(), cursor.length());
                entry.files.setValue(ref, c.access() == null ? 0 : c.access().bitsAt(i));
            }
            entry.lastUpdatedAt = c.lastUpdatedAt() != null ? c.lastUpdatedAt() : entry.startedAt;
            entry.totalEvents = c.totalEvents();
            entry.droppedEvents = c.droppedEvents();
            if (c.completeness() != null) {
                entry.failedPathReads = c.completeness().failedPathReads();
                entry.unresolvedPaths = c.completeness().unresolvedPaths();
                entry.lastNewFileAt = c.completeness().lastNewFileAt();
            }
            containers.put(c.name(), entry);
        }
    }

    /** Says what the recording watches; written into every snapshot. */
    public synchronized void setInfo(RecordingInfo info) {
        this.info = info;
    }

    /**
     * Records one access.
     *
     * @param path the path as the process passed it; relative ones are resolved against {@code base}
     * @param base the process's working directory or the directory of the dirfd, as the container
     *     sees it, or null when the path is absolute or the directory is unknown
     * @return what happened to the path
     */
    public synchronized Outcome record(Identity identity, String path, String base, int accessBits) {
        Entry entry = entry(identity);
        String normalized;
        try {
            normalized = PathNormalizer.normalize(path, base);
        } catch (IllegalArgumentException e) {
            if (!path.isEmpty() && path.charAt(0) != '/' && base == null) {
                entry.unresolvedPaths++;
                return Outcome.UNRESOLVED;
            }
            return Outcome.INVALID;
        }
        if (exclusions.excludes(normalized)) {
            return Outcome.EXCLUDED;
        }
        int before = entry.files.size();
        return added(entry, before, entry.files.addRef(normalized), accessBits);
    }

    /**
     * Records one access to an absolute name given as the kernel's UTF-8 bytes. A name that is
     * plain ASCII and already normalized, nearly every one, goes into the set without becoming a
     * String (a fifth of the recorder's CPU per event went into String work); any other name takes
     * the path of {@link #record(Identity, String, String, int)}, decoded as UTF-8.
     */
    public synchronized Outcome record(Identity identity, byte[] utf8, int accessBits) {
        if (!ascii(utf8) || !PathNormalizer.isNormalized(utf8, 0, utf8.length)) {
            return record(identity, new String(utf8, StandardCharsets.UTF_8), null, accessBits);
        }
        Entry entry = entry(identity);
        if (exclusions.excludes(utf8, utf8.length)) {
            return Outcome.EXCLUDED;
        }
        int before = entry.files.size();
        return added(entry, before, entry.files.addRef(utf8, utf8.length), accessBits);
    }

    private static boolean ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private Outcome added(Entry entry, int sizeBefore, int ref, int accessBits) {
        entry.files.setValue(ref, entry.files.value(ref) | accessBits);
        Instant now = clock.instant();
        entry.lastUpdatedAt = now;
        if (entry.files.size() > sizeBefore) {
            entry.lastNewFileAt = now;
            return Outcome.NEW;
        }
        return Outcome.KNOWN;
    }

    /** What {@link #record} did with a path. */
    public enum Outcome { NEW, KNOWN, EXCLUDED, UNRESOLVED, INVALID }

    /** Counts a path the kernel could not read whole, so the entry cannot claim to be complete. */
    public synchronized void countFailedPathRead(Identity identity) {
        entry(identity).failedPathReads++;
    }

    /** Counts a relative path whose directory could not be found. */
    public synchronized void countUnresolved(Identity identity) {
        entry(identity).unresolvedPaths++;
    }

    /** Adds to a container's event counters (the kernel's per-cgroup counts since the last call). */
    public synchronized void countEvents(Identity identity, long events, long dropped) {
        Entry entry = entry(identity);
        entry.totalEvents += events;
        entry.droppedEvents += dropped;
    }

    /** The number of unique paths of a container, 0 if unknown. */
    public synchronized int uniqueFiles(String name) {
        Entry entry = containers.get(name);
        return entry == null ? 0 : entry.files.size();
    }

    public synchronized List<String> containerNames() {
        return List.copyOf(containers.keySet());
    }

    /** The report as of now. */
    public synchronized Report snapshot() {
        Instant now = clock.instant();
        List<ContainerReport> list = new ArrayList<>(containers.size());
        long total = 0;
        long dropped = 0;
        for (Entry e : containers.values()) {
            Identity id = e.identity;
            // the PathSet's value is the access bits; sorted out as "counts", then moved beside the files
            SortedPaths withBits = e.files.toSortedPaths(true);
            byte[] bits = new byte[withBits.size()];
            SortedPaths.Cursor cursor = withBits.cursor();
            for (int i = 0; cursor.next(); i++) {
                bits[i] = (byte) cursor.count();
            }
            list.add(new ContainerReport(id.name(), id.containerId(), id.cgroupId(), id.cgroupPath(), id.imageRef(),
                    id.imageDigest(), e.startedAt, e.lastUpdatedAt, e.totalEvents, e.droppedEvents,
                    withBits.withoutCounts(), FileAccess.of(bits, bits.length),
                    new Completeness(e.failedPathReads, e.unresolvedPaths, e.lastNewFileAt)));
            total += e.totalEvents;
            dropped += e.droppedEvents;
        }
        return new Report(Report.SCHEMA_VERSION, podName, namespace, labels, startedAt, now, total, dropped, 0, list, info);
    }

    private Entry entry(Identity identity) {
        Entry entry = containers.get(identity.name());
        if (entry == null) {
            entry = new Entry(identity, clock.instant());
            containers.put(identity.name(), entry);
        } else if (!entry.identity.equals(identity)) {
            entry.identity = identity; // a restart: new cgroup, same name; the entry goes on
        }
        return entry;
    }

    private static final class Entry {
        private final PathSet files = new PathSet();
        private Instant startedAt;
        private Identity identity;
        private Instant lastUpdatedAt;
        private Instant lastNewFileAt;
        private long totalEvents;
        private long droppedEvents;
        private long failedPathReads;
        private long unresolvedPaths;

        Entry(Identity identity, Instant startedAt) {
            this.identity = identity;
            this.startedAt = startedAt;
            this.lastUpdatedAt = startedAt;
        }
    }
}
