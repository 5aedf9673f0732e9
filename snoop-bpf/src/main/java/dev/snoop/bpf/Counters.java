package dev.snoop.bpf;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The kernel's counters summed over all CPUs at one moment. Counted since the recorder was
 * loaded, for every traced container together.
 *
 * @param dropped events lost because the ring buffer was full
 * @param pathFault names that could not be read from the process's memory
 * @param pathTooLong names longer than PATH_MAX
 * @param dirUnresolved relative names whose directory was not walked to the root
 * @param deduped accesses not sent because the same container already reported them
 * @param emitted events written to the ring buffer
 * @param runtimeSkipped syscalls of the container runtime's set-up (runc's init stages), ignored
 * @param perKind syscalls (and execs) of traced tasks per kind, sent or not; every kind present
 */
public record Counters(long dropped, long pathFault, long pathTooLong, long dirUnresolved,
                       long deduped, long emitted, long runtimeSkipped, Map<EventKind, Long> perKind) {

    public Counters {
        EnumMap<EventKind, Long> all = new EnumMap<>(EventKind.class);
        for (EventKind k : EventKind.values()) {
            all.put(k, perKind.getOrDefault(k, 0L));
        }
        perKind = Collections.unmodifiableMap(all);
    }

    /** The count of one kind. */
    public long count(EventKind kind) {
        return perKind.get(kind);
    }
}
