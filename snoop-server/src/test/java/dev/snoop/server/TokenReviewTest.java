package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.snoop.core.report.Report;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes service-account tokens through a TokenReview, against a local HTTP server that plays
 * the API server as it answers (authentication.k8s.io/v1): real HTTP both ways, a real database.
 */
@Timeout(120)
class TokenReviewTest {
    static final String AUDIENCE = "snoop";
    static final String OWN_TOKEN = "server-own-token-xyz";
    static final String SHOP_TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2hvcC1zaWRlY2Fy.c2lnbmF0dXJlLXNob3A";
    static final String EXPIRED_TOKEN = "eyJhbGciOiJSUzI1NiJ9.ZXhwaXJlZA.c2lnbmF0dXJlLWV4cGlyZWQ";
    static final String OTHER_AUDIENCE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.b3RoZXItYXVk.c2lnbmF0dXJlLWF1ZA";
    static final String NO_AUDIENCES_TOKEN = "eyJhbGciOiJSUzI1NiJ9.bm8tYXVk.c2lnbmF0dXJlLW5vYXVk";
    static final String USER_TOKEN = "eyJhbGciOiJSUzI1NiJ9.YWxpY2U.c2lnbmF0dXJlLWFsaWNl";
    static final List<String> SECRETS = List.of(OWN_TOKEN, SHOP_TOKEN, EXPIRED_TOKEN, OTHER_AUDIENCE_TOKEN,
            NO_AUDIENCES_TOKEN, USER_TOKEN, Http.TOKEN, "c2hvcC1zaWRlY2Fy", "c2lnbmF0dXJlLXNob3A");
    private static final Pattern TOKEN_FIELD = Pattern.compile("\"token\": ?\"([^\"]*)\"");

    @TempDir
    Path dir;
    HttpServer apiServer;
    final Map<String, AtomicInteger> reviews = new ConcurrentHashMap<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** 0: answer; else the status the API server answers with. */
    volatile int failWith;
    volatile CountDownLatch hang;
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startApiServer() throws Exception {
        apiServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        apiServer.setExecutor(Executors.newCachedThreadPool());
        apiServer.createContext(TokenReview.PATH, exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            bodies.add(body);
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            CountDownLatch h = hang;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Matcher m = TOKEN_FIELD.matcher(body);
            String token = m.find() ? m.group(1) : "";
            reviews.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
            int status = failWith != 0 ? failWith : "POST".equals(exchange.getRequestMethod()) ? 201 : 405;
            byte[] answer = (status == 201 ? review(token) : "{\"kind\": \"Status\", \"message\": \"no " + token + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        apiServer.start();
    }

    @AfterEach
    void stopApiServer() {
        CountDownLatch h = hang;
        if (h != null) {
            h.countDown();
        }
        apiServer.stop(0);
    }

    /** What an API server answers for each of the test's tokens. */
    private static String review(String token) {
        String head = "{\"kind\": \"TokenReview\", \"apiVersion\": \"authentication.k8s.io/v1\", \"metadata\": {}, "
                + "\"spec\": {\"token\": \"" + token + "\", \"audiences\": [\"" + AUDIENCE + "\"]}, ";
        return head + switch (token) {
            case SHOP_TOKEN -> "\"status\": {\"authenticated\": true, \"user\": {\"username\": "
                    + "\"system:serviceaccount:shop:sidecar\", \"uid\": \"1a2b\", \"groups\": [\"system:serviceaccounts\", "
                    + "\"system:serviceaccounts:shop\", \"system:authenticated\"], \"extra\": {\"authentication.kubernetes.io/pod-name\": "
                    + "[\"shop-5b8d-aaaaa\"]}}, \"audiences\": [\"" + AUDIENCE + "\"]}}";
            case OTHER_AUDIENCE_TOKEN -> "\"status\": {\"authenticated\": true, \"user\": {\"username\": "
                    + "\"system:serviceaccount:shop:sidecar\"}, \"audiences\": [\"https://kubernetes.default.svc\"]}}";
            case NO_AUDIENCES_TOKEN -> "\"status\": {\"authenticated\": true, \"user\": {\"username\": "
                    + "\"system:serviceaccount:shop:sidecar\"}}}";
            case USER_TOKEN -> "\"status\": {\"authenticated\": true, \"user\": {\"username\": \"alice\", \"groups\": "
                    + "[\"system:masters\"]}, \"audiences\": [\"" + AUDIENCE + "\"]}}";
            default -> "\"status\": {\"user\": {}, \"error\": \"[invalid bearer token, service account token has expired]\"}}";
        };
    }

    private SnoopServer start(URI api) throws Exception {
        Path own = Files.writeString(dir.resolve("own-token"), OWN_TOKEN + "\n");
        SnoopServer server = Http.startServer(dir, 4,
                c -> c.withKubernetes(new ServerConfig.Kubernetes(api, AUDIENCE, null, own)), log::add);
        TestDatabase.truncate(server.database().dataSource());
        // a loaded test machine may answer slower than the 5 s a cluster's API server gets
        server.api().authenticator().review().reviewTimeoutMillis(30_000);
        return server;
    }

    private URI api() {
        return URI.create("http://127.0.0.1:" + apiServer.getAddress().getPort());
    }

    private static Report shop() {
        return Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 1, 10);
    }

    private int calls(String token) {
        AtomicInteger n = reviews.get(token);
        return n == null ? 0 : n.get();
    }

    @Test
    void testReview_serviceAccountToken_acceptedForItsNamespace_cached() throws Exception {
        try (SnoopServer server = start(api())) {
            Http http = new Http(server.port());
            HttpResponse<String> stored = http.post(SHOP_TOKEN, shop());
            assertEquals(200, stored.statusCode(), stored.body());
            HttpResponse<String> cart = http.post(SHOP_TOKEN, Reports.growing("cart", "cart-7c9f-aaaaa", "cart", 1, 10));
            assertEquals(403, cart.statusCode(), "the service account's namespace only: " + cart.body());
            assertEquals(200, http.post(SHOP_TOKEN, shop()).statusCode());
            assertEquals(1, calls(SHOP_TOKEN), "one review, then the cached verdict");
            String request = bodies.get(0);
            assertTrue(request.contains("\"apiVersion\": \"authentication.k8s.io/v1\"") && request.contains("\"kind\": \"TokenReview\"")
                    && request.contains("\"audiences\": [\"" + AUDIENCE + "\"]"), request);
            assertEquals(List.of("Bearer " + OWN_TOKEN), authorizations, "the server's own token, re-read from its file");
            // the file's tokens need no review
            assertEquals(200, http.post(Http.TOKEN, shop()).statusCode());
            assertEquals(1, bodies.size());
            // a minute later the verdict is asked again
            java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
            server.api().authenticator().review().clock(now::get);
            now.addAndGet(TokenReview.CACHE_TTL.toNanos() + 1);
            assertEquals(200, http.post(SHOP_TOKEN, shop()).statusCode());
            assertEquals(2, calls(SHOP_TOKEN));
        }
        assertNoSecretIn(log);
    }

    @Test
    void testReview_rejectedWrongAudienceOrNotAServiceAccount_is401() throws Exception {
        try (SnoopServer server = start(api())) {
            Http http = new Http(server.port());
            for (String token : List.of(EXPIRED_TOKEN, OTHER_AUDIENCE_TOKEN, NO_AUDIENCES_TOKEN, USER_TOKEN)) {
                HttpResponse<String> refused = http.post(token, shop());
                assertEquals(401, refused.statusCode(), token + ": " + refused.body());
                assertEquals("Bearer", refused.headers().firstValue("WWW-Authenticate").orElse(null));
                assertEquals(401, http.post(token, shop()).statusCode());
                assertEquals(1, calls(token), "a rejection is cached too: " + token);
            }
            assertEquals(401, http.post("not-a-jwt", shop()).statusCode());
            assertEquals(401, http.post(null, shop()).statusCode());
            assertEquals(4, bodies.size(), "what is not a JWT is not sent to the API server");
            assertEquals(0, ReportStoreTest.count(server.database().dataSource(), "SELECT count(*) FROM instance"));
        }
        assertTrue(log.stream().noneMatch(l -> l.contains("failed")), log.toString());
        assertNoSecretIn(log);
    }

    @Test
    void testReview_apiServerErrorOrDown_is503_loggedOnce_thenWorksAgain() throws Exception {
        try (SnoopServer server = start(api())) {
            Http http = new Http(server.port());
            failWith = 403;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> unavailable = http.post(SHOP_TOKEN, shop());
                assertEquals(503, unavailable.statusCode(), unavailable.body());
                assertEquals("{\"error\": \"cannot validate the token now: the Kubernetes API did not answer\"}\n", unavailable.body());
                int retryAfter = Integer.parseInt(unavailable.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);
            }
            assertEquals(3, bodies.size(), "a failure is not cached");
            assertEquals(List.of("snoop serve: the Kubernetes token review failed: " + api().resolve(TokenReview.PATH)
                    + " answered HTTP 403 (may this server's service account create tokenreviews? bind it to "
                    + "system:auth-delegator); such tokens are answered 503 until it works"), failures(), "logged once");
            assertEquals(200, http.post(Http.TOKEN, shop()).statusCode(), "the file's tokens still work");
            failWith = 0;
            assertEquals(200, http.post(SHOP_TOKEN, shop()).statusCode());
            assertTrue(log.contains("snoop serve: the Kubernetes token review works again"), log.toString());
            assertEquals(3, MetricsHandlerTest.value(http.get(MetricsHandler.METRICS).body(),
                    "snoop_server_ingest_rejected_total", "reason=\"auth_unavailable\""));
        }
        int closed;
        try (ServerSocket free = new ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        log.clear();
        try (SnoopServer server = start(URI.create("http://127.0.0.1:" + closed))) {
            HttpResponse<String> down = new Http(server.port()).post(SHOP_TOKEN, shop());
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.headers().firstValue("Retry-After").isPresent());
            assertEquals(1, failures().size(), log.toString());
            assertTrue(failures().get(0).startsWith("snoop serve: the Kubernetes token review failed: cannot reach http://127.0.0.1:"
                    + closed + TokenReview.PATH + ": "), failures().toString());
        }
        assertNoSecretIn(log);
    }

    @Test
    void testReview_apiServerHangs_is503AfterTheTimeout() throws Exception {
        hang = new CountDownLatch(1);
        try (SnoopServer server = start(api())) {
            server.api().authenticator().review().reviewTimeoutMillis(500);
            HttpResponse<String> late = new Http(server.port()).post(SHOP_TOKEN, shop());
            assertEquals(503, late.statusCode(), late.body());
            assertEquals(1, failures().size(), log.toString());
            assertTrue(failures().get(0).contains("cannot reach"), failures().toString());
        } finally {
            hang.countDown();
        }
        assertNoSecretIn(log);
    }

    @Test
    void testReview_httpsWithTheClusterCa() throws Exception {
        // the API server as in a cluster: HTTPS with a certificate of the CA file given (ca.crt)
        ServerConfig.Tls tls = TlsTest.selfSigned(dir, "apiserver", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1");
        PemKeyStore.Loaded keys = PemKeyStore.load(tls.certFile(), tls.keyFile());
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys.keyStore(), keys.password().toCharArray());
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(context));
        https.createContext(TokenReview.PATH, exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = TOKEN_FIELD.matcher(body);
            byte[] answer = review(m.find() ? m.group(1) : "").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        https.start();
        try {
            Path tokens = Files.writeString(dir.resolve("tokens"), Http.tokensFile());
            URI api = URI.create("https://127.0.0.1:" + https.getAddress().getPort());
            ServerConfig config = new ServerConfig("127.0.0.1", 0, null, "unused", tokens, 4)
                    .withKubernetes(new ServerConfig.Kubernetes(api, AUDIENCE, tls.certFile(), null));
            try (SnoopServer server = SnoopServer.start(config, Tokens.load(tokens), TestDatabase.shared(), false, log::add)) {
                TestDatabase.truncate(server.database().dataSource());
                server.api().authenticator().review().reviewTimeoutMillis(30_000);
                assertEquals(200, new Http(server.port()).post(SHOP_TOKEN, shop()).statusCode(), log.toString());
            }
            // without the CA the API server is not trusted: no verdict, 503
            ServerConfig untrusted = config.withKubernetes(new ServerConfig.Kubernetes(api, AUDIENCE, null, null));
            try (SnoopServer server = SnoopServer.start(untrusted, Tokens.load(tokens), TestDatabase.shared(), false, log::add)) {
                assertEquals(503, new Http(server.port()).post(SHOP_TOKEN, shop()).statusCode());
            }
        } finally {
            https.stop(0);
        }
        dev.snoop.core.SnoopException missing = org.junit.jupiter.api.Assertions.assertThrows(dev.snoop.core.SnoopException.class,
                () -> new TokenReview(new ServerConfig.Kubernetes(api(), AUDIENCE, dir.resolve("no-ca.crt"), null), log::add));
        assertEquals(dir.resolve("no-ca.crt") + ": no such file", missing.getMessage());
        dev.snoop.core.SnoopException notPem = org.junit.jupiter.api.Assertions.assertThrows(dev.snoop.core.SnoopException.class,
                () -> new TokenReview(new ServerConfig.Kubernetes(api(), AUDIENCE, dir.resolve("tokens"), null), log::add));
        assertTrue(notPem.getMessage().startsWith(dir.resolve("tokens") + ": "), notPem.getMessage());
        assertEquals(1, notPem.getMessage().lines().count());
        assertNoSecretIn(log);
    }

    private List<String> failures() {
        return log.stream().filter(l -> l.contains("token review failed")).toList();
    }

    private static void assertNoSecretIn(List<String> log) {
        String all = String.join("\n", log);
        for (String secret : SECRETS) {
            assertFalse(all.contains(secret), "a token in the log: " + all);
        }
        assertFalse(all.contains(Tokens.sha256Hex(SHOP_TOKEN)), "a token's hash in the log: " + all);
    }
}
