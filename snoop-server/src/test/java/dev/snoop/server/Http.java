package dev.snoop.server;

import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;

/** A client of a server under test, over real HTTP on loopback. */
final class Http {
    static final String TOKEN = "test-token-shop";
    static final String OTHER_TOKEN = "test-token-other";
    static final String ANY_TOKEN = "test-token-any";

    final HttpClient client;
    final URI base;

    Http(int port) {
        this(URI.create("http://127.0.0.1:" + port), HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    Http(URI base, HttpClient client) {
        this.base = base;
        this.client = client;
    }

    /**
     * A server on loopback (any free port) over the shared test database, with the tests' tokens
     * written to {@code dir/tokens}: the configuration {@code tune} makes of the plain one.
     */
    static SnoopServer startServer(Path dir, int poolSize, UnaryOperator<ServerConfig> tune, Consumer<String> log)
            throws Exception {
        Path tokensFile = Files.writeString(dir.resolve("tokens"), tokensFile());
        ServerConfig config = tune.apply(new ServerConfig("127.0.0.1", 0, null, "unused", tokensFile, poolSize));
        return SnoopServer.start(config, Tokens.load(tokensFile), TestDatabase.shared(), false, log);
    }

    /** {@link #startServer(Path, int, UnaryOperator, Consumer)} with the plain configuration, its log dropped. */
    static SnoopServer startServer(Path dir, int poolSize) throws Exception {
        return startServer(dir, poolSize, UnaryOperator.identity(), line -> { });
    }

    /** The tokens file of the tests: shop's token, another namespace's, and one for all. */
    static String tokensFile() {
        return "# test tokens\n"
                + Tokens.sha256Hex(TOKEN) + " shop,cart\n"
                + Tokens.sha256Hex(OTHER_TOKEN) + " other\n"
                + "\n" + Tokens.sha256Hex(ANY_TOKEN) + " *\n";
    }

    HttpRequest.Builder post(String token, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(ApiHandler.REPORTS))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> post(String token, Report report) {
        return send(post(token, json(report)));
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET());
    }

    static byte[] json(Report report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ReportJson.write(report, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
