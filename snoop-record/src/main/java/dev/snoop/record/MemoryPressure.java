package dev.snoop.record;

import java.util.ArrayDeque;

/**
 * Says when the recorder is about to thrash instead of letting it degrade silently: under a memory
 * limit that is too small, the kernel takes back the JVM's file-backed pages (libjvm, the class
 * archives) and the process faults them in again on every step, for minutes, rather than failing.
 *
 * <p>Fed once a second with the process's cumulative major faults and its memory cgroup's limit
 * events (cgroup v2 {@code memory.events} high + max, v1 {@code memory.failcnt}). Pressure is a
 * major-fault rate of at least {@link #FAULTS_PER_SECOND} over the last {@link #WINDOW} samples, or
 * of {@link #FAULTS_AT_LIMIT_PER_SECOND} while the cgroup reached its limit in them. Limit events
 * alone are not pressure: page cache grows until it meets the limit in every container that
 * reads or writes files (a sidecar at 88 MiB with 70 MB in use did, with one major fault in a
 * minute), and the kernel drops it as it must; pressure is when what it drops is needed again.
 * It lasts until {@link #HOLD} samples have passed without it, so that a gauge or a probe does
 * not flap. Not thread-safe: the recorder's loop updates it, readers
 * only read the volatile state.
 */
final class MemoryPressure {
    /** A steady recorder takes no major faults at all; a thrashing one hundreds to thousands a second. */
    static final long FAULTS_PER_SECOND = 50;
    /** At its limit, fewer suffice: what the kernel takes back is being read in again. */
    static final long FAULTS_AT_LIMIT_PER_SECOND = 20;
    static final int WINDOW = 5;
    static final int HOLD = 30;

    /** Cumulative counts; -1 where a source is missing (no memory cgroup found). */
    record Sample(long majorFaults, long limitEvents) {}

    private final ArrayDeque<Sample> window = new ArrayDeque<>();
    private volatile boolean pressure;
    private volatile String reason;
    private volatile Sample last = new Sample(0, 0);
    private int quiet;
    private long loggedAt = -1;
    static final long LOG_EVERY_MILLIS = 60_000;

    /**
     * Takes the counts of the second that just ended.
     *
     * @param nowMillis the time, for the log's rate limit
     * @return what to log, at most one line per {@link #LOG_EVERY_MILLIS} while pressure lasts and
     *     one when it ends; null for nothing
     */
    String update(Sample now, long nowMillis) {
        last = now;
        window.addLast(now);
        if (window.size() > WINDOW + 1) {
            window.removeFirst();
        }
        Sample first = window.peekFirst();
        int seconds = window.size() - 1;
        String cause = null;
        if (seconds > 0 && first.majorFaults() >= 0 && now.majorFaults() >= 0) {
            long faults = now.majorFaults() - first.majorFaults();
            long limits = first.limitEvents() >= 0 && now.limitEvents() >= 0 ? now.limitEvents() - first.limitEvents() : 0;
            if (faults >= FAULTS_PER_SECOND * seconds) {
                cause = faults / seconds + " major faults/s";
            } else if (limits > 0 && faults >= FAULTS_AT_LIMIT_PER_SECOND * seconds) {
                cause = faults / seconds + " major faults/s";
            }
            if (cause != null && limits > 0) {
                cause += ", " + limits + " memory limit events in " + seconds + " s";
            }
        }
        if (cause != null) {
            pressure = true;
            reason = cause;
            quiet = 0;
            if (loggedAt < 0 || nowMillis - loggedAt >= LOG_EVERY_MILLIS) {
                loggedAt = nowMillis;
                return "memory pressure: the recorder may be thrashing (" + cause + "); raise its memory limit";
            }
        } else if (pressure && ++quiet >= HOLD) {
            pressure = false;
            reason = null;
            loggedAt = -1;
            return "memory pressure over";
        }
        return null;
    }

    boolean underPressure() {
        return pressure;
    }

    /** What the last pressure was seen as, e.g. "420 major faults/s"; null without pressure. */
    String reason() {
        return pressure ? reason : null;
    }

    long majorFaults() {
        return last.majorFaults();
    }

    long limitEvents() {
        return last.limitEvents();
    }
}
