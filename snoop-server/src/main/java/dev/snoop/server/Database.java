package dev.snoop.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.snoop.core.SnoopException;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The store's PostgreSQL: an external one by JDBC URL, or an embedded one started from the
 * PostgreSQL binaries that ship as a Maven artifact, with its data kept in a directory. Either way
 * the schema is brought up to date by the migrations in {@code db/migration} and connections are
 * pooled.
 *
 * <p>PostgreSQL refuses to run as root. Run as root, the embedded one runs in a user namespace of
 * its own ({@code unshare -U}), where it is nobody: the library does that when {@code unshare}
 * works, which needs user namespaces (not allowed in every container: then use an external
 * database or run as another user).
 */
public final class Database implements AutoCloseable {
    private final EmbeddedPostgres embedded;
    private final HikariDataSource pool;

    private Database(EmbeddedPostgres embedded, HikariDataSource pool) {
        this.embedded = embedded;
        this.pool = pool;
    }

    /**
     * Connects to the PostgreSQL at {@code jdbcUrl} (user and password in the URL) and migrates it.
     *
     * @throws SnoopException if it cannot be reached or migrated
     */
    public static Database external(String jdbcUrl, int poolSize) {
        return external(jdbcUrl, poolSize, null);
    }

    /** As {@link #external(String, int)}, the pool reporting its use into {@code metrics} (if not null). */
    static Database external(String jdbcUrl, int poolSize, MeterRegistry metrics) {
        HikariConfig config = poolConfig(poolSize, metrics);
        config.setJdbcUrl(jdbcUrl);
        PGSimpleDataSource direct = new PGSimpleDataSource();
        try {
            direct.setURL(jdbcUrl);
        } catch (RuntimeException e) {
            throw new SnoopException("not a PostgreSQL JDBC URL: " + rootCause(e), e);
        }
        return open(null, direct, config);
    }

    /**
     * Starts PostgreSQL with its data in {@code dataDir} (created if needed, kept on close) on a
     * free loopback port, and migrates it.
     *
     * @throws SnoopException if it cannot be started or migrated
     */
    public static Database embedded(Path dataDir, int poolSize) {
        return embedded(dataDir, false, poolSize, null);
    }

    /** As {@link #embedded(Path, int)}, the pool reporting its use into {@code metrics} (if not null). */
    static Database embedded(Path dataDir, int poolSize, MeterRegistry metrics) {
        return embedded(dataDir, false, poolSize, metrics);
    }

    /** An embedded database whose data is deleted when it stops, or when the JVM exits: for tests. */
    static Database embeddedTemporary(Path dataDir, int poolSize) {
        return embedded(dataDir, true, poolSize, null);
    }

    private static Database embedded(Path dataDir, boolean temporary, int poolSize, MeterRegistry metrics) {
        EmbeddedPostgres postgres;
        try {
            Files.createDirectories(dataDir);
            stopOrphan(dataDir);
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(temporary)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // the store's own: every write is one request's transaction, acknowledged only after commit
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", Integer.toString(Math.max(20, poolSize * 4)))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new SnoopException("cannot start the embedded PostgreSQL in " + dataDir + ": "
                    + rootCause(e), e);
        }
        HikariConfig config = poolConfig(poolSize, metrics);
        config.setDataSource(postgres.getPostgresDatabase());
        try {
            return open(postgres, postgres.getPostgresDatabase(), config);
        } catch (RuntimeException e) {
            closeQuietly(postgres);
            throw e;
        }
    }

    /** How long a PostgreSQL left running by a killed server gets to stop before a new one starts. */
    static final long ORPHAN_STOP_MILLIS = 30_000;

    /**
     * Stops the PostgreSQL that a server killed with {@code kill -9} left running on {@code
     * dataDir} (PostgreSQL runs on as its own process group), which would keep the new one from
     * starting. It is asked to stop (SIGTERM, a smart shutdown: its clients died with the server,
     * so it has none to wait for); what it committed is on disk.
     */
    static void stopOrphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
        if (!first.matches("\\d+")) {
            return;
        }
        java.util.Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(first));
        if (process.isEmpty() || !process.get().info().command().orElse("").endsWith("/postgres")) {
            return; // gone, or the pid now belongs to another program: PostgreSQL cleans the file itself
        }
        process.get().destroy();
        try {
            process.get().onExit().get(ORPHAN_STOP_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("the PostgreSQL left running on it (pid " + first + ") did not stop", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Migrates through unpooled connections (Flyway holds two at once, more than a pool of one
     * has), then opens the pool.
     */
    private static Database open(EmbeddedPostgres embedded, DataSource direct, HikariConfig config) {
        try {
            Flyway.configure().dataSource(direct).locations("classpath:db/migration").load().migrate();
        } catch (FlywayException e) {
            throw new SnoopException("cannot migrate the database: " + rootCause(e), e);
        }
        try {
            return new Database(embedded, new HikariDataSource(config));
        } catch (RuntimeException e) {
            throw new SnoopException("cannot connect to the database: " + rootCause(e), e);
        }
    }

    private static HikariConfig poolConfig(int poolSize, MeterRegistry metrics) {
        HikariConfig config = new HikariConfig();
        if (metrics != null) {
            // hikaricp_connections_active, _idle, _pending, acquire times, timeouts; set before the
            // pool starts, as Hikari allows only once
            config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
        }
        config.setPoolName("snoop");
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        // a request that cannot get a connection soon is better answered 503 than queued
        config.setConnectionTimeout(5_000);
        config.setAutoCommit(false);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        return config;
    }

    /** The pool; connections come with auto-commit off. */
    public DataSource dataSource() {
        return pool;
    }

    /** The JDBC URL of the embedded database, for tests and tools, or null for an external one. */
    public String embeddedJdbcUrl() {
        return embedded == null ? null : embedded.getJdbcUrl("postgres", "postgres");
    }

    /** Whether a connection can be had and answers, within about a second. */
    boolean ready() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    int activeConnections() {
        return pool.getHikariPoolMXBean() == null ? 0 : pool.getHikariPoolMXBean().getActiveConnections();
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            closeQuietly(embedded);
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            // it is stopping anyway; its data is safe on disk
        }
    }

    static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }
}
