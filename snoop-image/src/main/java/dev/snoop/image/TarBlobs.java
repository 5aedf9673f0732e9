package dev.snoop.image;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.QuotedPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * The files of an image tar ({@code skopeo copy oci-archive:}, {@code ctr export},
 * {@code docker save}), read in place: the tar's headers are indexed once and each file is a
 * window onto the archive, so nothing is unpacked. Symlinked entries (docker save links repeated
 * layers) are followed within the archive.
 */
final class TarBlobs implements Blobs {
    private static final int MAX_LINKS = 8;

    private final Path file;
    private final TarFile tar;
    private final Map<String, TarArchiveEntry> entries = new HashMap<>();

    TarBlobs(Path file) throws IOException {
        this.file = file;
        try {
            this.tar = new TarFile(file);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // commons-compress reports some malformed headers (a bad number field) unchecked
            throw new SnoopException(file + ": not a valid tar archive: " + e.getMessage(), e);
        }
        for (TarArchiveEntry e : tar.getEntries()) {
            List<String> path = EntryNames.split(e.getName());
            if (path != null && !path.isEmpty() && !e.isDirectory()) {
                entries.put(String.join("/", path), e);
            }
        }
    }

    @Override
    public String describe() {
        return file.toString();
    }

    /** True if the archive has no entries at all. */
    boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public boolean exists(String name) {
        List<String> path = EntryNames.split(name);
        return path != null && !path.isEmpty() && entries.containsKey(String.join("/", path));
    }

    @Override
    public InputStream open(String name) throws IOException {
        List<String> path = EntryNames.split(name);
        if (path == null || path.isEmpty()) {
            throw new SnoopException(describe() + ": " + EntryNames.shown(name) + " is outside the archive");
        }
        String key = String.join("/", path);
        for (int hops = 0; hops <= MAX_LINKS; hops++) {
            TarArchiveEntry e = entries.get(key);
            if (e == null) {
                throw new SnoopException(describe() + ": " + QuotedPaths.quote(name) + " is missing from the archive");
            }
            if (!e.isSymbolicLink() && !e.isLink()) {
                return tar.getInputStream(e);
            }
            String target = e.getLinkName();
            List<String> next = EntryNames.split(e.isLink() || target.startsWith("/")
                    ? target : key.substring(0, Math.max(0, key.lastIndexOf('/') + 1)) + target);
            if (next == null || next.isEmpty()) {
                throw new SnoopException(describe() + ": " + QuotedPaths.quote(name) + " links to outside the archive");
            }
            key = String.join("/", next);
        }
        throw new SnoopException(describe() + ": " + QuotedPaths.quote(name) + ": too many levels of links");
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
