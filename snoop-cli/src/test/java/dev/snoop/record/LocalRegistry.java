package dev.snoop.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A registry of its own for a test: Debian's {@code docker-registry} (the distribution registry)
 * on 127.0.0.1 at a free port, storing under a temporary directory, stopped on close. Plain HTTP,
 * no authentication: clients need {@code --dest-tls-verify=false} (skopeo).
 */
final class LocalRegistry implements AutoCloseable {
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final String address;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private LocalRegistry(Process process, String address) {
        this.process = process;
        this.address = address;
    }

    /** Starts the registry with its storage and log in {@code dir}; returns once it answers {@code /v2/}. */
    static LocalRegistry start(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // free now; the registry binds it a moment later
        }
        String address = "127.0.0.1:" + port;
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                """.formatted(Files.createDirectories(dir.resolve("storage")), address));
        Process process = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry registry = new LocalRegistry(process, address);
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!registry.answers()) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                registry.close();
                throw new IOException("docker-registry did not start on " + address + ": "
                        + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(100);
        }
        return registry;
    }

    /** {@code 127.0.0.1:PORT}, the registry part of an image reference. */
    String address() {
        return address;
    }

    /** A manifest or index by tag or digest, as JSON; {@code accept} is its media type. */
    JsonNode manifest(String repository, String reference, String accept) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get("/v2/" + repository + "/manifests/" + reference, accept);
        return json.readTree(response.body());
    }

    /** The digest the registry gives the manifest or index {@code reference}. */
    String digest(String repository, String reference, String accept) throws IOException, InterruptedException {
        return get("/v2/" + repository + "/manifests/" + reference, accept)
                .headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** A blob's content as a stream (the caller closes it). */
    InputStream blob(String repository, String digest) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request("/v2/" + repository + "/blobs/" + digest, "*/*"),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("GET blob " + digest + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    private HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request(path, accept), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + new String(response.body()));
        }
        return response;
    }

    private HttpRequest request(String path, String accept) {
        return HttpRequest.newBuilder(URI.create("http://" + address + path)).header("Accept", accept)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private boolean answers() throws InterruptedException {
        try {
            return http.send(request("/v2/", "*/*"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
