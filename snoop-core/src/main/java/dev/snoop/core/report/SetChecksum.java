package dev.snoop.core.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * An order-independent checksum of a set of files with their access kinds, as the sidecar and
 * {@code snoop serve} both compute it to tell whether a delta brought the server's copy of a
 * recording to exactly the sidecar's (docs/server.md, "Deltas").
 *
 * <p>A file's hash is the first 8 bytes, big-endian, of SHA-256 over the path's UTF-8 bytes, one
 * 0x00 byte and the access bits as one byte. The set's checksum is the sum of its files' hashes
 * modulo 2^64, together with the number of files. A sum, not a hash of a sorted list, so that the
 * server can keep it with each insert (add a new file's hash; for a file that gained an access
 * kind, subtract the old hash and add the new one) without reading the set again.
 *
 * @param sum the sum of the file hashes, modulo 2^64 (as a signed long)
 * @param files how many files
 */
public record SetChecksum(long sum, long files) {
    public static final SetChecksum EMPTY = new SetChecksum(0, 0);

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    /** The hash of one file with its {@link AccessKind} bits. */
    public static long fileHash(String path, int access) {
        MessageDigest digest = SHA256.get();
        digest.update(path.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update((byte) access);
        byte[] d = digest.digest();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = h << 8 | (d[i] & 0xff);
        }
        return h;
    }

    /** This set with one more file of hash {@code hash}. */
    public SetChecksum plus(long hash) {
        return new SetChecksum(sum + hash, files + 1);
    }

    /** This set and {@code other}, disjoint from it. */
    public SetChecksum plus(SetChecksum other) {
        return new SetChecksum(sum + other.sum, files + other.files);
    }

    /** This set with the file of hash {@code oldHash} now of hash {@code newHash} (an access kind gained). */
    public SetChecksum replaced(long oldHash, long newHash) {
        return new SetChecksum(sum - oldHash + newHash, files);
    }

    /** The sum as 16 lower-case hex digits, as it goes on the wire. */
    public String hex() {
        return HexFormat.of().toHexDigits(sum);
    }

    /** The sum from {@link #hex()}'s form (1 to 16 hex digits). */
    public static long parseSum(String hex) {
        if (hex.isEmpty() || hex.length() > 16) {
            throw new IllegalArgumentException("a checksum is 1 to 16 hex digits");
        }
        return Long.parseUnsignedLong(hex.toLowerCase(Locale.ROOT), 16);
    }

    /** The checksum of every file of every container of {@code report}, as the sidecar sends it. */
    public static SetChecksum of(Report report) {
        long sum = 0;
        long files = 0;
        for (ContainerReport container : report.containers()) {
            int i = 0;
            for (String path : container.files()) {
                sum += fileHash(path, container.access() == null ? 0 : container.access().bitsAt(i));
                i++;
                files++;
            }
        }
        return new SetChecksum(sum, files);
    }

    @Override
    public String toString() {
        return hex() + "/" + files;
    }
}
