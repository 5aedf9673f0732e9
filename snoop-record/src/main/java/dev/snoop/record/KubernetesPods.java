package dev.snoop.record;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Container metadata from the Kubernetes API: the pod's {@code status.containerStatuses} give each
 * container's name, image and image digest ({@code imageID}) by container id. Only the pod snoop
 * runs in is read ({@code GET /api/v1/namespaces/NS/pods/NAME}), with the service account's token,
 * which RBAC limits to reading pods.
 *
 * <p>A restarted container has a new id that the API shows only once the kubelet has updated the
 * pod's status, so an unknown id is looked up again a few times, a quarter second apart. Errors
 * (unreachable, 403) are counted and logged once per kind; the recording goes on without them.
 *
 * <p>Slow by nature (an API server under load takes seconds), so only the resolver thread calls it,
 * never the poller; a request may therefore wait {@link #REQUEST_TIMEOUT} for its answer.
 */
final class KubernetesPods implements MetadataSource {
    private static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    private static final int ATTEMPTS = 4;
    private static final Duration BETWEEN_ATTEMPTS = Duration.ofMillis(250);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI podUri;
    private final Path tokenFile;
    private final HttpClient http;
    private final Log log;
    private final AtomicLong errors = new AtomicLong();
    private volatile Pod pod;
    private volatile Consumer<Map<String, String>> labelsListener = labels -> {};
    private String lastError;

    KubernetesPods(URI apiBase, String namespace, String podName, Path tokenFile, SSLContext ssl, Log log) {
        this.podUri = apiBase.resolve("/api/v1/namespaces/" + namespace + "/pods/" + podName);
        this.tokenFile = tokenFile;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.http = builder.build();
        this.log = log;
    }

    /**
     * The API of the cluster snoop runs in, from the service account Kubernetes mounts and the
     * {@code KUBERNETES_SERVICE_*} variables; empty outside a cluster or without pod identity.
     */
    static Optional<KubernetesPods> inCluster(String namespace, String podName, Log log) {
        String host = System.getenv("KUBERNETES_SERVICE_HOST");
        String port = System.getenv("KUBERNETES_SERVICE_PORT");
        if (host == null || port == null || namespace == null || podName == null
                || !Files.isReadable(SERVICE_ACCOUNT.resolve("token"))) {
            return Optional.empty();
        }
        try {
            SSLContext ssl = trusting(SERVICE_ACCOUNT.resolve("ca.crt"));
            String authority = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
            return Optional.of(new KubernetesPods(URI.create("https://" + authority), namespace, podName,
                    SERVICE_ACCOUNT.resolve("token"), ssl, log));
        } catch (IOException | GeneralSecurityException e) {
            log.warn("kubernetes api not used: cannot read the service account's CA", "error", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Optional<ContainerInfo> lookup(String containerId, String cgroupPath) {
        if (containerId == null) {
            return Optional.empty();
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Pod current = pod;
            Optional<ContainerInfo> found = current == null ? Optional.empty() : current.find(containerId);
            if (found.isPresent()) {
                return found;
            }
            if (attempt > 0) {
                sleep();
            }
            if (!refresh()) {
                return Optional.empty(); // the API is not answering: no point waiting
            }
        }
        Pod current = pod;
        return current == null ? Optional.empty() : current.find(containerId);
    }

    /**
     * Tells {@code listener} the pod's labels each time the API shows the pod: the first ask may
     * fail (a slow or restarting API server), and a later container lookup's answer carries them.
     */
    void onLabels(Consumer<Map<String, String>> listener) {
        labelsListener = listener;
    }

    /** The pod's labels as the API last showed them, for when no labels file is mounted. */
    Map<String, String> labels() {
        if (pod == null && !refresh()) {
            return Map.of();
        }
        return pod.labels();
    }

    long errors() {
        return errors.get();
    }

    /** One status entry of {@code status.containerStatuses} (or the init and ephemeral lists). */
    record ContainerStatus(String name, String containerId, String image, String imageId) {}

    /** What snoop reads of a pod: its labels and its containers' statuses. */
    record Pod(Map<String, String> labels, List<ContainerStatus> statuses) {
        Pod {
            labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
            statuses = List.copyOf(statuses);
        }

        static Pod read(InputStream json) throws IOException {
            Map<String, String> labels = new TreeMap<>();
            List<ContainerStatus> statuses = new ArrayList<>();
            JsonFields.readObject(json, (field, p) -> {
                switch (field) {
                    case "metadata" -> JsonFields.fields(p, (name, q) -> {
                        if (name.equals("labels")) {
                            labels.putAll(JsonFields.strings(q));
                        }
                    });
                    case "status" -> JsonFields.fields(p, (list, q) -> {
                        if (list.equals("containerStatuses") || list.equals("initContainerStatuses")
                                || list.equals("ephemeralContainerStatuses")) {
                            JsonFields.elements(q, (none, element) -> {
                                Map<String, String> status = JsonFields.strings(element);
                                statuses.add(new ContainerStatus(status.getOrDefault("name", ""),
                                        status.getOrDefault("containerID", ""), status.get("image"),
                                        status.getOrDefault("imageID", "")));
                            });
                        }
                    });
                    default -> { }
                }
            });
            return new Pod(labels, statuses);
        }

        Optional<ContainerInfo> find(String containerId) {
            for (ContainerStatus status : statuses) {
                // "containerd://<id>", "cri-o://<id>", "docker://<id>"; none while a container waits
                String id = status.containerId();
                int scheme = id.indexOf("://");
                if (!id.isEmpty() && (scheme < 0 ? id : id.substring(scheme + 3)).equals(containerId)) {
                    return Optional.of(new ContainerInfo(status.name(), status.image(),
                            ContainerInfo.digestOf(status.imageId()), "kubernetes"));
                }
            }
            return Optional.empty();
        }
    }

    private boolean refresh() {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(podUri).timeout(REQUEST_TIMEOUT)
                    .header("Accept", "application/json");
            if (tokenFile != null) {
                // re-read each time: projected service account tokens are rotated
                request.header("Authorization", "Bearer " + Files.readString(tokenFile).strip());
            }
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    fail("kubernetes api answered " + response.statusCode() + (response.statusCode() == 403
                            ? " (the service account needs get on pods: see examples/kubernetes/rbac.yaml)" : ""));
                    return false;
                }
                Pod read = Pod.read(body);
                pod = read;
                labelsListener.accept(read.labels());
                return true;
            }
        } catch (IOException e) {
            fail("kubernetes api unreachable: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private synchronized void fail(String message) {
        errors.incrementAndGet();
        if (!message.equals(lastError)) {
            log.warn("container metadata from the kubernetes api unavailable; going on without it", "error", message,
                    "pod", podUri.getPath());
            lastError = message;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(BETWEEN_ATTEMPTS.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
