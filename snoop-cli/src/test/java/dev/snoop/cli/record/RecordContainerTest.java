package dev.snoop.cli.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        Path bundle = busyboxBundle(tmp.resolve("bundle"),
                "cat /data/config.txt && cd /data && cat ./sub/../relative.txt && exec /bin/busybox true");
        Path report = tmp.resolve("report.json");
        String id = "snoop-test-" + System.nanoTime();
        try (TestCgroup pod = TestCgroup.create("snoop-runc")) {
            Path self = pod.child("snoop");
            setCgroupsPath(bundle, pod.pathInHierarchy() + "/app");
            try (SnoopProcess snoop = SnoopProcess.start(self, List.of(), "--report-path", report.toString(),
                    "--report-interval", "1s", "--metrics-addr", "off")) {
                snoop.awaitRecording(Duration.ofSeconds(30));
                Process runc = new ProcessBuilder("runc", "run", "--bundle", bundle.toString(), id)
                        .redirectErrorStream(true).start();
                String out = new String(runc.getInputStream().readAllBytes());
                assertTrue(runc.waitFor(60, TimeUnit.SECONDS), "runc timed out");
                assertEquals(0, runc.exitValue(), "runc: " + out);
                assertEquals(0, snoop.terminate(), snoop.log());
            } finally {
                new ProcessBuilder("runc", "delete", "--force", id).start().waitFor(10, TimeUnit.SECONDS);
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

    /** A bundle whose root holds busybox and /data, running {@code script} with busybox sh. */
    static Path busyboxBundle(Path bundle, String script) throws IOException, InterruptedException {
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        Files.createDirectories(rootfs.resolve("data/sub"));
        Files.writeString(rootfs.resolve("data/config.txt"), "config\n");
        Files.writeString(rootfs.resolve("data/relative.txt"), "relative\n");
        for (String dir : List.of("proc", "dev", "sys", "tmp", "etc")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Process spec = new ProcessBuilder("runc", "spec").directory(bundle.toFile()).start();
        assertTrue(spec.waitFor(10, TimeUnit.SECONDS) && spec.exitValue() == 0, "runc spec");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        args.add("/bin/busybox").add("sh").add("-c").add(script);
        ((ObjectNode) config.get("root")).put("readonly", true);
        json.writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }

    static void setCgroupsPath(Path bundle, String cgroupsPath) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ((ObjectNode) config.get("linux")).put("cgroupsPath", cgroupsPath);
        json.writeValue(bundle.resolve("config.json").toFile(), config);
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
