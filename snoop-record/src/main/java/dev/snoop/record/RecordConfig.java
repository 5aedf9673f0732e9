package dev.snoop.record;

import dev.snoop.core.path.PathFilter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated configuration of {@code snoop record}.
 *
 * @param duration stop after this long, or null to run until signalled
 * @param metricsAddress where /metrics and /healthz are served, or null for nowhere
 * @param mapSizes the BPF hash maps' sizes
 * @param snoopVersion written into the report, or null for a development build
 * @param cgroupRoot the cgroup v2 tree to use instead of this process's own mount, or null
 * @param labelsFile the pod's labels as the downward API writes them, or null
 * @param runtimeStateDir containerd's task state directory, read for container names and images
 * @param existingReport what was found at the report path: a report to continue, or what is replaced
 * @param api where the report is delivered ({@code --api-endpoint}), or null for nowhere
 * @param command with {@code snoop record -- CMD [ARGS...]}, the command to run and record (its own
 *     cgroup is then the one target); empty for a sidecar
 */
public record RecordConfig(
        TargetSpec targets,
        PathFilter exclusions,
        Path reportPath,
        Duration reportInterval,
        Duration duration,
        String imageRef,
        String imageDigest,
        String podName,
        String namespace,
        InetSocketAddress metricsAddress,
        int ringBufferBytes,
        MapSizes mapSizes,
        String snoopVersion,
        Path cgroupRoot,
        Path labelsFile,
        Path runtimeStateDir,
        ExistingReport existingReport,
        ApiSettings api,
        java.util.List<String> command) {
    public RecordConfig {
        mapSizes = mapSizes == null ? MapSizes.defaults() : mapSizes;
        command = command == null ? java.util.List.of() : java.util.List.copyOf(command);
    }

    /** Whether snoop runs and records a command rather than watching targets as a sidecar. */
    public boolean recordsCommand() {
        return !command.isEmpty();
    }
}
