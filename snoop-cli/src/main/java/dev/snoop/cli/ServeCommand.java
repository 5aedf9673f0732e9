package dev.snoop.cli;

import dev.snoop.record.MetricsAddress;
import dev.snoop.core.SnoopException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
            "  snoop serve --tokens-file tokens.txt --data-dir /var/lib/snoop    # then open http://localhost:8080/ui/",
            "  SNOOP_DATABASE_URL='jdbc:postgresql://db/snoop?user=snoop&password=...' snoop serve --tokens-file /etc/snoop/tokens",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM/SIGINT",
            "1:failure: the database or the port cannot be had, an unreadable tokens file or TLS key",
            "2:usage error: an unknown option, a bad address",
        })
final class ServeCommand implements Callable<Integer> {
    /** Where a pod finds its service account's CA and token (also ServerConfig.Kubernetes.SERVICE_ACCOUNT_DIR). */
    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

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
            converter = DurationConverter.class,
            description = {"Delete an instance (a container run) and its files once its last report is older, "
                    + "e.g. 720h. Default: keep every one.", "Env: SNOOP_RETENTION."})
    Duration retention;

    @Option(names = "--allow-anonymous-read", defaultValue = "${env:SNOOP_ALLOW_ANONYMOUS_READ:-false}",
            description = {"Answer the read API (GET /v1/...) and the web page (/ui/) without a token, as a token "
                    + "of every namespace: for a server that only trusted people can reach. Reports and image trees "
                    + "still need a token.", "Env: SNOOP_ALLOW_ANONYMOUS_READ."})
    boolean allowAnonymousRead;

    @Option(names = "--token-audience", paramLabel = "AUD", defaultValue = "${env:SNOOP_TOKEN_AUDIENCE}",
            description = {"Also accept Kubernetes projected service-account tokens for this audience, validated "
                    + "by a TokenReview; such a token may report for its service account's namespace.",
                "Env: SNOOP_TOKEN_AUDIENCE."})
    String tokenAudience;

    @Option(names = "--kubernetes-api", paramLabel = "URL", defaultValue = "${env:SNOOP_KUBERNETES_API}",
            description = {"The API server for --token-audience. Default: in a pod, "
                    + "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT.", "Env: SNOOP_KUBERNETES_API."})
    String kubernetesApi;

    @Option(names = "--kubernetes-ca", paramLabel = "FILE", defaultValue = "${env:SNOOP_KUBERNETES_CA}",
            description = {"The API server's CA (PEM). Default: the pod's service-account ca.crt, if there.",
                "Env: SNOOP_KUBERNETES_CA."})
    Path kubernetesCa;

    @Option(names = "--kubernetes-token-file", paramLabel = "FILE", defaultValue = "${env:SNOOP_KUBERNETES_TOKEN_FILE}",
            description = {"This server's own token for the TokenReview, re-read each time. Default: the pod's "
                    + "service-account token, if there.", "Env: SNOOP_KUBERNETES_TOKEN_FILE."})
    Path kubernetesTokenFile;

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
        Serving.KubernetesSettings kubernetes = kubernetes(System.getenv());
        String url = databaseUrl == null || databaseUrl.isBlank() ? null : databaseUrl.trim();
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw usage("--database-url: not a PostgreSQL JDBC URL (jdbc:postgresql://host/db)");
        }
        String host = address.getAddress() == null ? "0.0.0.0" : address.getAddress().getHostAddress();
        return new Serving.Settings(host, address.getPort(), dataDir.toAbsolutePath().normalize(), url, tokensFile, poolSize,
                rateLimit, tlsCert, tlsKey, retention, kubernetes, allowAnonymousRead);
    }

    /** What --token-audience and the options beside it say, with a pod's defaults; null without an audience. */
    Serving.KubernetesSettings kubernetes(Map<String, String> env) {
        if (tokenAudience == null || tokenAudience.isBlank()) {
            if (kubernetesApi != null && !kubernetesApi.isBlank()) {
                throw usage("--kubernetes-api needs --token-audience: the audience the tokens must be for");
            }
            return null;
        }
        String api = kubernetesApi == null || kubernetesApi.isBlank() ? null : kubernetesApi.strip();
        String host = env.get("KUBERNETES_SERVICE_HOST");
        if (api == null && host != null && !host.isBlank()) {
            String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
            api = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
        if (api == null) {
            throw usage("--token-audience needs --kubernetes-api URL (not in a pod: KUBERNETES_SERVICE_HOST is not set)");
        }
        URI uri;
        try {
            uri = new URI(api);
        } catch (URISyntaxException e) {
            throw usage("--kubernetes-api: not a URL: " + api);
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
            throw usage("--kubernetes-api: not an http(s) URL: " + api);
        }
        Path ca = kubernetesCa;
        Path token = kubernetesTokenFile;
        Path serviceAccount = SERVICE_ACCOUNT_DIR;
        if (ca == null && Files.isRegularFile(serviceAccount.resolve("ca.crt"))) {
            ca = serviceAccount.resolve("ca.crt");
        }
        if (token == null && Files.isRegularFile(serviceAccount.resolve("token"))) {
            token = serviceAccount.resolve("token");
        }
        for (Path file : new Path[] {ca, token}) {
            if (file != null && !Files.isRegularFile(file)) {
                throw usage((file == ca ? "--kubernetes-ca " : "--kubernetes-token-file ") + file + ": no such file");
            }
        }
        return new Serving.KubernetesSettings(uri, tokenAudience.strip(), ca, token);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
