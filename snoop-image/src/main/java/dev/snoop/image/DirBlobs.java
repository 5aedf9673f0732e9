package dev.snoop.image;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.QuotedPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** The files of an image layout directory (OCI layout, or an unpacked docker save archive). */
final class DirBlobs implements Blobs {
    private final Path dir;
    private final Path realDir;

    DirBlobs(Path dir) throws IOException {
        this.dir = dir;
        this.realDir = dir.toRealPath();
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    @Override
    public boolean exists(String name) {
        List<String> path = EntryNames.split(name);
        return path != null && !path.isEmpty() && Files.isRegularFile(dir.resolve(String.join("/", path)));
    }

    @Override
    public InputStream open(String name) throws IOException {
        List<String> path = EntryNames.split(name);
        if (path == null || path.isEmpty()) {
            throw new SnoopException(describe() + ": " + EntryNames.shown(name) + " is outside the image directory");
        }
        Path file = dir.resolve(String.join("/", path));
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SnoopException(describe() + ": " + QuotedPaths.quote(name) + " is missing");
        }
        // a blob may be a symlink (deduplicated layouts), but never to outside the directory
        if (!file.toRealPath().startsWith(realDir)) {
            throw new SnoopException(describe() + ": " + QuotedPaths.quote(name) + " is a symlink to outside the image directory");
        }
        return Files.newInputStream(file);
    }
}
