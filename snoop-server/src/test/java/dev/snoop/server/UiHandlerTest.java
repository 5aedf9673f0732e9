package dev.snoop.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The web page's files and their headers, and --allow-anonymous-read, over real HTTP (no browser). */
@Timeout(120)
class UiHandlerTest {
    @TempDir
    static Path dir;
    static SnoopServer closed;
    static SnoopServer open;
    static Http closedHttp;
    static Http openHttp;

    @BeforeAll
    static void start() throws Exception {
        closed = Http.startServer(dir, 2);
        open = Http.startServer(dir, 2, config -> config.withAllowAnonymousRead(true), line -> { });
        closedHttp = new Http(closed.port());
        openHttp = new Http(open.port());
    }

    @AfterAll
    static void stop() {
        for (SnoopServer s : new SnoopServer[] {closed, open}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void testAssets_servedWithStrictHeaders() {
        for (String path : new String[] {"/ui/", "/ui/app.js", "/ui/views.js", "/ui/charts.js", "/ui/style.css", "/ui/favicon.svg",
            "/ui/lib/d3.min.js"}) {
            HttpResponse<String> r = closedHttp.get(path);
            assertEquals(200, r.statusCode(), path);
            assertEquals(UiHandler.CONTENT_SECURITY_POLICY, r.headers().firstValue("Content-Security-Policy").orElse(null), path);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), path);
            assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), path);
            assertTrue(r.headers().firstValue("Cache-Control").isPresent(), path);
        }
        assertTrue(closedHttp.get("/ui/").headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(closedHttp.get("/ui/app.js").headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"));
        assertTrue(closedHttp.get("/ui/lib/d3.min.js").body().contains("d3js.org"), "d3's bundle");
        assertEquals(UiHandler.CACHE_LIBRARY, closedHttp.get("/ui/lib/d3.min.js").headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void testAssets_onlyTheListedOnes_onlyGet() {
        assertEquals(404, closedHttp.get("/ui/index.html.bak").statusCode());
        assertEquals(404, closedHttp.get("/ui/../db/migration/V1__init.sql").statusCode());
        // an encoded dot-segment: Jetty refuses the ambiguous path before any handler sees it
        assertEquals(400, closedHttp.get("/ui/lib/%2e%2e/app.js").statusCode());
        HttpResponse<String> post = closedHttp.send(HttpRequest.newBuilder(closedHttp.base.resolve("/ui/app.js"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(405, post.statusCode());
        HttpResponse<String> root = closedHttp.get("/");
        assertEquals(302, root.statusCode());
        assertEquals("/ui/", root.headers().firstValue("Location").orElse(null));
        assertEquals(302, closedHttp.get("/ui").statusCode());
    }

    @Test
    void testPageAddress_wildcardIsLocalhost_ipv6InBrackets() {
        ServerConfig any = new ServerConfig("0.0.0.0", 0, null, "unused", dir.resolve("tokens"), 1);
        assertEquals("http://localhost:8080/ui/", SnoopServer.pageAddress(any, 8080));
        assertEquals("http://localhost:8080/ui/", SnoopServer.pageAddress(any.withPort("::", 0), 8080));
        assertEquals("http://[fd00::1]:8443/ui/", SnoopServer.pageAddress(any.withPort("fd00::1", 0), 8443));
        assertEquals("https://127.0.0.1:8443/ui/", SnoopServer.pageAddress(any.withPort("127.0.0.1", 0)
                .withTls(new ServerConfig.Tls(Path.of("c.pem"), Path.of("k.pem"))), 8443));
    }

    @Test
    void testAnonymousRead_withoutTheFlag_isRefused() {
        HttpResponse<String> r = closedHttp.get("/v1/workloads");
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(401, closedHttp.get("/v1/images").statusCode());
    }

    @Test
    void testAnonymousRead_withTheFlag_readsOnly() {
        assertEquals(200, openHttp.get("/v1/workloads").statusCode());
        assertEquals(200, openHttp.get("/v1/images").statusCode());
        // a wrong token is still wrong: who sends one meant to be someone
        HttpResponse<String> wrong = openHttp.send(HttpRequest.newBuilder(openHttp.base.resolve("/v1/workloads"))
                .header("Authorization", "Bearer nope").GET());
        assertEquals(401, wrong.statusCode());
        // ingest and trees still need a token
        HttpResponse<String> report = openHttp.post(null, FleetReports.fleet().get(0));
        assertEquals(401, report.statusCode(), report.body());
        HttpResponse<String> tree = openHttp.send(HttpRequest.newBuilder(openHttp.base.resolve("/v1/images/" + FleetReports.V1 + "/tree"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(FleetApiTest.tree(FleetReports.V1))));
        assertEquals(401, tree.statusCode(), tree.body());
    }
}
