package dev.snoop.cli;

import dev.snoop.server.ServerConfig;
import dev.snoop.server.SnoopServer;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * Runs the server for {@link ServeCommand}. The only class of snoop-cli that names snoop-server's
 * types: picocli reflects on every command to build the help, so the commands themselves must load
 * where the server's libraries are left out (the sidecar's image).
 */
final class Serving {
    /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger FLYWAY = Logger.getLogger("org.flywaydb");

    /** What ServeCommand validated, in JDK types only. */
    record Settings(String bindAddress, int port, Path dataDir, String databaseUrl, Path tokensFile, int poolSize,
            int rateLimit, Path tlsCert, Path tlsKey, Duration retention, KubernetesSettings kubernetes,
            boolean allowAnonymousRead) {}

    /** --token-audience and the options beside it, validated; null without an audience. */
    record KubernetesSettings(URI apiServer, String audience, Path caFile, Path tokenFile) {}

    private Serving() {}

    /** Serves until SIGTERM or SIGINT, re-reading the tokens file on SIGHUP; returns the exit code. */
    static int run(Settings s, PrintWriter err) throws InterruptedException {
        // the libraries' own chatter (Flyway's steps) is not snoop's log; Main quiets SLF4J
        FLYWAY.setLevel(Level.WARNING);
        ServerConfig config = new ServerConfig(s.bindAddress(), s.port(), s.dataDir(), s.databaseUrl(), s.tokensFile(),
                s.poolSize()).withRateLimit(s.rateLimit())
                .withTls(s.tlsCert() == null ? null : new ServerConfig.Tls(s.tlsCert(), s.tlsKey()))
                .withRetention(s.retention())
                .withAllowAnonymousRead(s.allowAnonymousRead())
                .withKubernetes(s.kubernetes() == null ? null : new ServerConfig.Kubernetes(s.kubernetes().apiServer(),
                        s.kubernetes().audience(), s.kubernetes().caFile(), s.kubernetes().tokenFile()));
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> stop.countDown());
        }
        try (SnoopServer server = SnoopServer.start(config, line -> {
            err.println(line);
            err.flush();
        })) {
            // SIGHUP: re-read the tokens file now (it is also re-read within a second of a change)
            Signal.handle(new Signal("HUP"), signal -> server.reloadTokens());
            stop.await();
            err.println("snoop serve: stopping");
            err.flush();
        }
        return ExitCodes.OK;
    }
}
