package dev.snoop.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An image's tree summary: what {@code snoop unused} needs of an image, without its contents, as
 * JSON that a {@code snoop serve} keeps (docs/fleet.md#image-trees). Each entry is a path with
 * its type, mode and size; a symlink's target; a file's inode number (hard links share one) and
 * ELF interpreter; and the package database files, so that an image read back from its tree gives
 * the same {@link UnusedAnalysis} as the image itself.
 *
 * <pre>
 * {"schema_version": 1, "image_digest": "sha256:...", "format": "OCI image layout",
 *  "digests": [...], "refs": ["shop:1.4"],
 *  "entries": [{"path": "/bin", "type": "symlink", "mode": 511, "target": "usr/bin"},
 *              {"path": "/usr/bin/sh", "type": "file", "mode": 493, "size": 125688, "inode": 7,
 *               "interpreter": "/lib64/ld-linux-x86-64.so.2"}, ...],
 *  "package_files": {"/var/lib/dpkg/status": "BASE64", ...}}
 * </pre>
 */
public final class ImageTree {
    public static final int SCHEMA_VERSION = 1;
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final String[] TYPES = {"none", "dir", "file", "symlink", "other"};

    private ImageTree() {}

    /**
     * Writes the tree summary of {@code image}, entries in path order (parents first).
     *
     * @param digest the digest the tree is kept under: the one the reports of the image carry
     */
    public static void write(Image image, String digest, OutputStream out) throws IOException {
        java.util.Objects.requireNonNull(digest, "digest");
        FileTree tree = image.tree();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("schema_version", SCHEMA_VERSION);
            json.writeStringField("image_digest", digest);
            json.writeStringField("format", image.format());
            Set<String> all = new java.util.TreeSet<>(image.digests());
            all.add(digest);
            strings(json, "digests", all);
            strings(json, "refs", image.refs());
            json.writeArrayFieldStart("entries");
            // inodes renumbered in path order, so that the same tree is always the same bytes
            Map<Integer, Integer> inodes = new HashMap<>();
            List<Integer> stack = new ArrayList<>(children(tree, FileTree.ROOT));
            while (!stack.isEmpty()) {
                int node = stack.remove(stack.size() - 1);
                byte type = tree.type(node);
                json.writeStartObject();
                json.writeStringField("path", tree.path(node));
                json.writeStringField("type", TYPES[type]);
                json.writeNumberField("mode", tree.mode(node));
                if (type == FileTree.FILE) {
                    json.writeNumberField("size", tree.size(node));
                    Integer seen = inodes.putIfAbsent(tree.inode(node), inodes.size() + 1);
                    json.writeNumberField("inode", seen != null ? seen : inodes.size());
                    String interpreter = tree.interpreter(node);
                    if (interpreter != null && seen == null) {
                        json.writeStringField("interpreter", interpreter);
                    }
                } else if (type == FileTree.SYMLINK) {
                    json.writeStringField("target", tree.linkTarget(node));
                }
                json.writeEndObject();
                if (type == FileTree.DIR) {
                    stack.addAll(children(tree, node));
                }
            }
            json.writeEndArray();
            json.writeObjectFieldStart("package_files");
            for (Map.Entry<String, byte[]> f : image.packageFiles().entrySet()) {
                json.writeStringField(f.getKey(), Base64.getEncoder().encodeToString(f.getValue()));
            }
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    /** The live children of {@code dir}, in reverse name order: popped from a stack, they come out sorted. */
    private static List<Integer> children(FileTree tree, int dir) {
        List<Integer> nodes = new ArrayList<>();
        tree.forEachChild(dir, nodes::add);
        List<byte[]> names = new ArrayList<>();
        Map<byte[], Integer> byName = new java.util.IdentityHashMap<>();
        for (int n : nodes) {
            byte[] name = tree.name(n).getBytes(StandardCharsets.UTF_8);
            names.add(name);
            byName.put(name, n);
        }
        names.sort((a, b) -> Arrays.compareUnsigned(b, a));
        List<Integer> out = new ArrayList<>(names.size());
        names.forEach(name -> out.add(byName.get(name)));
        return out;
    }

    /**
     * Reads a tree summary back into an image, as {@link Image#read} would have read the image.
     *
     * @param source what the image is called in messages and in the result (e.g. the server reference)
     * @throws SnoopException naming {@code source} if this is not a tree summary
     */
    public static Image read(byte[] json, String source) {
        FileTree tree = new FileTree();
        Map<String, byte[]> packageFiles = new TreeMap<>();
        Map<Long, Integer> inodes = new HashMap<>();
        String digest = null;
        String format = null;
        Set<String> digests = new LinkedHashSet<>();
        Set<String> refs = new LinkedHashSet<>();
        int version = -1;
        try (JsonParser p = FACTORY.createParser(json)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, source, "not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "schema_version" -> version = p.getValueAsInt(-1);
                    case "image_digest" -> digest = p.getValueAsString();
                    case "format" -> format = p.getValueAsString();
                    case "digests" -> readStrings(p, digests, source);
                    case "refs" -> readStrings(p, refs, source);
                    case "entries" -> {
                        expect(p.currentToken() == JsonToken.START_ARRAY, source, "entries is not an array");
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            entry(p, tree, inodes, source);
                        }
                    }
                    case "package_files" -> {
                        expect(p.currentToken() == JsonToken.START_OBJECT, source, "package_files is not an object");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String path = p.currentName();
                            p.nextToken();
                            packageFiles.put(path, Base64.getDecoder().decode(p.getValueAsString("")));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new SnoopException(source + ": not an image tree: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            throw new SnoopException(source + ": not an image tree: " + e.getMessage());
        }
        expect(version == SCHEMA_VERSION, source, "schema_version is not " + SCHEMA_VERSION);
        expect(digest != null, source, "no image_digest");
        digests.add(digest);
        return Image.of(Path.of(source), "image tree (" + (format == null ? "unknown format" : format) + ")", tree, digest,
                Set.copyOf(digests), Set.copyOf(refs), packageFiles);
    }

    private static void entry(JsonParser p, FileTree tree, Map<Long, Integer> inodes, String source) throws IOException {
        String path = null;
        String type = null;
        String target = null;
        String interpreter = null;
        long size = 0;
        int mode = 0644;
        Long inode = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "path" -> path = p.getValueAsString();
                case "type" -> type = p.getValueAsString();
                case "target" -> target = p.getValueAsString();
                case "interpreter" -> interpreter = p.getValueAsString();
                case "size" -> size = p.getValueAsLong();
                case "mode" -> mode = p.getValueAsInt();
                case "inode" -> inode = p.getValueAsLong();
                default -> p.skipChildren();
            }
        }
        List<String> components = path == null ? null : EntryNames.split(path);
        expect(components != null && path.startsWith("/"), source, "an entry without an absolute path");
        byte kind = switch (type == null ? "" : type) {
            case "dir" -> FileTree.DIR;
            case "file" -> FileTree.FILE;
            case "symlink" -> FileTree.SYMLINK;
            case "other" -> FileTree.OTHER;
            default -> throw new SnoopException(source + ": not an image tree: entry " + path + ": unknown type '" + type + "'");
        };
        expect(kind != FileTree.SYMLINK || target != null, source, "symlink " + path + " without a target");
        Integer linked = kind == FileTree.FILE && inode != null ? inodes.get(inode) : null;
        int node = tree.put(components, kind, size, mode, target, linked == null ? FileTree.MISSING : linked, 1);
        if (kind == FileTree.FILE && inode != null && linked == null) {
            inodes.put(inode, node);
        }
        if (interpreter != null) {
            tree.setInterpreter(node, interpreter);
        }
    }

    private static void readStrings(JsonParser p, Set<String> into, String source) throws IOException {
        expect(p.currentToken() == JsonToken.START_ARRAY, source, "not an array of strings");
        while (p.nextToken() == JsonToken.VALUE_STRING) {
            into.add(p.getText());
        }
    }

    private static void strings(JsonGenerator json, String field, Set<String> values) throws IOException {
        json.writeArrayFieldStart(field);
        for (String v : new java.util.TreeSet<>(values)) {
            json.writeString(v);
        }
        json.writeEndArray();
    }

    private static void expect(boolean ok, String source, String reason) {
        if (!ok) {
            throw new SnoopException(source + ": not an image tree: " + reason);
        }
    }
}
