package dev.snoop.record;

import java.util.Optional;

/**
 * Names the cgroup of {@code snoop record -- CMD} after the command (its report entry is "make",
 * not "snoop-run-4242"). Cgroups below it, such as a container the command started, are part of the
 * same traced container and need no name of their own.
 */
final class CommandSource implements MetadataSource {
    private final String cgroupPath;
    private final String name;

    CommandSource(String cgroupPath, String name) {
        this.cgroupPath = cgroupPath;
        this.name = name;
    }

    @Override
    public Optional<ContainerInfo> lookup(String containerId, String path) {
        return cgroupPath.equals(path) ? Optional.of(new ContainerInfo(name, null, null, "command")) : Optional.empty();
    }
}
