package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As {@link SlimImageTest}, for programs that need more than the files they open by name: nginx
 * (Debian bookworm's nginx-light, default configuration) writes {@code /run/nginx.pid} into a
 * directory that is empty in the image and loads its modules; getent loads an NSS module, iconv a
 * gconv module, python3 its C extensions, perl its XS modules. The full root runs on an overlay
 * (as a container runtime runs an image, and as the recorder then sees the loader's mapping); the
 * slim root made from the keep list must give the same output.
 */
@Tag("bpf")
class SlimRuntimeTest {
    /** Bump when the package list changes, so that a cached root of an older list is not reused. */
    private static final String ROOT_NAME = "snoop-test-bookworm-slim-v1";
    private static final String WORKLOAD = String.join("\n",
            "getent -s passwd:compat passwd root www-data; echo \"getent passwd $?\"",
            "getent hosts localhost; echo \"getent hosts $?\"",
            "printf 'caf\\351\\n' | iconv -f latin1 -t utf-16 | od -An -tx1; echo \"iconv $?\"",
            "python3 -c 'import ssl, hashlib, json; print(hashlib.sha256(b\"snoop\").hexdigest()[:16], ssl.OPENSSL_VERSION.split()[0], json.dumps([1]))'",
            "perl -MPOSIX -MList::Util=sum -e 'print POSIX::floor(2.5), \" \", sum(1..10), \"\\n\"'",
            // nginx as its service runs it, in the foreground here; up once its pid file is written
            "nginx -g 'daemon off;' & pid=$!",
            "i=0; while [ ! -s /run/nginx.pid ] && kill -0 $pid 2>/dev/null && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done",
            "if [ -s /run/nginx.pid ]; then echo nginx up; kill -QUIT \"$(cat /run/nginx.pid)\"; fi",
            "wait $pid; echo \"nginx exit $?\"");

    @TempDir
    Path tmp;

    @BeforeEach
    void requireTools() {
        BpfTests.require();
        BpfTests.requireTool("runc", "debootstrap");
    }

    @Test
    void testSlimRoot_runTimeFilesAndLoadedCode_sameOutput() throws Exception {
        Path full = debianRoot();
        Path report = tmp.resolve("report.json");
        String fullOutput;
        Path merged = overlay(full);
        try (TestCgroup pod = TestCgroup.create("snoop-slim-rt")) {
            Path self = pod.child("snoop");
            try (SnoopProcess snoop = SnoopProcess.start(self, List.of(), "--report-path", report.toString(),
                    "--metrics-addr", "off", "--image-ref", "debian:bookworm-nginx-light")) {
                snoop.awaitRecording(Duration.ofSeconds(60));
                fullOutput = runc(merged, pod.pathInHierarchy() + "/app", "full");
                assertEquals(0, snoop.terminate(), snoop.log());
            } finally {
                RecordContainerTest.removeV1(pod.pathInHierarchy());
            }
        } finally {
            Commands.quietly(List.of("umount", merged.toString()));
        }
        assertTrue(fullOutput.contains("nginx up\nnginx exit 0\n") && fullOutput.contains("getent passwd 0\n")
                && fullOutput.contains("iconv 0\n") && fullOutput.contains("55\n"), fullOutput);

        String keepList = SlimImageTest.snoop("unused", "--image", full.toString(), "--format", "keep-list", report.toString());
        JsonNode summary = new ObjectMapper().readTree(
                SlimImageTest.snoop("unused", "--image", full.toString(), "--format", "json", report.toString()));
        List<String> created = new ArrayList<>();
        summary.path("created_at_run_time").forEach(p -> created.add(p.asText()));

        Path slim = Files.createDirectories(tmp.resolve("slim"));
        for (String path : keepList.lines().toList()) {
            SlimImageTest.copyEntry(full, slim, path);
        }
        for (String dir : SlimImageTest.RUNTIME_MOUNT_POINTS) {
            Files.createDirectories(slim.resolve(dir));
        }
        String slimOutput;
        try (TestCgroup pod = TestCgroup.create("snoop-slim-rt-run")) {
            try {
                slimOutput = runc(slim, pod.pathInHierarchy() + "/app", "slim");
            } finally {
                RecordContainerTest.removeV1(pod.pathInHierarchy());
            }
        }
        assertEquals(fullOutput, slimOutput, "the slim root runs the workload alike");
        assertTrue(created.contains("/run/nginx.pid"), "created at run time: " + created);
        System.out.printf("slim runtime image: kept %d of %d files; created at run time: %s%n",
                summary.path("kept_files").asLong(), summary.path("image_files").asLong(), created);
    }

    /**
     * A bookworm minbase root with python3 and nginx-light, made once per machine under
     * /var/tmp and reused; /etc/hosts as a runtime would mount it.
     */
    private static Path debianRoot() throws Exception {
        Path root = Path.of("/var/tmp", ROOT_NAME);
        if (Files.exists(root.resolve(".complete"))) {
            return root;
        }
        Path building = Path.of(root + ".partial");
        Commands.run(Duration.ofMinutes(2), List.of("rm", "-rf", building.toString(), root.toString()));
        Commands.run(Duration.ofMinutes(15), List.of("debootstrap", "--variant=minbase", "--include=python3,nginx-light",
                "bookworm", building.toString(), "http://deb.debian.org/debian"));
        Files.move(building, root);
        Files.writeString(root.resolve("etc/hosts"), "127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
        Files.writeString(root.resolve(".complete"), "");
        return root;
    }

    /** A writable overlay on the cached root, so that the run leaves the root (the image) as it was. */
    private Path overlay(Path lower) throws Exception {
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path merged = Files.createDirectories(tmp.resolve("merged"));
        Commands.run(Duration.ofSeconds(30), List.of("mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, merged.toString()));
        return merged;
    }

    /**
     * Runs the workload in a writable container on {@code rootfs}, with the capabilities nginx's
     * master needs to start its workers as www-data; returns its output.
     */
    private String runc(Path rootfs, String cgroupsPath, String name) throws Exception {
        Path bundle = RuncBundles.write(tmp.resolve("bundle-" + name), rootfs, List.of("/bin/sh", "-c", WORKLOAD), cgroupsPath);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ((ObjectNode) config.get("root")).put("readonly", false);
        ObjectNode caps = (ObjectNode) config.get("process").get("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode list = (ArrayNode) caps.get(set);
            for (String cap : List.of("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_DAC_OVERRIDE")) {
                list.add(cap);
            }
        }
        json.writeValue(bundle.resolve("config.json").toFile(), config);
        return RuncBundles.run(bundle, "snoop-slim-rt-" + name + "-" + System.nanoTime(), Duration.ofMinutes(2));
    }
}
