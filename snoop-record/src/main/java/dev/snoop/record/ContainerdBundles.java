package dev.snoop.record;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Thread safe.
 * Without CRI annotations (a plain {@code ctr run}) the container is named by its containerd id.
 */
final class ContainerdBundles implements MetadataSource {
    static final String CONTAINER_NAME = "io.kubernetes.cri.container-name";
    static final String IMAGE_NAME = "io.kubernetes.cri.image-name";
    static final String CONTAINER_TYPE = "io.kubernetes.cri.container-type";

    private final Path stateDir;

    ContainerdBundles(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** What one bundle says, kept after the task is gone: a short-lived container's events arrive later. */
    private record Bundle(String id, String cgroupsPath, ContainerInfo info, long seenAt) {}

    /** What snoop reads of a bundle's {@code config.json}: the annotations and {@code linux.cgroupsPath}. */
    private record BundleConfig(Map<String, String> annotations, String cgroupsPath) {
        static BundleConfig read(Path configJson) throws IOException {
            Map<String, String> annotations = new java.util.HashMap<>();
            StringBuilder cgroupsPath = new StringBuilder();
            try (InputStream in = Files.newInputStream(configJson)) {
                JsonFields.readObject(in, (field, p) -> {
                    switch (field) {
                        case "annotations" -> annotations.putAll(JsonFields.strings(p));
                        case "linux" -> JsonFields.fields(p, (name, q) -> {
                            String text = name.equals("cgroupsPath") ? JsonFields.text(q) : null;
                            if (text != null) {
                                cgroupsPath.append(text);
                            }
                        });
                        default -> { }
                    }
                });
            }
            return new BundleConfig(Map.copyOf(annotations), cgroupsPath.toString());
        }
    }

    private final java.util.Map<String, Bundle> seen = new java.util.HashMap<>();

    @Override
    public synchronized Optional<ContainerInfo> lookup(String containerId, String cgroupPath) {
        Optional<ContainerInfo> known = find(containerId, cgroupPath);
        if (known.isPresent()) {
            return known;
        }
        refresh();
        return find(containerId, cgroupPath);
    }

    /**
     * Reads every task's bundle; called every second as well, so containers that live a second
     * are known even if their events are read after they exit. Bundles gone for ten minutes are
     * forgotten.
     */
    synchronized void refresh() {
        long now = System.nanoTime();
        for (Path bundle : bundles()) {
            String id = bundle.getFileName().toString();
            Bundle previous = seen.get(id);
            if (previous != null) {
                seen.put(id, new Bundle(id, previous.cgroupsPath(), previous.info(), now));
                continue;
            }
            try {
                BundleConfig config = BundleConfig.read(bundle.resolve("config.json"));
                String name = config.annotations().getOrDefault(CONTAINER_NAME, id);
                String image = config.annotations().get(IMAGE_NAME);
                boolean sandbox = "sandbox".equals(config.annotations().get(CONTAINER_TYPE));
                seen.put(id, new Bundle(id, config.cgroupsPath(),
                        new ContainerInfo(name, image, ContainerInfo.digestOf(image), "containerd", sandbox), now));
            } catch (IOException e) {
                // a task that just went away, or a config being written: the next refresh reads it
            }
        }
        seen.values().removeIf(b -> now - b.seenAt() > java.util.concurrent.TimeUnit.MINUTES.toNanos(10));
    }

    private Optional<ContainerInfo> find(String containerId, String cgroupPath) {
        for (Bundle b : seen.values()) {
            String bundleCgroup = b.cgroupsPath();
            boolean byId = containerId != null && b.id().equals(containerId);
            boolean byCgroup = !bundleCgroup.isEmpty() && cgroupPath != null && (bundleCgroup.equals(cgroupPath)
                    || ("/" + bundleCgroup).equals(cgroupPath) || bundleCgroup.endsWith(":" + b.id()) && cgroupPath.contains(b.id()));
            if (byId || byCgroup) {
                return Optional.of(b.info());
            }
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
