package dev.snoop.cli;

import dev.snoop.cli.record.DurationParser;
import dev.snoop.cli.record.MetricsAddress;
import dev.snoop.core.SnoopException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code snoop serve}: collects every sidecar's reports over HTTP into PostgreSQL. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = SnoopCommand.ManifestVersionProvider.class,
        sortOptions = false,
        description = {
            "Collect the reports of every snoop record sidecar (snoop record --api-endpoint) into PostgreSQL: "
                    + "POST /v1/reports, authenticated by bearer tokens scoped to namespaces.",
            "Without --database-url it runs an embedded PostgreSQL with its data in --data-dir. "
                    + "Stops on SIGTERM or SIGINT after the requests under way (exit 0).",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  snoop serve --tokens-file tokens.txt --data-dir /var/lib/snoop",
            "  SNOOP_DATABASE_URL='jdbc:postgresql://db/snoop?user=snoop&password=...' snoop serve --tokens-file /etc/snoop/tokens",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM/SIGINT",
            "1:failure: the database or the port cannot be had, an unreadable tokens file or TLS key",
            "2:usage error: an unknown option, a bad address",
        })
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "${env:SNOOP_LISTEN_ADDR:-:8080}",
            description = {"Where the API listens ([host]:port). Default: ${DEFAULT-VALUE}.", "Env: SNOOP_LISTEN_ADDR."})
    String listen;

    @Option(names = "--tokens-file", paramLabel = "FILE", defaultValue = "${env:SNOOP_TOKENS_FILE}",
            description = {"The accepted tokens: a SHA-256 and the namespaces it may report for, a line each "
                    + "(docs/server.md). Required. Re-read within a second of a change, and on SIGHUP.",
                "Env: SNOOP_TOKENS_FILE."})
    Path tokensFile;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:SNOOP_DATA_DIR:-snoop-data}",
            description = {"The embedded PostgreSQL's data (kept across restarts). Default: ${DEFAULT-VALUE}.",
                "Env: SNOOP_DATA_DIR."})
    Path dataDir;

    @Option(names = "--database-url", paramLabel = "URL", defaultValue = "${env:SNOOP_DATABASE_URL}",
            description = {"An external PostgreSQL (jdbc:postgresql://...) instead of the embedded one; several "
                    + "snoop serve processes may share it.", "Env: SNOOP_DATABASE_URL."})
    String databaseUrl;

    @Option(names = "--pool-size", paramLabel = "N", defaultValue = "${env:SNOOP_POOL_SIZE:-8}",
            description = {"Database connections, and so reports stored at once. Default: ${DEFAULT-VALUE}.",
                "Env: SNOOP_POOL_SIZE."})
    int poolSize;

    @Option(names = "--rate-limit", paramLabel = "N", defaultValue = "${env:SNOOP_RATE_LIMIT:-50}",
            description = {"Reports a second per token, with a burst of twice as many; over it 429 with a "
                    + "Retry-After. 0: no limit. Default: ${DEFAULT-VALUE}.", "Env: SNOOP_RATE_LIMIT."})
    int rateLimit;

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "${env:SNOOP_TLS_CERT}",
            description = {"Serve HTTPS with this PEM certificate (then any intermediates); needs --tls-key. "
                    + "Without: plain HTTP (behind an ingress that terminates TLS).", "Env: SNOOP_TLS_CERT."})
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "${env:SNOOP_TLS_KEY}",
            description = {"The certificate's private key: PEM, unencrypted PKCS#8 (BEGIN PRIVATE KEY).",
                "Env: SNOOP_TLS_KEY."})
    Path tlsKey;

    @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "${env:SNOOP_RETENTION}",
            converter = DurationParser.class,
            description = {"Delete an instance (a container run) and its files once its last report is older, "
                    + "e.g. 720h. Default: keep every one.", "Env: SNOOP_RETENTION."})
    Duration retention;

    @Override
    public Integer call() throws InterruptedException {
        Serving.Settings settings = validate();
        try {
            return Serving.run(settings, spec.commandLine().getErr());
        } catch (NoClassDefFoundError e) {
            // the sidecar's image leaves the server's libraries out (docs/image.md)
            throw new SnoopException("this installation has no server libraries (the sidecar's image?): "
                    + "run snoop serve from the packages or the full jar");
        }
    }

    private Serving.Settings validate() {
        if (tokensFile == null || tokensFile.toString().isBlank()) {
            throw usage("--tokens-file is required: no request is accepted without a token");
        }
        if (!Files.isRegularFile(tokensFile)) {
            throw usage("--tokens-file " + tokensFile + ": no such file");
        }
        InetSocketAddress address;
        try {
            address = MetricsAddress.parse(listen);
        } catch (IllegalArgumentException e) {
            throw usage("--listen: " + e.getMessage());
        }
        if (poolSize < 1 || poolSize > 1000) {
            throw usage("--pool-size: " + poolSize + " is not between 1 and 1000");
        }
        if (rateLimit < 0 || rateLimit > 1_000_000) {
            throw usage("--rate-limit: " + rateLimit + " is not between 0 (no limit) and 1000000");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw usage(tlsCert == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
        }
        for (Path file : new Path[] {tlsCert, tlsKey}) {
            if (file != null && !Files.isRegularFile(file)) {
                throw usage((file == tlsCert ? "--tls-cert " : "--tls-key ") + file + ": no such file");
            }
        }
        String url = databaseUrl == null || databaseUrl.isBlank() ? null : databaseUrl.trim();
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw usage("--database-url: not a PostgreSQL JDBC URL (jdbc:postgresql://host/db)");
        }
        String host = address.getAddress() == null ? "0.0.0.0" : address.getAddress().getHostAddress();
        return new Serving.Settings(host, address.getPort(), dataDir.toAbsolutePath().normalize(), url, tokensFile, poolSize,
                rateLimit, tlsCert, tlsKey, retention);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
