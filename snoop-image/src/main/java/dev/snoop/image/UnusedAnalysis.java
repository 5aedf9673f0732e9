package dev.snoop.image;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.path.SortedPathsBuilder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Compares an image's file tree with what reports used, and closes the keep list.
 *
 * <p>A used path is resolved inside the image as the container resolved it: every symlink on the
 * way is kept and followed, relative targets from the link's directory, absolute ones from the
 * image root. A kept node keeps its parent directories, and a kept symlink keeps what it resolves
 * to (the closure runs until no new symlink is kept, so chains and links inside targets are
 * covered, also for paths that turned out not to exist). Finally every symlink that resolves to
 * something kept is kept too, since the kernel resolves some names (the ELF interpreter's) before
 * the recorder sees them. A kept ELF executable keeps its program interpreter ({@code PT_INTERP}),
 * and a used path the image lacks (created at run time) keeps its nearest existing directory.
 */
public final class UnusedAnalysis {
    private final FileTree tree;
    private final BitSet kept = new BitSet();
    private final Deque<Integer> newSymlinks = new ArrayDeque<>();
    private final Deque<Integer> newExecutables = new ArrayDeque<>();
    private final List<String> createdAtRunTime = new ArrayList<>();

    private UnusedAnalysis(FileTree tree) {
        this.tree = tree;
    }

    /**
     * @param usedIn a file counts as used when at least this many reports saw it (1: removable
     *     only if unused in all)
     */
    public static UnusedResult analyze(Image image, Usage usage, int usedIn, Consumer<String> warnings) {
        if (usedIn < 1) {
            throw new IllegalArgumentException("usedIn must be at least 1");
        }
        UnusedAnalysis a = new UnusedAnalysis(image.tree());
        long usedPaths = 0;
        long notInImage = 0;
        SortedPaths.Cursor cursor = usage.counted().cursor();
        while (cursor.next()) {
            if (cursor.count() < usedIn) {
                continue;
            }
            usedPaths++;
            int node = a.tree.resolve(cursor.bytes(), cursor.length(), true, a::keep);
            if (node == FileTree.MISSING) {
                notInImage++;
                String path = cursor.path();
                if (a.keepNearestAncestor(path) && !UnusedAnalysis.mounted(path)) {
                    a.createdAtRunTime.add(path);
                }
            } else {
                a.keep(node);
            }
            a.close();
        }
        a.keepLinksToKept();
        return a.result(image, usage, usedIn, usedPaths, notInImage, warnings);
    }

    /**
     * Keeps {@code node} and its parents; a symlink is queued so that its target is kept too, an
     * ELF executable so that its interpreter is.
     */
    private void keep(int node) {
        for (int n = node; n != FileTree.ROOT && !kept.get(n); n = tree.parent(n)) {
            kept.set(n);
            if (tree.type(n) == FileTree.SYMLINK) {
                newSymlinks.add(n);
            } else if (tree.interpreter(n) != null) {
                newExecutables.add(n);
            }
        }
    }

    /** Paths on the file systems a runtime mounts (not files a program created). */
    private static boolean mounted(String path) {
        return path.startsWith("/proc/") || path.startsWith("/sys/") || path.startsWith("/dev/");
    }

    /**
     * For a used path the image lacks (a pid file, a socket, a cache written at run time): keeps
     * the nearest directory above it that the image has, and so every directory above that one.
     * Without it an empty {@code /run} would be dropped and nginx could not write its pid file.
     *
     * @return whether the path is under a directory of the image (so it was created at run
     *     time), false for a path under a file or a dangling symlink
     */
    private boolean keepNearestAncestor(String path) {
        String p = path;
        while (true) {
            int slash = p.lastIndexOf('/');
            if (slash <= 0) {
                return true; // only the root is left, which is always there
            }
            p = p.substring(0, slash);
            List<Integer> links = new ArrayList<>();
            int dir = tree.resolve(p, true, links::add);
            if (dir == FileTree.MISSING) {
                continue;
            }
            if (tree.type(dir) != FileTree.DIR) {
                return false;
            }
            links.forEach(this::keep);
            keep(dir);
            return true;
        }
    }

    /**
     * Keeps every symlink that resolves to something kept, until none is added. The kernel
     * resolves some names before any probe sees them: the ELF interpreter is recorded by its
     * real path, not as {@code /lib64/ld-linux-x86-64.so.2}, the symlink chain every dynamic
     * binary names. A symlink costs a few bytes; a missing one breaks every program that uses it.
     */
    private void keepLinksToKept() {
        boolean added = true;
        while (added) {
            added = false;
            for (int n = 1; n < tree.nodeCount(); n++) {
                if (!tree.isLive(n) || tree.type(n) != FileTree.SYMLINK || kept.get(n)) {
                    continue;
                }
                int target = tree.resolve(tree.path(n), true, node -> {});
                if (target != FileTree.MISSING && kept.get(target)) {
                    keep(n);
                    close();
                    added = true;
                }
            }
        }
    }

    private void close() {
        while (!newSymlinks.isEmpty() || !newExecutables.isEmpty()) {
            if (!newSymlinks.isEmpty()) {
                int link = newSymlinks.poll();
                int target = tree.resolve(tree.path(link), true, this::keep);
                if (target != FileTree.MISSING) {
                    keep(target);
                }
            } else {
                // the kernel opens the interpreter itself on execve, through the image's symlinks
                int executable = newExecutables.poll();
                int interpreter = tree.resolve(tree.interpreter(executable), true, this::keep);
                if (interpreter != FileTree.MISSING) {
                    keep(interpreter);
                }
            }
        }
    }

    private UnusedResult result(Image image, Usage usage, int usedIn, long usedPaths, long notInImage, Consumer<String> warnings) {
        int nodes = tree.nodeCount();
        BitSet keptInodes = new BitSet();
        for (int n = kept.nextSetBit(0); n >= 0; n = kept.nextSetBit(n + 1)) {
            if (tree.isLive(n) && tree.type(n) == FileTree.FILE) {
                keptInodes.set(tree.inode(n));
            }
        }
        long files = 0;
        long bytes = 0;
        long keptFiles = 0;
        long keptBytes = 0;
        BitSet counted = new BitSet();
        Map<Integer, List<Integer>> unusedByDir = new HashMap<>();
        List<byte[]> keepList = new ArrayList<>();
        for (int n = 1; n < nodes; n++) {
            if (!tree.isLive(n)) {
                continue;
            }
            byte type = tree.type(n);
            if (kept.get(n)) {
                keepList.add(tree.pathBytes(n));
            }
            if (type == FileTree.DIR) {
                continue;
            }
            files++;
            boolean firstLink = type == FileTree.FILE && !counted.get(tree.inode(n));
            if (firstLink) {
                counted.set(tree.inode(n));
                bytes += tree.size(n);
                if (keptInodes.get(tree.inode(n))) {
                    keptBytes += tree.size(n);
                }
            }
            if (kept.get(n)) {
                keptFiles++;
            } else {
                unusedByDir.computeIfAbsent(tree.parent(n), k -> new ArrayList<>()).add(n);
            }
        }
        List<UnusedResult.Directory> directories = directories(unusedByDir, keptInodes);
        long unusedBytes = directories.stream().mapToLong(UnusedResult.Directory::bytes).sum();
        Packages packages = packages(image, warnings);
        return new UnusedResult(image.source().toString(), image.format(), image.digest(), usage.reports(), usedIn,
                files, bytes, keptFiles, keptBytes, unusedBytes, usedPaths, notInImage, List.copyOf(createdAtRunTime),
                sorted(keepList),
                directories, PackageDatabase.manager(image.packageFiles()), packages.uses, packages.fullyUsed,
                packages.withoutFiles);
    }

    private static SortedPaths sorted(List<byte[]> paths) {
        paths.sort(Arrays::compareUnsigned);
        SortedPathsBuilder builder = SortedPaths.builder();
        for (byte[] p : paths) {
            builder.appendIfAscending(p, p.length, 0);
        }
        return builder.build(false);
    }

    /** Groups unused files by directory; a hard-linked content counts for its first path only. */
    private List<UnusedResult.Directory> directories(Map<Integer, List<Integer>> unusedByDir, BitSet keptInodes) {
        List<Map.Entry<String, List<Integer>>> byPath = new ArrayList<>();
        unusedByDir.forEach((dir, nodes) -> byPath.add(Map.entry(tree.path(dir), nodes)));
        byPath.sort(Map.Entry.comparingByKey(PathOrder.COMPARATOR));
        BitSet freed = new BitSet();
        List<UnusedResult.Directory> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byPath) {
            String dir = e.getKey();
            String prefix = dir.equals("/") ? "/" : dir + "/";
            List<Map.Entry<String, Integer>> named = new ArrayList<>();
            for (int n : e.getValue()) {
                named.add(Map.entry(prefix + tree.name(n), n));
            }
            named.sort(Map.Entry.comparingByKey(PathOrder.COMPARATOR));
            // shared content is attributed in path order, so the same image always gives the same numbers
            List<UnusedResult.UnusedFile> files = new ArrayList<>(named.size());
            long dirBytes = 0;
            for (Map.Entry<String, Integer> f : named) {
                int n = f.getValue();
                byte type = tree.type(n);
                long bytes = 0;
                if (type == FileTree.FILE && !keptInodes.get(tree.inode(n)) && !freed.get(tree.inode(n))) {
                    freed.set(tree.inode(n));
                    bytes = tree.size(n);
                }
                dirBytes += bytes;
                files.add(new UnusedResult.UnusedFile(f.getKey(),
                        type == FileTree.FILE ? "file" : type == FileTree.SYMLINK ? "symlink" : "other", tree.size(n), bytes));
            }
            out.add(new UnusedResult.Directory(dir, dirBytes, List.copyOf(files)));
        }
        out.sort(Comparator.comparingLong(UnusedResult.Directory::bytes).reversed()
                .thenComparing(Comparator.comparingInt((UnusedResult.Directory d) -> d.files().size()).reversed())
                .thenComparing(UnusedResult.Directory::path, PathOrder.COMPARATOR));
        return out;
    }

    private record Packages(List<UnusedResult.PackageUse> uses, int fullyUsed, int withoutFiles) {}

    private Packages packages(Image image, Consumer<String> warnings) {
        List<UnusedResult.PackageUse> uses = new ArrayList<>();
        int fullyUsed = 0;
        int withoutFiles = 0;
        for (PackageDatabase.Package p : PackageDatabase.read(image.packageFiles(), warnings)) {
            Set<Integer> nodes = new LinkedHashSet<>();
            for (String path : p.files()) {
                int n = tree.resolve(path, false, x -> { });
                if (n == FileTree.MISSING || tree.type(n) == FileTree.DIR) {
                    continue;
                }
                // merged /usr: dpkg lists /bin as a directory, the image has a symlink to usr/bin
                if (tree.type(n) == FileTree.SYMLINK) {
                    int target = tree.resolve(path, true, x -> { });
                    if (target != FileTree.MISSING && tree.type(target) == FileTree.DIR) {
                        continue;
                    }
                }
                nodes.add(n);
            }
            if (nodes.isEmpty()) {
                withoutFiles++;
                continue;
            }
            int used = 0;
            long bytes = 0;
            long usedBytes = 0;
            for (int n : nodes) {
                bytes += tree.size(n);
                if (kept.get(n)) {
                    used++;
                    usedBytes += tree.size(n);
                }
            }
            if (used == nodes.size()) {
                fullyUsed++;
            } else {
                uses.add(new UnusedResult.PackageUse(p.name(), p.version(), nodes.size(), used, bytes, usedBytes));
            }
        }
        uses.sort(Comparator.comparing((UnusedResult.PackageUse u) -> u.usedFiles() > 0)
                .thenComparing(Comparator.comparingLong((UnusedResult.PackageUse u) -> u.bytes() - u.usedBytes()).reversed())
                .thenComparing(UnusedResult.PackageUse::name));
        return new Packages(List.copyOf(uses), fullyUsed, withoutFiles);
    }
}
