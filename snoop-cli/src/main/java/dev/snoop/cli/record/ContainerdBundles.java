package dev.snoop.cli.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Container metadata from containerd's runtime state: each running task has an OCI bundle
 * {@code <state dir>/<namespace>/<id>/config.json} whose annotations name the container as the
 * CRI plugin set it up ({@code io.kubernetes.cri.container-name},
 * {@code io.kubernetes.cri.image-name}). Read-only and local, so it works without API access; a
 * sidecar needs the state directory mounted read-only (never the containerd socket).
 *
 * <p>A bundle is matched by the id in the cgroup's name, else by its {@code linux.cgroupsPath}.
 * Without CRI annotations (a plain {@code ctr run}) the container is named by its containerd id.
 */
final class ContainerdBundles implements MetadataSource {
    static final String CONTAINER_NAME = "io.kubernetes.cri.container-name";
    static final String IMAGE_NAME = "io.kubernetes.cri.image-name";
    static final String CONTAINER_TYPE = "io.kubernetes.cri.container-type";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stateDir;

    ContainerdBundles(Path stateDir) {
        this.stateDir = stateDir;
    }

    @Override
    public Optional<ContainerInfo> lookup(String containerId, String cgroupPath) {
        for (Path bundle : bundles()) {
            String id = bundle.getFileName().toString();
            JsonNode config;
            try {
                config = JSON.readTree(bundle.resolve("config.json").toFile());
            } catch (IOException e) {
                continue; // a task that just went away
            }
            String bundleCgroup = config.path("linux").path("cgroupsPath").asText("");
            boolean byId = containerId != null && id.equals(containerId);
            boolean byCgroup = !bundleCgroup.isEmpty() && (bundleCgroup.equals(cgroupPath)
                    || ("/" + bundleCgroup).equals(cgroupPath) || bundleCgroup.endsWith(":" + id) && cgroupPath.contains(id));
            if (!byId && !byCgroup) {
                continue;
            }
            JsonNode annotations = config.path("annotations");
            String name = annotations.path(CONTAINER_NAME).asText(id);
            String image = annotations.hasNonNull(IMAGE_NAME) ? annotations.get(IMAGE_NAME).asText() : null;
            boolean sandbox = annotations.path(CONTAINER_TYPE).asText("").equals("sandbox");
            return Optional.of(new ContainerInfo(name, image, ContainerInfo.digestOf(image), "containerd", sandbox));
        }
        return Optional.empty();
    }

    private List<Path> bundles() {
        List<Path> bundles = new ArrayList<>();
        if (!Files.isDirectory(stateDir)) {
            return bundles;
        }
        try (Stream<Path> namespaces = Files.list(stateDir)) {
            for (Path ns : namespaces.toList()) {
                try (Stream<Path> tasks = Files.list(ns)) {
                    tasks.filter(t -> Files.isRegularFile(t.resolve("config.json"))).forEach(bundles::add);
                } catch (IOException e) {
                    // a namespace without tasks, or one removed meanwhile
                }
            }
        } catch (IOException e) {
            return bundles;
        }
        return bundles;
    }
}
