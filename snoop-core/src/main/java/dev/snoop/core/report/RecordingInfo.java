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
 * @param programSet which BPF program set was loaded ({@code modern} or {@code legacy}), null when
 *     unknown (reports before it was recorded)
 * @param notSeen what this kernel and program set could not see (e.g. {@code elf interpreter
 *     mapping}): unlike a blind spot, another kernel would have seen it
 * @param probes the kernel hooks that were attached
 * @param skippedProbes hooks that could not be attached, with the reason
 * @param blindSpots file accesses this recording cannot see, e.g. io_uring opens
 */
public record RecordingInfo(
        String snoopVersion,
        String kernelRelease,
        String attachment,
        String programSet,
        List<String> notSeen,
        List<String> probes,
        Map<String, String> skippedProbes,
        List<String> blindSpots) {

    public RecordingInfo {
        notSeen = List.copyOf(notSeen);
        probes = List.copyOf(probes);
        skippedProbes = java.util.Collections.unmodifiableMap(new TreeMap<>(skippedProbes));
        blindSpots = List.copyOf(blindSpots);
    }

    public RecordingInfo(String snoopVersion, String kernelRelease, List<String> probes,
            Map<String, String> skippedProbes, List<String> blindSpots) {
        this(snoopVersion, kernelRelease, null, probes, skippedProbes, blindSpots);
    }

    public RecordingInfo(String snoopVersion, String kernelRelease, String attachment, List<String> probes,
            Map<String, String> skippedProbes, List<String> blindSpots) {
        this(snoopVersion, kernelRelease, attachment, null, List.of(), probes, skippedProbes, blindSpots);
    }
}
