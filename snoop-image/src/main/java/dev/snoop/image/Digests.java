package dev.snoop.image;

import dev.snoop.core.SnoopException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Content digests ({@code sha256:<hex>}) and a stream that checks one as it is read. */
final class Digests {
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("sha512:[0-9a-f]{128}");

    private Digests() {}

    /** The blob path of a digest in an OCI layout. @throws SnoopException if it is malformed */
    static String blobPath(String digest, String where) {
        check(digest, where);
        return "blobs/" + digest.replace(':', '/');
    }

    static void check(String digest, String where) {
        if (!SHA256.matcher(digest).matches() && !SHA512.matcher(digest).matches()) {
            throw new SnoopException(where + ": unsupported or malformed digest '" + digest + "'");
        }
    }

    static String of(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha("sha256").digest(bytes));
    }

    static void verify(byte[] bytes, String expected, String where) {
        check(expected, where);
        MessageDigest md = sha(expected.substring(0, expected.indexOf(':')));
        String actual = expected.substring(0, expected.indexOf(':') + 1) + HexFormat.of().formatHex(md.digest(bytes));
        if (!actual.equals(expected)) {
            throw mismatch(where, actual);
        }
    }

    private static SnoopException mismatch(String where, String actual) {
        return new SnoopException(where + ": digest mismatch: the content hashes to " + actual);
    }

    private static MessageDigest sha(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hashes what passes through; {@link #finish} drains the rest and compares. */
    static final class Checking extends FilterInputStream {
        private final String expected;
        private final long expectedSize;
        private final MessageDigest md;
        private final String where;
        private long size;

        /** @param expectedSize the size the descriptor gives, or -1 */
        Checking(InputStream in, String expected, long expectedSize, String where) {
            super(in);
            check(expected, where);
            this.expected = expected;
            this.expectedSize = expectedSize;
            this.md = sha(expected.substring(0, expected.indexOf(':')));
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                md.update((byte) b);
                size++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                md.update(buf, off, n);
                size += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // every byte must be hashed
            byte[] buf = new byte[8192];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        /** Reads to the end and fails if the content is not what the digest promised. */
        void finish() throws IOException {
            byte[] buf = new byte[1 << 16];
            while (read(buf, 0, buf.length) >= 0) {
                // drain: the digest covers every byte, padding included
            }
            String actual = expected.substring(0, expected.indexOf(':') + 1) + HexFormat.of().formatHex(md.digest());
            if (!actual.equals(expected)) {
                throw mismatch(where, actual);
            }
            if (expectedSize >= 0 && size != expectedSize) {
                throw new SnoopException(where + ": size mismatch: " + size + " bytes, the manifest says " + expectedSize);
            }
        }
    }
}
