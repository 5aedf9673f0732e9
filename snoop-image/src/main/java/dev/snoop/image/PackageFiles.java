package dev.snoop.image;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The package-database files of an image, kept in memory as the layers stream past: dpkg's
 * {@code var/lib/dpkg/status} and {@code var/lib/dpkg/info/*.list}, apk's
 * {@code lib/apk/db/installed}. A later layer's copy replaces an earlier one; a copy whose path was
 * removed or replaced since is dropped by {@link #live}.
 */
final class PackageFiles {
    static final String DPKG_STATUS = "/var/lib/dpkg/status";
    static final String DPKG_INFO = "/var/lib/dpkg/info/";
    static final String APK_INSTALLED = "/lib/apk/db/installed";
    /** Bytes kept over all files: a real database is a few megabytes. */
    private static final long LIMIT = 256L << 20;

    private record Captured(int inode, byte[] content) {}

    private final Map<String, Captured> files = new TreeMap<>();
    private long bytes;

    static boolean wanted(List<String> path) {
        int n = path.size();
        if (n == 4 && path.get(0).equals("var") && path.get(1).equals("lib") && path.get(2).equals("dpkg")) {
            return path.get(3).equals("status");
        }
        if (n == 5 && path.get(0).equals("var") && path.get(1).equals("lib") && path.get(2).equals("dpkg")
                && path.get(3).equals("info")) {
            return path.get(4).endsWith(".list");
        }
        return n == 4 && path.get(0).equals("lib") && path.get(1).equals("apk") && path.get(2).equals("db")
                && path.get(3).equals("installed");
    }

    static boolean wanted(String absolutePath) {
        return wanted(EntryNames.split(absolutePath));
    }

    /** Keeps the content of the file at {@code path}, {@code size} bytes read from {@code in}. */
    void capture(String path, int inode, InputStream in, long size, String where) throws IOException {
        if (bytes + size > LIMIT) {
            throw new SnoopException(where + ": package database file " + path + " makes the database larger than "
                    + (LIMIT >> 20) + " MB; this is not a real package database");
        }
        byte[] content = in.readNBytes((int) size);
        put(path, inode, content);
    }

    /** Keeps {@code content} as the file at {@code path} (root filesystems are read afterwards). */
    void put(String path, int inode, byte[] content) {
        Captured old = files.put(path, new Captured(inode, content));
        bytes += content.length - (old == null ? 0 : old.content.length);
    }

    /** A hard link made {@code path} share {@code target}'s content. */
    void linked(String target, String path, int inode) {
        Captured c = files.get(target);
        if (c != null && wanted(path)) {
            put(path, inode, c.content);
        }
    }

    /** The files that are still in the final tree, by absolute path, sorted. */
    Map<String, byte[]> live(FileTree tree) {
        Map<String, byte[]> out = new TreeMap<>();
        files.forEach((path, c) -> {
            int node = tree.lookup(EntryNames.split(path));
            if (node != FileTree.MISSING && tree.type(node) == FileTree.FILE && tree.inode(node) == c.inode) {
                out.put(path, c.content);
            }
        });
        return out;
    }
}
