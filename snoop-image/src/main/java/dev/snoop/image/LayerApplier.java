package dev.snoop.image;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Applies layer tars to a {@link FileTree} in order, as a container runtime extracts them, but
 * without writing anything: entries become nodes, {@code .wh.NAME} removes NAME from the layers
 * below and {@code .wh..wh..opq} makes its directory opaque.
 *
 * <p>Names that climb above the root are refused; absolute names and symlinks that point above the
 * root are contained (taken inside the root, as the container sees them) and counted for one
 * warning per layer. The package databases are captured as they stream past.
 */
final class LayerApplier {
    static final String WHITEOUT = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";

    private final FileTree tree;
    private final PackageFiles packageFiles;
    private final Consumer<String> warnings;
    private int layerIndex;
    private final byte[] scratch = new byte[1 << 16];

    LayerApplier(FileTree tree, PackageFiles packageFiles, Consumer<String> warnings) {
        this.tree = tree;
        this.packageFiles = packageFiles;
        this.warnings = warnings;
    }

    FileTree tree() {
        return tree;
    }

    /**
     * Applies the next layer.
     *
     * @param tar the uncompressed layer tar; read to its end-of-archive marker, not closed
     * @param where the image and layer, for messages
     */
    void apply(InputStream tar, String where) throws IOException {
        layerIndex++;
        if (layerIndex > Short.MAX_VALUE) {
            throw new SnoopException(where + ": more than " + Short.MAX_VALUE + " layers");
        }
        int absolute = 0;
        String absoluteExample = null;
        int outside = 0;
        String outsideExample = null;
        TarArchiveInputStream in = new TarArchiveInputStream(new CheckedTarInputStream(tar, where));
        TarArchiveEntry entry;
        while ((entry = nextEntry(in, where)) != null) {
            String name = entry.getName();
            List<String> path = EntryNames.split(name);
            if (path == null) {
                throw new SnoopException(where + ": entry " + EntryNames.shown(name) + " escapes the image root");
            }
            if (name.startsWith("/") && absolute++ == 0) {
                absoluteExample = name;
            }
            if (path.isEmpty()) {
                if (entry.isDirectory()) {
                    tree.put(path, FileTree.DIR, 0, entry.getMode() & 07777, null, FileTree.MISSING, layerIndex);
                }
                continue;
            }
            String base = path.get(path.size() - 1);
            if (base.startsWith(WHITEOUT)) {
                whiteout(path, base);
                continue;
            }
            int mode = entry.getMode() & 07777;
            if (entry.isDirectory()) {
                tree.put(path, FileTree.DIR, 0, mode, null, FileTree.MISSING, layerIndex);
            } else if (entry.isSymbolicLink()) {
                String target = entry.getLinkName();
                if (EntryNames.climbsAboveRoot(path, target) && outside++ == 0) {
                    outsideExample = EntryNames.join(path) + " -> " + target;
                }
                tree.put(path, FileTree.SYMLINK, 0, mode, target, FileTree.MISSING, layerIndex);
            } else if (entry.isLink()) {
                hardLink(entry, path, mode, where);
            } else if (entry.isFile()) {
                long size = entry.isSparse() ? entry.getRealSize() : entry.getSize();
                int node = tree.put(path, FileTree.FILE, size, mode, null, FileTree.MISSING, layerIndex);
                if (PackageFiles.wanted(path)) {
                    packageFiles.capture(EntryNames.join(path), tree.inode(node), in, size, where);
                } else {
                    // read past the content here: the tar reader's own skip allocates a buffer per entry;
                    // an executable's start is looked at for its ELF interpreter on the way
                    int head = (mode & 0111) != 0 ? in.readNBytes(scratch, 0, ElfInterpreter.HEAD) : 0;
                    tree.setInterpreter(node, ElfInterpreter.of(scratch, head));
                    while (in.read(scratch, 0, scratch.length) > 0) {
                        // discard
                    }
                }
            } else {
                // devices and FIFOs: they take no bytes but are part of the tree
                tree.put(path, FileTree.OTHER, 0, mode, null, FileTree.MISSING, layerIndex);
            }
        }
        if (absolute > 0) {
            warnings.accept(where + ": took " + absolute + " absolute entry " + plural(absolute, "name")
                    + " relative to the image root (first: '" + absoluteExample + "')");
        }
        if (outside > 0) {
            warnings.accept(where + ": " + outside + (outside == 1 ? " symlink points" : " symlinks point") + " above the image root; "
                    + "resolved inside it, as the container sees them (first: " + outsideExample + ")");
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream in, String where) {
        try {
            return in.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw new SnoopException(where + ": not a valid tar archive: " + e.getMessage(), e);
        }
    }

    private void whiteout(List<String> path, String base) {
        List<String> dirPath = path.subList(0, path.size() - 1);
        int dir = tree.lookup(dirPath);
        if (dir == FileTree.MISSING || tree.type(dir) != FileTree.DIR) {
            return; // hides something no lower layer has
        }
        if (base.equals(OPAQUE)) {
            tree.removeLowerLayers(dir, layerIndex);
        } else if (base.startsWith(WHITEOUT + WHITEOUT)) {
            // other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not part of the tree
        } else {
            int victim = tree.child(dir, base.substring(WHITEOUT.length()));
            if (victim != FileTree.MISSING) {
                tree.remove(victim);
            }
        }
    }

    private void hardLink(TarArchiveEntry entry, List<String> path, int mode, String where) {
        String linkName = entry.getLinkName();
        List<String> targetPath = EntryNames.split(linkName);
        if (targetPath == null) {
            throw new SnoopException(where + ": hard link " + EntryNames.shown(entry.getName()) + " to " + EntryNames.shown(linkName) + " escapes the image root");
        }
        int target = tree.lookup(targetPath);
        if (target == FileTree.MISSING || tree.type(target) != FileTree.FILE) {
            warnings.accept(where + ": hard link " + EntryNames.shown(entry.getName()) + " to " + EntryNames.shown(linkName)
                    + ", which is not a file in the image; counted as an empty file");
            tree.put(path, FileTree.FILE, 0, mode, null, FileTree.MISSING, layerIndex);
            return;
        }
        int node = tree.put(path, FileTree.FILE, tree.size(target), mode, null, target, layerIndex);
        packageFiles.linked(EntryNames.join(targetPath), EntryNames.join(path), tree.inode(node));
    }

    static String plural(long n, String word) {
        return n == 1 ? word : word + "s";
    }
}
