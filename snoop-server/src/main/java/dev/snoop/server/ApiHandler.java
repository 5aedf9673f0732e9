package dev.snoop.server;

import dev.snoop.core.SnoopException;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.core.report.SetChecksum;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP API, on Jetty's core handlers: exact routes, thin handling (authenticate, read, store
 * in one call, map the outcome to a status). Status codes follow the conventions the sidecar's
 * retries obey: 429 and 503 (with a jittered {@code Retry-After}) are worth retrying, 400, 401, 403, 413 and
 * 415 are not (401 after re-reading the token file).
 *
 * <p>Nothing of a rejected request is stored: it is refused before the store is called, and the
 * store commits all or nothing.
 */
final class ApiHandler extends Handler.Abstract {
    /** The largest report accepted, counted after decompression; the compressed body is held to it too. */
    static final long MAX_BODY_BYTES = 20L * 1024 * 1024;
    /**
     * The longest a report's body may take to arrive (20 MiB at 350 KB/s), else 408: a client
     * trickling its body would otherwise hold an ingest permit as long as it likes.
     */
    static final long MAX_BODY_READ_MILLIS = 60_000;
    /** Bounds of the jittered Retry-After of a 503. */
    static final int RETRY_AFTER_MIN_SECONDS = 1;
    static final int RETRY_AFTER_MAX_SECONDS = 5;

    static final String REPORTS = "/v1/reports";
    static final String HEALTHZ = "/healthz";
    static final String READYZ = "/readyz";

    private final Authenticator auth;
    private final ReportStore store;
    private final Database database;
    private final Semaphore ingests;
    private final RateLimiter rateLimiter;
    private volatile long bodyReadMillis = MAX_BODY_READ_MILLIS;

    /**
     * @param maxConcurrentIngests reports read and stored at once; one more is answered 503 at
     *     once, never queued (each holds up to {@link #MAX_BODY_BYTES} and a connection)
     */
    ApiHandler(Authenticator auth, ReportStore store, Database database, int maxConcurrentIngests, RateLimiter rateLimiter) {
        this.auth = auth;
        this.rateLimiter = rateLimiter;
        this.store = store;
        this.database = database;
        this.ingests = new Semaphore(maxConcurrentIngests);
    }

    /** For tests: a shorter deadline for reading a body. */
    void bodyReadMillis(long millis) {
        this.bodyReadMillis = millis;
    }

    Authenticator authenticator() {
        return auth;
    }

    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** The permits of concurrent ingests, for tests that take them all. */
    Semaphore ingests() {
        return ingests;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        switch (path) {
            case REPORTS -> {
                if (!"POST".equals(method)) {
                    return notAllowed(request, response, callback, "POST");
                }
                postReport(request, response, callback);
            }
            case HEALTHZ -> {
                if (!isGet(method)) {
                    return notAllowed(request, response, callback, "GET, HEAD");
                }
                reply(response, callback, HttpStatus.OK_200, "{\"status\": \"ok\"}");
            }
            case READYZ -> {
                if (!isGet(method)) {
                    return notAllowed(request, response, callback, "GET, HEAD");
                }
                boolean ready = database.ready();
                reply(response, callback, ready ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503,
                        ready ? "{\"status\": \"ready\"}" : "{\"status\": \"database unreachable\"}");
            }
            default -> reject(request, response, callback, HttpStatus.NOT_FOUND_404, "no such resource: " + path);
        }
        return true;
    }

    /**
     * Answers a request refused before its body was read. The body is read and dropped first (up
     * to {@link #MAX_BODY_BYTES}), so that the client, which may still be sending it, reads the
     * status instead of a broken pipe, and its connection stays open. Not when it sent {@code
     * Expect: 100-continue}: then it sends no body until asked, and is not asked.
     */
    private static void reject(Request request, Response response, Callback callback, int status, String reason) {
        if (!request.getHeaders().contains(HttpHeader.EXPECT) && request.getLength() <= MAX_BODY_BYTES) {
            try (InputStream in = Content.Source.asInputStream(request)) {
                byte[] sink = new byte[16 * 1024];
                long left = MAX_BODY_BYTES;
                int n;
                while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                    left -= n;
                }
            } catch (IOException e) {
                // the client went away or stalled: the answer below may not reach it, and the connection closes
            }
        }
        if (status == HttpStatus.SERVICE_UNAVAILABLE_503) {
            unavailable(response, callback, reason);
        } else {
            error(response, callback, status, reason);
        }
    }

    private void postReport(Request request, Response response, Callback callback) {
        Authenticator.Outcome outcome = auth.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (outcome instanceof Authenticator.Unavailable unavailable) {
            request.setAttribute(MetricsHandler.REASON, "auth_unavailable");
            reject(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, unavailable.reason());
            return;
        }
        if (!(outcome instanceof Authenticator.Accepted accepted)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            reject(request, response, callback, HttpStatus.UNAUTHORIZED_401, "a valid bearer token is required");
            return;
        }
        Tokens.Entry token = accepted.entry();
        long waitNanos = rateLimiter.acquire(token.identity());
        if (waitNanos > 0) {
            // at the earliest when the token's bucket has a report again, jittered as a 503's
            long seconds = Math.max(RETRY_AFTER_MIN_SECONDS, (waitNanos + 999_999_999L) / 1_000_000_000L)
                    + ThreadLocalRandom.current().nextInt(RETRY_AFTER_MAX_SECONDS - RETRY_AFTER_MIN_SECONDS + 1);
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(seconds));
            reject(request, response, callback, HttpStatus.TOO_MANY_REQUESTS_429, "over this token's rate limit");
            return;
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            reject(request, response, callback, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "Content-Type must be application/json");
            return;
        }
        String encoding = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        boolean gzip = encoding != null && encoding.strip().equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.strip().equalsIgnoreCase("identity")) {
            reject(request, response, callback, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "Content-Encoding must be gzip or identity");
            return;
        }
        SetChecksum expected;
        try {
            expected = DeliveryHeader.parse(request.getHeaders().get(DeliveryHeader.NAME));
        } catch (IllegalArgumentException e) {
            reject(request, response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
            return;
        }
        if (request.getLength() > MAX_BODY_BYTES) {
            // answered before a byte is read: a client that sent Expect: 100-continue sends none
            error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "body over " + MAX_BODY_BYTES + " bytes");
            return;
        }
        if (!ingests.tryAcquire()) {
            // nothing of this request is held while its body is dropped: no permit, no buffer
            reject(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "too many reports at once");
            return;
        }
        try {
            ingest(request, response, callback, token, gzip, expected);
        } finally {
            ingests.release();
        }
    }

    private void ingest(Request request, Response response, Callback callback, Tokens.Entry token, boolean gzip,
            SetChecksum expected) {
        byte[] json;
        try {
            json = readBody(Content.Source.asInputStream(request), gzip, bodyReadMillis);
        } catch (BoundedInput.TooSlow e) {
            // the connection closes with the answer: the rest of the body is not waited for
            error(response, callback, HttpStatus.REQUEST_TIMEOUT_408, e.getMessage());
            return;
        } catch (BoundedInput.TooLarge e) {
            error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, e.getMessage() + (gzip ? " (decompressed)" : ""));
            return;
        } catch (ZipException | java.io.EOFException e) {
            reject(request, response, callback, HttpStatus.BAD_REQUEST_400, "not valid gzip: " + oneLine(e.getMessage()));
            return;
        } catch (IOException e) {
            // the client went away or stalled past the idle timeout: nobody to answer
            error(response, callback, HttpStatus.BAD_REQUEST_400, "cannot read the body: " + oneLine(e.getMessage()));
            return;
        }
        Report report;
        try {
            report = ReportJson.read(json, "report", warning -> { });
        } catch (SnoopException | IllegalArgumentException e) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, oneLine(e.getMessage()));
            return;
        }
        if (report.mergedReports() > 0) {
            error(response, callback, HttpStatus.BAD_REQUEST_400,
                    "report: a merged report cannot be stored; send each recorded report");
            return;
        }
        if (!token.allows(report.namespace())) {
            error(response, callback, HttpStatus.FORBIDDEN_403, report.namespace() == null
                    ? "this token may not report without a namespace"
                    : "this token may not report for namespace '" + report.namespace() + "'");
            return;
        }
        ReportStore.Result result;
        try {
            result = store.store(report, expected);
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && state.startsWith("22") && !(e instanceof SQLTransientException)) {
                // a data exception: something in the report PostgreSQL cannot hold (e.g. a NUL in a name)
                error(response, callback, HttpStatus.BAD_REQUEST_400, "report: cannot be stored: " + oneLine(e.getMessage()));
            } else {
                request.setAttribute(MetricsHandler.REASON, "database");
                unavailable(response, callback, "the database failed; nothing was stored");
            }
            return;
        } catch (RuntimeException e) {
            // a bug of ours: the transaction was rolled back; the client gets one line, not a stack trace
            error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error; nothing was stored");
            return;
        }
        if (result.resync()) {
            // the client's set and ours differ (a delivery lost, a restart): its full report mends it
            reply(response, callback, HttpStatus.CONFLICT_409, String.format(Locale.ROOT,
                    "{\"error\": \"the delta does not match the stored set; send the full report\", \"resync\": true, "
                    + "\"files\": %d, \"checksum\": \"%s\"}", result.files(), result.checksum().hex()));
            return;
        }
        request.setAttribute(MetricsHandler.NEW_FILES, result.newFiles());
        reply(response, callback, HttpStatus.OK_200, String.format(Locale.ROOT,
                "{\"containers\": %d, \"new_files\": %d, \"new_access\": %d, \"files\": %d, \"checksum\": \"%s\"}",
                result.containers(), result.newFiles(), result.newAccess(), result.files(), result.checksum().hex()));
    }

    /** The body, decompressed if {@code gzip}, at most {@link #MAX_BODY_BYTES} on either side of the decompressor. */
    static byte[] readBody(InputStream raw, boolean gzip, long deadlineMillis) throws IOException {
        InputStream compressed = new BoundedInput(raw, MAX_BODY_BYTES, deadlineMillis);
        try (InputStream in = gzip ? new BoundedInput(new GZIPInputStream(compressed, 64 * 1024), MAX_BODY_BYTES) : compressed) {
            return in.readAllBytes();
        }
    }

    private static boolean isGet(String method) {
        return "GET".equals(method) || "HEAD".equals(method);
    }

    private static boolean notAllowed(Request request, Response response, Callback callback, String allowed) {
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        reject(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed; use " + allowed);
        return true;
    }

    private static void unavailable(Response response, Callback callback, String reason) {
        // jittered, so that the clients turned away together do not come back together
        int seconds = ThreadLocalRandom.current().nextInt(RETRY_AFTER_MIN_SECONDS, RETRY_AFTER_MAX_SECONDS + 1);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(seconds));
        error(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, reason);
    }

    private static void error(Response response, Callback callback, int status, String reason) {
        reply(response, callback, status, "{\"error\": \"" + jsonEscape(reason) + "\"}");
    }

    private static void reply(Response response, Callback callback, int status, String json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, json + "\n", callback);
    }

    static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
