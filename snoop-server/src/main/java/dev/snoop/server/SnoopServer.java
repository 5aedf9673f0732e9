package dev.snoop.server;

import dev.snoop.core.SnoopException;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BlockingArrayQueue;
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
    private final ApiHandler api;

    private SnoopServer(Database database, boolean ownsDatabase, Server jetty, ServerConnector connector, ApiHandler api) {
        this.api = api;
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
        Database database;
        if (config.databaseUrl() != null) {
            log.accept("snoop serve: connecting to the database");
            database = Database.external(config.databaseUrl(), config.poolSize());
        } else {
            log.accept("snoop serve: starting the embedded PostgreSQL in " + config.dataDir());
            database = Database.embedded(config.dataDir(), config.poolSize());
        }
        try {
            return start(config, tokens, database, true, log);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Starts the HTTP API over a database the caller keeps (tests share one). */
    static SnoopServer start(ServerConfig config, Tokens tokens, Database database, boolean ownsDatabase,
            Consumer<String> log) {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 4, 60_000,
                new BlockingArrayQueue<>(64, 64, MAX_QUEUED_JOBS));
        threads.setName("snoop-http");
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost(config.bindAddress());
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        jetty.addConnector(connector);
        ApiHandler api = new ApiHandler(tokens, new ReportStore(database.dataSource()), database, config.poolSize());
        // the fleet API (docs/fleet.md) answers its own routes and hands every other to the ingest API
        FleetQueries fleet = new FleetQueries(database.dataSource());
        jetty.setHandler(new FleetHandler(api, tokens, fleet, new ImageTrees(database.dataSource(), fleet), config.poolSize()));
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
                + " with " + tokens.size() + " token(s)");
        return new SnoopServer(database, ownsDatabase, jetty, connector, api);
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
