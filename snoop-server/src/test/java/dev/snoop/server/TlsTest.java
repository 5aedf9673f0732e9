package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from PEM files that openssl makes in the test, to a JDK client that trusts that certificate alone. */
@Timeout(180)
class TlsTest {
    @TempDir
    Path dir;

    static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), command + ": " + output);
    }

    /** A self-signed certificate for localhost and 127.0.0.1 in {@code name}.crt, its PKCS#8 key in {@code name}.key. */
    static ServerConfig.Tls selfSigned(Path dir, String name, String... keyArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", name + ".key", "-out", name + ".crt"));
        args.addAll(List.of(keyArgs));
        openssl(dir, args.toArray(String[]::new));
        return new ServerConfig.Tls(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    }

    /** A client that trusts {@code cert} and nothing else. */
    static HttpClient trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("snoop", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private SnoopServer start(ServerConfig.Tls tls, List<String> log) throws Exception {
        return Http.startServer(dir, 4, config -> config.withTls(tls), log::add);
    }

    @Test
    void testTls_rsaAndEcKeys_reportOverHttps() throws Exception {
        ServerConfig.Tls rsa = selfSigned(dir, "rsa", "-newkey", "rsa:2048");
        ServerConfig.Tls ec = selfSigned(dir, "ec", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1");
        for (ServerConfig.Tls tls : List.of(rsa, ec)) {
            List<String> log = new ArrayList<>();
            try (SnoopServer server = start(tls, log)) {
                TestDatabase.truncate(server.database().dataSource());
                assertTrue(log.stream().anyMatch(l -> l.matches("snoop serve: listening on 127\\.0\\.0\\.1:\\d+ \\(TLS\\) with 3 token\\(s\\)")),
                        log.toString());
                assertTrue(log.get(log.size() - 1).matches("snoop serve: the web page is at https://127\\.0\\.0\\.1:\\d+/ui/"),
                        log.toString());
                for (String host : List.of("127.0.0.1", "localhost")) {
                    Http https = new Http(URI.create("https://" + host + ":" + server.port()), trusting(tls.certFile()));
                    HttpResponse<String> stored = https.post(Http.TOKEN, Reports.growing("shop", "shop-5b8d-aaaaa", "shop", 1, 10));
                    assertEquals(200, stored.statusCode(), stored.body());
                    assertEquals(200, https.get(ApiHandler.READYZ).statusCode());
                }
                // a client that does not trust the certificate does not talk to it
                HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                IOException refused = assertThrows(IOException.class, () -> untrusting.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + server.port() + ApiHandler.HEALTHZ)).build(),
                        HttpResponse.BodyHandlers.ofString()));
                assertTrue(refused instanceof SSLHandshakeException || refused.getCause() instanceof SSLHandshakeException,
                        refused.toString());
                // nor does plain HTTP get an answer from the TLS port
                assertThrows(IOException.class, () -> untrusting.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + ApiHandler.HEALTHZ)).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
        }
    }

    @Test
    void testTls_badFiles_failWithOneLine() throws Exception {
        ServerConfig.Tls good = selfSigned(dir, "good", "-newkey", "rsa:2048");
        ServerConfig.Tls other = selfSigned(dir, "other", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1");
        ServerConfig.Tls another = selfSigned(dir, "another", "-newkey", "rsa:2048");
        openssl(dir, "rsa", "-in", "good.key", "-traditional", "-out", "pkcs1.key");
        openssl(dir, "pkcs8", "-topk8", "-in", "good.key", "-passout", "pass:secret", "-out", "encrypted.key");
        openssl(dir, "x509", "-in", "good.crt", "-outform", "DER", "-out", "good.der");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot!base64\n-----END CERTIFICATE-----\n");
        Path broken = Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Path missing = dir.resolve("missing.pem");
        Path key = good.keyFile();
        Path cert = good.certFile();
        String[][] cases = {
            {missing.toString(), key.toString(), missing + ": no such file"},
            {cert.toString(), missing.toString(), missing + ": no such file"},
            {dir.resolve("good.der").toString(), key.toString(), dir.resolve("good.der") + ": no PEM certificate (BEGIN CERTIFICATE) in it"},
            {key.toString(), key.toString(), key + ": no PEM certificate (BEGIN CERTIFICATE) in it"},
            {garbage.toString(), key.toString(), garbage + ": no PEM certificate (BEGIN CERTIFICATE) in it"},
            {broken.toString(), key.toString(), "PREFIX" + broken + ": not a valid PEM certificate: "},
            {cert.toString(), cert.toString(), cert + ": no PEM private key (BEGIN PRIVATE KEY) in it"},
            {cert.toString(), dir.resolve("pkcs1.key").toString(), dir.resolve("pkcs1.key") + ": a 'RSA PRIVATE KEY' (PKCS#1 or SEC1), "
                    + "not PKCS#8; convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8"},
            {cert.toString(), dir.resolve("encrypted.key").toString(), dir.resolve("encrypted.key")
                    + ": the key is encrypted; give it unencrypted (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)"},
            {cert.toString(), other.keyFile().toString(), other.keyFile() + ": not the key of the certificate in " + cert},
            {cert.toString(), another.keyFile().toString(), another.keyFile() + ": not the key of the certificate in " + cert},
        };
        for (String[] c : cases) {
            ServerConfig.Tls tls = new ServerConfig.Tls(Path.of(c[0]), Path.of(c[1]));
            SnoopException e = assertThrows(SnoopException.class, () -> start(tls, new ArrayList<>()).close(), c[2]);
            if (c[2].startsWith("PREFIX")) {
                assertTrue(e.getMessage().startsWith(c[2].substring(6)), e.getMessage());
            } else {
                assertEquals(c[2], e.getMessage());
            }
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(!e.getMessage().contains("MII"), "key or certificate text in the message: " + e.getMessage());
        }
    }
}
