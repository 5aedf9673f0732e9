package dev.snoop.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import javax.sql.DataSource;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Image trees (docs/fleet.md#image-trees): the file list of an image with sizes, as {@code snoop
 * unused --attach} uploads it, so that {@code snoop unused --server} can tell the unused bytes of
 * an image it does not have. The server checks the tree's shape and keeps it compressed; it never
 * analyses it (the CLI does, with the same code as for a local image).
 */
final class ImageTrees {
    static final String SUFFIX = "/tree";
    /** The largest tree taken, after decompression (about 500,000 entries); the compressed body too. */
    static final long MAX_TREE_BYTES = 64L * 1024 * 1024;
    /** The one tree format version there is. */
    static final int SCHEMA_VERSION = 1;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build())
            .build();

    private final DataSource dataSource;
    private final FleetQueries queries;

    ImageTrees(DataSource dataSource, FleetQueries queries) {
        this.dataSource = dataSource;
        this.queries = queries;
    }

    /** What a checked tree holds. */
    record Checked(long entries, long bytes) {}

    /** Takes a tree for the image {@code key}; a {@code *} token, or one whose namespaces ran the image. */
    FleetHandler.Answer post(Request request, Tokens.Entry token, String key) throws FleetHandler.Refused, SQLException {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.split(";", 2)[0].strip().equalsIgnoreCase("application/json")) {
            throw new FleetHandler.Refused(HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "Content-Type must be application/json");
        }
        String encoding = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
        boolean gzip = encoding != null && encoding.strip().equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.strip().equalsIgnoreCase("identity")) {
            throw new FleetHandler.Refused(HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "Content-Encoding must be gzip or identity");
        }
        if (request.getLength() > MAX_TREE_BYTES) {
            throw new FleetHandler.Refused(HttpStatus.PAYLOAD_TOO_LARGE_413, "body over " + MAX_TREE_BYTES + " bytes");
        }
        Set<String> scope = FleetQueries.scope(token);
        byte[] json;
        try {
            InputStream compressed = new BoundedInput(Content.Source.asInputStream(request), MAX_TREE_BYTES,
                    ApiHandler.MAX_BODY_READ_MILLIS * 3);
            try (InputStream in = gzip ? new BoundedInput(new GZIPInputStream(compressed, 64 * 1024), MAX_TREE_BYTES) : compressed) {
                json = in.readAllBytes();
            }
        } catch (BoundedInput.TooSlow e) {
            throw new FleetHandler.Refused(HttpStatus.REQUEST_TIMEOUT_408, e.getMessage());
        } catch (BoundedInput.TooLarge e) {
            throw new FleetHandler.Refused(HttpStatus.PAYLOAD_TOO_LARGE_413, e.getMessage() + (gzip ? " (decompressed)" : ""));
        } catch (ZipException | java.io.EOFException e) {
            throw new FleetHandler.Refused(HttpStatus.BAD_REQUEST_400, "not valid gzip: " + e.getMessage());
        } catch (IOException e) {
            throw new FleetHandler.Refused(HttpStatus.BAD_REQUEST_400, "cannot read the body: " + e.getMessage());
        }
        Checked checked = check(json, key);
        try (Connection c = dataSource.getConnection()) {
            try {
                if (scope != null && queries.visibleImage(c, scope, key) == null) {
                    throw new FleetHandler.Refused(HttpStatus.FORBIDDEN_403,
                            "this token may attach a tree only to an image its namespaces ran");
                }
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO image (image_key, digest) VALUES (?, ?) ON CONFLICT (image_key) DO NOTHING")) {
                    insert.setString(1, key);
                    insert.setString(2, key);
                    insert.executeUpdate();
                }
                try (PreparedStatement upsert = c.prepareStatement("""
                        INSERT INTO image_tree (image_id, tree_gzip, entries, bytes)
                        SELECT id, ?, ?, ? FROM image WHERE image_key = ?
                        ON CONFLICT (image_id) DO UPDATE SET tree_gzip = EXCLUDED.tree_gzip,
                            entries = EXCLUDED.entries, bytes = EXCLUDED.bytes, uploaded_at = now()""")) {
                    upsert.setBytes(1, gzip(json));
                    upsert.setLong(2, checked.entries());
                    upsert.setLong(3, checked.bytes());
                    upsert.setString(4, key);
                    upsert.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException | FleetHandler.Refused e) {
                c.rollback();
                throw e;
            }
        }
        return new FleetHandler.Answer(HttpStatus.OK_200, String.format(Locale.ROOT,
                "{\"image\": \"%s\", \"entries\": %d, \"bytes\": %d}%n", ApiHandler.jsonEscape(key), checked.entries(),
                checked.bytes()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The tree of the image {@code key}, as uploaded (decompressed). */
    byte[] get(Set<String> scope, String key) throws FleetHandler.Refused, SQLException, IOException {
        try (Connection c = queries.readOnly()) {
            if (queries.visibleImage(c, scope, key) != null) {
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT t.tree_gzip FROM image_tree t JOIN image im ON im.id = t.image_id WHERE im.image_key = ?")) {
                    select.setString(1, key);
                    try (ResultSet rs = select.executeQuery()) {
                        if (rs.next()) {
                            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(rs.getBytes(1)))) {
                                return in.readAllBytes();
                            }
                        }
                    }
                }
            }
        }
        throw new FleetHandler.Refused(HttpStatus.NOT_FOUND_404, "no tree attached to image '" + key
                + "' (or this token may not see it)");
    }

    /** Whether the image {@code key} has a tree a token of {@code scope} may read. */
    boolean attached(Set<String> scope, String key) throws SQLException {
        try (Connection c = queries.readOnly()) {
            if (queries.visibleImage(c, scope, key) == null) {
                return false;
            }
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT 1 FROM image_tree t JOIN image im ON im.id = t.image_id WHERE im.image_key = ?")) {
                select.setString(1, key);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next();
                }
            }
        }
    }

    /**
     * Checks that {@code json} is a tree of the image {@code key}: an object with {@code
     * schema_version} 1, {@code image_digest} equal to the key, and {@code entries}, each with an
     * absolute {@code path} and a known {@code type}. Other fields are ignored (kept for newer
     * clients). Returns the entries and the bytes of file content (a hard-linked content once).
     */
    static Checked check(byte[] json, String key) throws FleetHandler.Refused {
        try (JsonParser p = FACTORY.createParser(json)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "not a JSON object");
            Integer version = null;
            String digest = null;
            long entries = -1;
            long bytes = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "schema_version" -> {
                        expect(value == JsonToken.VALUE_NUMBER_INT, "schema_version is not a number");
                        version = p.getIntValue();
                    }
                    case "image_digest" -> {
                        expect(value == JsonToken.VALUE_STRING, "image_digest is not a string");
                        digest = p.getText();
                    }
                    case "entries" -> {
                        expect(value == JsonToken.START_ARRAY, "entries is not an array");
                        entries = 0;
                        Set<Long> inodes = new HashSet<>();
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            entries++;
                            bytes += entry(p, entries, inodes);
                        }
                        expect(p.currentToken() == JsonToken.END_ARRAY, "entry " + (entries + 1) + " is not an object");
                    }
                    default -> p.skipChildren();
                }
            }
            expect(version != null && version == SCHEMA_VERSION, "schema_version must be " + SCHEMA_VERSION);
            expect(key.equals(digest), "image_digest is not the image of the URL ('" + key + "')");
            expect(entries >= 0, "no entries");
            return new Checked(entries, bytes);
        } catch (JsonProcessingException e) {
            throw new FleetHandler.Refused(HttpStatus.BAD_REQUEST_400, "tree: not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // memory only
        }
    }

    /** One entry; returns the bytes it adds. */
    private static long entry(JsonParser p, long n, Set<Long> inodes) throws IOException, FleetHandler.Refused {
        String path = null;
        String type = null;
        long size = 0;
        Long inode = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "path" -> path = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "type" -> type = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "size" -> {
                    expect(value == JsonToken.VALUE_NUMBER_INT && p.getLongValue() >= 0, "entry " + n + ": size is not a whole number >= 0");
                    size = p.getLongValue();
                }
                case "inode" -> {
                    expect(value == JsonToken.VALUE_NUMBER_INT, "entry " + n + ": inode is not a number");
                    inode = p.getLongValue();
                }
                default -> p.skipChildren();
            }
        }
        expect(path != null && path.startsWith("/"), "entry " + n + ": path is not an absolute path");
        expect(type != null && Set.of("dir", "file", "symlink", "other").contains(type),
                "entry " + n + ": type must be dir, file, symlink or other");
        return type.equals("file") && (inode == null || inodes.add(inode)) ? size : 0;
    }

    private static void expect(boolean ok, String reason) throws FleetHandler.Refused {
        if (!ok) {
            throw new FleetHandler.Refused(HttpStatus.BAD_REQUEST_400, "tree: " + reason);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
        try (OutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
