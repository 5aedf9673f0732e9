package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manifests of {@code snoop serve} (examples/kubernetes/server) and the sidecar's delivery to
 * it: parsed with the Kubernetes model classes like {@link ManifestsTest}'s, then checked for what
 * docs/server.md promises of them.
 */
class ServerManifestsTest {
    private static final Path SERVER = ManifestsTest.DIR.resolve("server");

    @Test
    void testServerManifests_everyDocumentParses_noUnknownFields() throws IOException {
        List<ManifestsTest.Doc> docs = ManifestsTest.documents(SERVER);
        for (String file : List.of("serve.yaml", "serve-trial.yaml")) {
            assertTrue(docs.stream().anyMatch(d -> d.where().startsWith(file + "#")), "no document in " + file);
        }
        for (ManifestsTest.Doc doc : docs) {
            assertEquals(List.of(), ManifestsTest.unknownFields(doc.resource()), doc.where());
            assertFalse(doc.resource().getKind().startsWith("Cluster"), doc.where() + ": nothing cluster-wide");
        }
    }

    @Test
    void testServe_twoReplicasOverTheSecretsDatabase_probes_locked_down() throws IOException {
        Deployment d = deployment("serve.yaml");
        assertEquals(2, d.getSpec().getReplicas());
        Container c = server(d);
        Map<String, EnvVar> env = env(c);
        assertEquals("url", env.get("SNOOP_DATABASE_URL").getValueFrom().getSecretKeyRef().getKey());
        assertNotNull(env.get("SNOOP_DATABASE_URL").getValueFrom().getSecretKeyRef().getName());
        assertNull(env.get("SNOOP_DATABASE_URL").getValue(), "the URL holds a password: from a Secret only");
        assertFalse(env.containsKey("SNOOP_DATA_DIR"), "no embedded database behind two replicas");
        assertCommon("serve.yaml", d);
    }

    @Test
    void testServeTrial_oneReplicaRecreate_embeddedDatabaseOnTheClaim() throws IOException {
        Deployment d = deployment("serve-trial.yaml");
        assertEquals(1, d.getSpec().getReplicas());
        assertEquals("Recreate", d.getSpec().getStrategy().getType(), "two pods must never share the data directory");
        Container c = server(d);
        Map<String, EnvVar> env = env(c);
        assertFalse(env.containsKey("SNOOP_DATABASE_URL"));
        String dataDir = env.get("SNOOP_DATA_DIR").getValue();
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> dataDir.startsWith(m.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError(dataDir + " is on no volume"));
        String claim = volume(pod, mount.getName()).getPersistentVolumeClaim().getClaimName();
        assertTrue(ManifestsTest.documents(SERVER).stream().anyMatch(doc -> doc.resource() instanceof PersistentVolumeClaim
                && doc.resource().getMetadata().getName().equals(claim)), "no claim " + claim);
        assertEquals(65532L, pod.getSecurityContext().getFsGroup());
        assertCommon("serve-trial.yaml", d);
    }

    @Test
    void testSidecar_deliversToTheServersService_withAProjectedTokenForItsAudience() throws IOException {
        int delivering = 0;
        for (ManifestsTest.Doc doc : ManifestsTest.documents()) {
            if (!(doc.resource() instanceof Deployment d)) {
                continue;
            }
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Container snoop = pod.getInitContainers().stream().filter(c -> c.getName().equals("snoop")).findFirst()
                    .orElseThrow();
            Map<String, EnvVar> env = env(snoop);
            if (!env.containsKey("SNOOP_API_ENDPOINT")) {
                continue;
            }
            delivering++;
            URI endpoint = URI.create(env.get("SNOOP_API_ENDPOINT").getValue());
            assertEquals("snoop-serve.snoop.svc", endpoint.getHost(), doc.where());
            assertEquals("/v1/reports", endpoint.getPath(), doc.where());
            Service service = (Service) ManifestsTest.documents(SERVER).stream()
                    .filter(x -> x.resource() instanceof Service).findFirst().orElseThrow().resource();
            assertEquals(endpoint.getPort(), service.getSpec().getPorts().get(0).getPort(), doc.where());
            // the token file is a projected service-account token whose audience is the server
            String tokenFile = env.get("SNOOP_API_TOKEN_FILE").getValue();
            VolumeMount mount = snoop.getVolumeMounts().stream().filter(m -> tokenFile.startsWith(m.getMountPath() + "/"))
                    .findFirst().orElseThrow(() -> new AssertionError(doc.where() + ": " + tokenFile + " is on no volume"));
            String path = tokenFile.substring(mount.getMountPath().length() + 1);
            ServiceAccountTokenProjection token = volume(pod, mount.getName()).getProjected().getSources().stream()
                    .map(VolumeProjection::getServiceAccountToken).filter(t -> t != null && path.equals(t.getPath()))
                    .findFirst().orElseThrow(() -> new AssertionError(doc.where() + ": no token projected at " + path));
            assertEquals("snoop-serve", token.getAudience(), doc.where() + ": a token for the server only");
            assertFalse(env.containsKey("SNOOP_API_TOKEN"), doc.where() + ": no token in the manifest");
        }
        assertTrue(delivering >= 1, "no sidecar delivers to snoop serve");
    }

    @Test
    void testServeImage_dockerfile_runsServeAsItsOwnUser() throws IOException {
        String dockerfile = Files.readString(SERVER.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("COPY snoop.jar"), dockerfile);
        assertTrue(dockerfile.contains("USER 65532"), "PostgreSQL refuses root");
        assertTrue(dockerfile.lines().filter(l -> l.startsWith("ENTRYPOINT")).anyMatch(l -> l.endsWith("\"serve\"]")));
        for (String file : List.of("serve.yaml", "serve-trial.yaml")) {
            assertTrue(server(deployment(file)).getImage().startsWith("snoop-serve:"), file);
        }
    }

    /** What both variants share: non-root, read-only root, the probes, a memory limit, the Service. */
    private static void assertCommon(String file, Deployment d) throws IOException {
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = server(d);
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), file);
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), file + ": the server needs no API token");
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), file);
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), file);
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), file);
        assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath(), file);
        assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath(), file);
        assertNotNull(c.getResources().getLimits().get("memory"), file);
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")), file + ": a writable /tmp");
        Map<String, EnvVar> env = env(c);
        VolumeMount tokens = c.getVolumeMounts().stream()
                .filter(m -> env.get("SNOOP_TOKENS_FILE").getValue().startsWith(m.getMountPath() + "/")).findFirst().orElseThrow();
        assertNotNull(volume(pod, tokens.getName()).getSecret(), file + ": the tokens file from a Secret");
        Service service = ManifestsTest.documents(SERVER).stream().filter(x -> x.where().startsWith(file + "#"))
                .map(ManifestsTest.Doc::resource).filter(Service.class::isInstance).map(Service.class::cast)
                .findFirst().orElseThrow();
        assertEquals(d.getSpec().getTemplate().getMetadata().getLabels(), service.getSpec().getSelector(), file);
        assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal(), file);
        assertEquals(8080, c.getPorts().get(0).getContainerPort(), file);
    }

    private static Deployment deployment(String file) throws IOException {
        return ManifestsTest.documents(SERVER).stream().filter(d -> d.where().startsWith(file + "#"))
                .map(ManifestsTest.Doc::resource).filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no Deployment in " + file));
    }

    private static Container server(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private static Map<String, EnvVar> env(Container c) {
        Map<String, EnvVar> env = new HashMap<>();
        c.getEnv().forEach(e -> env.put(e.getName(), e));
        return env;
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
