package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles laid out as containerd's task state directory holds them; the pod end-to-end test reads
 * the ones a real containerd writes.
 */
class ContainerdBundlesTest {
    private static final String ID = "4f1c0b3a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";

    @TempDir
    Path state;

    private void bundle(String namespace, String id, String config) throws Exception {
        Path dir = Files.createDirectories(state.resolve(namespace).resolve(id));
        Files.writeString(dir.resolve("config.json"), config);
    }

    @Test
    void criAnnotationsNameTheContainer() throws Exception {
        bundle("k8s.io", ID, """
                {"ociVersion": "1.1.0", "linux": {"cgroupsPath": "kubepods-pod1.slice:cri-containerd:%s"},
                 "annotations": {"io.kubernetes.cri.container-type": "container",
                                 "io.kubernetes.cri.container-name": "app",
                                 "io.kubernetes.cri.image-name": "registry.example.com/shop@sha256:abcd"}}
                """.formatted(ID));
        ContainerdBundles bundles = new ContainerdBundles(state);
        assertEquals(Optional.of(new ContainerInfo("app", "registry.example.com/shop@sha256:abcd", "sha256:abcd", "containerd")),
                bundles.lookup(ID, "/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + ID + ".scope"));
    }

    @Test
    void withoutAnnotationsTheContainerdIdNamesItAndTheCgroupPathFindsIt() throws Exception {
        bundle("default", "web-1", """
                {"linux": {"cgroupsPath": "/pod-a/web"}}
                """);
        ContainerdBundles bundles = new ContainerdBundles(state);
        assertEquals(Optional.of(new ContainerInfo("web-1", null, null, "containerd")), bundles.lookup(null, "/pod-a/web"));
        assertEquals(Optional.empty(), bundles.lookup(null, "/pod-a/other"));
    }

    @Test
    void aMissingOrBrokenStateDirectoryKnowsNothing() throws Exception {
        assertEquals(Optional.empty(), new ContainerdBundles(state.resolve("absent")).lookup(ID, "/x"));
        bundle("k8s.io", ID, "{ not json");
        assertEquals(Optional.empty(), new ContainerdBundles(state).lookup(ID, "/x"));
    }
}
