package dev.snoop.record;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks explicit targets against the cgroup tree before anything loads: a {@code --cgroup} that
 * is not an existing cgroup v2 directory, or a {@code --container-id} that names more than one
 * container, is a usage error. Both were accepted and left a sidecar that traced nothing, or the
 * wrong container, while it reported healthy.
 */
public final class TargetCheck {
    private TargetCheck() {}

    /** @throws IllegalArgumentException naming the first target that cannot be right */
    public static void check(TargetSpec spec, CgroupFs fs) {
        for (Path cgroup : spec.cgroups()) {
            String option = "--cgroup '" + cgroup + "'";
            if (cgroup.toString().isBlank()) {
                throw new IllegalArgumentException("--cgroup: empty value");
            }
            if (!cgroup.isAbsolute()) {
                throw new IllegalArgumentException(option + ": not an absolute path (the cgroup v2 tree is " + fs.mount() + ")");
            }
            Path dir = cgroup.normalize();
            if (!Files.exists(dir)) {
                throw new IllegalArgumentException(option + ": no such cgroup (use --container-id for a container "
                        + "that starts later)");
            }
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(option + ": not a directory");
            }
            if (!fs.isCgroup(dir)) {
                throw new IllegalArgumentException(option + ": not a cgroup v2 directory (the cgroup v2 tree is " + fs.mount() + ")");
            }
        }
        for (String id : spec.containerIds()) {
            List<Path> matches = Targets.matching(fs.mount(), id, 6);
            if (matches.size() > 1) {
                throw new IllegalArgumentException("--container-id " + id + ": ambiguous, it is in the names of "
                        + (matches.size() > 5 ? "more than 5 cgroups" : matches.size() + " cgroups") + ": "
                        + String.join(", ", matches.stream().limit(5).map(Path::toString).toList())
                        + "; give more of the id");
            }
        }
    }

    /** Directories at or below {@code under} whose name contains {@code id}, at most {@code limit}. */
    static List<Path> walkMatching(Path under, String id, int limit) throws IOException {
        try (Stream<Path> walk = Files.walk(under)) {
            return walk.filter(p -> p.getFileName() != null && p.getFileName().toString().contains(id))
                    .filter(Files::isDirectory).limit(limit).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
