package dev.snoop.server;

import dev.snoop.core.SnoopException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code snoop serve}: the database (embedded or external, migrated, pooled), the tokens and the
 * HTTP API, started together and stopped together. A command calls
 *
 * <pre>
 * try (SnoopServer server = SnoopServer.start(config, err::println)) {
 *     server.join();
 * }
 * </pre>
 */
public final class SnoopServer implements AutoCloseable {
    /** A connection that sends or receives nothing this long is closed. */
    static final long IDLE_TIMEOUT_MILLIS = 30_000;
    /** The request line and headers together; a bearer token is well within it. */
    static final int MAX_REQUEST_HEADER_BYTES = 16 * 1024;
    static final int MAX_THREADS = 64;
    /** Jetty's queue of accepted work waiting for a thread; bounded, never growing without end. */
    static final int MAX_QUEUED_JOBS = 256;

    private final Database database;
    private final boolean ownsDatabase;
    private final Server jetty;
    private final ServerConnector connector;
    /** How often the tokens file is looked at for a change. */
    static final long TOKENS_CHECK_MILLIS = 1_000;
    /** The first retention run, after the start. */
    static final long RETENTION_FIRST_DELAY_MILLIS = 1_000;

    private final ApiHandler api;
    private final TokensFile tokensFile;
    private final ScheduledExecutorService ops;
    private final Consumer<String> log;

    private SnoopServer(Database database, boolean ownsDatabase, Server jetty, ServerConnector connector, ApiHandler api,
            TokensFile tokensFile, ScheduledExecutorService ops, Consumer<String> log) {
        this.api = api;
        this.log = log;
        this.tokensFile = tokensFile;
        this.ops = ops;
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        this.jetty = jetty;
        this.connector = connector;
    }

    /**
     * Starts the server; returns once it listens.
     *
     * @param log receives a line for each step (never a token)
     * @throws SnoopException with a one-line message if anything cannot be started; what was
     *     started is stopped again
     */
    public static SnoopServer start(ServerConfig config, Consumer<String> log) {
        Tokens tokens = Tokens.load(config.tokensFile());
        if (config.tls() != null) {
            // read here as well, so that a bad file fails before the database is started for nothing
            PemKeyStore.load(config.tls().certFile(), config.tls().keyFile());
        }
        // before the database, so that a bad CA file fails before it is started for nothing
        TokenReview review = config.kubernetes() == null ? null : new TokenReview(config.kubernetes(), log);
        ServerMetrics metrics = new ServerMetrics();
        Database database;
        if (config.databaseUrl() != null) {
            log.accept("snoop serve: connecting to the database");
            database = Database.external(config.databaseUrl(), config.poolSize(), metrics.registry());
        } else {
            log.accept("snoop serve: starting the embedded PostgreSQL in " + config.dataDir());
            database = Database.embedded(config.dataDir(), config.poolSize(), metrics.registry());
        }
        try {
            return start(config, tokens, database, true, log, metrics, review);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * Starts the HTTP API over a database the caller keeps (tests share one). Its pool's use is not
     * in this server's metrics: Hikari takes a registry only when the pool is made.
     */
    static SnoopServer start(ServerConfig config, Tokens tokens, Database database, boolean ownsDatabase,
            Consumer<String> log) {
        return start(config, tokens, database, ownsDatabase, log, new ServerMetrics(),
                config.kubernetes() == null ? null : new TokenReview(config.kubernetes(), log));
    }

    private static SnoopServer start(ServerConfig config, Tokens tokens, Database database, boolean ownsDatabase,
            Consumer<String> log, ServerMetrics metrics, TokenReview review) {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 4, 60_000,
                new BlockingArrayQueue<>(64, 64, MAX_QUEUED_JOBS));
        threads.setName("snoop-http");
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = config.tls() == null
                ? new ServerConnector(jetty, new HttpConnectionFactory(http))
                : httpsConnector(jetty, http, config.tls());
        connector.setHost(config.bindAddress());
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        jetty.addConnector(connector);
        TokensFile tokensFile = new TokensFile(config.tokensFile(), tokens, log);
        Authenticator auth = new Authenticator(tokensFile, review);
        ApiHandler api = new ApiHandler(auth, new ReportStore(database.dataSource()), database, config.poolSize(),
                new RateLimiter(config.rateLimit()));
        // the fleet API (docs/fleet.md) answers its own routes and hands every other to the ingest API
        FleetQueries fleet = new FleetQueries(database.dataSource());
        // the web page (/ui/, static files that read the fleet API) answers its own routes too
        jetty.setHandler(new MetricsHandler(metrics, new UiHandler(new FleetHandler(api, auth, fleet,
                new ImageTrees(database.dataSource(), fleet), config.poolSize(), config.allowAnonymousRead()))));
        jetty.setStopTimeout(10_000);
        try {
            jetty.start();
        } catch (Exception e) {
            try {
                jetty.stop();
            } catch (Exception ignored) {
                // not started
            }
            throw new SnoopException("cannot listen on " + config.bindAddress() + ":" + config.port()
                    + ": " + Database.rootCause(e), e);
        }
        log.accept("snoop serve: listening on " + config.bindAddress() + ":" + connector.getLocalPort()
                + (config.tls() == null ? "" : " (TLS)") + " with " + tokens.size() + " token(s)"
                + (review == null ? "" : " and Kubernetes service-account tokens for audience " + config.kubernetes().audience())
                + (config.allowAnonymousRead() ? "; reads without a token allowed (--allow-anonymous-read)" : ""));
        log.accept("snoop serve: the web page is at " + pageAddress(config, connector.getLocalPort()));
        // two threads: a long retention run does not hold up the tokens file's check
        ScheduledExecutorService ops = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "snoop-ops");
            thread.setDaemon(true);
            return thread;
        });
        ops.scheduleWithFixedDelay(() -> guarded(tokensFile::check, log, "checking the tokens file"),
                TOKENS_CHECK_MILLIS, TOKENS_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        if (config.retention() != null) {
            Retention retention = new Retention(database.dataSource(), config.retention());
            long every = Retention.intervalOf(config.retention()).toMillis();
            // first soon after start, so that a server that was down long catches up at once
            ops.scheduleWithFixedDelay(() -> retain(retention, metrics, log), RETENTION_FIRST_DELAY_MILLIS, every,
                    TimeUnit.MILLISECONDS);
        }
        return new SnoopServer(database, ownsDatabase, jetty, connector, api, tokensFile, ops, log);
    }

    /** Where a browser on this machine finds the page: a wildcard address is localhost, IPv6 in brackets. */
    static String pageAddress(ServerConfig config, int port) {
        String host = config.bindAddress();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
            host = "localhost";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (config.tls() == null ? "http" : "https") + "://" + host + ":" + port + UiHandler.PREFIX;
    }

    private static void retain(Retention retention, ServerMetrics metrics, Consumer<String> log) {
        try {
            long deleted = retention.run();
            metrics.retention(deleted, java.time.Instant.now().getEpochSecond());
            if (deleted > 0) {
                // PT720H -> 720h, PT1H30M -> 1h30m: as --retention is written
                log.accept("snoop serve: retention: deleted " + deleted + " instance(s) with no report for "
                        + retention.keep().toString().substring(2).toLowerCase(java.util.Locale.ROOT));
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            metrics.retention(-1, 0);
            log.accept("snoop serve: retention: failed, trying again later: " + Database.rootCause(e));
        }
    }

    /** Runs a background job so that a bug in it is one line in the log, and the job runs again next time. */
    private static void guarded(Runnable job, Consumer<String> log, String what) {
        try {
            job.run();
        } catch (RuntimeException e) {
            log.accept("snoop serve: " + what + " failed: " + Database.rootCause(e));
        }
    }

    /** Re-reads the tokens file now, changed or not (what SIGHUP asks); a bad file keeps the tokens in use. */
    public void reloadTokens() {
        try {
            ops.execute(() -> guarded(tokensFile::reload, log, "re-reading the tokens file"));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: nothing left to authenticate
        }
    }

    TokensFile tokensFile() {
        return tokensFile;
    }

    /** HTTPS/1.1 with the key and certificate chain of the PEM files; TLS versions and ciphers are Jetty's defaults. */
    private static ServerConnector httpsConnector(Server jetty, HttpConfiguration http, ServerConfig.Tls tls) {
        PemKeyStore.Loaded keys = PemKeyStore.load(tls.certFile(), tls.keyFile());
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keys.keyStore());
        ssl.setKeyStorePassword(keys.password());
        HttpConfiguration https = new HttpConfiguration(http);
        https.addCustomizer(new SecureRequestCustomizer());
        return new ServerConnector(jetty, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
    }

    /** The port it listens on (the chosen one when the config said 0). */
    public int port() {
        return connector.getLocalPort();
    }

    ApiHandler api() {
        return api;
    }

    Database database() {
        return database;
    }

    /** Waits until the server is stopped. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /** Stops taking requests, lets those under way finish (up to 10 s), then stops the database. */
    @Override
    public void close() {
        ops.shutdownNow();
        try {
            jetty.stop();
        } catch (Exception e) {
            // stopping anyway; the database commits or rolls back each request on its own
        } finally {
            if (ownsDatabase) {
                database.close();
            }
        }
    }
}
