package dev.snoop.cli;

import dev.snoop.record.MapSizes;
import picocli.CommandLine.Option;

/**
 * The sizes of what {@code snoop record} asks the kernel to preallocate: the ring buffer and the
 * BPF hash maps. All of it is kernel memory charged to snoop's memory cgroup from load on, so these
 * are the options a tight memory limit turns (docs/performance.md, Memory limit).
 */
final class KernelMapOptions {
    @Option(names = "--ring-buffer-size", paramLabel = "BYTES", defaultValue = "2097152",
            description = {"Size of the kernel-to-snoop ring buffer, a power of two of at least 4096 "
                    + "(the kernel maps it twice). Default: ${DEFAULT-VALUE}.", "Env: SNOOP_RING_BUFFER_SIZE."})
    int ringBufferSize;

    @Option(names = "--dedup-entries", paramLabel = "N", defaultValue = "16384",
            description = {"Size of the in-kernel dedup map (an LRU of recent accesses per container; each entry is "
                    + "~96 bytes of kernel memory, preallocated). A smaller map sends repeats again, never loses a file. "
                    + "Default: ${DEFAULT-VALUE}.", "Env: SNOOP_DEDUP_ENTRIES."})
    int dedupEntries;

    @Option(names = "--start-entries", paramLabel = "N", defaultValue = "4096",
            description = {"Threads that may be inside a traced syscall at once with the raw tracepoint attachment "
                    + "(~110 bytes of kernel memory each, preallocated). Default: ${DEFAULT-VALUE}.", "Env: SNOOP_START_ENTRIES."})
    int startEntries;

    @Option(names = "--cgroup-verdict-entries", paramLabel = "N", defaultValue = "2048",
            description = {"Cgroups whose container the kernel caches (an LRU; ~85 bytes of kernel memory each, "
                    + "preallocated); a miss only walks the cgroup's ancestry again. Default: ${DEFAULT-VALUE}.",
                "Env: SNOOP_CGROUP_VERDICT_ENTRIES."})
    int cgroupVerdictEntries;

    /**
     * The ring buffer's size, checked.
     *
     * @throws IllegalArgumentException with the option's one-line message
     */
    int ringBufferBytes() {
        if (ringBufferSize < 4096 || Integer.bitCount(ringBufferSize) != 1) {
            throw new IllegalArgumentException("--ring-buffer-size: " + ringBufferSize + " is not a power of two of at least 4096");
        }
        return ringBufferSize;
    }

    /**
     * The map sizes, checked.
     *
     * @throws IllegalArgumentException naming the option out of range
     */
    MapSizes mapSizes() {
        return MapSizes.of(dedupEntries, startEntries, cgroupVerdictEntries);
    }
}
