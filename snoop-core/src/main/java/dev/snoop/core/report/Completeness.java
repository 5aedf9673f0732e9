package dev.snoop.core.report;

import java.time.Instant;

/**
 * How far a recorded container entry can be trusted to list every file the container touched.
 * Only the recorder knows this; merged and legacy reports carry none.
 *
 * @param failedPathReads paths the kernel could not read whole (unmapped memory, longer than PATH_MAX)
 * @param unresolvedPaths relative paths whose directory could not be found
 * @param lastNewFileAt when the entry last gained a file: a long-quiet entry has converged; null if none
 */
public record Completeness(long failedPathReads, long unresolvedPaths, Instant lastNewFileAt) {
    public Completeness {
        if (failedPathReads < 0 || unresolvedPaths < 0) {
            throw new IllegalArgumentException("negative counter");
        }
    }

    /** True when nothing was lost: no dropped event, no unreadable path, no unresolved path. */
    public boolean complete(long droppedEvents) {
        return droppedEvents == 0 && failedPathReads == 0 && unresolvedPaths == 0;
    }
}
