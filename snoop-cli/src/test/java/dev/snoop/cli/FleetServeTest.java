package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.Completeness;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.image.TestImages;
import dev.snoop.record.ServerTokens;
import dev.snoop.server.ServerConfig;
import dev.snoop.server.SnoopServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server references end to end: a real {@code snoop serve} (in-process, on its embedded
 * PostgreSQL) filled with reports POSTed over HTTP, then merge, diff, stats and unused run through
 * {@link Main} on {@code serve:...} arguments, compared with the same commands on the same
 * reports as local files.
 */
@Timeout(300)
class FleetServeTest {
    static final String V1 = "sha256:" + "1".repeat(64);
    static final String V2 = "sha256:" + "2".repeat(64);
    static final String SAMPLE = "sha256:" + "5".repeat(64);
    static final Instant START = Instant.parse("2026-11-01T09:00:00Z");

    @TempDir
    static Path dir;
    static SnoopServer server;
    static String url;
    static Path allToken;
    static Path otherToken;
    static final List<Path> v1Files = new ArrayList<>();
    static final List<Path> v2Files = new ArrayList<>();
    static final List<Path> sampleFiles = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), ServerTokens.sha256Hex("fleet-all") + " *\n" + ServerTokens.sha256Hex("fleet-other") + " other\n");
        allToken = Files.writeString(dir.resolve("all.token"), "fleet-all\n");
        otherToken = Files.writeString(dir.resolve("other.token"), "fleet-other\n");
        server = SnoopServer.start(new ServerConfig("127.0.0.1", 0, dir.resolve("data"), null, tokens, 4), line -> { });
        url = "http://127.0.0.1:" + server.port();
        HttpClient http = HttpClient.newHttpClient();
        String[] pods = {"aaaaa", "bbbbb", "ccccc"};
        for (int i = 0; i < 3; i++) {
            List<String> files = new ArrayList<>(List.of("/usr/bin/shop", "/etc/shop.conf", "/lib/libc.so.6", "/tmp/cache/" + i));
            if (i < 2) {
                files.add("/usr/share/zoneinfo/UTC");
            }
            v1Files.add(post(http, pod(pods[i], V1, files)));
        }
        for (int i = 0; i < 2; i++) {
            v2Files.add(post(http, pod("v2-" + pods[i], V2, List.of("/usr/bin/shop", "/etc/shop.yaml", "/lib/libc.so.6",
                    "/lib/libssl.so.3", "/tmp/cache/" + i))));
        }
        sampleFiles.add(post(http, pod("s1", SAMPLE, TestImages.SAMPLE_USED)));
        sampleFiles.add(post(http, pod("s2", SAMPLE, TestImages.SAMPLE_USED.subList(0, 4))));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Report pod(String suffix, String digest, List<String> files) {
        ContainerReport app = new ContainerReport("app", "containerd://" + suffix, 0, null, "shop:1", digest,
                START.plusSeconds(5), START.plusSeconds(600), files.size() * 10L, 0, SortedPaths.of(files), null,
                new Completeness(0, 0, START.plusSeconds(500)));
        return new Report(Report.SCHEMA_VERSION, "shop-5b8d-" + suffix, "shop", Map.of("pod-template-hash", "5b8d"), START,
                START.plusSeconds(600), app.totalEvents(), 0, 0, List.of(app));
    }

    /** POSTs the report as a sidecar would, and keeps it as a local file too. */
    static Path post(HttpClient http, Report report) throws Exception {
        Path file = dir.resolve(report.podName() + ".json");
        ReportJson.write(report, file);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/reports"))
                .header("Authorization", "Bearer fleet-all").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return file;
    }


    static CliRun snoop(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--server", url, "--token-file", allToken.toString()));
        all.addAll(List.of(args));
        return CliRun.run(all.toArray(String[]::new));
    }

    static List<String> strings(List<Path> paths) {
        return paths.stream().map(Path::toString).toList();
    }

    @Test
    void testDiff_serverReferences_printsTheVersionDiff() throws Exception {
        CliRun served = snoop("diff", "serve:shop/shop/app@" + V1, "serve:shop/shop/app@" + V2);
        assertEquals(1, served.exitCode(), served.err());
        assertEquals("", served.err());
        assertEquals("""
                - /etc/shop.conf
                + /etc/shop.yaml
                + /lib/libssl.so.3
                - /tmp/cache/2
                - /usr/share/zoneinfo/UTC
                3 removed, 2 added, 4 unchanged
                """, served.out());
        // the same as snoop diff of the local merges of the same reports
        Path m1 = dir.resolve("m1.json");
        Path m2 = dir.resolve("m2.json");
        List<String> merge1 = new ArrayList<>(List.of("merge", "--with-counts", "-o", m1.toString()));
        merge1.addAll(strings(v1Files));
        assertEquals(0, CliRun.run(merge1.toArray(String[]::new)).exitCode());
        List<String> merge2 = new ArrayList<>(List.of("merge", "--with-counts", "-o", m2.toString()));
        merge2.addAll(strings(v2Files));
        assertEquals(0, CliRun.run(merge2.toArray(String[]::new)).exitCode());
        assertEquals(CliRun.run("diff", m1.toString(), m2.toString()).out(), served.out());
        // and a server reference against a local file
        assertEquals(served.out(), snoop("diff", m1.toString(), "serve:shop/shop@" + V2).out());
    }

    @Test
    void testMerge_serverReference_equalsLocalMergeWithCounts() throws Exception {
        CliRun served = snoop("merge", "--with-counts", "serve:shop/shop/app@" + V1);
        assertEquals(0, served.exitCode(), served.err());
        List<String> args = new ArrayList<>(List.of("merge", "--with-counts"));
        args.addAll(strings(v1Files));
        CliRun local = CliRun.run(args.toArray(String[]::new));
        Report a = ReportJson.read(served.out().getBytes(StandardCharsets.UTF_8), "served", w -> { });
        Report b = ReportJson.read(local.out().getBytes(StandardCharsets.UTF_8), "local", w -> { });
        assertEquals(3, a.mergedReports());
        assertEquals(b.mergedReports(), a.mergedReports());
        assertEquals(counted(b.containers().get(0)), counted(a.containers().get(0)));
        assertTrue(counted(a.containers().get(0)).contains("/usr/share/zoneinfo/UTC=2"));
        // a merge of merges: the server's union with local reports counts each once
        CliRun mixed = snoop("merge", "--with-counts", "serve:shop/shop/app@" + V1, v2Files.get(0).toString());
        assertEquals(4, ReportJson.read(mixed.out().getBytes(StandardCharsets.UTF_8), "m", w -> { }).mergedReports());
    }

    @Test
    void testStats_serverReference_sameAsLocal() {
        List<String> args = new ArrayList<>(List.of("stats"));
        args.addAll(strings(v1Files));
        CliRun local = CliRun.run(args.toArray(String[]::new));
        CliRun served = snoop("stats", "serve:shop@" + V1);
        assertEquals(0, served.exitCode(), served.err());
        assertEquals(local.out(), served.out());
    }

    @Test
    void testUnused_attachedTree_sameAsLocalImage() throws Exception {
        Path image = TestImages.oci(TestImages.sampleLayers()).writeTar(dir.resolve("image.tar"));
        CliRun attached = snoop("unused", "--image", image.toString(), "--attach", "--digest", SAMPLE);
        assertEquals(0, attached.exitCode(), attached.err());
        assertTrue(attached.err().contains("snoop unused: attached the tree of " + image + " to " + url + " as " + SAMPLE
                + ": {\"image\": \"" + SAMPLE + "\", \"entries\": "), attached.err());
        assertEquals("", attached.out());

        // the server's union and tree (no image here) against the local image and the local reports
        CliRun served = snoop("unused", "--digest", SAMPLE, "--format", "keep-list");
        assertEquals(0, served.exitCode(), served.err());
        List<String> args = new ArrayList<>(List.of("unused", "--image", image.toString(), "--format", "keep-list"));
        args.addAll(strings(sampleFiles));
        CliRun local = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, local.exitCode(), local.err());
        assertEquals(local.out(), served.out());
        assertTrue(served.out().contains("/usr/lib/libfoo.so.1.2.3\n"), served.out());

        CliRun servedRare = snoop("unused", "--digest", SAMPLE, "--used-in", "100%", "--format", "json");
        List<String> rareArgs = new ArrayList<>(List.of("unused", "--image", image.toString(), "--used-in", "100%", "--format", "json"));
        rareArgs.addAll(strings(sampleFiles));
        CliRun localRare = CliRun.run(rareArgs.toArray(String[]::new));
        assertEquals(field(localRare.out(), "unused_bytes"), field(servedRare.out(), "unused_bytes"));
        assertEquals(field(localRare.out(), "kept_files"), field(servedRare.out(), "kept_files"));
    }

    @Test
    void testErrors_oneLineAndDocumentedExitCodes() throws Exception {
        CliRun noServer = CliRun.run("merge", "serve:shop@" + V1);
        assertEquals(2, noServer.exitCode());
        assertTrue(noServer.err().startsWith("snoop merge: a server reference needs --server URL (or SNOOP_SERVER)"), noServer.err());
        CliRun malformed = snoop("stats", "serve:a/b/c/d@" + V1);
        assertEquals(2, malformed.exitCode());
        assertTrue(malformed.err().startsWith("snoop stats: serve:a/b/c/d@" + V1 + ": too many parts before '@'"), malformed.err());
        assertEquals(2, snoop("stats", "serve:shop").exitCode());

        CliRun missing = snoop("merge", "serve:shop/shop/app@sha256:none");
        assertEquals(1, missing.exitCode());
        assertEquals("snoop merge: serve:shop/shop/app@sha256:none: " + url + " answered 404: no instance of image "
                + "'sha256:none' matches (or this token may not see it)\n", missing.err());
        assertEquals(2, snoop("diff", "serve:shop@sha256:none", "serve:shop@" + V1).exitCode()); // diff's trouble

        // the other namespace's token does not see shop
        CliRun hidden = CliRun.run("stats", "--server", url, "--token-file", otherToken.toString(), "serve:shop@" + V1);
        assertEquals(1, hidden.exitCode());
        assertTrue(hidden.err().contains("answered 404"), hidden.err());
        Path wrong = Files.writeString(dir.resolve("wrong.token"), "nope");
        CliRun refused = CliRun.run("stats", "--server", url, "--token-file", wrong.toString(), "serve:shop@" + V1);
        assertEquals(1, refused.exitCode());
        assertTrue(refused.err().endsWith("answered 401: a valid bearer token is required (check --token-file or SNOOP_API_TOKEN)\n"),
                refused.err());

        int closed;
        try (ServerSocket free = new ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        CliRun down = CliRun.run("stats", "--server", "http://127.0.0.1:" + closed, "--token-file", allToken.toString(),
                "serve:shop@" + V1);
        assertEquals(1, down.exitCode());
        assertTrue(down.err().startsWith("snoop stats: serve:shop@" + V1 + ": cannot connect to http://127.0.0.1:" + closed),
                down.err());
        assertEquals(1, down.err().lines().count(), down.err());
        assertEquals(2, CliRun.run("unused", "--digest", SAMPLE).exitCode()); // no --server: no image
    }

    private static List<String> counted(ContainerReport c) {
        List<String> out = new ArrayList<>();
        SortedPaths.Cursor cursor = c.files().cursor();
        while (cursor.next()) {
            out.add(cursor.path() + "=" + cursor.count());
        }
        return out;
    }

    private static String field(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }
}
