package dev.snoop.server;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The bearer tokens the server accepts, each scoped to namespaces, read from a file
 * ({@code --tokens-file}) that holds only their SHA-256, one a line:
 *
 * <pre>
 * # sha256 of the token (printf %s "$TOKEN" | sha256sum), then the namespaces it may report for
 * 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 shop,cart
 * 60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752 *
 * </pre>
 *
 * <p>{@code *} allows every namespace and reports without one (a host's). A presented token is
 * hashed and compared with every entry in constant time, so neither the answer's timing nor a
 * log (tokens are never logged, only their count) tells anything about a valid one.
 */
final class Tokens {
    static final String ANY_NAMESPACE = "*";
    private static final HexFormat HEX = HexFormat.of();

    /** One accepted token: its SHA-256 and what it may report for. */
    record Entry(byte[] sha256, Set<String> namespaces) {
        /** Who it is, for a rate limit's bucket: the hash, never the token. */
        String identity() {
            return HEX.formatHex(sha256);
        }

        boolean allows(String namespace) {
            return namespaces.contains(ANY_NAMESPACE) || namespace != null && namespaces.contains(namespace);
        }
    }

    private final List<Entry> entries;

    Tokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads a tokens file.
     *
     * @throws SnoopException naming the file and line of what is wrong with it
     */
    static Tokens load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SnoopException("" + file + ": no such file");
        } catch (IOException e) {
            throw new SnoopException("" + file + ": cannot read: " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            String where = file + ": line " + (i + 1) + ": ";
            if (fields.length != 2) {
                throw new SnoopException(where + "expected 'SHA256HEX NAMESPACE[,NAMESPACE...]'");
            }
            if (!fields[0].matches("[0-9a-fA-F]{64}")) {
                // never echo the field: it may be a token pasted in by mistake
                throw new SnoopException(where + "the first field is not a SHA-256 in hex (64 hex digits)");
            }
            Set<String> namespaces = Set.of(fields[1].split(","));
            if (namespaces.contains("")) {
                throw new SnoopException(where + "empty namespace in '" + fields[1] + "'");
            }
            entries.add(new Entry(HEX.parseHex(fields[0].toLowerCase(java.util.Locale.ROOT)), namespaces));
        }
        return new Tokens(entries);
    }

    int size() {
        return entries.size();
    }

    /** The entry of the token in an {@code Authorization} header's value, or null if none matches. */
    Entry authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).strip();
        if (token.isEmpty()) {
            return null;
        }
        byte[] hash = sha256(token);
        Entry found = null;
        for (Entry entry : entries) {
            // no early exit: every entry costs the same, matched or not
            if (MessageDigest.isEqual(entry.sha256(), hash) && found == null) {
                found = entry;
            }
        }
        return found;
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    static String sha256Hex(String token) {
        return HEX.formatHex(sha256(token));
    }
}
