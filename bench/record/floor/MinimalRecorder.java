import dev.snoop.bpf.BpfRecorder;
import dev.snoop.bpf.RecorderOptions;
import dev.snoop.bpf.RootMode;
import dev.snoop.core.path.PathSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The smallest recorder this stack allows, to measure the memory floor of `snoop record`: the BPF
 * programs loaded through jnr-ffi and libbpf, one poller thread, and the paths in a PathSet.
 * No CLI, no metrics server, no JSON, no container metadata, no report. Prints "ready" once
 * attached, then the path count every 10,000 paths. Usage: java -cp snoop.jar:. MinimalRecorder CGROUP_DIR RING_BYTES
 */
public class MinimalRecorder {
    public static void main(String[] args) throws Exception {
        long cgroupId = ((Number) Files.getAttribute(Path.of(args[0]), "unix:ino")).longValue();
        int ring = Integer.parseInt(args[1]);
        PathSet paths = new PathSet();
        RecorderOptions options = RecorderOptions.defaults().withRingBufferBytes(ring).withWakeupBytes(ring / 4);
        try (BpfRecorder recorder = BpfRecorder.open(options)) {
            recorder.traceRoot(cgroupId, RootMode.CONTAINER);
            System.out.println("ready");
            long reported = 0;
            while (true) {
                recorder.poll(Duration.ofMillis(50), event -> {
                    String path = event.absolutePath();
                    if (path != null && path.startsWith("/")) { // the cgroup-naming events carry no file
                        try {
                            paths.add(path);
                        } catch (IllegalArgumentException notNormalized) {
                            // the real recorder normalizes; a floor measurement need not
                        }
                    }
                });
                if (paths.size() / 10_000 != reported) {
                    reported = paths.size() / 10_000;
                    System.out.println(paths.size());
                }
            }
        }
    }
}
