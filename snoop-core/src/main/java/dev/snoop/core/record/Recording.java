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
import dev.snoop.core.report.StreamedReport;
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
    /** Identities renamed or discarded, for events recorded under an old one after the change. */
    private final Map<Identity, Identity> renamed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Identity, Identity> eldest) {
            return size() > 4096; // only events in flight at the change use old identities
        }
    };
    private static final Identity DISCARDED = new Identity("(discarded)", null, 0, null, null, null);
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

    /**
     * As {@link #resume(Report)}, from a report read as a stream: each container's path set is
     * taken over as it is, not copied, so {@code previous} must not be used afterwards.
     */
    public synchronized void resume(StreamedReport previous) {
        if (previous.startedAt() != null && previous.startedAt().isBefore(startedAt)) {
            startedAt = previous.startedAt();
        }
        for (StreamedReport.Container c : previous.containers()) {
            Identity identity = new Identity(c.name(), c.containerId(), c.cgroupId(), c.cgroupPath(), c.imageRef(), c.imageDigest());
            Entry entry = new Entry(identity, c.startedAt() != null ? c.startedAt() : startedAt, c.files());
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
        if (entry == null) {
            return Outcome.DISCARDED;
        }
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
        if (entry == null) {
            return Outcome.DISCARDED;
        }
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
        int bits = entry.files.value(ref);
        if ((bits | accessBits) != bits) {
            entry.files.setValue(ref, bits | accessBits); // only then: a write may copy a chunk a snapshot shares
        }
        Instant now = clock.instant();
        entry.lastUpdatedAt = now;
        if (entry.files.size() > sizeBefore) {
            entry.lastNewFileAt = now;
            return Outcome.NEW;
        }
        return Outcome.KNOWN;
    }

    /** What {@link #record} did with a path. */
    public enum Outcome { NEW, KNOWN, EXCLUDED, UNRESOLVED, INVALID, DISCARDED }

    /** Counts a path the kernel could not read whole, so the entry cannot claim to be complete. */
    public synchronized void countFailedPathRead(Identity identity) {
        Entry entry = entry(identity);
        if (entry != null) {
            entry.failedPathReads++;
        }
    }

    /** Counts a relative path whose directory could not be found. */
    public synchronized void countUnresolved(Identity identity) {
        Entry entry = entry(identity);
        if (entry != null) {
            entry.unresolvedPaths++;
        }
    }

    /** Adds to a container's event counters (the kernel's per-cgroup counts since the last call). */
    public synchronized void countEvents(Identity identity, long events, long dropped) {
        Entry entry = entry(identity);
        if (entry == null) {
            return;
        }
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

    /**
     * The report as of now. Only a copy is taken under the lock {@link #record} needs, in time
     * independent of the number of paths ({@link PathSet#frozenCopy}); the sorting, half a second
     * at a million paths, happens outside it, so events go on being recorded meanwhile.
     */
    public Report snapshot() {
        List<Copy> copies;
        Report head;
        synchronized (this) {
            copies = new ArrayList<>(containers.size());
            long total = 0;
            long dropped = 0;
            for (Entry e : containers.values()) {
                copies.add(new Copy(e.identity, e.files.frozenCopy(), e.startedAt, e.lastUpdatedAt, e.totalEvents,
                        e.droppedEvents, new Completeness(e.failedPathReads, e.unresolvedPaths, e.lastNewFileAt)));
                total += e.totalEvents;
                dropped += e.droppedEvents;
            }
            head = new Report(Report.SCHEMA_VERSION, podName, namespace, labels, startedAt, clock.instant(), total, dropped,
                    0, List.of(), info);
        }
        List<ContainerReport> list = new ArrayList<>(copies.size());
        for (Copy c : copies) {
            Identity id = c.identity;
            // the PathSet's value is the access bits; sorted out as "counts", then moved beside the files
            SortedPaths withBits = c.files.toSortedPaths(true);
            byte[] bits = new byte[withBits.size()];
            SortedPaths.Cursor cursor = withBits.cursor();
            for (int i = 0; cursor.next(); i++) {
                bits[i] = (byte) cursor.count();
            }
            list.add(new ContainerReport(id.name(), id.containerId(), id.cgroupId(), id.cgroupPath(), id.imageRef(),
                    id.imageDigest(), c.startedAt, c.lastUpdatedAt, c.totalEvents, c.droppedEvents,
                    withBits.withoutCounts(), FileAccess.of(bits, bits.length), c.completeness));
        }
        return new Report(head.schemaVersion(), head.podName(), head.namespace(), head.labels(), head.startedAt(),
                head.lastUpdatedAt(), head.totalEvents(), head.droppedEvents(), 0, list, head.recording());
    }

    /** One entry as it was when a snapshot was taken. */
    private record Copy(Identity identity, PathSet files, Instant startedAt, Instant lastUpdatedAt, long totalEvents,
            long droppedEvents, Completeness completeness) {}

    /**
     * Says that what was recorded as {@code from} (a container known only by its cgroup so far) is
     * {@code to} (as its runtime or the Kubernetes API names it): the entry takes the new identity,
     * and its name if that differs, continuing the entry already of that name (a restarted
     * container) if there is one. Events still on their way as {@code from} go to {@code to} too.
     */
    public synchronized void rename(Identity from, Identity to) {
        Objects.requireNonNull(to, "to");
        if (from.equals(to)) {
            return;
        }
        renamed.put(from, to);
        Entry source = containers.get(from.name());
        if (source == null || !source.identity.equals(from)) {
            return; // nothing recorded under it (yet)
        }
        Entry target = containers.get(to.name());
        if (target == null || target == source) {
            source.identity = to;
            if (!from.name().equals(to.name())) {
                rekey(from.name(), to.name());
            }
            return;
        }
        // the paths of a restarted container's new cgroup join those of its earlier ones
        target.files.addAll(source.files, (mine, theirs) -> mine | theirs);
        target.identity = to;
        target.startedAt = source.startedAt.isBefore(target.startedAt) ? source.startedAt : target.startedAt;
        target.lastUpdatedAt = later(target.lastUpdatedAt, source.lastUpdatedAt);
        target.lastNewFileAt = later(target.lastNewFileAt, source.lastNewFileAt);
        target.totalEvents += source.totalEvents;
        target.droppedEvents += source.droppedEvents;
        target.failedPathReads += source.failedPathReads;
        target.unresolvedPaths += source.unresolvedPaths;
        containers.remove(from.name());
    }

    /**
     * Drops what was recorded as {@code identity}, which turned out to be no container of the app
     * (a pod's sandbox); later events as it are ignored.
     */
    public synchronized void discard(Identity identity) {
        renamed.put(identity, DISCARDED);
        Entry entry = containers.get(identity.name());
        if (entry != null && entry.identity.equals(identity)) {
            containers.remove(identity.name());
        }
    }

    /** Moves the entry {@code from} to the key {@code to}, where {@code from} was: reports keep their order. */
    private void rekey(String from, String to) {
        Map<String, Entry> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : containers.entrySet()) {
            copy.put(e.getKey().equals(from) ? to : e.getKey(), e.getValue());
        }
        containers.clear();
        containers.putAll(copy);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private Entry entry(Identity identity) {
        for (int hops = 0; hops < 8; hops++) { // a chain of renames, never a cycle (from != to)
            Identity to = renamed.get(identity);
            if (to == null) {
                break;
            }
            identity = to;
        }
        if (identity == DISCARDED) {
            return null;
        }
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
        private final PathSet files;
        private Instant startedAt;
        private Identity identity;
        private Instant lastUpdatedAt;
        private Instant lastNewFileAt;
        private long totalEvents;
        private long droppedEvents;
        private long failedPathReads;
        private long unresolvedPaths;

        Entry(Identity identity, Instant startedAt) {
            this(identity, startedAt, new PathSet());
        }

        Entry(Identity identity, Instant startedAt, PathSet files) {
            this.files = files;
            this.identity = identity;
            this.startedAt = startedAt;
            this.lastUpdatedAt = startedAt;
        }
    }
}
