package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.cli.Main;
import dev.snoop.server.ServerConfig;
import dev.snoop.server.SnoopServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The newcomer's path of docs/fleet.md ("Try it"), end to end: {@code snoop serve}, two real
 * recorders on two cgroups delivering to it, {@code snoop diff} of the two server references,
 * and the web page with the API it reads.
 */
@Tag("bpf")
@Timeout(300)
class SnoopRecordToUiTest {
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    @TempDir
    Path tmp;

    @BeforeEach
    void requireBpf() {
        BpfTests.require();
    }

    @Test
    void testTwoRecorders_toSnoopServe_diffOfServerReferencesAndThePage() throws Exception {
        String token = "newcomer-" + System.nanoTime();
        Path tokens = Files.writeString(tmp.resolve("tokens"), ServerTokens.sha256Hex(token) + " *\n");
        Path tokenFile = Files.writeString(tmp.resolve("token"), token);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, tmp.resolve("db"), null, tokens, 2);
        try (SnoopServer server = SnoopServer.start(config, line -> { });
                TestCgroup cgroup = TestCgroup.create("snoop-newcomer")) {
            String url = "http://127.0.0.1:" + server.port();
            // version 1 reads /etc/debian_version, version 2 /etc/passwd; both /etc/hostname
            List<String> only = List.of("/etc/debian_version", "/etc/passwd");
            List<SnoopProcess> recorders = new ArrayList<>();
            List<Path> apps = new ArrayList<>();
            try {
                for (int v = 1; v <= 2; v++) {
                    Path app = cgroup.child("web-" + v);
                    apps.add(app);
                    recorders.add(SnoopProcess.start(null, List.of(), "--cgroup", app.toString(),
                            "--report-path", tmp.resolve("demo-" + v + ".json").toString(), "--report-interval", "1s",
                            "--metrics-addr", "off", "--namespace", "demo", "--pod-name", "web-" + v,
                            "--image-ref", "web:1." + v, "--image-digest", v == 1 ? D1 : D2,
                            "--api-endpoint", url + "/v1/reports", "--api-token-file", tokenFile.toString()));
                }
                for (SnoopProcess r : recorders) {
                    r.awaitRecording(Duration.ofSeconds(60));
                }
                for (int v = 0; v < 2; v++) {
                    Commands.run(Duration.ofSeconds(30), TestCgroup.in(apps.get(v), List.of("cat", "/etc/hostname", only.get(v))));
                }
                for (SnoopProcess r : recorders) {
                    assertEquals(0, r.terminate(), r.log());
                    assertTrue(r.log().contains("msg=\"final report delivered\""), r.log());
                }
            } finally {
                recorders.forEach(SnoopProcess::close);
            }

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "diff", "--server", url,
                    "--token-file", tokenFile.toString(), "serve:demo@" + D1, "serve:demo@" + D2);
            assertEquals(1, code, "diff exits 1 when the versions differ: " + out + err);
            List<String> lines = out.toString().lines().toList();
            assertTrue(lines.contains("- /etc/debian_version"), out.toString());
            assertTrue(lines.contains("+ /etc/passwd"), out.toString());
            assertFalse(lines.stream().anyMatch(l -> l.endsWith(" /etc/hostname")), "read by both: unchanged\n" + out);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url + "/ui/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script type=\"module\" src=\"app.js\">"), page.body());
            HttpResponse<String> workloads = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/workloads?namespace=demo"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, workloads.statusCode(), workloads.body());
            assertTrue(workloads.body().contains("\"web-1\"") && workloads.body().contains("\"web-2\""), workloads.body());
            assertTrue(workloads.body().contains(D1) && workloads.body().contains(D2), workloads.body());
        }
    }

}
