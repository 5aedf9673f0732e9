package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway cluster of Debian's {@code postgresql} server (.ci/apt-packages-server) in a
 * temporary directory on a free loopback port, run as the {@code postgres} user when the tests run
 * as root (PostgreSQL refuses root). Where the package is missing the tests that need it skip with
 * the reason; under CI ({@code CI=true}) they fail instead.
 */
final class DebianPostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final boolean root;
    private final int port;
    private final Database database;

    private DebianPostgres(Path bin, Path dir, boolean root, int port) throws Exception {
        this.bin = bin;
        this.dir = dir;
        this.root = root;
        this.port = port;
        run(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-sync");
        run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "-t", "60", "start");
        try {
            this.database = Database.external(jdbcUrl(), 8);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Starts a cluster, or skips (fails under CI) the calling test if Debian's server is not installed. */
    static DebianPostgres start() throws Exception {
        Path bin = installed();
        if (bin == null) {
            String missing = "Debian's postgresql server is not installed (/usr/lib/postgresql/*/bin/initdb)";
            if ("true".equals(System.getenv("CI"))) {
                fail("the PostgreSQL tests must run under CI, but " + missing);
            }
            assumeTrue(false, "PostgreSQL test skipped: " + missing);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("snoop-debian-pg");
        if (root) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return new DebianPostgres(bin, dir, root, port);
    }

    private static Path installed() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(lib)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(lib)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    Database database() {
        return database;
    }

    private void run(String... command) throws Exception {
        List<String> line = new ArrayList<>();
        if (root) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", line) + " failed:\n" + out
                    + (Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : ""));
        }
    }

    private void stop() throws Exception {
        run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
    }

    @Override
    public void close() throws Exception {
        try {
            database.close();
            stop();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
