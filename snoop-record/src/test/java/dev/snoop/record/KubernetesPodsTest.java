package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kubernetes API path against a real HTTP server serving a real pod document. */
class KubernetesPodsTest {
    private static final String APP = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b4f1c0b3a";
    private static final String MIGRATE = "1111111111111111111111111111111111111111111111111111111111111111";

    @TempDir
    Path tmp;

    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private final StringWriter logged = new StringWriter();

    @BeforeEach
    void serve() throws Exception {
        byte[] pod = getClass().getResourceAsStream("/kubernetes/pod.json").readAllBytes();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/namespaces/shop/pods/shop-7d9c5b8f4-x2x4q", exchange -> {
            requests.incrementAndGet();
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = status.get() == 200 ? pod : "{\"kind\":\"Status\",\"code\":403}".getBytes();
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private KubernetesPods client(int port) throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "secret-token\n");
        return new KubernetesPods(URI.create("http://127.0.0.1:" + port), "shop", "shop-7d9c5b8f4-x2x4q", token, null,
                new Log(new PrintWriter(logged, true), Log.Level.INFO));
    }

    @Test
    void namesAContainerByItsIdWithImageAndDigest() throws Exception {
        KubernetesPods pods = client(server.getAddress().getPort());
        assertEquals(Optional.of(new ContainerInfo("app", "registry.example.com/shop:1.1",
                "sha256:5555555555555555555555555555555555555555555555555555555555555555", "kubernetes")),
                pods.lookup(APP, "/kubepods/pod1/" + APP));
        assertEquals("migrate", pods.lookup(MIGRATE, null).orElseThrow().name());
        assertEquals("Bearer secret-token", authorization.get());
        assertEquals(1, requests.get(), "the pod is fetched once for both");
        assertEquals(Map.of("app", "shop", "pod-template-hash", "7d9c5b8f4"), pods.labels());
    }

    @Test
    void anIdTheApiDoesNotShowYetIsAskedForAgainThenGivenUp() throws Exception {
        KubernetesPods pods = client(server.getAddress().getPort());
        assertEquals(Optional.empty(), pods.lookup("ab".repeat(32), null));
        assertEquals(4, requests.get());
        assertEquals(0, pods.errors());
    }

    @Test
    void forbiddenIsCountedAndLoggedOnceAndTheRecordingGoesOn() throws Exception {
        status.set(403);
        KubernetesPods pods = client(server.getAddress().getPort());
        assertEquals(Optional.empty(), pods.lookup(APP, null));
        assertEquals(Optional.empty(), pods.lookup(APP, null));
        assertEquals(2, pods.errors());
        assertEquals(1, logged.toString().lines().count(), logged.toString());
        assertTrue(logged.toString().contains("403") && logged.toString().contains("rbac.yaml"), logged.toString());
        assertTrue(!logged.toString().contains("secret-token"), "no token in logs");
    }

    @Test
    void anUnreachableApiIsCountedNotFatal() throws Exception {
        server.stop(0);
        KubernetesPods pods = client(server.getAddress().getPort());
        assertEquals(Optional.empty(), pods.lookup(APP, null));
        assertEquals(1, pods.errors());
        assertTrue(logged.toString().contains("unreachable"), logged.toString());
    }

    @Test
    void labelsAFirstAskMissedComeWithALaterLookup() throws Exception {
        AtomicReference<Map<String, String>> told = new AtomicReference<>(Map.of());
        KubernetesPods pods = client(server.getAddress().getPort());
        pods.onLabels(told::set);
        status.set(503); // the API server restarting when the recorder starts (RecordBurstTest saw it under load)
        assertEquals(Map.of(), pods.labels());
        status.set(200);
        assertEquals("app", pods.lookup(APP, null).orElseThrow().name());
        assertEquals(Map.of("app", "shop", "pod-template-hash", "7d9c5b8f4"), told.get());
    }
}
