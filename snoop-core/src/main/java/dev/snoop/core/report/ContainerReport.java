package dev.snoop.core.report;

import dev.snoop.core.path.QuotedPaths;
import dev.snoop.core.path.SortedPaths;
import java.time.Instant;
import java.util.Objects;

/**
 * The files one container accessed.
 *
 * <p>Field order is the JSON order. Optional identity fields are null when unknown.
 *
 * @param name the container's name in its pod; empty for a report of an unnamed container
 * @param containerId the runtime's container id, or null
 * @param cgroupId the cgroup v2 id (inode number) recorded, or 0 if unknown
 * @param cgroupPath the cgroup directory recorded, or null
 * @param imageRef the image reference, e.g. {@code nginx:1.27}, or null
 * @param imageDigest the image digest, e.g. {@code sha256:...}, or null
 * @param startedAt when recording of this container began, or null
 * @param lastUpdatedAt when this entry last changed, or null
 * @param totalEvents file-access syscalls seen in this container
 * @param droppedEvents events of this container lost before they reached the report
 * @param files normalized absolute paths, unique and sorted; with counts after {@code merge --with-counts}
 * @param access the kinds of access of each file, by index in {@code files}, or null if unknown
 * @param completeness what the recorder could not see, or null for reports that do not say
 */
public record ContainerReport(
        String name,
        String containerId,
        long cgroupId,
        String cgroupPath,
        String imageRef,
        String imageDigest,
        Instant startedAt,
        Instant lastUpdatedAt,
        long totalEvents,
        long droppedEvents,
        SortedPaths files,
        FileAccess access,
        Completeness completeness) {

    public ContainerReport {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(files, "files");
        if (access != null && access.size() != files.size()) {
            throw new IllegalArgumentException("access kinds for " + access.size() + " of " + files.size() + " files");
        }
        if (totalEvents < 0 || droppedEvents < 0) {
            throw new IllegalArgumentException("negative counter");
        }
    }

    /** A container entry without access kinds or completeness, as offline commands produce. */
    public ContainerReport(String name, String containerId, long cgroupId, String cgroupPath, String imageRef,
            String imageDigest, Instant startedAt, Instant lastUpdatedAt, long totalEvents, long droppedEvents,
            SortedPaths files) {
        this(name, containerId, cgroupId, cgroupPath, imageRef, imageDigest, startedAt, lastUpdatedAt,
                totalEvents, droppedEvents, files, null, null);
    }

    /** A container with only a name and files, as tests and examples build them. */
    public static ContainerReport of(String name, SortedPaths files) {
        return new ContainerReport(name, null, 0, null, null, null, null, null, 0, 0, files);
    }

    /** The same entry with other files; access kinds, which are by file index, are dropped. */
    public ContainerReport withFiles(SortedPaths newFiles) {
        return new ContainerReport(name, containerId, cgroupId, cgroupPath, imageRef, imageDigest,
                startedAt, lastUpdatedAt, totalEvents, droppedEvents, newFiles, null, completeness);
    }

    public ContainerReport withAccess(FileAccess newAccess) {
        return new ContainerReport(name, containerId, cgroupId, cgroupPath, imageRef, imageDigest,
                startedAt, lastUpdatedAt, totalEvents, droppedEvents, files, newAccess, completeness);
    }

    public ContainerReport withImage(String newImageRef, String newImageDigest) {
        return new ContainerReport(name, containerId, cgroupId, cgroupPath, newImageRef, newImageDigest,
                startedAt, lastUpdatedAt, totalEvents, droppedEvents, files, access, completeness);
    }

    /** What identifies the image: the digest if known, else the reference, else null. */
    public String imageKey() {
        return imageDigest != null ? imageDigest : imageRef;
    }

    /**
     * A short label for messages: the name, or the container id, or "(unnamed)"; quoted if it
     * could forge a line or reach the terminal as controls ({@link QuotedPaths}).
     */
    public String label() {
        if (!name.isEmpty()) {
            return QuotedPaths.quote(name);
        }
        return containerId != null ? QuotedPaths.quote(containerId) : "(unnamed)";
    }
}
