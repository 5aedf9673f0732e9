package dev.snoop.core.report;

import dev.snoop.core.SnoopException;
import java.time.Instant;

/**
 * The fields of one container as {@link ReportReader} has read them, for a {@link ReportSink} to
 * build the container from. In the single-container shape they are the report's top-level fields.
 * Mutable scratch state of one read, filled field by field in whatever order the document has them.
 *
 * @param <F> where the {@code files} list went
 */
final class ContainerFields<F extends PathCollector> {
    /** True for the single-container shape's top-level fields, which have no access, seen_in or completeness. */
    final boolean topLevel;
    String name = "";
    String containerId;
    long cgroupId;
    String cgroupPath;
    String imageRef;
    String imageDigest;
    Instant startedAt;
    Instant lastUpdatedAt;
    long totalEvents;
    long droppedEvents;
    /** The {@code files} list; null if the container has none. */
    F files;
    /** The {@code access} kinds, one byte of {@link AccessKind} bits per entry; null if there are none. */
    byte[] access;
    /** The first {@code access} entry that is no kind: refused only where the kinds apply, ignored with them otherwise. */
    SnoopException accessError;
    /** The {@code seen_in} counts; null if there are none, or the sink does not keep them. */
    int[] seenIn;
    Long failedPathReads;
    long unresolvedPaths;
    Instant lastNewFileAt;

    ContainerFields(boolean topLevel) {
        this.topLevel = topLevel;
    }

    /** Null if the report says nothing about it (no {@code failed_path_reads}). */
    Completeness completeness() {
        return failedPathReads == null ? null : new Completeness(failedPathReads, unresolvedPaths, lastNewFileAt);
    }

    /**
     * True if the {@code access} kinds apply to the {@code size} paths kept: by index, they are only
     * meaningful beside a list kept as written, with as many entries as paths.
     */
    boolean accessLinesUp(int size) {
        return access != null && files != null && files.keptOrder() && access.length == size;
    }

    /**
     * The kinds, once {@link #accessLinesUp} has said they apply.
     *
     * @throws SnoopException for an entry that is no kind of access
     */
    byte[] accessBits() {
        if (accessError != null) {
            throw accessError;
        }
        return access;
    }
}
