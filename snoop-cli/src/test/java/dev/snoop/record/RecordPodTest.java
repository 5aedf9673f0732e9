package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole pod without Kubernetes: a pod-like parent cgroup, snoop in one child, a sandbox (pause)
 * container and two app containers run by a real containerd ({@code ctr run --cgroup}) after snoop
 * started, with the annotations the CRI plugin sets; one app restarts.
 */
@Tag("bpf")
class RecordPodTest {
    private static final String NAMESPACE = "snoop-test";
    private static final Path SOCKET = Path.of("/run/containerd/containerd.sock");

    @TempDir
    Path tmp;

    @BeforeEach
    void requireContainerd() {
        BpfTests.require();
        BpfTests.requireTool("ctr", "/bin/busybox");
        if (!Files.exists(SOCKET)) {
            BpfTests.requireTool("containerd socket " + SOCKET + " (start containerd)");
        }
    }

    @Test
    void eachContainerOfAPodGetsItsOwnFilesImageAndRestartsContinueTheirEntry() throws Exception {
        String tag = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        String ref = "docker.io/library/snoop-busybox:" + tag;
        Path rootfs = busyboxRoot(tmp.resolve("rootfs"));
        String digest = OciImages.build(rootfs, ref, tmp.resolve("image.tar"));
        ctr("images", "import", tmp.resolve("image.tar").toString());
        String reported = ctr("images", "ls", "name==" + ref);
        assertTrue(reported.contains(digest), "containerd reports the digest we built: " + reported);
        // pinned by digest, as a pod spec that pins its images names them; the CRI plugin copies it
        String pinned = "docker.io/library/snoop-busybox@" + digest;

        Path report = tmp.resolve("report.json");
        List<String> started = new ArrayList<>();
        try (TestCgroup pod = TestCgroup.create("snoop-pod")) {
            Path self = pod.child("snoop");
            try (SnoopProcess snoop = SnoopProcess.start(self, List.of(), "--report-path", report.toString(),
                    "--report-interval", "1s", "--metrics-addr", "off", "--pod-name", "shop-1", "--namespace", "shop")) {
                snoop.awaitRecording(Duration.ofSeconds(60));
                run(pod, started, "pause", "sandbox", ref, pinned, "cat /pause-marker");
                run(pod, started, "web", "container", ref, pinned, "cat /shared.txt /web.conf");
                run(pod, started, "worker", "container", ref, pinned, "cat /shared.txt /worker.conf");
                // the restart: a new container (new id, new cgroup) with the same name
                run(pod, started, "worker", "container", ref, pinned, "cat /worker-restarted.conf");
                assertEquals(0, snoop.terminate(), snoop.log());
            } finally {
                for (String id : started) {
                    ctrQuiet("tasks", "delete", "--force", id);
                    ctrQuiet("containers", "delete", id);
                }
                ctrQuiet("images", "rm", ref);
                RecordContainerTest.removeV1(pod.pathInHierarchy());
            }
        }
        Report written = ReportJson.read(report, w -> {});
        assertEquals("shop-1", written.podName());
        Map<String, ContainerReport> byName = written.containers().stream()
                .collect(Collectors.toMap(ContainerReport::name, c -> c));
        assertEquals(List.of("web", "worker"), written.containers().stream().map(ContainerReport::name).toList(),
                "the sandbox and snoop itself are not containers of the report");
        assertEquals(List.of("/bin/busybox", "/shared.txt", "/web.conf"), RecordEndToEndTest.list(byName.get("web").files()));
        assertEquals(List.of("/bin/busybox", "/shared.txt", "/worker-restarted.conf", "/worker.conf"),
                RecordEndToEndTest.list(byName.get("worker").files()));
        for (ContainerReport c : written.containers()) {
            assertEquals(pinned, c.imageRef());
            assertEquals(digest, c.imageDigest());
            assertTrue(c.completeness().complete(c.droppedEvents()), c.name());
        }
        assertFalse(RecordEndToEndTest.list(byName.get("web").files()).contains("/pause-marker"));
    }

    /** Runs one container to completion in its own child of the pod cgroup, as the CRI plugin would. */
    private static void run(TestCgroup pod, List<String> started, String name, String type, String ref, String pinned,
            String script) throws Exception {
        String id = UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
        started.add(id);
        // containers live for seconds at least; one that exits within milliseconds may be gone
        // (with its runtime metadata) before its events are read, and is then named by its cgroup
        script = script + " && sleep 1.5";
        ctr("run", "--rm", "--cgroup", pod.pathInHierarchy() + "/" + id,
                "--annotation", "io.kubernetes.cri.container-type=" + type,
                "--annotation", "io.kubernetes.cri.container-name=" + name,
                "--annotation", "io.kubernetes.cri.image-name=" + pinned,
                ref, id, "/bin/busybox", "sh", "-c", script);
        started.remove(id);
    }

    private static Path busyboxRoot(Path rootfs) throws Exception {
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        for (String dir : List.of("proc", "dev", "sys", "tmp", "etc", "run")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        for (String file : List.of("shared.txt", "web.conf", "worker.conf", "worker-restarted.conf", "pause-marker")) {
            Files.writeString(rootfs.resolve(file), file + "\n");
        }
        return rootfs;
    }

    static String ctr(String... args) throws Exception {
        return Commands.ctr(NAMESPACE, Duration.ofSeconds(120), args);
    }

    private static void ctrQuiet(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "-n", NAMESPACE));
        command.addAll(List.of(args));
        Commands.quietly(command);
    }
}
