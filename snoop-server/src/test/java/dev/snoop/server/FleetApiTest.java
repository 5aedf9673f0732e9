package dev.snoop.server;

import static dev.snoop.server.FleetReports.PROXY;
import static dev.snoop.server.FleetReports.V1;
import static dev.snoop.server.FleetReports.V2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.diff.ContainerDiff;
import dev.snoop.diff.ReportDiff;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fleet read API over real HTTP on the embedded PostgreSQL, filled by real POSTed reports. */
@Timeout(180)
class FleetApiTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    @TempDir
    static Path dir;
    static SnoopServer server;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = Http.startServer(dir, 4);
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void fill() throws Exception {
        TestDatabase.truncate(TestDatabase.shared().dataSource());
        // an older, smaller report of one replica first: the server keeps the union of an instance's reports
        Report first = FleetReports.fleet().get(1);
        Report older = first.withContainers(List.of(FleetReports.container("app", V1, 5, 0, List.of("/usr/bin/shop"))));
        assertEquals(200, http.post(Http.ANY_TOKEN, older).statusCode());
        for (Report r : FleetReports.fleet()) {
            HttpResponse<String> posted = http.post(Http.ANY_TOKEN, r);
            assertEquals(200, posted.statusCode(), posted.body());
        }
    }

    static HttpResponse<String> get(String token, String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30)).GET();
        return http.send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    static JsonNode getJson(String token, String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(token, pathAndQuery);
        assertEquals(200, r.statusCode(), pathAndQuery + ": " + r.body());
        return MAPPER.readTree(r.body());
    }

    static Report getReport(String token, String pathAndQuery) {
        HttpResponse<String> r = get(token, pathAndQuery);
        assertEquals(200, r.statusCode(), pathAndQuery + ": " + r.body());
        return ReportJson.read(r.body().getBytes(StandardCharsets.UTF_8), "answer", w -> {
            throw new AssertionError(w);
        });
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void testReport_union_equalsMergeWithCounts() {
        List<Report> fleet = FleetReports.fleet();
        // shop's three v1 replicas: the union of their app entries as snoop merge --with-counts has it
        Report local = FleetReports.merge(fleet.subList(0, 3));
        Report served = getReport(Http.ANY_TOKEN, "/v1/images/" + V1 + "/report?namespace=shop");
        assertEquals(local.mergedReports(), served.mergedReports());
        assertEquals(1, served.containers().size());
        ContainerReport app = served.containers().get(0);
        assertEquals(FleetReports.counted(FleetReports.entry(local, "app", V1)), FleetReports.counted(app));
        assertEquals(V1, app.imageDigest());
        assertEquals("shop", served.namespace());
        assertEquals(null, served.podName());
        assertEquals(FleetReports.entry(local, "app", V1).totalEvents(), app.totalEvents());
        assertEquals(FleetReports.entry(local, "app", V1).droppedEvents(), app.droppedEvents());

        // every namespace: the other namespace's replica of the same image joins
        Report all = FleetReports.merge(List.of(fleet.get(0), fleet.get(1), fleet.get(2), fleet.get(5)));
        Report servedAll = getReport(Http.ANY_TOKEN, "/v1/images/" + V1 + "/report");
        assertEquals(4, servedAll.mergedReports());
        assertEquals(all.mergedReports(), servedAll.mergedReports());
        assertEquals(FleetReports.counted(FleetReports.entry(all, "app", V1)), FleetReports.counted(servedAll.containers().get(0)));
    }

    @Test
    void testReport_scopedToken_seesOnlyItsNamespaces() throws Exception {
        assertEquals(3, getReport(Http.TOKEN, "/v1/images/" + V1 + "/report").mergedReports());
        Report other = getReport(Http.OTHER_TOKEN, "/v1/images/" + V1 + "/report");
        assertEquals(1, other.mergedReports());
        assertTrue(other.containers().get(0).files().contains("/other/only"));
        // the other token does not see shop's v2 at all: as if it did not exist
        HttpResponse<String> hidden = get(Http.OTHER_TOKEN, "/v1/images/" + V2 + "/report");
        assertEquals(404, hidden.statusCode(), hidden.body());
        assertEquals(404, get(Http.OTHER_TOKEN, "/v1/images/" + V1 + "/report?namespace=shop").statusCode());
        JsonNode workloads = getJson(Http.OTHER_TOKEN, "/v1/workloads");
        assertEquals(1, workloads.get("workloads").size());
        assertEquals("thing", workloads.get("workloads").get(0).get("name").asText());
    }

    @Test
    void testReport_usedIn_everyReplicaVersusRare() {
        Report every = getReport(Http.TOKEN, "/v1/images/" + V1 + "/report?used_in=100%25");
        assertEquals(3, every.mergedReports());
        assertEquals(List.of("/etc/shop.conf=3", "/lib/x86_64-linux-gnu/libc.so.6=3", "/usr/bin/shop=3"),
                FleetReports.counted(every.containers().get(0)));
        Report twoOf3 = getReport(Http.TOKEN, "/v1/images/" + V1 + "/report?used_in=2");
        assertTrue(twoOf3.containers().get(0).files().contains("/usr/share/zoneinfo/UTC"));
        assertFalse(twoOf3.containers().get(0).files().contains("/tmp/cache/0"));
        Report rare = getReport(Http.TOKEN, "/v1/images/" + V1 + "/report?max_seen_in=1");
        assertEquals(List.of("/tmp/cache/0=1", "/tmp/cache/1=1", "/tmp/cache/2=1"), FleetReports.counted(rare.containers().get(0)));
        assertEquals(400, get(Http.TOKEN, "/v1/images/" + V1 + "/report?used_in=0").statusCode());
        assertEquals(400, get(Http.TOKEN, "/v1/images/" + V1 + "/report?used_in=150%25").statusCode());
    }

    @Test
    void testDiff_versions_asSnoopDiff() throws Exception {
        List<Report> fleet = FleetReports.fleet();
        ReportDiff local = ReportDiff.of(FleetReports.merge(fleet.subList(0, 3)), FleetReports.merge(fleet.subList(3, 5)), "app");
        JsonNode served = getJson(Http.TOKEN, "/v1/diff?old=" + V1 + "&new=" + V2 + "&workload=shop&container=app");
        ContainerDiff c = local.containers().get(0);
        assertEquals(strings(c.removed()), strings(served.get("removed")));
        assertEquals(strings(c.added()), strings(served.get("added")));
        assertEquals(c.unchangedCount(), served.get("unchanged_count").asLong());
        assertTrue(strings(served.get("removed")).contains("/etc/shop.conf"));
        assertTrue(strings(served.get("added")).contains("/lib/x86_64-linux-gnu/libssl.so.3"));
        assertEquals(400, get(Http.TOKEN, "/v1/diff?old=" + V1).statusCode());
        assertEquals(404, get(Http.TOKEN, "/v1/diff?old=" + V1 + "&new=sha256:none").statusCode());
    }

    @Test
    void testSummary_coverageAndConvergence() throws Exception {
        JsonNode s = getJson(Http.TOKEN, "/v1/images/" + V1 + "/summary");
        assertEquals(V1, s.get("digest").asText());
        assertEquals("shop:1.3", s.get("ref").asText());
        assertEquals(3, s.get("merged_reports").asInt());
        JsonNode app = s.get("containers").get(0);
        assertEquals("app", app.get("name").asText());
        assertEquals(3, app.get("instances").asInt());
        assertEquals(7, app.get("files").asInt()); // 3 common, zoneinfo, 3 cache files
        assertEquals(3, app.get("files_in_every_instance").asInt());
        assertEquals(3, app.get("files_in_one_instance").asInt());
        JsonNode coverage = s.get("coverage");
        assertEquals(3, coverage.get("instances").asInt());
        assertEquals(3, coverage.get("instances_with_files").asInt());
        assertEquals(2, coverage.get("complete").get("true").asInt());
        assertEquals(1, coverage.get("complete").get("false").asInt());
        assertEquals(2, coverage.get("from_start").get("true").asInt());
        assertEquals(1, coverage.get("from_start").get("false").asInt());
        assertEquals("2026-11-01T09:09:00Z", coverage.get("last_new_file_at").asText());
        assertTrue(coverage.get("seconds_since_last_new_file").asLong() > 0);
        assertFalse(s.get("tree_attached").asBoolean());
    }

    @Test
    void testInstances_paginatedPerInstance() throws Exception {
        JsonNode first = getJson(Http.TOKEN, "/v1/images/" + V1 + "/instances?limit=2");
        assertEquals(2, first.get("instances").size());
        String cursor = first.get("next_cursor").asText();
        JsonNode second = getJson(Http.TOKEN, "/v1/images/" + V1 + "/instances?limit=2&cursor=" + q(cursor));
        assertEquals(1, second.get("instances").size());
        assertTrue(second.get("next_cursor").isNull());
        Set<String> pods = new HashSet<>();
        for (JsonNode page : List.of(first, second)) {
            for (JsonNode i : page.get("instances")) {
                pods.add(i.get("pod_name").asText());
                assertEquals("app", i.get("container").asText());
                assertEquals("Deployment", i.get("workload_kind").asText());
            }
        }
        assertEquals(Set.of("shop-5b8d-aaaaa", "shop-5b8d-bbbbb", "shop-5b8d-ccccc"), pods);
        JsonNode late = second.get("instances").get(0);
        assertEquals("shop-5b8d-ccccc", late.get("pod_name").asText());
        assertFalse(late.get("from_start").asBoolean());
        assertFalse(late.get("complete").asBoolean());
        assertEquals(4, late.get("files").asInt()); // no zoneinfo
        assertEquals(400, get(Http.TOKEN, "/v1/images/" + V1 + "/instances?cursor=bm9wZQ").statusCode());
    }

    @Test
    void testTimeline_bucketsAddUpToTheUnion() throws Exception {
        JsonNode t = getJson(Http.TOKEN, "/v1/images/" + V1 + "/timeline?bucket_seconds=1");
        long total = 0;
        for (JsonNode b : t.get("buckets")) {
            total += b.get("new_files").asLong();
        }
        assertEquals(7, total);
        JsonNode last = t.get("buckets").get(t.get("buckets").size() - 1);
        assertEquals(7, last.get("files").asLong());
        assertEquals(400, get(Http.TOKEN, "/v1/images/" + V1 + "/timeline?bucket_seconds=0").statusCode());
    }

    @Test
    void testWorkloadsAndImages_listedWithPagination() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, http.post(Http.TOKEN, FleetReports.pod("cart", "cart" + i, "aaaaa",
                    FleetReports.container("app", "sha256:cart" + i, 5, 0, List.of("/bin/cart")))).statusCode());
        }
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = getJson(Http.TOKEN, "/v1/workloads?limit=2" + (cursor == null ? "" : "&cursor=" + q(cursor)));
            page.get("workloads").forEach(w -> names.add(w.get("namespace").asText() + "/" + w.get("name").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertEquals(List.of("shop/shop", "cart/cart0", "cart/cart1", "cart/cart2", "cart/cart3", "cart/cart4"), names);
        assertEquals(3, pages);

        JsonNode shop = getJson(Http.TOKEN, "/v1/workloads?namespace=shop").get("workloads").get(0);
        assertEquals("Deployment", shop.get("kind").asText());
        assertEquals(List.of("app", "proxy"), strings(shop.get("containers")));
        assertEquals(8, shop.get("instances").asInt()); // 5 app, 3 proxy
        Set<String> seen = new HashSet<>();
        shop.get("images").forEach(i -> seen.add(i.get("container").asText() + "@" + i.get("digest").asText()
                + "=" + i.get("instances").asInt()));
        assertEquals(Set.of("app@" + V1 + "=3", "app@" + V2 + "=2", "proxy@" + PROXY + "=3"), seen);

        JsonNode versions = getJson(Http.TOKEN, "/v1/images?workload=shop&container=app").get("images");
        assertEquals(2, versions.size());
        assertEquals(V1, versions.get(0).get("digest").asText());
        assertEquals(3, versions.get(0).get("instances").asInt());
        assertEquals(2, versions.get(0).get("complete").asInt());
        assertEquals(V2, versions.get(1).get("digest").asText());
        assertEquals(List.of("shop/Deployment/shop"), strings(versions.get(1).get("workloads")));
    }

    @Test
    void testRoutes_authAndBadRequests() throws Exception {
        HttpResponse<String> anonymous = get(null, "/v1/workloads");
        assertEquals(401, anonymous.statusCode());
        assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(401, get("not-a-token", "/v1/images/" + V1 + "/report").statusCode());
        HttpResponse<String> unknown = get(Http.TOKEN, "/v1/workloads?namspace=shop");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("unknown parameter 'namspace'"), unknown.body());
        assertEquals(400, get(Http.TOKEN, "/v1/workloads?limit=0").statusCode());
        assertEquals(400, get(Http.TOKEN, "/v1/workloads?limit=1001").statusCode());
        assertEquals(400, get(Http.TOKEN, "/v1/workloads?limit=1&limit=2").statusCode());
        assertEquals("HTTP/1.1 400", rawStatus("/v1/workloads?namespace=%zz")); // no java.net.URI takes it
        assertEquals(404, get(Http.TOKEN, "/v1/nothing").statusCode());
        assertEquals(404, get(Http.TOKEN, "/v1/images/" + V1 + "/nothing").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(http.base.resolve("/v1/workloads"))
                .header("Authorization", "Bearer " + Http.TOKEN).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, post.statusCode());
        // the ingest route is still the ingest API's
        assertEquals(405, get(Http.TOKEN, ApiHandler.REPORTS).statusCode());
        assertEquals(200, get(null, ApiHandler.HEALTHZ).statusCode());
    }

    @Test
    void testReport_gzip_whenAccepted() throws Exception {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add("/usr/lib/python3/site-packages/module" + i + ".py");
        }
        assertEquals(200, http.post(Http.TOKEN, FleetReports.pod("shop", "shop", "fffff",
                FleetReports.container("app", V1, 5, 0, many))).statusCode());
        HttpResponse<byte[]> r = http.client.send(HttpRequest.newBuilder(http.base.resolve("/v1/images/" + V1 + "/report"))
                .header("Authorization", "Bearer " + Http.TOKEN).header("Accept-Encoding", "gzip").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(null));
        byte[] json = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body())).readAllBytes();
        assertNotNull(ReportJson.read(json, "answer", w -> { }));
    }

    static String tree(String digest) {
        return "{\"schema_version\": 1, \"image_digest\": \"" + digest + "\", \"format\": \"OCI image layout\", "
                + "\"entries\": [{\"path\": \"/usr\", \"type\": \"dir\"}, {\"path\": \"/usr/bin\", \"type\": \"dir\"}, "
                + "{\"path\": \"/usr/bin/shop\", \"type\": \"file\", \"size\": 1000, \"inode\": 1}, "
                + "{\"path\": \"/usr/bin/shop-link\", \"type\": \"file\", \"size\": 1000, \"inode\": 1}, "
                + "{\"path\": \"/usr/bin/unused\", \"type\": \"file\", \"size\": 500, \"inode\": 2}, "
                + "{\"path\": \"/bin\", \"type\": \"symlink\", \"target\": \"usr/bin\"}], \"future_field\": {\"a\": [1]}}";
    }

    static HttpResponse<String> postTree(String token, String digest, byte[] body, boolean gzip) {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.base.resolve("/v1/images/" + digest + "/tree"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? Http.gzip(body) : body));
        if (gzip) {
            b.header("Content-Encoding", "gzip");
        }
        return http.send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    @Test
    void testTree_attachAndRead_scopedByNamespace() throws Exception {
        byte[] tree = tree(V1).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> posted = postTree(Http.TOKEN, V1, tree, true);
        assertEquals(200, posted.statusCode(), posted.body());
        JsonNode stored = MAPPER.readTree(posted.body());
        assertEquals(6, stored.get("entries").asInt());
        assertEquals(1500, stored.get("bytes").asLong()); // the hard link's content once
        assertEquals(MAPPER.readTree(tree), getJson(Http.TOKEN, "/v1/images/" + V1 + "/tree"));
        assertTrue(getJson(Http.TOKEN, "/v1/images/" + V1 + "/summary").get("tree_attached").asBoolean());
        // a later upload replaces it
        assertEquals(200, postTree(Http.ANY_TOKEN, V1, tree(V1).replace("1000", "7").getBytes(StandardCharsets.UTF_8), false).statusCode());
        assertEquals(7, getJson(Http.ANY_TOKEN, "/v1/images/" + V1 + "/tree").get("entries").get(2).get("size").asInt());

        // the other namespace never ran v2: it may neither attach nor read its tree
        HttpResponse<String> refused = postTree(Http.OTHER_TOKEN, V2, tree(V2).getBytes(StandardCharsets.UTF_8), false);
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals(200, postTree(Http.ANY_TOKEN, V2, tree(V2).getBytes(StandardCharsets.UTF_8), false).statusCode());
        assertEquals(404, get(Http.OTHER_TOKEN, "/v1/images/" + V2 + "/tree").statusCode());
        // a * token may attach a tree before any report of the image arrives
        assertEquals(200, postTree(Http.ANY_TOKEN, "sha256:new", tree("sha256:new").getBytes(StandardCharsets.UTF_8), false).statusCode());
        assertEquals(404, get(Http.TOKEN, "/v1/images/sha256:none/tree").statusCode());
        assertEquals(401, postTree(null, V1, tree, false).statusCode());
    }

    @Test
    void testTree_notATree_400WithOneLine() throws Exception {
        HttpResponse<String> wrongImage = postTree(Http.ANY_TOKEN, V1, tree(V2).getBytes(StandardCharsets.UTF_8), false);
        assertEquals(400, wrongImage.statusCode());
        assertTrue(wrongImage.body().contains("tree: image_digest is not the image of the URL"), wrongImage.body());
        HttpResponse<String> badType = postTree(Http.ANY_TOKEN, V1, tree(V1).replace("\"dir\"", "\"fifo\"")
                .getBytes(StandardCharsets.UTF_8), false);
        assertEquals(400, badType.statusCode());
        assertTrue(badType.body().contains("entry 1: type must be dir, file, symlink or other"), badType.body());
        assertEquals(400, postTree(Http.ANY_TOKEN, V1, "{\"schema_version\": 1, ".getBytes(StandardCharsets.UTF_8), false).statusCode());
        assertEquals(400, postTree(Http.ANY_TOKEN, V1, "not gzip".getBytes(StandardCharsets.UTF_8), false).statusCode());
        assertFalse(getJson(Http.ANY_TOKEN, "/v1/images/" + V1 + "/summary").get("tree_attached").asBoolean());
    }

    /** The status line's start of a GET sent as raw bytes, for a request target no URI class accepts. */
    static String rawStatus(String target) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + Http.TOKEN + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return answer.substring(0, Math.min(12, answer.length()));
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> strings(dev.snoop.core.path.SortedPaths paths) {
        List<String> out = new ArrayList<>();
        paths.forEach(out::add);
        return out;
    }
}
