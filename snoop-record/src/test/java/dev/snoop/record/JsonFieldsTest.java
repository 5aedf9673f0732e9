package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The streaming reads of pod documents that replaced databind in the recorder. */
class JsonFieldsTest {
    private static KubernetesPods.Pod pod(String json) throws IOException {
        return KubernetesPods.Pod.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void testPodRead_labelsAndEveryStatusList_restSkipped() throws IOException {
        KubernetesPods.Pod pod = pod("""
                {"kind": "Pod", "spec": {"containers": [{"name": "x", "ports": [{"containerPort": 80}]}]},
                 "metadata": {"name": "shop-1", "labels": {"app": "shop", "tier": "web", "n": 3, "o": {"a": 1}},
                              "annotations": {"status": {"containerStatuses": []}}},
                 "status": {"phase": "Running", "conditions": [{"type": "Ready"}],
                            "containerStatuses": [{"name": "app", "containerID": "containerd://abc", "image": "shop:1",
                                                   "imageID": "docker.io/shop@sha256:01", "state": {"running": {}},
                                                   "ready": true, "restartCount": 2}],
                            "initContainerStatuses": [{"name": "migrate", "containerID": "cri-o://def"}, 7, null],
                            "ephemeralContainerStatuses": null}}
                """);
        assertEquals(Map.of("app", "shop", "tier", "web"), pod.labels());
        assertEquals(List.of(new KubernetesPods.ContainerStatus("app", "containerd://abc", "shop:1", "docker.io/shop@sha256:01"),
                new KubernetesPods.ContainerStatus("migrate", "cri-o://def", null, ""),
                new KubernetesPods.ContainerStatus("", "", null, ""),
                new KubernetesPods.ContainerStatus("", "", null, "")), pod.statuses());
        assertEquals(Optional.of(new ContainerInfo("app", "shop:1", "sha256:01", "kubernetes")), pod.find("abc"));
        assertEquals("migrate", pod.find("def").orElseThrow().name());
        assertEquals(Optional.empty(), pod.find("zzz"));
        assertEquals(Optional.empty(), pod.find(""), "a waiting container has no id yet");
    }

    @Test
    void testPodRead_withoutThoseFields_knowsNothing() throws IOException {
        assertEquals(new KubernetesPods.Pod(Map.of(), List.of()), pod("{}"));
        assertEquals(new KubernetesPods.Pod(Map.of(), List.of()), pod(""));
        assertEquals(new KubernetesPods.Pod(Map.of(), List.of()), pod("[1, 2]"));
        assertEquals(new KubernetesPods.Pod(Map.of(), List.of()), pod("{\"metadata\": 5, \"status\": \"x\"}"));
    }

    @Test
    void testPodRead_truncatedOrBroken_isAnError() {
        for (String broken : List.of("{\"metadata\": {\"labels\": {\"a\": \"b\"", "{\"status\": [", "{ not json")) {
            assertThrows(IOException.class, () -> pod(broken), broken);
        }
    }
}
