package dev.snoop.record;

import java.util.Optional;

/** Somewhere to learn a container's name and image from: the Kubernetes API, the runtime's state. */
interface MetadataSource {
    /**
     * @param containerId the runtime's id found in the cgroup's name, or null
     * @param cgroupPath the container's cgroup inside the hierarchy, e.g. {@code /kubepods/pod1/abc}
     */
    Optional<ContainerInfo> lookup(String containerId, String cgroupPath);
}
