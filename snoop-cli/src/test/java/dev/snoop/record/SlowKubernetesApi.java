package dev.snoop.record;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A Kubernetes API server that takes {@code delay} to answer, over TLS with a certificate made for
 * the test, serving one pod; its container's status shows up once {@link #start(String)} says the
 * container runs, as the kubelet shows it. {@link #serviceAccount} is the directory Kubernetes
 * would mount at {@code /var/run/secrets/kubernetes.io/serviceaccount}.
 */
final class SlowKubernetesApi implements AutoCloseable {
    static final String NAMESPACE = "shop";
    static final String POD = "shop-1";
    static final String IMAGE = "registry.example.com/shop/app:1.2";
    static final String DIGEST = "sha256:" + "5".repeat(64);

    private final HttpsServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Path serviceAccount;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String containerId;

    private SlowKubernetesApi(HttpsServer server, Path serviceAccount) {
        this.server = server;
        this.serviceAccount = serviceAccount;
    }

    static SlowKubernetesApi start(Path dir, Duration delay) throws Exception {
        Path keyStore = dir.resolve("api.p12");
        Path ca = dir.resolve("ca.crt");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Commands.run(Duration.ofSeconds(60), List.of(keytool, "-genkeypair", "-alias", "api", "-keyalg", "EC",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit"));
        Commands.run(Duration.ofSeconds(60), List.of(keytool, "-exportcert", "-rfc", "-alias", "api",
                "-keystore", keyStore.toString(), "-storepass", "changeit", "-file", ca.toString()));
        Files.writeString(dir.resolve("token"), "test-token\n");

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(keys.getKeyManagers(), null, null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        SlowKubernetesApi api = new SlowKubernetesApi(server, dir);
        server.createContext("/api/v1/namespaces/" + NAMESPACE + "/pods/" + POD, exchange -> {
            api.requests.incrementAndGet();
            String running = api.containerId; // as the pod was when asked
            try {
                Thread.sleep(delay.toMillis()); // the slowness under test, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = podJson(running).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(api.threads);
        server.start();
        return api;
    }

    private static String podJson(String containerId) {
        String statuses = containerId == null ? "" : "{\"name\":\"app\",\"containerID\":\"containerd://" + containerId
                + "\",\"image\":\"" + IMAGE + "\",\"imageID\":\"registry.example.com/shop/app@" + DIGEST + "\"}";
        return "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + POD + "\",\"namespace\":\"" + NAMESPACE
                + "\",\"labels\":{\"app\":\"shop\"}},\"status\":{\"containerStatuses\":[" + statuses + "]}}";
    }

    /** From now on the pod shows container {@code id} running, named "app". */
    void start(String id) {
        containerId = id;
    }

    int port() {
        return server.getAddress().getPort();
    }

    int requests() {
        return requests.get();
    }

    /** The token and CA Kubernetes mounts into a pod. */
    Path serviceAccount() {
        return serviceAccount;
    }

    /**
     * A command prefix that runs what follows as in a pod of this API: in a mount namespace of its
     * own with the service account mounted where Kubernetes mounts it (over an empty /run, so the
     * host's is left alone) and the {@code KUBERNETES_SERVICE_*} variables set.
     */
    List<String> inPod() {
        String sa = "/run/secrets/kubernetes.io/serviceaccount";
        String script = "mount -t tmpfs snoop-test-run /run && mkdir -p " + sa + " && cp '" + serviceAccount + "/token' '"
                + serviceAccount + "/ca.crt' " + sa + "/ && export KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="
                + port() + " && exec \"$@\"";
        return List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh");
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
