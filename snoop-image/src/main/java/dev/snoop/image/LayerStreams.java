package dev.snoop.image;

import dev.snoop.core.SnoopException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Opens a layer blob as an uncompressed tar stream, recognizing the compression by its magic bytes. */
final class LayerStreams {
    private LayerStreams() {}

    /**
     * @param mediaType the descriptor's media type, or null (docker save archives have none)
     * @throws SnoopException for a compression snoop does not read (zstd, xz, bzip2)
     */
    static InputStream uncompressed(InputStream raw, String mediaType, String where) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (startsWith(magic, 0x1f, 0x8b)) {
            // the tar reader reads 512-byte records and skips file contents: give it big reads,
            // and skip by reading large blocks (InflaterInputStream.skip inflates 512 bytes a call)
            return new BufferedInputStream(new SkipByReading(new GZIPInputStream(in, 1 << 16)), 1 << 16);
        }
        String refused = null;
        if (startsWith(magic, 0x28, 0xb5, 0x2f, 0xfd) || (mediaType != null && mediaType.endsWith("+zstd"))) {
            refused = "zstd";
        } else if (startsWith(magic, 0xfd, '7', 'z', 'X', 'Z', 0)) {
            refused = "xz";
        } else if (startsWith(magic, 'B', 'Z', 'h')) {
            refused = "bzip2";
        }
        if (refused != null) {
            throw new SnoopException(where + ": " + refused + "-compressed layers are not supported; "
                    + "convert the image first, e.g. skopeo copy --dest-compress-format gzip");
        }
        return in;
    }

    private static boolean startsWith(byte[] bytes, int... magic) {
        if (bytes.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((bytes[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** Implements {@link #skip} by reading into a large scratch buffer. */
    private static final class SkipByReading extends java.io.FilterInputStream {
        private final byte[] scratch = new byte[1 << 16];

        SkipByReading(InputStream in) {
            super(in);
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = 0;
            while (skipped < n) {
                int r = in.read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }
    }

    /** Reads what is left after the tar's end marker (padding, the gzip trailer). */
    static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (in.read(buf) >= 0) {
            // discard
        }
    }
}
