package dev.snoop.image;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * The files of an image archive or layout directory, by their name inside it ({@code index.json},
 * {@code blobs/sha256/...}, {@code abc/layer.tar}). Names come from the image's own manifests, so
 * implementations refuse any that would leave the archive or directory.
 */
interface Blobs extends Closeable {
    /** Bytes of a small document such as a manifest; larger than this is not a manifest. */
    int SMALL_LIMIT = 16 << 20;

    /** What the blobs are, e.g. {@code image.tar}, for messages. */
    String describe();

    boolean exists(String name);

    /** Opens {@code name}. @throws dev.snoop.core.SnoopException if it does not exist or is unsafe */
    InputStream open(String name) throws IOException;

    /** Reads {@code name} whole, refusing more than {@link #SMALL_LIMIT} bytes. */
    default byte[] readSmall(String name) throws IOException {
        try (InputStream in = open(name)) {
            byte[] bytes = in.readNBytes(SMALL_LIMIT + 1);
            if (bytes.length > SMALL_LIMIT) {
                throw new dev.snoop.core.SnoopException(describe() + ": " + name + " is larger than "
                        + (SMALL_LIMIT >> 20) + " MB, too large for an image document");
            }
            return bytes;
        }
    }

    @Override
    default void close() throws IOException {}
}
