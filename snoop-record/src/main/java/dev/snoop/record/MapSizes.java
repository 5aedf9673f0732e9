package dev.snoop.record;

import dev.snoop.bpf.RecorderOptions;

/**
 * The sizes of the preallocated BPF hash maps ({@code --dedup-entries}, {@code --start-entries},
 * {@code --cgroup-verdict-entries}). They are kernel memory charged to snoop's memory cgroup from
 * the start, so they count against a container's limit though no RSS figure shows them.
 */
public record MapSizes(int dedupEntries, int startEntries, int cgroupVerdictEntries) {
    public MapSizes {
        if (dedupEntries < 1 || startEntries < 1 || cgroupVerdictEntries < 1) {
            throw new IllegalArgumentException("map sizes must be positive");
        }
    }

    /** The kernel refuses what it cannot allocate at load; 16M entries would be ~1.6 GB already. */
    static final int MAX_ENTRIES = 1 << 24;

    /**
     * The sizes as the options give them.
     *
     * @throws IllegalArgumentException naming the option that is out of range
     */
    public static MapSizes of(int dedupEntries, int startEntries, int cgroupVerdictEntries) {
        int[] sizes = {dedupEntries, startEntries, cgroupVerdictEntries};
        String[] options = {"--dedup-entries", "--start-entries", "--cgroup-verdict-entries"};
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 1 || sizes[i] > MAX_ENTRIES) {
                throw new IllegalArgumentException(options[i] + ": " + sizes[i] + " is not between 1 and " + MAX_ENTRIES);
            }
        }
        return new MapSizes(dedupEntries, startEntries, cgroupVerdictEntries);
    }

    public static MapSizes defaults() {
        return new MapSizes(RecorderOptions.DEFAULT_DEDUP_ENTRIES, RecorderOptions.DEFAULT_START_ENTRIES,
                RecorderOptions.DEFAULT_CGROUP_VERDICT_ENTRIES);
    }

    RecorderOptions applyTo(RecorderOptions options) {
        return options.withDedupEntries(dedupEntries).withStartEntries(startEntries)
                .withCgroupVerdictEntries(cgroupVerdictEntries);
    }
}
