package dev.snoop.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The fleet API (docs/fleet.md): the read routes under {@code /v1} and the image trees, in front
 * of {@link ApiHandler}, which keeps every other route. Thin as that one: authenticate, parse the
 * query, call one {@link FleetQueries} or {@link ImageTrees} method, write the answer. Reads take a
 * permit of their own (as many as the pool has connections), so a burst of reads is answered 503
 * rather than queued, and never starves the ingest of its permits.
 */
final class FleetHandler extends Handler.Wrapper {
    static final String WORKLOADS = "/v1/workloads";
    static final String IMAGES = "/v1/images";
    static final String DIFF = "/v1/diff";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** Buckets of the new-files chart at most; a wider span widens the buckets. */
    static final int MAX_BUCKETS = 1000;
    static final long DEFAULT_BUCKET_SECONDS = 60;
    /** An answer larger than this is gzip-compressed for a client that accepts it. */
    static final int GZIP_ABOVE_BYTES = 1024;

    private final Authenticator auth;
    private final FleetQueries queries;
    private final ImageTrees trees;
    private final Semaphore reads;
    private final boolean allowAnonymousRead;

    /**
     * Who a read without a token is under {@code --allow-anonymous-read}: every namespace, hosts
     * included, as a {@code *} token; only reads ever run as it (a POST without a token is a 401).
     */
    static final Tokens.Entry ANONYMOUS_READER = new Tokens.Entry(new byte[32], Set.of(Tokens.ANY_NAMESPACE));

    /** @param allowAnonymousRead whether a GET without an {@code Authorization} header is answered as {@link #ANONYMOUS_READER} */
    FleetHandler(Handler api, Authenticator auth, FleetQueries queries, ImageTrees trees, int maxConcurrentReads,
            boolean allowAnonymousRead) {
        super(api);
        this.allowAnonymousRead = allowAnonymousRead;
        this.auth = auth;
        this.queries = queries;
        this.trees = trees;
        this.reads = new Semaphore(maxConcurrentReads);
    }

    /** A request the API refuses: its status and one line of reason. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    /** An answer: a status, a JSON body. */
    record Answer(int status, byte[] json) {}

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!path.startsWith("/v1/") || path.equals(ApiHandler.REPORTS)) {
            return super.handle(request, response, callback);
        }
        boolean tree = path.startsWith(IMAGES + "/") && path.endsWith(ImageTrees.SUFFIX);
        String method = request.getMethod();
        boolean get = "GET".equals(method) || "HEAD".equals(method);
        if (!get && !(tree && "POST".equals(method))) {
            if (!known(path)) {
                return super.handle(request, response, callback); // ApiHandler's 404, body drained
            }
            response.getHeaders().put(HttpHeader.ALLOW, tree ? "GET, HEAD, POST" : "GET, HEAD");
            reply(request, response, callback, error(HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed"));
            return true;
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        // a wrong token stays a 401 even then: who sends one meant to be someone
        Authenticator.Outcome outcome = authorization == null && get && allowAnonymousRead
                ? new Authenticator.Accepted(ANONYMOUS_READER)
                : auth.authenticate(authorization);
        if (outcome instanceof Authenticator.Unavailable unavailable && known(path)) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(ThreadLocalRandom.current()
                    .nextInt(ApiHandler.RETRY_AFTER_MIN_SECONDS, ApiHandler.RETRY_AFTER_MAX_SECONDS + 1)));
            reply(request, response, callback, error(HttpStatus.SERVICE_UNAVAILABLE_503, unavailable.reason()));
            return true;
        }
        Tokens.Entry token = outcome instanceof Authenticator.Accepted accepted ? accepted.entry() : null;
        if (token == null) {
            if (!known(path)) {
                return super.handle(request, response, callback);
            }
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            reply(request, response, callback, error(HttpStatus.UNAUTHORIZED_401, "a valid bearer token is required"));
            return true;
        }
        if (!reads.tryAcquire()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(ThreadLocalRandom.current()
                    .nextInt(ApiHandler.RETRY_AFTER_MIN_SECONDS, ApiHandler.RETRY_AFTER_MAX_SECONDS + 1)));
            reply(request, response, callback, error(HttpStatus.SERVICE_UNAVAILABLE_503, "too many requests at once"));
            return true;
        }
        try {
            Answer answer;
            try {
                answer = tree && "POST".equals(method)
                        ? trees.post(request, token, imageKey(path, ImageTrees.SUFFIX))
                        : route(path, query(request), FleetQueries.scope(token), token);
            } catch (Refused e) {
                answer = error(e.status, e.getMessage());
            } catch (SQLException e) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(ThreadLocalRandom.current()
                        .nextInt(ApiHandler.RETRY_AFTER_MIN_SECONDS, ApiHandler.RETRY_AFTER_MAX_SECONDS + 1)));
                answer = error(HttpStatus.SERVICE_UNAVAILABLE_503, "the database failed");
            } catch (RuntimeException e) {
                answer = error(HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error");
            }
            reply(request, response, callback, answer);
        } finally {
            reads.release();
        }
        return true;
    }

    /** The query parameters; a query that does not decode (a bad %-escape) is a 400, not a 500. */
    private static Fields query(Request request) throws Refused {
        try {
            return Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw new Refused(HttpStatus.BAD_REQUEST_400, "the query does not decode: " + e.getMessage());
        }
    }

    private static boolean known(String path) {
        return path.equals(WORKLOADS) || path.equals(IMAGES) || path.equals(DIFF) || path.startsWith(IMAGES + "/")
                && FleetJson.IMAGE_ROUTES.stream().anyMatch(path::endsWith) || path.endsWith(ImageTrees.SUFFIX);
    }

    private Answer route(String path, Fields query, Set<String> scope, Tokens.Entry token) throws Refused, SQLException, IOException {
        Params p = new Params(query);
        if (path.equals(WORKLOADS)) {
            p.only("namespace", "kind", "workload", "limit", "cursor");
            FleetQueries.Filter filter = new FleetQueries.Filter(p.get("namespace"), p.get("kind"), p.get("workload"), null);
            return ok(FleetJson.workloads(queries.workloads(scope, filter, p.cursor(), p.limit())));
        }
        if (path.equals(IMAGES)) {
            p.only("namespace", "kind", "workload", "container", "limit", "cursor");
            return ok(FleetJson.images(queries.images(scope, p.filter(), p.cursor(), p.limit())));
        }
        if (path.equals(DIFF)) {
            p.only("namespace", "kind", "workload", "container", "old", "new");
            String old = p.required("old");
            String newer = p.required("new");
            FleetQueries.Union a = queries.union(scope, old, p.filter(), n -> 1, Integer.MAX_VALUE);
            FleetQueries.Union b = queries.union(scope, newer, p.filter(), n -> 1, Integer.MAX_VALUE);
            if (a == null || b == null) {
                throw notFound(a == null ? old : newer);
            }
            return ok(FleetJson.diff(a.report(), b.report(), p.get("container")));
        }
        for (String route : FleetJson.IMAGE_ROUTES) {
            if (path.startsWith(IMAGES + "/") && path.endsWith(route)) {
                return image(route, imageKey(path, route), p, scope, token);
            }
        }
        throw new Refused(HttpStatus.NOT_FOUND_404, "no such resource: " + path);
    }

    private Answer image(String route, String key, Params p, Set<String> scope, Tokens.Entry token)
            throws Refused, SQLException, IOException {
        switch (route) {
            case "/summary" -> {
                p.only("namespace", "kind", "workload", "container", "recent_seconds");
                long recent = p.number("recent_seconds", 300, 1, Long.MAX_VALUE / 1000);
                FleetQueries.Union union = queries.union(scope, key, p.filter(), n -> 1, Integer.MAX_VALUE);
                if (union == null) {
                    throw notFound(key);
                }
                return ok(FleetJson.summary(key, union, recent, trees.attached(scope, key)));
            }
            case "/report" -> {
                p.only("namespace", "kind", "workload", "container", "used_in", "max_seen_in");
                String usedIn = p.get("used_in");
                int max = (int) p.number("max_seen_in", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
                java.util.function.IntUnaryOperator min = usedIn == null ? n -> 1 : UsedIn.parse(usedIn);
                FleetQueries.Union union = queries.union(scope, key, p.filter(), min, max);
                if (union == null) {
                    throw notFound(key);
                }
                return ok(FleetJson.report(union.report()));
            }
            case "/instances" -> {
                p.only("namespace", "kind", "workload", "container", "limit", "cursor");
                FleetQueries.Page<FleetQueries.InstanceRow> page = queries.instances(scope, key, p.filter(), p.cursor(), p.limit());
                if (page.items().isEmpty() && p.get("cursor") == null) {
                    throw notFound(key);
                }
                return ok(FleetJson.instances(page, java.time.Instant.now()));
            }
            case "/timeline" -> {
                p.only("namespace", "kind", "workload", "container", "bucket_seconds");
                long bucket = p.number("bucket_seconds", DEFAULT_BUCKET_SECONDS, 1, 366L * 86400);
                List<FleetQueries.Bucket> buckets = queries.timeline(scope, key, p.filter(), bucket, MAX_BUCKETS);
                if (buckets == null) {
                    throw notFound(key);
                }
                return ok(FleetJson.timeline(buckets, bucket));
            }
            case ImageTrees.SUFFIX -> {
                p.only();
                return new Answer(HttpStatus.OK_200, trees.get(scope, key));
            }
            default -> throw new Refused(HttpStatus.NOT_FOUND_404, "no such resource");
        }
    }

    static Refused notFound(String key) {
        return new Refused(HttpStatus.NOT_FOUND_404, "no instance of image '" + key + "' matches (or this token may not see it)");
    }

    /** The image key between {@code /v1/images/} and the route, e.g. {@code sha256:...}. */
    private static String imageKey(String path, String route) throws Refused {
        String key = path.substring(IMAGES.length() + 1, path.length() - route.length());
        if (key.isEmpty() || key.contains("/")) {
            throw new Refused(HttpStatus.NOT_FOUND_404, "no such resource: " + path);
        }
        return key;
    }

    private static Answer ok(byte[] json) {
        return new Answer(HttpStatus.OK_200, json);
    }

    static Answer error(int status, String reason) {
        return new Answer(status, ("{\"error\": \"" + ApiHandler.jsonEscape(ApiHandler.oneLine(reason)) + "\"}\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Writes the answer; gzip-compressed when it is large and the client accepts gzip. */
    private static void reply(Request request, Response response, Callback callback, Answer answer) throws IOException {
        byte[] body = answer.json();
        String accept = request.getHeaders().get(HttpHeader.ACCEPT_ENCODING);
        if (body.length > GZIP_ABOVE_BYTES && accept != null && accept.toLowerCase(Locale.ROOT).contains("gzip")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4);
            try (OutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
                gz.write(body);
            }
            body = out.toByteArray();
            response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
        }
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.VARY, "Accept-Encoding");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** The query parameters of a request, each checked when read; unknown ones are refused. */
    static final class Params {
        private final Fields fields;

        Params(Fields fields) {
            this.fields = fields;
        }

        void only(String... allowed) throws Refused {
            for (String name : fields.getNames()) {
                if (!List.of(allowed).contains(name)) {
                    throw new Refused(HttpStatus.BAD_REQUEST_400, "unknown parameter '" + name + "'"
                            + (allowed.length == 0 ? "" : "; known: " + String.join(", ", allowed)));
                }
            }
        }

        String get(String name) throws Refused {
            List<String> values = fields.getValues(name);
            if (values == null || values.isEmpty()) {
                return null;
            }
            if (values.size() > 1) {
                throw new Refused(HttpStatus.BAD_REQUEST_400, "parameter '" + name + "' given more than once");
            }
            return values.get(0).isEmpty() ? null : values.get(0);
        }

        String required(String name) throws Refused {
            String value = get(name);
            if (value == null) {
                throw new Refused(HttpStatus.BAD_REQUEST_400, "parameter '" + name + "' is required");
            }
            return value;
        }

        long number(String name, long otherwise, long min, long max) throws Refused {
            String value = get(name);
            if (value == null) {
                return otherwise;
            }
            try {
                long n = Long.parseLong(value);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new Refused(HttpStatus.BAD_REQUEST_400, "parameter '" + name + "' must be a whole number from "
                    + min + " to " + max);
        }

        int limit() throws Refused {
            return (int) number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        }

        FleetQueries.Filter filter() throws Refused {
            return new FleetQueries.Filter(get("namespace"), get("kind"), get("workload"), get("container"));
        }

        /** The id after which a page starts: 0 without a cursor. */
        long cursor() throws Refused {
            String value = get("cursor");
            return value == null ? 0 : Cursor.decode(value);
        }
    }

    /** The opaque cursor of a page: the last id of the page before, so pages are stable while rows are added. */
    static final class Cursor {
        private static final String PREFIX = "after:";

        private Cursor() {}

        static String encode(Long after) {
            return after == null ? null : Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((PREFIX + after).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }

        static long decode(String cursor) throws Refused {
            try {
                String s = new String(Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.US_ASCII);
                if (s.startsWith(PREFIX)) {
                    long after = Long.parseLong(s.substring(PREFIX.length()));
                    if (after >= 0) {
                        return after;
                    }
                }
            } catch (IllegalArgumentException e) {
                // refused below
            }
            throw new Refused(HttpStatus.BAD_REQUEST_400, "parameter 'cursor' is not a cursor this server gave");
        }
    }

    /** The {@code used_in} parameter: {@code N} instances, or {@code P%} of them, as {@code snoop unused --used-in}. */
    static final class UsedIn {
        private UsedIn() {}

        static java.util.function.IntUnaryOperator parse(String value) throws Refused {
            try {
                if (value.endsWith("%")) {
                    double percent = Double.parseDouble(value.substring(0, value.length() - 1));
                    if (percent > 0 && percent <= 100) {
                        return n -> Math.max(1, (int) Math.ceil(percent * n / 100 - 1e-9));
                    }
                } else {
                    int n = Integer.parseInt(value);
                    if (n >= 1) {
                        return x -> n;
                    }
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new Refused(HttpStatus.BAD_REQUEST_400,
                    "parameter 'used_in' must be a number of instances (at least 1) or a percentage (above 0% and at most 100%)");
        }
    }
}
