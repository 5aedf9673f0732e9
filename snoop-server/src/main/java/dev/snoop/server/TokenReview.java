package dev.snoop.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.SnoopException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Validates Kubernetes service-account tokens (projected, with an audience) by asking the API
 * server: a {@code TokenReview} (authentication.k8s.io/v1) with the audience. A token is
 * accepted when the review says {@code authenticated}, names the audience among its audiences and
 * a service account {@code system:serviceaccount:NS:NAME}; it may then report for {@code NS} only.
 *
 * <p>Verdicts are cached for {@link #CACHE_TTL} (at most {@link #CACHE_MAX}), keyed by the token's
 * SHA-256, never the token. An API server that does not answer, answers late or with an error
 * gives no verdict: the request is answered 503 (worth a retry), not 401 (which would make the
 * sidecar re-read a token that is fine), and its failure is logged once until it works again. No
 * token is ever logged, nor the API server's answer (it may quote the token).
 */
final class TokenReview {
    static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";
    static final Duration CACHE_TTL = Duration.ofSeconds(60);
    static final int CACHE_MAX = 10_000;
    /** Reviews under way at once; one more waits up to {@link #SLOT_WAIT_MILLIS}, then is a 503. */
    static final int MAX_CONCURRENT_REVIEWS = 8;
    static final long SLOT_WAIT_MILLIS = 1_000;
    // generous: a cold TLS handshake on a loaded node takes seconds; a refused connection fails at once anyway
    static final long CONNECT_TIMEOUT_MILLIS = 5_000;
    static final long REVIEW_TIMEOUT_MILLIS = 5_000;
    static final int MAX_ANSWER_BYTES = 1 << 20;
    /** A JWT: three base64url parts. Nothing else is a service-account token, so nothing else is sent. */
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final Pattern SERVICE_ACCOUNT = Pattern.compile("system:serviceaccount:([^:]+):([^:]+)");
    private static final JsonFactory JSON = new JsonFactory();

    private record Cached(Authenticator.Outcome verdict, long expiresAt) {}

    private final ServerConfig.Kubernetes config;
    private final URI endpoint;
    private final HttpClient client;
    private final Consumer<String> log;
    private final Semaphore slots = new Semaphore(MAX_CONCURRENT_REVIEWS);
    private final AtomicBoolean failing = new AtomicBoolean();
    private final Map<String, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > CACHE_MAX;
        }
    };
    private volatile long reviewTimeoutMillis = REVIEW_TIMEOUT_MILLIS;
    private volatile LongSupplier clock = System::nanoTime;

    /** @throws SnoopException if the CA file cannot be read */
    TokenReview(ServerConfig.Kubernetes config, Consumer<String> log) {
        this.config = config;
        this.endpoint = config.apiServer().resolve(PATH);
        this.log = log;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MILLIS))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.caFile() != null) {
            builder.sslContext(trusting(config.caFile()));
        }
        this.client = builder.build();
    }

    /** For tests: a shorter wait for the API server's answer. */
    void reviewTimeoutMillis(long millis) {
        this.reviewTimeoutMillis = millis;
    }

    /** For tests: a clock of nanoseconds that they move. */
    void clock(LongSupplier nanos) {
        this.clock = nanos;
    }

    /** Accepted, rejected or unavailable; never throws. */
    Authenticator.Outcome review(String token) {
        if (token.isEmpty() || token.length() > 8192 || !JWT.matcher(token).matches()) {
            return Authenticator.REJECTED;
        }
        String key = Tokens.sha256Hex(token);
        long now = clock.getAsLong();
        synchronized (cache) {
            Cached cached = cache.get(key);
            if (cached != null && now - cached.expiresAt() < 0) {
                return cached.verdict();
            }
        }
        boolean slot;
        try {
            slot = slots.tryAcquire(SLOT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Authenticator.Unavailable("interrupted");
        }
        if (!slot) {
            return new Authenticator.Unavailable("too many token reviews at once");
        }
        Authenticator.Outcome verdict;
        try {
            verdict = ask(token);
        } finally {
            slots.release();
        }
        if (!(verdict instanceof Authenticator.Unavailable)) {
            if (failing.compareAndSet(true, false)) {
                log.accept("snoop serve: the Kubernetes token review works again");
            }
            synchronized (cache) {
                cache.put(key, new Cached(verdict, clock.getAsLong() + CACHE_TTL.toNanos()));
            }
        }
        return verdict;
    }

    /** Cached verdicts, for tests of the bound. */
    int cached() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private Authenticator.Outcome ask(String token) {
        String body = "{\"apiVersion\": \"authentication.k8s.io/v1\", \"kind\": \"TokenReview\", \"spec\": {\"token\": \""
                + ApiHandler.jsonEscape(token) + "\", \"audiences\": [\"" + ApiHandler.jsonEscape(config.audience()) + "\"]}}";
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofMillis(reviewTimeoutMillis))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (config.tokenFile() != null) {
            String own;
            try {
                // re-read each time: the server's own projected token rotates too
                own = Files.readString(config.tokenFile(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                return failed(config.tokenFile() + ": cannot read this server's own token: " + Database.rootCause(e));
            }
            request.header("Authorization", "Bearer " + own);
        }
        HttpResponse<InputStream> response;
        byte[] answer;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                answer = in.readNBytes(MAX_ANSWER_BYTES);
            }
        } catch (IOException e) {
            return failed("cannot reach " + endpoint + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Authenticator.Unavailable("interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            // a 401/403 here is about this server's own credentials, not the client's token
            return failed(endpoint + " answered HTTP " + response.statusCode()
                    + (response.statusCode() == 403 ? " (may this server's service account create tokenreviews? "
                            + "bind it to system:auth-delegator)" : ""));
        }
        Map<?, ?> status;
        try {
            Object root = parse(answer);
            status = root instanceof Map<?, ?> m && m.get("status") instanceof Map<?, ?> s ? s : Map.of();
        } catch (IOException e) {
            return failed(endpoint + " answered something that is not a TokenReview");
        }
        return verdict(status);
    }

    private Authenticator.Outcome verdict(Map<?, ?> status) {
        if (!Boolean.TRUE.equals(status.get("authenticated"))) {
            return Authenticator.REJECTED;
        }
        // an API server that ignores audiences answers without them: not good enough
        if (!(status.get("audiences") instanceof List<?> audiences) || !audiences.contains(config.audience())) {
            return Authenticator.REJECTED;
        }
        Object user = status.get("user") instanceof Map<?, ?> u ? u.get("username") : null;
        var account = user instanceof String name ? SERVICE_ACCOUNT.matcher(name) : null;
        if (account == null || !account.matches()) {
            return Authenticator.REJECTED; // a person's token, or a node's: only service accounts report
        }
        // the bucket of its rate limit is the service account's, shared by its pods and their rotating tokens
        byte[] identity = Tokens.sha256("serviceaccount:" + account.group(1) + ":" + account.group(2));
        return new Authenticator.Accepted(new Tokens.Entry(identity, Set.of(account.group(1))));
    }

    private Authenticator.Outcome failed(String why) {
        if (failing.compareAndSet(false, true)) {
            log.accept("snoop serve: the Kubernetes token review failed: " + why
                    + "; such tokens are answered 503 until it works");
        }
        return new Authenticator.Unavailable("cannot validate the token now: the Kubernetes API did not answer");
    }

    private static String describe(IOException e) {
        String message = Database.rootCause(e);
        return message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static SSLContext trusting(Path caFile) {
        try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(caFile))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new SnoopException("" + caFile + ": no PEM certificate (BEGIN CERTIFICATE) in it");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SnoopException("" + caFile + ": no such file");
        } catch (IOException | GeneralSecurityException e) {
            throw new SnoopException("" + caFile + ": not a PEM CA certificate: " + Database.rootCause(e), e);
        }
    }

    /** JSON into maps, lists, strings, booleans and numbers. */
    static Object parse(byte[] json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() == null) {
                throw new IOException("empty");
            }
            return value(p);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected " + t);
        }
    }
}
