package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The arm64 image of the index records on a real arm64 kernel: its root, unpacked from
 * {@code snoop-index.tar}, is what {@code arm64-vm.sh} (see {@link Arm64VmTest}) runs as the
 * launcher, through a script that starts the image's own entrypoint in a chroot of that root with
 * the guest's /proc, /sys, /dev and /tmp bound in, as a container runtime would. So the image's
 * arm64 JRE, glibc, libbpf, libelf and jffi stub load the jar's arm64 BPF object into Debian's arm64
 * kernel under qemu-system-aarch64, and guest-record.sh checks the report.
 */
@Tag("image")
@Timeout(960)
class ImageArm64VmTest {
    @TempDir
    Path tmp;

    @Test
    void testArm64Image_recordsOnTheArm64KernelUnderQemu() throws Exception {
        Path jarLauncher = Arm64VmTest.requireHarness();
        String index = System.getProperty("snoop.image.index");
        if (index == null || !Files.isRegularFile(Path.of(index))) {
            BpfTests.gate("no image index (build it with ./mvnw -Pimage,local-base,image-index verify): " + index);
        }
        BpfTests.requireTool("tar");
        // under target/, beside the jar launcher: the VM's /tmp is a tmpfs that would hide it
        Path dir = jarLauncher.resolveSibling("arm64-image-vm");
        Commands.run(Duration.ofSeconds(60), List.of("rm", "-rf", dir.toString()));
        Path root = Files.createDirectories(dir.resolve("root"));
        List<String> entrypoint = unpackArm64Image(Path.of(index), root);
        Path launcher = dir.resolve("snoop");
        Files.writeString(launcher, launcherScript(entrypoint));
        Commands.run(Duration.ofSeconds(10), List.of("chmod", "755", launcher.toString()));

        Commands.Result r = Commands.result(Duration.ofMinutes(15), List.of(
                Arm64VmTest.script().toString(), launcher.toString(), tmp.resolve("result").toString()));
        String verdict = KernelVm.verdict(r.output());
        System.out.println("arm64 image: " + verdict);
        assertEquals(0, r.code(), "the arm64 image under qemu:\n" + r.output());
        assertTrue(verdict.startsWith("snoop-vm: PASS kernel=") && verdict.contains("-arm64 "), r.output());
    }

    /** Unpacks the index's arm64 image's layers into {@code root}; returns its entrypoint. */
    private static List<String> unpackArm64Image(Path index, Path root) throws IOException, InterruptedException {
        Path layout = Files.createTempDirectory(root.getParent(), "layout-");
        try {
            Commands.run(Duration.ofSeconds(60), List.of("tar", "-xf", index.toString(), "-C", layout.toString()));
            ObjectMapper json = new ObjectMapper();
            JsonNode top = json.readTree(layout.resolve("index.json").toFile());
            JsonNode list = json.readTree(blob(layout, top.get("manifests").get(0).get("digest").asText()).toFile());
            JsonNode manifest = null;
            for (JsonNode image : list.get("manifests")) {
                if ("arm64".equals(image.get("platform").get("architecture").asText())) {
                    manifest = json.readTree(blob(layout, image.get("digest").asText()).toFile());
                }
            }
            assertTrue(manifest != null, "no arm64 image in " + list);
            for (JsonNode layer : manifest.get("layers")) {
                Commands.run(Duration.ofSeconds(60), List.of("tar", "--warning=no-unknown-keyword", "-xzf",
                        blob(layout, layer.get("digest").asText()).toString(), "-C", root.toString()));
            }
            JsonNode config = json.readTree(blob(layout, manifest.get("config").get("digest").asText()).toFile());
            List<String> entrypoint = new ArrayList<>();
            config.get("config").get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
            return entrypoint;
        } finally {
            Commands.run(Duration.ofSeconds(60), List.of("rm", "-rf", layout.toString()));
        }
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    /**
     * The launcher guest-record.sh runs: binds the guest's kernel file systems and /tmp (where the
     * report goes) into the image's root and execs the entrypoint there ({@code java} from the
     * image's PATH, /opt/java/openjdk/bin), with the arguments it was given.
     */
    private static String launcherScript(List<String> entrypoint) {
        List<String> command = new ArrayList<>(entrypoint);
        if (command.get(0).equals("java")) {
            command.set(0, "/opt/java/openjdk/bin/java");
        }
        return """
                #!/bin/sh
                # snoop from the arm64 image's root (root/ beside this script), as a runtime starts it
                root=$(dirname "$0")/root
                for d in proc sys dev tmp; do busybox mount -o rbind /$d "$root/$d" || exit 1; done
                exec busybox chroot "$root" %s "$@"
                """.formatted(command.stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                        .collect(Collectors.joining(" ")));
    }
}
