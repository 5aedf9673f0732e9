package dev.snoop.server;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run {@code snoop serve}; what a command line or the environment gives.
 *
 * @param bindAddress the address to listen on, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port the TCP port, or 0 for any free one (see {@link SnoopServer#port()})
 * @param dataDir where the embedded PostgreSQL keeps its data; unused with a database URL
 * @param databaseUrl a JDBC URL of an external PostgreSQL ({@code jdbc:postgresql://host/db?user=..&password=..}),
 *     or null for the embedded one
 * @param tokensFile the accepted tokens' SHA-256 and scopes (see {@link Tokens})
 * @param poolSize database connections; also how many reports are read and stored at once
 * @param rateLimit reports a second per token (with a burst of {@link RateLimiter#BURST_SECONDS} times
 *     as many), or 0 for no limit
 * @param tls the certificate and key to serve HTTPS with, or null for plain HTTP
 * @param kubernetes where to validate Kubernetes service-account tokens (TokenReview), or null for
 *     the tokens file alone
 * @param retention how long an instance is kept after its last report, or null to keep every one
 * @param allowAnonymousRead whether the read routes ({@code GET} of {@code /v1}) answer a request
 *     without a token, as a token of every namespace would; ingest and tree uploads still need one
 */
public record ServerConfig(String bindAddress, int port, Path dataDir, String databaseUrl, Path tokensFile, int poolSize,
        int rateLimit, Tls tls, Kubernetes kubernetes, Duration retention, boolean allowAnonymousRead) {
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_POOL_SIZE = 8;
    public static final int DEFAULT_RATE_LIMIT = RateLimiter.DEFAULT_PER_SECOND;
    /** What {@code SNOOP_DATABASE_URL} is read from, when no URL is given. */
    public static final String DATABASE_URL_ENV = "SNOOP_DATABASE_URL";

    /**
     * HTTPS from PEM files.
     *
     * @param certFile the certificate, then any intermediates ({@code BEGIN CERTIFICATE})
     * @param keyFile its private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
     */
    public record Tls(Path certFile, Path keyFile) {
        public Tls {
            Objects.requireNonNull(certFile, "certFile");
            Objects.requireNonNull(keyFile, "keyFile");
        }
    }

    /**
     * Kubernetes service-account tokens, validated by the API server's TokenReview.
     *
     * @param apiServer the API server, e.g. {@code https://kubernetes.default.svc}
     * @param audience the audience the projected tokens must be for
     * @param caFile the API server's CA (PEM), or null for the JDK's trust store
     * @param tokenFile this server's own service-account token, sent with each review (re-read each
     *     time: projected tokens rotate), or null to send none
     */
    public record Kubernetes(URI apiServer, String audience, Path caFile, Path tokenFile) {
        /** Where a pod finds its service account's CA and token. */
        public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

        public Kubernetes {
            Objects.requireNonNull(apiServer, "apiServer");
            Objects.requireNonNull(audience, "audience");
            if (audience.isBlank()) {
                throw new IllegalArgumentException("the token audience is empty");
            }
        }
    }

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(tokensFile, "tokensFile");
        if (databaseUrl == null) {
            Objects.requireNonNull(dataDir, "dataDir (needed without a database URL)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("pool size " + poolSize + " is less than 1");
        }
        if (rateLimit < 0) {
            throw new IllegalArgumentException("rate limit " + rateLimit + " is negative");
        }
        if (retention != null && (retention.isNegative() || retention.isZero())) {
            throw new IllegalArgumentException("retention " + retention + " is not positive");
        }
    }

    /** The defaults for everything after the pool size: the rate limit, plain HTTP, the tokens file alone, keep all. */
    public ServerConfig(String bindAddress, int port, Path dataDir, String databaseUrl, Path tokensFile, int poolSize) {
        this(bindAddress, port, dataDir, databaseUrl, tokensFile, poolSize, DEFAULT_RATE_LIMIT, null, null, null, false);
    }

    /** The embedded database in {@code dataDir}, on all addresses at the default port. */
    public static ServerConfig embedded(Path dataDir, Path tokensFile) {
        return new ServerConfig("0.0.0.0", DEFAULT_PORT, dataDir, null, tokensFile, DEFAULT_POOL_SIZE);
    }

    public ServerConfig withPort(String newBindAddress, int newPort) {
        return new ServerConfig(newBindAddress, newPort, dataDir, databaseUrl, tokensFile, poolSize, rateLimit, tls,
                kubernetes, retention, allowAnonymousRead);
    }

    public ServerConfig withDatabaseUrl(String url) {
        return new ServerConfig(bindAddress, port, dataDir, url, tokensFile, poolSize, rateLimit, tls, kubernetes, retention,
                allowAnonymousRead);
    }

    public ServerConfig withRateLimit(int perSecond) {
        return new ServerConfig(bindAddress, port, dataDir, databaseUrl, tokensFile, poolSize, perSecond, tls, kubernetes,
                retention, allowAnonymousRead);
    }

    public ServerConfig withTls(Tls newTls) {
        return new ServerConfig(bindAddress, port, dataDir, databaseUrl, tokensFile, poolSize, rateLimit, newTls, kubernetes,
                retention, allowAnonymousRead);
    }

    public ServerConfig withKubernetes(Kubernetes newKubernetes) {
        return new ServerConfig(bindAddress, port, dataDir, databaseUrl, tokensFile, poolSize, rateLimit, tls, newKubernetes,
                retention, allowAnonymousRead);
    }

    public ServerConfig withRetention(Duration newRetention) {
        return new ServerConfig(bindAddress, port, dataDir, databaseUrl, tokensFile, poolSize, rateLimit, tls, kubernetes,
                newRetention, allowAnonymousRead);
    }

    public ServerConfig withAllowAnonymousRead(boolean allow) {
        return new ServerConfig(bindAddress, port, dataDir, databaseUrl, tokensFile, poolSize, rateLimit, tls, kubernetes,
                retention, allow);
    }
}
