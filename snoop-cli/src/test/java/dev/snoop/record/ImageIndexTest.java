package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The amd64 + arm64 image index (profile {@code image-index}, built at package; this
 * test runs at verify): pushed with {@code skopeo copy --all} to a registry of the test's own, then
 * read back through the registry API as a client pulls it. Each platform's image must hold that
 * architecture's binaries, the arm64 one must run snoop under QEMU's user-mode emulation (a chroot
 * with {@code qemu-aarch64-static}: no binfmt_misc, nothing changed on the host), and containerd
 * must import both platforms and run the amd64 one.
 */
@Tag("image")
@Timeout(300)
class ImageIndexTest {
    private static final String REPOSITORY = "snoop";
    private static final String NAMESPACE = "snoop-index-test";
    private static final String QEMU = "/usr/bin/qemu-aarch64-static";

    /** Where each architecture keeps its libraries and jffi's stub, and its ELF e_machine. */
    private record Arch(String triplet, String jffiDir, int elfMachine) {}

    private static final Map<String, Arch> ARCHES = Map.of(
            "amd64", new Arch("x86_64-linux-gnu", "x86_64-Linux", 62),
            "arm64", new Arch("aarch64-linux-gnu", "aarch64-Linux", 183));

    @TempDir
    static Path work;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path indexTar;
    private static String tag;
    private static LocalRegistry registry;

    @BeforeAll
    static void push() throws Exception {
        String tar = System.getProperty("snoop.image.index");
        if (tar == null || !Files.isRegularFile(Path.of(tar))) {
            BpfTests.gate("no image index (build it with ./mvnw -Pimage,local-base,image-index verify): " + tar);
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            BpfTests.gate("not running as root (the arm64 image runs in a chroot)");
        }
        BpfTests.requireTool("docker-registry", "skopeo", "tar", "chroot", QEMU);
        indexTar = Path.of(tar);
        tag = System.getProperty("snoop.image.name").replaceFirst(".*:", "");
        registry = LocalRegistry.start(Files.createDirectories(work.resolve("registry")));
        Commands.run(Duration.ofSeconds(120), List.of("skopeo", "copy", "--quiet", "--all", "--dest-tls-verify=false",
                "oci-archive:" + indexTar, "docker://" + registry.address() + "/" + REPOSITORY + ":" + tag));
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void testIndex_listsAmd64AndArm64() throws Exception {
        JsonNode index = registry.manifest(REPOSITORY, tag, LocalRegistry.OCI_INDEX);
        assertEquals(LocalRegistry.OCI_INDEX, index.get("mediaType").asText());
        Set<String> platforms = new TreeSet<>();
        for (JsonNode image : index.get("manifests")) {
            assertEquals(LocalRegistry.OCI_MANIFEST, image.get("mediaType").asText(), image.toString());
            platforms.add(image.get("platform").get("os").asText() + "/" + image.get("platform").get("architecture").asText());
        }
        assertEquals(Set.of("linux/amd64", "linux/arm64"), platforms);
        // the registry serves the very index the build wrote: same bytes, same digest
        JsonNode layout = JSON.readTree(Commands.run(Duration.ofSeconds(30),
                List.of("tar", "-xOf", indexTar.toString(), "index.json")));
        assertEquals(layout.get("manifests").get(0).get("digest").asText(),
                registry.digest(REPOSITORY, tag, LocalRegistry.OCI_INDEX));
    }

    @Test
    void testIndex_eachImageHoldsItsArchitecturesBinaries() throws Exception {
        Map<String, List<String>> layers = new HashMap<>();
        for (var entry : ARCHES.entrySet()) {
            String arch = entry.getKey();
            JsonNode manifest = manifest(arch);
            JsonNode config = blobJson(manifest.get("config").get("digest").asText());
            assertEquals(arch, config.get("architecture").asText());
            assertEquals("linux", config.get("os").asText());
            List<String> digests = StreamSupport.stream(manifest.get("layers").spliterator(), false)
                    .map(l -> l.get("digest").asText()).toList();
            layers.put(arch, digests);
            String lib = "usr/lib/" + entry.getValue().triplet() + "/";
            List<String> binaries = List.of("opt/java/openjdk/bin/java", "opt/java/openjdk/lib/server/libjvm.so",
                    lib + "libc.so.6", lib + "libbpf.so.1", lib + "libelf.so.1", lib + "libz.so.1",
                    "app/native/" + entry.getValue().jffiDir() + "/libjffi-1.2.so");
            Map<String, byte[]> heads = elfHeads(digests, binaries);
            for (String binary : binaries) {
                assertTrue(heads.containsKey(binary), arch + " image has no " + binary);
                assertEquals(entry.getValue().elfMachine(), elfMachine(heads.get(binary)),
                        arch + " image: " + binary + " is not a 64-bit " + arch + " ELF file");
            }
        }
        // one application on two bases: every layer between the base and the class-data archive (the
        // last layer, dumped by each platform's JRE) is the same blob in both
        List<String> amd64 = layers.get("amd64");
        List<String> arm64 = layers.get("arm64");
        assertEquals(amd64.subList(1, amd64.size() - 1), arm64.subList(1, arm64.size() - 1));
        assertNotEquals(amd64.get(amd64.size() - 1), arm64.get(arm64.size() - 1));
    }

    @Test
    void testIndex_arm64ImageRunsSnoopUnderQemu() throws Exception {
        JsonNode manifest = manifest("arm64");
        JsonNode config = blobJson(manifest.get("config").get("digest").asText()).get("config");
        Path root = Files.createDirectories(work.resolve("arm64-root"));
        for (JsonNode layer : manifest.get("layers")) {
            Path blob = work.resolve("layer.tar.gz");
            try (InputStream in = registry.blob(REPOSITORY, layer.get("digest").asText())) {
                Files.copy(in, blob, StandardCopyOption.REPLACE_EXISTING);
            }
            Commands.run(Duration.ofSeconds(60), List.of("tar", "--warning=no-unknown-keyword",
                    "-xzf", blob.toString(), "-C", root.toString()));
        }
        Files.copy(Path.of(QEMU), root.resolve("qemu-aarch64-static"));
        Map<String, String> env = new HashMap<>();
        for (JsonNode variable : config.get("Env")) {
            String[] kv = variable.asText().split("=", 2);
            env.put(kv[0], kv[1]);
        }
        // the image's own entrypoint, with java found on the image's PATH (QEMU takes no PATH lookup)
        List<String> entrypoint = new ArrayList<>();
        config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        String java = entrypoint.get(0);
        for (String dir : env.get("PATH").split(":")) {
            if (!java.startsWith("/") && Files.isRegularFile(root.resolve(dir.substring(1)).resolve(java))) {
                java = dir + "/" + java;
            }
        }
        entrypoint.set(0, java);

        String version = emulated(root, env, entrypoint, "--version");
        assertTrue(version.startsWith("snoop " + tag + "\n"), version);
        assertTrue(version.contains("Java 17."), version);
        // and from its own class-data archive: -Xshare:on refuses to start unless the arm64 archive
        // maps and matches this JRE and class path (ImageTest checks amd64's)
        Map<String, String> sharedOn = new HashMap<>(env);
        sharedOn.put("JAVA_TOOL_OPTIONS", "-Xshare:on");
        assertTrue(entrypoint.contains("-XX:SharedArchiveFile=/app/snoop.jsa"), entrypoint.toString());
        String shared = emulated(root, sharedOn, entrypoint, "--version");
        assertTrue(shared.contains("snoop " + tag + "\n"), shared);
        // --check loads libbpf through jnr-ffi and jffi's aarch64 stub; no BPF can load under QEMU
        String check = emulatedResult(root, env, entrypoint, "record", "--check").output();
        assertTrue(Pattern.compile("(?m)^ok\\s+architecture\\s+arm64$").matcher(check).find(), check);
        assertTrue(Pattern.compile("(?m)^ok\\s+libbpf\\s+libbpf 1\\.").matcher(check).find(), check);
    }

    @Test
    void testIndex_containerdImportsBothPlatformsAndRunsAmd64() throws Exception {
        if (!Files.exists(Path.of("/run/containerd/containerd.sock"))) {
            BpfTests.gate("containerd is not running (/run/containerd/containerd.sock)");
        }
        String image = ImageTest.qualified(System.getProperty("snoop.image.name"));
        Commands.ctr(NAMESPACE, Duration.ofSeconds(120), "image", "import", "--all-platforms", indexTar.toString());
        try {
            String list = Commands.ctr(NAMESPACE, Duration.ofSeconds(30), "image", "ls");
            String line = list.lines().filter(l -> l.startsWith(image + " ")).findFirst().orElse(list);
            assertTrue(line.contains(LocalRegistry.OCI_INDEX) && line.contains("linux/amd64,linux/arm64"), line);
            JsonNode config = blobJson(manifest("amd64").get("config").get("digest").asText()).get("config");
            List<String> run = new ArrayList<>(List.of("run", "--rm", image, "snoop-index-" + ProcessHandle.current().pid()));
            config.get("Entrypoint").forEach(e -> run.add(e.asText()));
            run.add("--version");
            String out = Commands.ctr(NAMESPACE, Duration.ofSeconds(60), run.toArray(String[]::new));
            assertTrue(out.startsWith("snoop " + tag), out);
        } finally {
            Commands.quietly(List.of("ctr", "-n", NAMESPACE, "image", "rm", image));
        }
    }

    /** The manifest of one platform's image, found through the index as a client finds it. */
    private static JsonNode manifest(String arch) throws Exception {
        JsonNode index = registry.manifest(REPOSITORY, tag, LocalRegistry.OCI_INDEX);
        for (JsonNode image : index.get("manifests")) {
            if (arch.equals(image.get("platform").get("architecture").asText())) {
                return registry.manifest(REPOSITORY, image.get("digest").asText(), LocalRegistry.OCI_MANIFEST);
            }
        }
        throw new AssertionError("no " + arch + " image in " + index);
    }

    private static JsonNode blobJson(String digest) throws Exception {
        try (InputStream in = registry.blob(REPOSITORY, digest)) {
            return JSON.readTree(in);
        }
    }

    /** The first 20 bytes of each of {@code paths} as the layers leave it (a later layer's file wins). */
    private static Map<String, byte[]> elfHeads(List<String> layers, List<String> paths) throws Exception {
        Map<String, byte[]> heads = new HashMap<>();
        for (String layer : layers) {
            try (InputStream blob = registry.blob(REPOSITORY, layer);
                    TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(blob))) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
                    if (e.isFile() && paths.contains(name)) {
                        heads.put(name, tar.readNBytes(20));
                    }
                }
            }
        }
        return heads;
    }

    /** e_machine of a 64-bit little-endian ELF header, or -1 for anything else. */
    private static int elfMachine(byte[] head) {
        boolean elf64le = head.length == 20 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F'
                && head[4] == 2 && head[5] == 1;
        return elf64le ? (head[18] & 0xff) | (head[19] & 0xff) << 8 : -1;
    }

    /** Runs {@code command} and {@code args} in the arm64 root under QEMU; fails unless it exits 0. */
    private static String emulated(Path root, Map<String, String> env, List<String> command, String... args)
            throws IOException, InterruptedException {
        Commands.Result r = emulatedResult(root, env, command, args);
        assertEquals(0, r.code(), r.output());
        return r.output();
    }

    private static Commands.Result emulatedResult(Path root, Map<String, String> env, List<String> command,
            String... args) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("chroot", root.toString(), "/qemu-aarch64-static"));
        line.addAll(command);
        line.addAll(List.of(args));
        ProcessBuilder process = new ProcessBuilder(line);
        process.environment().clear();
        process.environment().putAll(env); // the image's environment, nothing of the test's
        return Commands.result(Duration.ofSeconds(120), process);
    }
}
