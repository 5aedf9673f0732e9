package dev.snoop.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** OCI bundles for {@code runc run}: the default spec with a read-only root, our command and cgroup. */
final class RuncBundles {
    private RuncBundles() {}

    /** Writes {@code bundle/config.json} from {@code runc spec}, running {@code args} in {@code rootfs}. */
    static Path write(Path bundle, Path rootfs, List<String> args, String cgroupsPath) throws Exception {
        Files.createDirectories(bundle);
        Commands.run(Duration.ofSeconds(10), new ProcessBuilder("runc", "spec").directory(bundle.toFile()));
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
            return Commands.run(timeout, List.of("runc", "run", "--bundle", bundle.toString(), id));
        } finally {
            Commands.quietly(List.of("runc", "delete", "--force", id));
        }
    }
}
