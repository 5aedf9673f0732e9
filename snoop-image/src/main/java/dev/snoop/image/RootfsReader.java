package dev.snoop.image;

import dev.snoop.core.path.QuotedPaths;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a root filesystem directory (an unpacked image, a chroot) into a {@link FileTree}. Symlinks
 * are recorded, never followed, so a link to {@code /} or {@code ../../host} reads nothing of the
 * host. Hard links are recognized by device and inode where the platform exposes them.
 */
final class RootfsReader {
    private final Path root;
    private final FileTree tree;
    private final PackageFiles packageFiles;
    private final Consumer<String> warnings;
    private final Map<String, Integer> inodes = new HashMap<>();
    private boolean unixAttributes = true;
    private int unreadable;
    private String unreadableExample;

    RootfsReader(Path root, FileTree tree, PackageFiles packageFiles, Consumer<String> warnings) {
        this.root = root;
        this.tree = tree;
        this.packageFiles = packageFiles;
        this.warnings = warnings;
    }

    void read() throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    add(dir, attrs);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                add(file, attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                if (unreadable++ == 0) {
                    unreadableExample = QuotedPaths.quote(root.relativize(file).toString()) + ": " + e.getClass().getSimpleName();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (unreadable > 0) {
            warnings.accept(root + ": could not read " + unreadable + " " + LayerApplier.plural(unreadable, "entry")
                    + "; they are missing from the analysis (first: " + unreadableExample + ")");
        }
    }

    private void add(Path file, BasicFileAttributes attrs) throws IOException {
        List<String> path = new ArrayList<>();
        for (Path p : root.relativize(file)) {
            path.add(p.toString());
        }
        Map<String, Object> unix = unix(file);
        int mode = unix == null ? (attrs.isDirectory() ? 0755 : 0644) : ((Integer) unix.get("mode")) & 07777;
        if (attrs.isSymbolicLink()) {
            String target = Files.readSymbolicLink(file).toString();
            tree.put(path, FileTree.SYMLINK, 0, mode, target, FileTree.MISSING, 1);
        } else if (attrs.isDirectory()) {
            tree.put(path, FileTree.DIR, 0, mode, null, FileTree.MISSING, 1);
        } else if (attrs.isRegularFile()) {
            int linkOf = FileTree.MISSING;
            String key = null;
            if (unix != null && ((Integer) unix.get("nlink")) > 1) {
                key = unix.get("dev") + ":" + unix.get("ino");
                linkOf = inodes.getOrDefault(key, FileTree.MISSING);
            }
            int node = tree.put(path, FileTree.FILE, attrs.size(), mode, null, linkOf, 1);
            if (key != null && linkOf == FileTree.MISSING) {
                inodes.put(key, node);
            }
            if ((mode & 0111) != 0) {
                tree.setInterpreter(node, interpreter(file));
            }
            if (PackageFiles.wanted(path)) {
                // the walk reached it through real directories only, so this reads inside the root
                packageFiles.put(EntryNames.join(path), tree.inode(node), Files.readAllBytes(file));
            }
        } else {
            tree.put(path, FileTree.OTHER, 0, mode, null, FileTree.MISSING, 1);
        }
    }

    /** The ELF interpreter of an executable file, or null; an unreadable file has none. */
    private static String interpreter(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] head = in.readNBytes(ElfInterpreter.HEAD);
            return ElfInterpreter.of(head, head.length);
        } catch (IOException e) {
            return null;
        }
    }

    private Map<String, Object> unix(Path file) {
        if (!unixAttributes) {
            return null;
        }
        try {
            return Files.readAttributes(file, "unix:mode,nlink,dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            unixAttributes = false;
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
