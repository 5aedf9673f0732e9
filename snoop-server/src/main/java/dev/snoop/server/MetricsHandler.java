package dev.snoop.server;

import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves {@code GET /metrics} (Prometheus text, no token: it holds counts only) and measures every
 * {@code POST /v1/reports} the handlers behind it answer: its status, why it was refused, how long
 * it took until its answer was written, and the bytes of its body. It sits in front of the API, so
 * the API only tells what the status cannot: the files stored, and which 503 it was.
 */
final class MetricsHandler extends Handler.Wrapper {
    static final String METRICS = "/metrics";
    /** Set by the API on a request it stored: the number of new files (a Long). */
    static final String NEW_FILES = "dev.snoop.server.newFiles";
    /** Set by the API when a status alone does not tell why (a 503 from the database, not from load). */
    static final String REASON = "dev.snoop.server.rejectReason";
    private static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ServerMetrics metrics;

    MetricsHandler(ServerMetrics metrics, Handler api) {
        super(api);
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.equals(METRICS)) {
            if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
                response.setStatus(HttpStatus.METHOD_NOT_ALLOWED_405);
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                Content.Sink.write(response, true, "{\"error\": \"method not allowed; use GET, HEAD\"}\n", callback);
                return true;
            }
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, METRICS_TYPE);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            Content.Sink.write(response, true, metrics.scrape(), callback);
            return true;
        }
        if (!path.equals(ApiHandler.REPORTS) || !"POST".equals(request.getMethod())) {
            return super.handle(request, response, callback);
        }
        long start = System.nanoTime();
        Counting counted = new Counting(request);
        Callback measured = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                record();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                record();
                super.failed(x);
            }

            private void record() {
                int status = response.getStatus();
                Object newFiles = request.getAttribute(NEW_FILES);
                metrics.ingest(status, reason(status, request.getAttribute(REASON)), System.nanoTime() - start,
                        counted.bytes.get(), newFiles instanceof Long n ? n : 0);
            }
        };
        return super.handle(counted, response, measured);
    }

    /** The rejection reason of a status, or null for a stored report. */
    static String reason(int status, Object told) {
        if (told instanceof String s) {
            return s;
        }
        return switch (status) {
            case HttpStatus.OK_200 -> null;
            case HttpStatus.UNAUTHORIZED_401 -> "auth";
            case HttpStatus.FORBIDDEN_403 -> "scope";
            case HttpStatus.PAYLOAD_TOO_LARGE_413 -> "too_large";
            case HttpStatus.TOO_MANY_REQUESTS_429 -> "rate_limited";
            case HttpStatus.REQUEST_TIMEOUT_408 -> "timeout";
            case HttpStatus.SERVICE_UNAVAILABLE_503 -> "busy";
            case HttpStatus.BAD_REQUEST_400, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415 -> "malformed";
            default -> "internal";
        };
    }

    /** A request that counts the bytes of its body as the API reads them. */
    private static final class Counting extends Request.Wrapper {
        final AtomicLong bytes = new AtomicLong();

        Counting(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            if (chunk != null) {
                bytes.addAndGet(chunk.remaining());
            }
            return chunk;
        }
    }
}
