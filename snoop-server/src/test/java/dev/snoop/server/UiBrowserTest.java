package dev.snoop.server;

import static dev.snoop.server.FleetReports.V1;
import static dev.snoop.server.FleetReports.V2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web page in a real browser (Debian's chromium, headless) on a real server on the embedded
 * PostgreSQL, filled with real POSTed reports of two versions and several replicas: each page
 * loads, shows the API's numbers, and the diff page lists exactly the files that changed.
 * {@code -Dsnoop.ui.screenshots=DIR} keeps a PNG of each page (docs/fleet.md#the-web-page).
 */
@Timeout(300)
class UiBrowserTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SHOP = "namespace=shop&kind=Deployment&workload=shop";
    @TempDir
    static Path dir;
    static SnoopServer server;
    static Http http;
    Browser browser;
    /** What the server answered the tree's upload: the bytes of its file contents, a hard link once. */
    long treeBytes;

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
        browser = Browser.open();
        TestDatabase.truncate(TestDatabase.shared().dataSource());
        for (var report : FleetReports.fleet()) {
            HttpResponse<String> posted = http.post(Http.ANY_TOKEN, report);
            assertEquals(200, posted.statusCode(), posted.body());
        }
        HttpResponse<String> tree = http.send(HttpRequest.newBuilder(http.base.resolve("/v1/images/" + V2 + "/tree"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + Http.ANY_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(v2Tree())));
        assertEquals(200, tree.statusCode(), tree.body());
        treeBytes = MAPPER.readTree(tree.body()).get("bytes").asLong();
    }

    @AfterEach
    void close() {
        if (browser != null) {
            List<String> severe = browser.severeLogs();
            browser.close();
            // a script error or a Content-Security-Policy violation shows here, whatever the page looked like
            assertEquals(List.of(), severe.stream().filter(m -> !m.contains("401")).toList());
        }
    }

    /** shop 1.4's tree: its used files, a hard link of one, and two files no replica opened. */
    static String v2Tree() {
        return "{\"schema_version\": 1, \"image_digest\": \"" + V2 + "\", \"format\": \"OCI image layout\", \"entries\": ["
                + "{\"path\": \"/usr\", \"type\": \"dir\"}, {\"path\": \"/usr/bin\", \"type\": \"dir\"},"
                + "{\"path\": \"/usr/bin/shop\", \"type\": \"file\", \"size\": 40000, \"inode\": 1},"
                + "{\"path\": \"/usr/bin/shop-old\", \"type\": \"file\", \"size\": 40000, \"inode\": 1},"
                + "{\"path\": \"/usr/bin/debug-tool\", \"type\": \"file\", \"size\": 25000, \"inode\": 2},"
                + "{\"path\": \"/lib/x86_64-linux-gnu/libc.so.6\", \"type\": \"file\", \"size\": 20000, \"inode\": 3},"
                + "{\"path\": \"/lib/x86_64-linux-gnu/libssl.so.3\", \"type\": \"file\", \"size\": 7000, \"inode\": 4},"
                + "{\"path\": \"/usr/share/doc/shop/README\", \"type\": \"file\", \"size\": 3000, \"inode\": 5},"
                + "{\"path\": \"/etc/shop.yaml\", \"type\": \"file\", \"size\": 100, \"inode\": 6}]}";
    }

    String ui(String fragment) {
        return http.base + "/ui/" + fragment;
    }

    static JsonNode api(String pathAndQuery) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.base.resolve(pathAndQuery))
                .header("Authorization", "Bearer " + Http.ANY_TOKEN).timeout(Duration.ofSeconds(30)).GET());
        assertEquals(200, r.statusCode(), pathAndQuery + ": " + r.body());
        return MAPPER.readTree(r.body());
    }

    /** Signs in through the page's form, as a person would. */
    void signIn(String token) {
        browser.driver.get(ui(""));
        browser.until(d -> d.findElement(By.id("login")).isDisplayed());
        browser.screenshot("sign-in");
        browser.one("#token").sendKeys(token);
        browser.one("#login button[type=submit]").click();
        browser.ready("/");
    }

    @Test
    void testWorkloads_afterSignIn_matchTheApi() throws Exception {
        assertEquals(401, http.get("/v1/workloads").statusCode());
        signIn(Http.ANY_TOKEN);
        JsonNode workloads = api("/v1/workloads").get("workloads");
        List<WebElement> rows = browser.all("#workloads tbody tr");
        assertEquals(workloads.size(), rows.size());
        for (JsonNode w : workloads) {
            String id = w.get("namespace").asText() + "/" + w.get("kind").asText() + "/" + w.get("name").asText();
            String row = "#workloads tr[data-workload='" + id + "']";
            assertEquals(w.get("instances").asText(), browser.field(row, "instances"), id);
            assertEquals(String.join(", ", MAPPER.convertValue(w.get("containers"), String[].class)),
                    browser.field(row, "containers"), id);
        }
        // shop: 5 app instances (3 of 1.3, 2 of 1.4) and 3 proxies; the app's two versions and the proxy's one
        assertEquals("8", browser.field("#workloads tr[data-workload='shop/Deployment/shop']", "instances"));
        assertEquals("3", browser.field("#workloads tr[data-workload='shop/Deployment/shop']", "versions"));
        browser.screenshot("workloads");
    }

    @Test
    void testWorkload_versions_matchTheApi() throws Exception {
        signIn(Http.TOKEN);
        browser.one("#workloads tr[data-workload='shop/Deployment/shop'] a").click();
        browser.ready("/workload");
        JsonNode images = api("/v1/images?" + SHOP).get("images");
        List<WebElement> rows = browser.all("#images tbody tr");
        assertEquals(images.size(), rows.size());
        for (JsonNode i : images) {
            String row = "#images tr[data-image='" + i.get("image").asText() + "']";
            for (String field : List.of("instances", "complete", "max_instance_files")) {
                assertEquals(i.get(field).asText(), browser.field(row, field), i.get("image").asText() + " " + field);
            }
        }
        assertEquals("3", browser.field("#images tr[data-image='" + V1 + "']", "instances"));
        assertEquals("2", browser.field("#images tr[data-image='" + V2 + "']", "instances"));
        assertEquals("yes", browser.field("#images tr[data-image='" + V2 + "']", "tree_attached"));
        browser.screenshot("workload");
    }

    @Test
    void testImage_summaryTreeAndTimeline_matchTheApi() throws Exception {
        signIn(Http.ANY_TOKEN);
        browser.open(ui("#/image?digest=" + V1 + "&" + SHOP), "/image");
        JsonNode summary = api("/v1/images/" + V1 + "/summary?" + SHOP);
        JsonNode coverage = summary.get("coverage");
        assertEquals(summary.get("merged_reports").asText(), browser.field("#coverage", "merged_reports"));
        for (String field : List.of("instances", "instances_with_files", "instances_reporting_recently")) {
            assertEquals(coverage.get(field).asText(), browser.field("#coverage", field), field);
        }
        JsonNode complete = coverage.get("complete");
        assertEquals(complete.get("true").asText() + " yes, " + complete.get("false").asText() + " no, "
                + complete.get("unknown").asText() + " unknown", browser.field("#coverage", "complete"));
        assertEquals("2 yes, 1 no, 0 unknown", browser.field("#coverage", "from_start"));
        for (JsonNode c : summary.get("containers")) {
            String row = "#containers tr[data-container='" + c.get("name").asText() + "']";
            for (String field : List.of("instances", "files", "files_in_every_instance", "files_in_one_instance",
                    "total_events", "dropped_events")) {
                assertEquals(c.get(field).asText(), browser.field(row, field), field);
            }
        }
        // the file tree: every file of the union, each with its seen_in
        JsonNode report = api("/v1/images/" + V1 + "/report?" + SHOP);
        JsonNode app = report.get("containers").get(0);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < app.get("files").size(); i++) {
            expected.add(app.get("files").get(i).asText() + "=" + app.get("seen_in").get(i).asInt());
        }
        List<String> shown = browser.all(".tree[data-container='app'] li.file").stream()
                .map(li -> li.getAttribute("data-path") + "=" + li.getAttribute("data-seen-in")).sorted().toList();
        assertEquals(expected.stream().sorted().toList(), shown);
        assertTrue(shown.contains("/usr/share/zoneinfo/UTC=2"), shown.toString());
        // collapsible: a directory closes on a click and its files are hidden
        WebElement tmp = browser.one(".tree[data-container='app'] summary[data-dir='/tmp']");
        assertTrue(browser.one(".tree[data-container='app'] li.file[data-path='/tmp/cache/0']").isDisplayed());
        tmp.click();
        assertFalse(browser.one(".tree[data-container='app'] li.file[data-path='/tmp/cache/0']").isDisplayed());
        tmp.click();
        JsonNode timeline = api("/v1/images/" + V1 + "/timeline?" + SHOP);
        assertEquals(timeline.get("buckets").size(), Integer.parseInt(browser.one("#convergence svg").getAttribute("data-buckets")));
        assertEquals(timeline.get("buckets").size(), browser.all("#convergence svg .bars rect").size());
        assertTrue(browser.all("#treemap").isEmpty(), "v1 has no tree attached");
        JsonNode instances = api("/v1/images/" + V1 + "/instances?" + SHOP).get("instances");
        assertEquals(instances.size(), browser.all("#instances tbody tr").size());
        for (JsonNode i : instances) {
            String row = "#instances tr[data-instance='" + i.get("namespace").asText() + "/" + i.get("pod_name").asText() + "/"
                    + i.get("container").asText() + "']";
            assertEquals(i.get("files").asText(), browser.field(row, "files"), row);
            assertEquals(i.get("complete").asText(), browser.field(row, "complete"), row);
        }
        browser.screenshot("image");
    }

    @Test
    void testImage_treemap_usedAndUnusedBytes() throws Exception {
        signIn(Http.ANY_TOKEN);
        browser.open(ui("#/image?digest=" + V2 + "&" + SHOP), "/image");
        // the hard-linked shop binary once (40000, used), libc, libssl, shop.yaml used; debug-tool and README not
        assertEquals("95100", browser.field("#treemap", "tree_bytes"));
        assertEquals(Long.toString(treeBytes), browser.field("#treemap", "tree_bytes"), "the server's count of the tree");
        assertEquals("67100", browser.field("#treemap", "used_bytes"));
        assertEquals("28000", browser.field("#treemap", "unused_bytes"));
        assertFalse(browser.all("#treemap svg rect.leaf.used").isEmpty());
        assertFalse(browser.all("#treemap svg rect.leaf.unused").isEmpty());
        browser.screenshot("image-treemap");
    }

    @Test
    void testDiff_betweenTwoVersions_listsExactlyTheChangedFiles() throws Exception {
        signIn(Http.TOKEN);
        browser.open(ui("#/workload?" + SHOP), "/workload");
        new Select(browser.one("#old")).selectByValue(V1);
        new Select(browser.one("#new")).selectByValue(V2);
        new Select(browser.one("#container")).selectByValue("app");
        browser.one("#diff-form button[type=submit]").click();
        browser.ready("/diff");
        browser.screenshot("diff");
        List<String> removed = paths("removed");
        List<String> added = paths("added");
        assertEquals(List.of("/etc/shop.conf", "/tmp/cache/2", "/usr/share/zoneinfo/UTC"), removed);
        assertEquals(List.of("/etc/shop.yaml", "/lib/x86_64-linux-gnu/libssl.so.3"), added);
        assertEquals("4", browser.field(".diff-part", "unchanged_count"));
        JsonNode diff = api("/v1/diff?old=" + V1 + "&new=" + V2 + "&" + SHOP + "&container=app");
        assertEquals(MAPPER.convertValue(diff.get("removed"), List.class), removed);
        assertEquals(MAPPER.convertValue(diff.get("added"), List.class), added);
    }

    List<String> paths(String list) {
        return browser.all("ul[data-list='" + list + "'] li").stream().map(li -> li.getAttribute("data-path")).toList();
    }

    @Test
    void testSignIn_wrongToken_isRefusedAndAskedAgain() {
        browser.driver.get(ui(""));
        browser.until(d -> d.findElement(By.id("login")).isDisplayed());
        browser.one("#token").sendKeys("not-a-token");
        browser.one("#login button[type=submit]").click();
        browser.until(d -> !d.findElement(By.id("login-error")).getText().isEmpty());
        assertTrue(browser.one("#login").isDisplayed());
        assertFalse(browser.one("#main").isDisplayed());
    }

    @Test
    void testAnonymousRead_flag_showsTheFleetWithoutAToken() throws Exception {
        // without the flag (the server above): the page asks for a token
        browser.driver.get(ui(""));
        browser.until(d -> d.findElement(By.id("login")).isDisplayed());
        ServerConfig open = new ServerConfig("127.0.0.1", 0, null, "unused", dir.resolve("tokens"), 2)
                .withAllowAnonymousRead(true);
        try (SnoopServer anonymous = SnoopServer.start(open, Tokens.load(dir.resolve("tokens")), TestDatabase.shared(), false,
                line -> { })) {
            browser.open("http://127.0.0.1:" + anonymous.port() + "/ui/", "/");
            assertFalse(browser.one("#login").isDisplayed());
            assertEquals(api("/v1/workloads").get("workloads").size(), browser.all("#workloads tbody tr").size());
            assertFalse(browser.one("#forget").isDisplayed(), "no token was asked for, none kept");
        }
    }
}
