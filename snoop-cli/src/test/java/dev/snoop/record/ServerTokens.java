package dev.snoop.record;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Lines of a {@code snoop serve} tokens file, for the tests that start a server. */
public final class ServerTokens {
    private ServerTokens() {}

    /** The token as a tokens file holds it: the lower-case hex of its UTF-8 bytes' SHA-256. */
    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JRE has SHA-256", e);
        }
    }
}
