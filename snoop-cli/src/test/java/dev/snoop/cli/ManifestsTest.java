package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Parses every YAML document under {@code examples/kubernetes} with the Kubernetes model classes
 * and checks what the sidecar must and must not be granted. A misspelt field fails: the model
 * keeps unknown fields in {@code additionalProperties} instead of rejecting them, so every object
 * of every document is walked and any such field is reported with its path.
 */
class ManifestsTest {
    static final Path DIR = Path.of(System.getProperty("snoop.manifests.dir", "../examples/kubernetes"));
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    /** The only kinds the examples may contain: anything cluster-wide (ClusterRole...) fails. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/Service", Service.class,
            "v1/PersistentVolumeClaim", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class,
            "apps/v1/Deployment", Deployment.class,
            "rbac.authorization.k8s.io/v1/Role", Role.class,
            "rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class);
    private static final String CGROUP_ROOT = "/host/cgroup";

    record Doc(String where, HasMetadata resource) {}

    @Test
    void testManifests_everyDocumentParses_noUnknownFields() throws IOException {
        List<Doc> docs = documents();
        for (String file : List.of("deployment.yaml", "rbac.yaml", "example-app.yaml")) {
            assertTrue(docs.stream().anyMatch(d -> d.where().startsWith(file + "#")), "no document in " + file);
        }
        for (Doc doc : docs) {
            assertEquals(List.of(), unknownFields(doc.resource()), doc.where() + ": fields the Kubernetes API does not know");
        }
    }

    @Test
    void testUnknownFields_misspeltField_isReported() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: snoop
                          securityContext:
                            readOnlyRootFileSystem: true
                """;
        Deployment d = YAML.readValue(yaml, Deployment.class);
        assertEquals(List.of("Deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem"),
                unknownFields(d));
    }

    @Test
    void testSidecar_capabilities_dropAllAddOnlyBpfPerfmon() throws IOException {
        for (Doc doc : deployments()) {
            SecurityContext sc = sidecar(doc).getSecurityContext();
            assertNotNull(sc, doc.where() + ": no securityContext");
            assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), doc.where());
            assertEquals(Set.of("BPF", "PERFMON"), Set.copyOf(sc.getCapabilities().getAdd()), doc.where());
            assertEquals(2, sc.getCapabilities().getAdd().size(), doc.where());
        }
    }

    @Test
    void testSidecar_readOnlyRoot_noEscalation_notPrivileged() throws IOException {
        for (Doc doc : deployments()) {
            Container snoop = sidecar(doc);
            SecurityContext sc = snoop.getSecurityContext();
            assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), doc.where());
            assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), doc.where());
            assertTrue(sc.getPrivileged() == null || !sc.getPrivileged(), doc.where());
            assertTrue(snoop.getImage().startsWith("snoop:"), doc.where() + ": image " + snoop.getImage());
            // args would replace the image's `record`
            assertTrue(snoop.getCommand() == null || snoop.getCommand().isEmpty(), doc.where() + ": no command");
            assertTrue(snoop.getArgs() == null || snoop.getArgs().isEmpty(), doc.where() + ": no args");
        }
    }

    @Test
    void testSidecar_mounts_readOnlyExceptData() throws IOException {
        for (Doc doc : deployments()) {
            PodSpec pod = podOf(doc).getSpec();
            Container snoop = sidecar(doc);
            for (VolumeMount m : snoop.getVolumeMounts()) {
                Volume v = volume(pod, m.getName(), doc.where());
                if (m.getMountPath().equals("/data")) {
                    assertTrue(m.getReadOnly() == null || !m.getReadOnly(), doc.where() + ": /data must be writable");
                    assertTrue(v.getEmptyDir() != null || v.getPersistentVolumeClaim() != null,
                            doc.where() + ": /data must be an emptyDir or a PVC");
                } else {
                    assertEquals(Boolean.TRUE, m.getReadOnly(), doc.where() + ": " + m.getMountPath() + " must be read-only");
                }
            }
            assertEquals("/sys/fs/cgroup", hostPathAt(pod, snoop, CGROUP_ROOT, doc.where()));
            assertEquals("/sys/kernel/btf", hostPathAt(pod, snoop, "/sys/kernel/btf", doc.where()));
            long hostPaths = pod.getVolumes().stream().filter(v -> v.getHostPath() != null).count();
            assertEquals(2, hostPaths, doc.where() + ": only the cgroup tree and BTF come from the host");
            Volume labels = volume(pod, mountAt(snoop, "/etc/podinfo", doc.where()).getName(), doc.where());
            assertEquals("metadata.labels", labels.getDownwardAPI().getItems().get(0).getFieldRef().getFieldPath(), doc.where());
            assertEquals("labels", labels.getDownwardAPI().getItems().get(0).getPath(), doc.where());
        }
    }

    @Test
    void testSidecar_env_podIdentity_reportInData_cgroupRoot() throws IOException {
        for (Doc doc : deployments()) {
            Map<String, EnvVar> env = new java.util.HashMap<>();
            sidecar(doc).getEnv().forEach(e -> env.put(e.getName(), e));
            assertEquals("metadata.name", env.get("SNOOP_POD_NAME").getValueFrom().getFieldRef().getFieldPath(), doc.where());
            assertEquals("metadata.namespace", env.get("SNOOP_NAMESPACE").getValueFrom().getFieldRef().getFieldPath(), doc.where());
            assertEquals("/etc/podinfo/labels", env.get("SNOOP_LABELS_FILE").getValue(), doc.where());
            assertEquals("/data/snoop-report.json", env.get("SNOOP_REPORT_PATH").getValue(), doc.where());
            assertEquals(CGROUP_ROOT, env.get("SNOOP_CGROUP_ROOT").getValue(), doc.where());
        }
    }

    @Test
    void testSidecar_probesOnHealthz_metricsPort9090_resources() throws IOException {
        for (Doc doc : deployments()) {
            Container snoop = sidecar(doc);
            assertEquals(1, snoop.getPorts().size(), doc.where());
            assertEquals("metrics", snoop.getPorts().get(0).getName(), doc.where());
            assertEquals(9090, snoop.getPorts().get(0).getContainerPort(), doc.where());
            for (Probe probe : new Probe[] {snoop.getLivenessProbe(), snoop.getReadinessProbe()}) {
                assertNotNull(probe, doc.where() + ": liveness and readiness probes are required");
                assertEquals("/healthz", probe.getHttpGet().getPath(), doc.where());
                assertEquals("metrics", probe.getHttpGet().getPort().getStrVal(), doc.where());
            }
            assertNotNull(snoop.getResources().getRequests().get("cpu"), doc.where());
            assertNotNull(snoop.getResources().getRequests().get("memory"), doc.where());
            assertNotNull(snoop.getResources().getLimits().get("memory"), doc.where());
            Map<String, String> annotations = podOf(doc).getMetadata().getAnnotations();
            assertEquals("true", annotations.get("prometheus.io/scrape"), doc.where());
            assertEquals("9090", annotations.get("prometheus.io/port"), doc.where());
            assertEquals("/metrics", annotations.get("prometheus.io/path"), doc.where());
        }
    }

    @Test
    void testPod_noHostNamespaces_gracePeriod_serviceAccount() throws IOException {
        for (Doc doc : deployments()) {
            PodSpec pod = podOf(doc).getSpec();
            assertNotEquals(Boolean.TRUE, pod.getHostPID(), doc.where() + ": hostPID is not needed");
            assertNotEquals(Boolean.TRUE, pod.getHostNetwork(), doc.where());
            assertNotEquals(Boolean.TRUE, pod.getHostIPC(), doc.where());
            assertNotEquals(Boolean.TRUE, pod.getShareProcessNamespace(), doc.where());
            assertTrue(pod.getTerminationGracePeriodSeconds() != null && pod.getTerminationGracePeriodSeconds() >= 10,
                    doc.where() + ": snoop needs time for its final report");
            assertEquals("snoop", pod.getServiceAccountName(), doc.where());
            for (Container c : allContainers(pod)) {
                SecurityContext sc = c.getSecurityContext();
                assertTrue(sc == null || sc.getPrivileged() == null || !sc.getPrivileged(), doc.where() + ": " + c.getName());
            }
        }
    }

    @Test
    void testRbac_onlyNamespacedGetOnPods() throws IOException {
        List<Doc> docs = documents();
        List<Role> roles = docs.stream().map(Doc::resource).filter(Role.class::isInstance).map(Role.class::cast).toList();
        assertEquals(1, roles.size());
        assertEquals("snoop", roles.get(0).getMetadata().getName());
        List<PolicyRule> rules = roles.get(0).getRules();
        assertEquals(1, rules.size());
        assertEquals(List.of(""), rules.get(0).getApiGroups());
        assertEquals(List.of("pods"), rules.get(0).getResources());
        assertEquals(List.of("get"), rules.get(0).getVerbs());
        List<RoleBinding> bindings = docs.stream().map(Doc::resource).filter(RoleBinding.class::isInstance)
                .map(RoleBinding.class::cast).toList();
        assertEquals(1, bindings.size());
        RoleBinding binding = bindings.get(0);
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals("snoop", binding.getRoleRef().getName());
        assertEquals(1, binding.getSubjects().size());
        Subject subject = binding.getSubjects().get(0);
        assertEquals("ServiceAccount", subject.getKind());
        assertEquals("snoop", subject.getName());
        assertTrue(docs.stream().anyMatch(d -> d.resource() instanceof ServiceAccount sa && sa.getMetadata().getName().equals("snoop")));
        for (Doc doc : docs) {
            assertFalse(doc.resource().getKind().startsWith("Cluster"), doc.where() + ": nothing cluster-wide");
        }
    }

    // --- reading the manifests

    static List<Doc> documents() throws IOException {
        return documents(DIR);
    }

    /** The documents of the YAML files directly in {@code dir}. */
    static List<Doc> documents(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no manifests in " + dir.toAbsolutePath());
        List<Doc> docs = new ArrayList<>();
        for (Path file : files) {
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
                for (int i = 0; it.hasNext(); i++) {
                    JsonNode node = it.next();
                    String where = file.getFileName() + "#" + i;
                    if (node == null || node.isMissingNode() || node.isNull()) {
                        continue; // an empty document, e.g. after a trailing ---
                    }
                    String key = node.path("apiVersion").asString("") + "/" + node.path("kind").asString("");
                    Class<? extends HasMetadata> type = KINDS.get(key);
                    if (type == null) {
                        fail(where + ": " + key + " is not one of the kinds the examples may contain: " + KINDS.keySet());
                    }
                    docs.add(new Doc(where, YAML.treeToValue(node, type)));
                }
            }
        }
        return docs;
    }

    private static List<Doc> deployments() throws IOException {
        List<Doc> list = documents().stream().filter(d -> d.resource() instanceof Deployment).toList();
        assertFalse(list.isEmpty(), "no Deployment in " + DIR);
        return list;
    }

    private static PodTemplateSpec podOf(Doc doc) {
        return ((Deployment) doc.resource()).getSpec().getTemplate();
    }

    /** The container named snoop: a native sidecar (restartable init container) or a plain container. */
    private static Container sidecar(Doc doc) {
        PodSpec pod = podOf(doc).getSpec();
        List<Container> found = allContainers(pod).stream().filter(c -> c.getName().equals("snoop")).toList();
        assertEquals(1, found.size(), doc.where() + ": one container named snoop");
        Container snoop = found.get(0);
        if (pod.getInitContainers() != null && pod.getInitContainers().contains(snoop)) {
            // an init container without it would block the pod forever: snoop never exits by itself
            assertEquals("Always", snoop.getRestartPolicy(), doc.where() + ": an init-container sidecar needs restartPolicy Always");
        }
        return snoop;
    }

    private static List<Container> allContainers(PodSpec pod) {
        List<Container> all = new ArrayList<>();
        if (pod.getInitContainers() != null) {
            all.addAll(pod.getInitContainers());
        }
        all.addAll(pod.getContainers());
        return all;
    }

    private static Volume volume(PodSpec pod, String name, String where) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(where + ": no volume " + name));
    }

    private static VolumeMount mountAt(Container c, String path, String where) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(where + ": nothing mounted at " + path));
    }

    private static String hostPathAt(PodSpec pod, Container c, String mountPath, String where) {
        Volume v = volume(pod, mountAt(c, mountPath, where).getName(), where);
        assertNotNull(v.getHostPath(), where + ": " + mountPath + " is not a hostPath");
        return v.getHostPath().getPath();
    }

    private static void assertNotEquals(Object unexpected, Object actual, String message) {
        org.junit.jupiter.api.Assertions.assertNotEquals(unexpected, actual, message);
    }

    // --- unknown fields

    /** The paths of every field the model did not know, found in additionalProperties. */
    static List<String> unknownFields(Object resource) {
        List<String> found = new ArrayList<>();
        walk(resource, resource.getClass().getSimpleName(), found, Collections.newSetFromMap(new IdentityHashMap<>()));
        return found;
    }

    private static void walk(Object value, String path, List<String> found, Set<Object> seen) {
        if (value == null || !seen.add(value)) {
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, found, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child;
            try {
                child = m.invoke(value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra) {
                    extra.keySet().stream().map(k -> path + "." + k).sorted().forEach(found::add);
                }
                continue;
            }
            String name = m.getName().substring(3);
            walk(child, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1), found, seen);
        }
    }
}
