package dev.snoop.record;

import java.nio.file.Path;
import java.util.List;

/**
 * Which cgroups {@code snoop record} traces.
 *
 * @param cgroups cgroup directories given with {@code --cgroup}; each is one container
 * @param containerIds ids given with {@code --container-id}: the cgroup whose directory name contains
 *     the id is the container, as runc, containerd, CRI-O and Docker name them
 * @param excludeSelf with neither of the above: every sibling of snoop's own cgroup, i.e. the other
 *     containers of its pod, and their descendants
 */
public record TargetSpec(List<Path> cgroups, List<String> containerIds, boolean excludeSelf) {
    public TargetSpec {
        cgroups = List.copyOf(cgroups);
        containerIds = List.copyOf(containerIds);
    }

    public static TargetSpec siblingsOfSelf() {
        return new TargetSpec(List.of(), List.of(), true);
    }

    public static TargetSpec of(List<Path> cgroups, List<String> containerIds) {
        return new TargetSpec(cgroups, containerIds, false);
    }
}
