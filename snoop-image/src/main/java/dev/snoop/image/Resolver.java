package dev.snoop.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.IntConsumer;

/**
 * Path resolution inside a {@link FileTree}, as the kernel resolves paths inside a container whose
 * root is the image: symlinks are followed within the tree, absolute targets start again at the
 * tree's root and {@code ..} stops there, so nothing ever leads to the host's filesystem.
 */
final class Resolver {
    private Resolver() {}

    /**
     * Resolves {@code path} inside the tree as the kernel would inside a container whose root is
     * this tree: symlinks in directory position are followed, absolute targets start again at the
     * root and {@code ..} stops at the root, so nothing ever leads outside.
     *
     * @param followLast whether a symlink in last position is followed too (open) or not (lstat)
     * @param onSymlink called with every symlink followed
     * @return the node, or {@link FileTree#MISSING} if a component does not exist, is not a directory, or
     *     more than 40 symlinks were followed
     */
    static int resolve(FileTree tree, String path, boolean followLast, IntConsumer onSymlink) {
        Deque<String> rest = new ArrayDeque<>();
        pushComponents(path, rest);
        int node = FileTree.ROOT;
        int links = 0;
        while (!rest.isEmpty()) {
            String c = rest.pop();
            if (tree.type(node) != FileTree.DIR) {
                return FileTree.MISSING;
            }
            if (c.equals("..")) {
                node = tree.parent(node);
                continue;
            }
            int next = tree.child(node, c);
            if (next == FileTree.MISSING) {
                return FileTree.MISSING;
            }
            if (tree.type(next) == FileTree.SYMLINK && (followLast || !rest.isEmpty())) {
                onSymlink.accept(next);
                if (++links > FileTree.MAX_LINKS) {
                    return FileTree.MISSING;
                }
                String target = tree.linkTarget(next);
                pushComponents(target, rest);
                if (target.startsWith("/")) {
                    node = FileTree.ROOT;
                }
                continue;
            }
            node = next;
        }
        return node;
    }

    /**
     * As {@link #resolve(FileTree, String, boolean, IntConsumer)} for the first {@code length} bytes of a
     * UTF-8 path, without allocating unless a symlink must be followed (then it starts over with
     * the general walk, which is rare: most used paths name real directories).
     */
    static int resolve(FileTree tree, byte[] path, int length, boolean followLast, IntConsumer onSymlink) {
        int node = FileTree.ROOT;
        int i = 0;
        while (i < length) {
            if (path[i] == '/') {
                i++;
                continue;
            }
            int start = i;
            while (i < length && path[i] != '/') {
                i++;
            }
            int len = i - start;
            if (len == 1 && path[start] == '.') {
                continue;
            }
            if (tree.type(node) != FileTree.DIR) {
                return FileTree.MISSING;
            }
            if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
                node = tree.parent(node);
                continue;
            }
            int next = tree.child(node, path, start, len);
            if (next == FileTree.MISSING) {
                return FileTree.MISSING;
            }
            if (tree.type(next) == FileTree.SYMLINK && (followLast || !onlySlashes(path, i, length))) {
                return resolve(tree, new String(path, 0, length, StandardCharsets.UTF_8), followLast, onSymlink);
            }
            node = next;
        }
        return node;
    }

    private static boolean onlySlashes(byte[] path, int from, int to) {
        for (int i = from; i < to; i++) {
            if (path[i] != '/') {
                return false;
            }
        }
        return true;
    }

    /** Pushes the components of {@code path} in front of {@code rest}, skipping empty and "." ones. */
    private static void pushComponents(String path, Deque<String> rest) {
        int end = path.length();
        for (int i = path.length() - 1; i >= -1; i--) {
            if (i == -1 || path.charAt(i) == '/') {
                if (end - i - 1 > 0 && !(end - i - 1 == 1 && path.charAt(i + 1) == '.')) {
                    rest.push(path.substring(i + 1, end));
                }
                end = i;
            }
        }
    }
}
