package dev.snoop.core.report;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a recording watched, so a reader can judge what it may have missed.
 *
 * @param snoopVersion the recorder's version
 * @param kernelRelease {@code uname -r} of the host
 * @param attachment how the syscall probes attached ({@code fexit}, {@code tracepoint} or
 *     {@code raw}), null when unknown (reports before it was recorded)
 * @param probes the kernel hooks that were attached
 * @param skippedProbes hooks that could not be attached, with the reason
 * @param blindSpots file accesses this recording cannot see, e.g. io_uring opens
 */
public record RecordingInfo(
        String snoopVersion,
        String kernelRelease,
        String attachment,
        List<String> probes,
        Map<String, String> skippedProbes,
        List<String> blindSpots) {

    public RecordingInfo {
        probes = List.copyOf(probes);
        skippedProbes = java.util.Collections.unmodifiableMap(new TreeMap<>(skippedProbes));
        blindSpots = List.copyOf(blindSpots);
    }

    public RecordingInfo(String snoopVersion, String kernelRelease, List<String> probes,
            Map<String, String> skippedProbes, List<String> blindSpots) {
        this(snoopVersion, kernelRelease, null, probes, skippedProbes, blindSpots);
    }
}
