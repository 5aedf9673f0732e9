package dev.snoop.server;

import java.nio.file.Path;
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
 */
public record ServerConfig(String bindAddress, int port, Path dataDir, String databaseUrl, Path tokensFile, int poolSize) {
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_POOL_SIZE = 8;
    /** What {@code SNOOP_DATABASE_URL} is read from, when no URL is given. */
    public static final String DATABASE_URL_ENV = "SNOOP_DATABASE_URL";

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
    }

    /** The embedded database in {@code dataDir}, on all addresses at the default port. */
    public static ServerConfig embedded(Path dataDir, Path tokensFile) {
        return new ServerConfig("0.0.0.0", DEFAULT_PORT, dataDir, null, tokensFile, DEFAULT_POOL_SIZE);
    }

    public ServerConfig withPort(String newBindAddress, int newPort) {
        return new ServerConfig(newBindAddress, newPort, dataDir, databaseUrl, tokensFile, poolSize);
    }

    public ServerConfig withDatabaseUrl(String url) {
        return new ServerConfig(bindAddress, port, dataDir, url, tokensFile, poolSize);
    }
}
