package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real OCI container run by {@code runc} (busybox from Debian's busybox-static), started after
 * snoop, in a sibling cgroup of snoop's own: the sidecar set-up without Kubernetes.
 */
@Tag("bpf")
class RecordContainerTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void requireBpfAndRunc() {
        BpfTests.require();
        BpfTests.requireTool("runc", "/bin/busybox");
    }

    @Test
    void recordsAContainersFilesAsTheContainerSeesThem() throws Exception {
        Path rootfs = busyboxRoot(tmp.resolve("rootfs"));
        Path report = tmp.resolve("report.json");
        String id = "snoop-test-" + System.nanoTime();
        try (TestCgroup pod = TestCgroup.create("snoop-runc")) {
            Path self = pod.child("snoop");
            Path bundle = RuncBundles.write(tmp.resolve("bundle"), rootfs, List.of("/bin/busybox", "sh", "-c",
                    "cat /data/config.txt && cd /data && cat ./sub/../relative.txt && exec /bin/busybox true"),
                    pod.pathInHierarchy() + "/app");
            try (SnoopProcess snoop = SnoopProcess.start(self, List.of(), "--report-path", report.toString(),
                    "--report-interval", "1s", "--metrics-addr", "off")) {
                snoop.awaitRecording(Duration.ofSeconds(60));
                RuncBundles.run(bundle, id, Duration.ofSeconds(60));
                assertEquals(0, snoop.terminate(), snoop.log());
            } finally {
                removeV1(pod.pathInHierarchy());
            }
        }
        Report written = ReportJson.read(report, w -> {});
        assertEquals(1, written.containers().size(), written.toString());
        ContainerReport app = written.containers().get(0);
        assertEquals("app", app.name());
        // paths inside the container's root; nothing of runc's own set-up (its bundle, its binary);
        // "cd /data" is a chdir, which is not traced: /data is kept as the parent of its files
        assertEquals(List.of("/bin/busybox", "/data/config.txt", "/data/relative.txt"),
                RecordEndToEndTest.list(app.files()));
    }

    /** A root filesystem holding busybox and /data. */
    static Path busyboxRoot(Path rootfs) throws IOException {
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        Files.createDirectories(rootfs.resolve("data/sub"));
        Files.writeString(rootfs.resolve("data/config.txt"), "config\n");
        Files.writeString(rootfs.resolve("data/relative.txt"), "relative\n");
        for (String dir : List.of("proc", "dev", "sys", "tmp", "etc")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        return rootfs;
    }

    /** runc also makes the path in each cgroup v1 hierarchy of a hybrid host: remove those too. */
    static void removeV1(String pathInHierarchy) throws IOException {
        Path v1 = Path.of("/sys/fs/cgroup");
        if (!Files.isDirectory(v1)) {
            return;
        }
        try (var hierarchies = Files.list(v1)) {
            for (Path h : hierarchies.toList()) {
                Path dir = h.resolve(pathInHierarchy.substring(1));
                if (!dir.equals(CgroupFs.current().resolve(pathInHierarchy)) && Files.isDirectory(dir)) {
                    try (var walk = Files.walk(dir)) {
                        for (Path d : walk.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(d);
                        }
                    } catch (IOException e) {
                        // still in use: left for the host to clean
                    }
                }
            }
        }
    }
}
