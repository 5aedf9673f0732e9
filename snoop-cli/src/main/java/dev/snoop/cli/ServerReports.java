package dev.snoop.cli;

import dev.snoop.core.SnoopException;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reports that live on a {@code snoop serve}: a report argument {@code
 * serve:[NAMESPACE[/WORKLOAD[/CONTAINER]]]@IMAGE} is the server's union of that image's instances
 * (docs/fleet.md#server-references), fetched over HTTP with the JDK's client and read by the same
 * {@link ReportJson} as a file, so every command treats it as the report {@code snoop merge
 * --with-counts} would have written.
 */
final class ServerReports {
    static final String PREFIX = "serve:";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Until the answer's headers arrive: the server builds a large union before it answers. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
    /** The largest image tree read, as the server takes (ImageTrees.MAX_TREE_BYTES). */
    static final int MAX_TREE_BYTES = 64 * 1024 * 1024;
    /** The most of an error answer read for its message. */
    private static final int MAX_ERROR_BYTES = 64 * 1024;
    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private static volatile HttpClient client;

    private ServerReports() {}

    static boolean isReference(String arg) {
        return arg.startsWith(PREFIX);
    }

    /** A parsed server reference; null parts do not filter. */
    record Reference(String text, String namespace, String workload, String container, String image) {
        static final String FORM = "serve:[NAMESPACE[/WORKLOAD[/CONTAINER]]]@DIGEST";

        /** @throws IllegalArgumentException with a one-line message naming the argument */
        static Reference parse(String arg) {
            String rest = arg.substring(PREFIX.length());
            int at = rest.lastIndexOf('@');
            if (at < 0 || at == rest.length() - 1) {
                throw new IllegalArgumentException(arg + ": a server reference names an image: " + FORM);
            }
            String image = rest.substring(at + 1);
            String where = rest.substring(0, at);
            String[] parts = where.isEmpty() ? new String[0] : where.split("/", -1);
            if (parts.length > 3) {
                throw new IllegalArgumentException(arg + ": too many parts before '@': " + FORM);
            }
            for (String part : parts) {
                if (part.isEmpty()) {
                    throw new IllegalArgumentException(arg + ": an empty part before '@': " + FORM);
                }
            }
            if (image.contains("/") || image.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(arg + ": '" + image + "' is not an image digest (sha256:...)");
            }
            return new Reference(arg, part(parts, 0), part(parts, 1), part(parts, 2), image);
        }

        private static String part(String[] parts, int i) {
            return i < parts.length ? parts[i] : null;
        }

        /** The route and query of this reference's union on the server. */
        String route(String what) {
            List<String> query = new ArrayList<>();
            add(query, "namespace", namespace);
            add(query, "workload", workload);
            add(query, "container", container);
            return "/v1/images/" + encode(image).replace("%3A", ":") + what + (query.isEmpty() ? "" : "?" + String.join("&", query));
        }

        private static void add(List<String> query, String name, String value) {
            if (value != null) {
                query.add(name + "=" + encode(value));
            }
        }
    }

    /** Reads the union a reference names from the server. */
    static Report read(Reference ref, ServerOptions server, Consumer<String> warnings) {
        try (InputStream in = get(server, ref.route("/report"), ref.text())) {
            return ReportJson.read(in, ref.text(), warnings);
        } catch (IOException e) {
            throw new SnoopException(ref.text() + ": cannot read the answer of " + server.base() + ": " + e.getMessage(), e);
        }
    }

    /**
     * GETs {@code route} from the server; returns the body, decompressed.
     *
     * @throws SnoopException with one line for anything but a 200: the server's reason, or why it
     *     could not be reached
     */
    static InputStream get(ServerOptions server, String route, String what) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.base() + route))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + server.token())
                .header("Accept-Encoding", "gzip")
                .header("Accept", "application/json")
                .GET().build();
        return send(server, request, what);
    }

    /** POSTs a JSON body, gzip-compressed, to {@code route}; returns the answer of a 200. */
    static String post(ServerOptions server, String route, byte[] json, String what) {
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream(json.length / 4 + 64);
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(compressed, 64 * 1024)) {
            gz.write(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // memory only
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.base() + route))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + server.token())
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(compressed.toByteArray())).build();
        try (InputStream in = send(server, request, what)) {
            return new String(in.readNBytes(MAX_ERROR_BYTES), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new SnoopException(what + ": cannot read the answer of " + server.base() + ": " + e.getMessage(), e);
        }
    }

    /** The route of an image's tree on the server. */
    static String treeRoute(String digest) {
        return new Reference(PREFIX + "@" + digest, null, null, null, digest).route("/tree");
    }

    /** Sends {@code request}; returns the body of a 200, decompressed. */
    static InputStream send(ServerOptions server, HttpRequest request, String what) {
        HttpResponse<InputStream> response;
        try {
            response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new SnoopException(what + ": no answer from " + server.base() + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            throw new SnoopException(what + ": cannot connect to " + server.base() + ": "
                    + (e.getMessage() == null ? "connection refused" : e.getMessage()));
        } catch (IOException e) {
            throw new SnoopException(what + ": cannot reach " + server.base() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnoopException(what + ": interrupted", e);
        }
        try {
            InputStream body = response.body();
            if (response.headers().firstValue("Content-Encoding").orElse("").equalsIgnoreCase("gzip")) {
                body = new GZIPInputStream(body, 64 * 1024);
            }
            if (response.statusCode() == 200) {
                return body;
            }
            String text;
            try (InputStream in = body) {
                text = new String(in.readNBytes(MAX_ERROR_BYTES), StandardCharsets.UTF_8);
            }
            Matcher m = ERROR.matcher(text);
            String reason = m.find() ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : "no reason given";
            String hint = response.statusCode() == 401 ? " (check --token-file or " + ServerOptions.TOKEN_ENV + ")" : "";
            throw new SnoopException(what + ": " + server.base() + " answered " + response.statusCode() + ": " + reason + hint);
        } catch (IOException e) {
            throw new SnoopException(what + ": cannot read the answer of " + server.base() + ": " + e.getMessage(), e);
        }
    }

    private static HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (ServerReports.class) {
                if (client == null) {
                    client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                            .followRedirects(HttpClient.Redirect.NORMAL).build();
                }
                c = client;
            }
        }
        return c;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
