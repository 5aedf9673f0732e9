package dev.snoop.bpf;

/** How a traced cgroup maps to containers: {@code enum snoop_root_mode}. */
public enum RootMode {
    /** The cgroup is itself a container: everything below it carries its id. */
    CONTAINER(1),
    /**
     * Each child of the cgroup is a container (a pod, a docker slice): everything below a child
     * carries the child's id; a task directly in the parent carries the parent's.
     */
    PARENT(2);

    private final int wireId;

    RootMode(int wireId) {
        this.wireId = wireId;
    }

    int wireId() {
        return wireId;
    }
}
