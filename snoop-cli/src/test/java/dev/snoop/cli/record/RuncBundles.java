package dev.snoop.cli.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** OCI bundles for {@code runc run}: the default spec with a read-only root, our command and cgroup. */
final class RuncBundles {
    private RuncBundles() {}

    /** Writes {@code bundle/config.json} from {@code runc spec}, running {@code args} in {@code rootfs}. */
    static Path write(Path bundle, Path rootfs, List<String> args, String cgroupsPath) throws Exception {
        Files.createDirectories(bundle);
        Process spec = new ProcessBuilder("runc", "spec").directory(bundle.toFile()).start();
        assertTrue(spec.waitFor(10, TimeUnit.SECONDS) && spec.exitValue() == 0, "runc spec");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode argv = process.putArray("args");
        args.forEach(argv::add);
        ObjectNode root = (ObjectNode) config.get("root");
        root.put("path", rootfs.toAbsolutePath().toString());
        root.put("readonly", true);
        ((ObjectNode) config.get("linux")).put("cgroupsPath", cgroupsPath);
        json.writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }

    /** Runs the bundle's container to completion and returns its output; it must exit 0. */
    static String run(Path bundle, String id, Duration timeout) throws Exception {
        try {
            Process runc = new ProcessBuilder("runc", "run", "--bundle", bundle.toString(), id)
                    .redirectErrorStream(true).start();
            String out = new String(runc.getInputStream().readAllBytes());
            assertTrue(runc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), "runc timed out");
            assertEquals(0, runc.exitValue(), "runc: " + out);
            return out;
        } finally {
            new ProcessBuilder("runc", "delete", "--force", id).start().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
