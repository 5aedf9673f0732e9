package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.record.ServerTokens;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code snoop serve} as a user starts it: a real process with its embedded PostgreSQL, a real
 * report posted over HTTP, SIGTERM to stop; and its usage errors in-process.
 */
class ServeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void testServe_storesAPostedReport_stopsOnSigtermWithExitZero() throws Exception {
        Path tokens = Files.writeString(tmp.resolve("tokens"), ServerTokens.sha256Hex("s3cret") + " *\n");
        int port = freePort();
        Path log = tmp.resolve("serve.log");
        Process serve = startServe(tokens, port, log);
        try {
            assertTrue(Files.readString(log).contains("snoop serve: listening on 127.0.0.1:" + port), Files.readString(log));
            HttpClient http = HttpClient.newHttpClient();
            String report = Files.readString(Path.of("../examples/shop/v1.json"));
            HttpResponse<String> stored = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/reports"))
                    .header("Authorization", "Bearer s3cret").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(report)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stored.statusCode(), stored.body());
            assertTrue(stored.body().contains("\"new_files\": 208"), stored.body());
            // the web page is there, its data is not without a token
            assertTrue(Files.readString(log).contains("snoop serve: the web page is at http://127.0.0.1:" + port + "/ui/"),
                    Files.readString(log));
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ui/")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/workloads")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            // SIGHUP re-reads the tokens file even when nothing about it looks changed (same size and mtime)
            java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(tokens);
            Files.writeString(tokens, ServerTokens.sha256Hex("s3cre2") + " *\n");
            Files.setLastModifiedTime(tokens, mtime);
            Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(serve.pid())).start();
            assertEquals(0, hup.waitFor());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("re-read (reload asked)") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(Files.readString(log).contains(tokens + " re-read (reload asked): 1 token(s)"), Files.readString(log));
            HttpResponse<String> rotated = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/reports"))
                    .header("Authorization", "Bearer s3cre2").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(report)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, rotated.statusCode(), rotated.body());
            serve.destroy(); // SIGTERM
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), Files.readString(log));
            assertEquals(0, serve.exitValue(), Files.readString(log));
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertFalse(output.contains("s3cret") || output.contains("s3cre2"), "the token reached the log:\n" + output);
            assertFalse(output.contains("SLF4J") || output.contains("INFO: "), "library chatter in the log:\n" + output);
        } finally {
            serve.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void testServe_allowAnonymousRead_readsWithoutAToken_ingestStillNeedsOne() throws Exception {
        Path tokens = Files.writeString(tmp.resolve("tokens"), ServerTokens.sha256Hex("s3cret") + " *\n");
        int port = freePort();
        Path log = tmp.resolve("serve.log");
        Process serve = startServe(tokens, port, log, "--allow-anonymous-read");
        try {
            assertTrue(Files.readString(log).contains("reads without a token allowed (--allow-anonymous-read)"),
                    Files.readString(log));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/workloads"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, read.statusCode(), read.body());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/reports"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Files.readString(Path.of("../examples/shop/v1.json")))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, post.statusCode(), post.body());
            serve.destroy();
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), Files.readString(log));
            assertEquals(0, serve.exitValue(), Files.readString(log));
        } finally {
            serve.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void testServe_usageErrors_exitTwoBeforeStarting() throws Exception {
        Path tokens = Files.writeString(tmp.resolve("tokens"), ServerTokens.sha256Hex("x") + " *\n");
        for (List<String> args : List.of(
                List.of("serve"),
                List.of("serve", "--tokens-file", tmp.resolve("missing").toString()),
                List.of("serve", "--tokens-file", tokens.toString(), "--listen", "nowhere"),
                List.of("serve", "--tokens-file", tokens.toString(), "--database-url", "mysql://db"),
                List.of("serve", "--tokens-file", tokens.toString(), "--rate-limit", "-1"),
                List.of("serve", "--tokens-file", tokens.toString(), "--rate-limit", "lots"),
                List.of("serve", "--tokens-file", tokens.toString(), "--retention", "30d"),
                List.of("serve", "--tokens-file", tokens.toString(), "--retention", "0"),
                List.of("serve", "--tokens-file", tokens.toString(), "--kubernetes-api", "https://k8s"),
                List.of("serve", "--tokens-file", tokens.toString(), "--token-audience", "snoop", "--kubernetes-api", "k8s"),
                List.of("serve", "--tokens-file", tokens.toString(), "--token-audience", "snoop", "--kubernetes-api", "https://k8s",
                        "--kubernetes-ca", tmp.resolve("missing-ca.crt").toString()),
                List.of("serve", "--tokens-file", tokens.toString(), "--tls-cert", tokens.toString()),
                List.of("serve", "--tokens-file", tokens.toString(), "--tls-key", tokens.toString()),
                List.of("serve", "--tokens-file", tokens.toString(), "--tls-cert", tokens.toString(),
                        "--tls-key", tmp.resolve("missing.key").toString()))) {
            CliRun r = CliRun.run(args.toArray(String[]::new));
            assertEquals(2, r.exitCode(), args + ": " + r.err());
            assertTrue(r.err().startsWith("snoop serve: "), r.err());
        }
        // a failure after parsing: one line, the command's prefix once
        Path bad = Files.writeString(tmp.resolve("bad-tokens"), "not-a-hash *\n");
        CliRun r = CliRun.run("serve", "--tokens-file", bad.toString(), "--data-dir", tmp.resolve("d").toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("snoop serve: " + bad + ": line 1: the first field is not a SHA-256 in hex (64 hex digits)\n", r.err());
        // a TLS "certificate" that is none: exit 1, one line, before the database is started
        r = CliRun.run("serve", "--tokens-file", tokens.toString(), "--data-dir", tmp.resolve("d").toString(),
                "--tls-cert", tokens.toString(), "--tls-key", tokens.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("snoop serve: " + tokens + ": no PEM certificate (BEGIN CERTIFICATE) in it\n", r.err());
    }

    @Test
    void testServe_tokenAudienceInAPod_apiServerFromTheEnvironment() {
        ServeCommand command = new ServeCommand();
        command.tokenAudience = "snoop";
        Serving.KubernetesSettings k = command.kubernetes(java.util.Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1",
                "KUBERNETES_SERVICE_PORT", "6443"));
        assertEquals(URI.create("https://10.96.0.1:6443"), k.apiServer());
        assertEquals("snoop", k.audience());
        assertEquals(URI.create("https://[fd00::1]:443"),
                command.kubernetes(java.util.Map.of("KUBERNETES_SERVICE_HOST", "fd00::1")).apiServer());
        command.kubernetesApi = "https://api.example:8443";
        assertEquals(URI.create("https://api.example:8443"), command.kubernetes(java.util.Map.of()).apiServer(),
                "the option wins over the environment");
        command.tokenAudience = null;
        command.kubernetesApi = null;
        assertEquals(null, command.kubernetes(java.util.Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")), "off without an audience");
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /**
     * {@code snoop serve} as a process of its own on 127.0.0.1:{@code port}, its output in {@code log},
     * once it has logged the page's address (its last start-up line) or exited.
     */
    private Process startServe(Path tokens, int port, Path log, String... options) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.snoop.cli.Main", "serve",
                "--tokens-file", tokens.toString(), "--data-dir", tmp.resolve("data").toString(),
                "--listen", "127.0.0.1:" + port));
        command.addAll(List.of(options));
        Process serve = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(log).contains("the web page is at") && serve.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling the log until a deadline
            }
            return serve;
        } catch (Exception e) {
            serve.destroyForcibly();
            throw e;
        }
    }

}
