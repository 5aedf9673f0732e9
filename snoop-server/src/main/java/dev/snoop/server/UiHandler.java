package dev.snoop.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Properties;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The web page (docs/fleet.md#the-web-page): a few static files from the jar under {@code /ui/},
 * which read every number through the fleet API with the visitor's token. The files hold no data,
 * so they are served to anyone; the API they call decides what a visitor sees. Only the names
 * listed here are served (no path from the URL ever reaches the class loader), each with a strict
 * Content-Security-Policy: scripts and styles from this server only, nothing inline, no frames.
 */
final class UiHandler extends Handler.Wrapper {
    static final String PREFIX = "/ui/";
    /** Scripts, styles, images and API calls from this origin only; no inline script, no framing, no form elsewhere. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    /** The page's own files change with each version of snoop: the browser asks again each time (cheap, small). */
    static final String CACHE_OWN = "no-cache";
    /** d3 changes only with the dependency's version, and the page is reloaded at a new version anyway. */
    static final String CACHE_LIBRARY = "public, max-age=86400";

    /** A file of the page: its bytes (read from the jar once, at the start), its type, its caching. */
    record Asset(byte[] body, String contentType, String cacheControl) {
        static Asset of(String resource, String contentType, String cacheControl) {
            return new Asset(read(resource), contentType, cacheControl);
        }
    }

    private static final String D3_POM = "META-INF/maven/org.webjars.npm/d3/pom.properties";

    private final Map<String, Asset> assets;

    UiHandler(Handler next) {
        super(next);
        this.assets = Map.of(
                PREFIX, Asset.of("ui/index.html", "text/html; charset=utf-8", CACHE_OWN),
                PREFIX + "app.js", Asset.of("ui/app.js", "text/javascript; charset=utf-8", CACHE_OWN),
                PREFIX + "views.js", Asset.of("ui/views.js", "text/javascript; charset=utf-8", CACHE_OWN),
                PREFIX + "charts.js", Asset.of("ui/charts.js", "text/javascript; charset=utf-8", CACHE_OWN),
                PREFIX + "style.css", Asset.of("ui/style.css", "text/css; charset=utf-8", CACHE_OWN),
                PREFIX + "favicon.svg", Asset.of("ui/favicon.svg", "image/svg+xml", CACHE_OWN),
                PREFIX + "lib/d3.min.js", Asset.of("META-INF/resources/webjars/d3/" + d3Version() + "/dist/d3.min.js",
                        "text/javascript; charset=utf-8", CACHE_LIBRARY));
    }

    /** The d3 WebJar's version, from its Maven metadata: the path of its files inside the jar. */
    static String d3Version() {
        try (InputStream in = UiHandler.class.getClassLoader().getResourceAsStream(D3_POM)) {
            if (in == null) {
                throw new IllegalStateException("the d3 WebJar is not on the class path (" + D3_POM + ")");
            }
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        boolean get = "GET".equals(method) || "HEAD".equals(method);
        if (get && (path.equals("/") || path.equals("/ui"))) {
            // the page's address without its slash, or the server's root: where a newcomer types first
            response.setStatus(HttpStatus.FOUND_302);
            response.getHeaders().put(HttpHeader.LOCATION, PREFIX);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            response.write(true, null, callback);
            return true;
        }
        if (!path.startsWith(PREFIX)) {
            return super.handle(request, response, callback);
        }
        Asset asset = assets.get(path);
        byte[] body;
        if (asset == null) {
            response.setStatus(HttpStatus.NOT_FOUND_404);
            body = "not found\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            asset = new Asset(body, "text/plain; charset=utf-8", "no-store");
        } else if (!get) {
            response.setStatus(HttpStatus.METHOD_NOT_ALLOWED_405);
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            body = "method not allowed\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            asset = new Asset(body, "text/plain; charset=utf-8", "no-store");
        } else {
            body = asset.body();
            response.setStatus(HttpStatus.OK_200);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, asset.cacheControl());
        response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, "HEAD".equals(method) ? null : ByteBuffer.wrap(body), callback);
        return true;
    }

    /** A listed file of the jar (about 300 KiB in all, d3 most of it). */
    private static byte[] read(String resource) {
        try (InputStream in = UiHandler.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
