package dev.snoop.image;

import dev.snoop.core.path.NameHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * An image's final file tree, held as parallel arrays of nodes rather than objects: a node is an
 * index, its name a slice of one byte array, and a child is found through an open-addressing table
 * keyed by (parent, name), as in {@code PathSet}. A file costs about 60 bytes plus its name.
 *
 * <p>Removed nodes (whiteouts, replaced directories) stay in the arrays as {@link #NONE} so that
 * node numbers never change; re-adding a path revives its node without its old children.
 *
 * <p>Each node remembers the last layer that touched it, which opaque directories need: they hide
 * what lower layers put there, not what their own layer adds. Not thread safe.
 */
final class FileTree {
    static final byte NONE = 0;
    static final byte DIR = 1;
    static final byte FILE = 2;
    static final byte SYMLINK = 3;
    static final byte OTHER = 4;

    static final int ROOT = 0;
    static final int MISSING = -1;
    /** Symlinks followed while resolving one path before giving up, as Linux's ELOOP limit. */
    static final int MAX_LINKS = 40;

    private int count;
    private int[] parent = new int[1024];
    private int[] nameOff = new int[1024];
    private int[] nameLen = new int[1024];
    private int[] firstChild = new int[1024];
    private int[] nextSibling = new int[1024];
    private int[] inode = new int[1024];
    private int[] linkTarget = new int[1024];
    private int[] mode = new int[1024];
    private long[] size = new long[1024];
    private byte[] type = new byte[1024];
    private short[] layer = new short[1024];
    private byte[] names = new byte[16 * 1024];
    private int namesUsed;
    private final List<String> targets = new ArrayList<>();
    /** ELF program interpreters by inode: few files are executables, so a map, not an array. */
    private final java.util.Map<Integer, String> interpreters = new java.util.HashMap<>();
    private int[] table = new int[2048];
    private int inodes;

    FileTree() {
        Arrays.fill(table, MISSING);
        newNode(MISSING, new byte[0], 0, 0);
        type[ROOT] = DIR;
        mode[ROOT] = 0755;
    }

    /** Nodes ever created, live or removed; valid node numbers are 0 to this minus one. */
    int nodeCount() {
        return count;
    }

    byte type(int node) {
        return type[node];
    }

    boolean isLive(int node) {
        return type[node] != NONE;
    }

    long size(int node) {
        return size[node];
    }

    int mode(int node) {
        return mode[node];
    }

    /** Files that share an inode (hard links) share this number; 0 for anything but a file. */
    int inode(int node) {
        return inode[node];
    }

    int inodeCount() {
        return inodes + 1;
    }

    int parent(int node) {
        return node == ROOT ? ROOT : parent[node];
    }

    String linkTarget(int node) {
        return type[node] == SYMLINK ? targets.get(linkTarget[node]) : null;
    }

    String name(int node) {
        return new String(names, nameOff[node], nameLen[node], StandardCharsets.UTF_8);
    }

    /** The absolute path of {@code node}. */
    String path(int node) {
        return node == ROOT ? "/" : new String(pathBytes(node), StandardCharsets.UTF_8);
    }

    /** The live child of {@code dir} named {@code name}, or {@link #MISSING}. */
    int child(int dir, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int node = find(dir, bytes, 0, bytes.length);
        return node != MISSING && type[node] != NONE ? node : MISSING;
    }

    /** Calls {@code action} with each live child of {@code dir}, in no particular order. */
    void forEachChild(int dir, IntConsumer action) {
        for (int c = firstChild[dir]; c != MISSING; c = nextSibling[c]) {
            if (type[c] != NONE) {
                action.accept(c);
            }
        }
    }

    /**
     * Looks up a path made of already-checked components without following symlinks.
     *
     * @return the live node, or {@link #MISSING}
     */
    int lookup(List<String> components) {
        int node = ROOT;
        for (String c : components) {
            if (type[node] != DIR) {
                return MISSING;
            }
            node = child(node, c);
            if (node == MISSING) {
                return MISSING;
            }
        }
        return node;
    }

    /**
     * Creates or replaces the entry at {@code components}. Missing parents are created as
     * directories, and a non-directory in a parent's place becomes one, as extracting a layer would.
     * Every ancestor is marked as touched by {@code layerIndex}.
     *
     * @param link the symlink target, or null
     * @param hardLinkOf for a hard link, the node it shares content with; else {@link #MISSING}
     * @return the node
     */
    int put(List<String> components, byte newType, long newSize, int newMode, String link, int hardLinkOf, int layerIndex) {
        int dir = ROOT;
        layer[ROOT] = (short) layerIndex;
        for (int i = 0; i < components.size() - 1; i++) {
            int node = findOrCreate(dir, components.get(i));
            if (type[node] != DIR) {
                removeChildren(node);
                set(node, DIR, 0, 0755, null, MISSING);
            }
            layer[node] = (short) layerIndex;
            dir = node;
        }
        if (components.isEmpty()) {
            // the root itself: only its mode can change
            mode[ROOT] = newMode;
            return ROOT;
        }
        int node = findOrCreate(dir, components.get(components.size() - 1));
        if (type[node] != NONE && (type[node] != DIR || newType != DIR)) {
            removeChildren(node);
        }
        set(node, newType, newSize, newMode, link, hardLinkOf);
        layer[node] = (short) layerIndex;
        return node;
    }

    private void set(int node, byte newType, long newSize, int newMode, String link, int hardLinkOf) {
        type[node] = newType;
        mode[node] = newMode;
        size[node] = newType == FILE ? newSize : 0;
        inode[node] = newType != FILE ? 0 : hardLinkOf != MISSING ? inode[hardLinkOf] : ++inodes;
        if (newType == SYMLINK) {
            targets.add(link);
            linkTarget[node] = targets.size() - 1;
        } else {
            linkTarget[node] = MISSING;
        }
    }

    /** Records that the file {@code node} is an ELF executable naming {@code interpreter}. */
    void setInterpreter(int node, String interpreter) {
        if (type[node] == FILE && interpreter != null) {
            interpreters.put(inode[node], interpreter);
        }
    }

    /** The ELF program interpreter the file {@code node} names, or null. */
    String interpreter(int node) {
        return type[node] == FILE ? interpreters.get(inode[node]) : null;
    }

    /** Removes {@code node} and everything below it. */
    void remove(int node) {
        if (node == ROOT) {
            removeChildren(ROOT);
            return;
        }
        removeChildren(node);
        type[node] = NONE;
    }

    private void removeChildren(int node) {
        Deque<Integer> stack = new ArrayDeque<>();
        stack.push(node);
        while (!stack.isEmpty()) {
            int n = stack.pop();
            for (int c = firstChild[n]; c != MISSING; c = nextSibling[c]) {
                if (type[c] != NONE) {
                    type[c] = NONE;
                    stack.push(c);
                }
            }
        }
    }

    /** Hides what layers below {@code layerIndex} put under {@code dir} (an opaque directory). */
    void removeLowerLayers(int dir, int layerIndex) {
        Deque<Integer> stack = new ArrayDeque<>();
        stack.push(dir);
        while (!stack.isEmpty()) {
            int n = stack.pop();
            for (int c = firstChild[n]; c != MISSING; c = nextSibling[c]) {
                if (type[c] == NONE) {
                    continue;
                }
                if (layer[c] < layerIndex) {
                    remove(c);
                } else if (type[c] == DIR) {
                    stack.push(c);
                }
            }
        }
    }

    /**
     * Resolves {@code path} inside the tree as the kernel would inside a container whose root is
     * this tree; see {@link Resolver#resolve(FileTree, String, boolean, IntConsumer)}.
     */
    int resolve(String path, boolean followLast, IntConsumer onSymlink) {
        return Resolver.resolve(this, path, followLast, onSymlink);
    }

    /** As {@link #resolve(String, boolean, IntConsumer)} for the first {@code length} bytes of UTF-8. */
    int resolve(byte[] path, int length, boolean followLast, IntConsumer onSymlink) {
        return Resolver.resolve(this, path, length, followLast, onSymlink);
    }

    /** The live child of {@code dir} named by {@code len} bytes of {@code name}, or {@link #MISSING}. */
    int child(int dir, byte[] name, int off, int len) {
        int node = find(dir, name, off, len);
        return node != MISSING && type[node] != NONE ? node : MISSING;
    }

    /** The absolute path of {@code node} as UTF-8 bytes. */
    byte[] pathBytes(int node) {
        int length = 0;
        for (int n = node; n != ROOT; n = parent[n]) {
            length += 1 + nameLen[n];
        }
        byte[] bytes = new byte[length];
        int end = length;
        for (int n = node; n != ROOT; n = parent[n]) {
            end -= nameLen[n];
            System.arraycopy(names, nameOff[n], bytes, end, nameLen[n]);
            bytes[--end] = '/';
        }
        return bytes;
    }

    // ---- storage --------------------------------------------------------------------------------

    private int findOrCreate(int dir, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int node = find(dir, bytes, 0, bytes.length);
        return node != MISSING ? node : newNode(dir, bytes, 0, bytes.length);
    }

    private int find(int dir, byte[] name, int off, int len) {
        int mask = table.length - 1;
        for (int i = NameHash.of(dir, name, off, len) & mask; ; i = (i + 1) & mask) {
            int node = table[i];
            if (node == MISSING) {
                return MISSING;
            }
            if (parent[node] == dir && nameLen[node] == len
                    && Arrays.equals(names, nameOff[node], nameOff[node] + len, name, off, off + len)) {
                return node;
            }
        }
    }

    private int newNode(int dir, byte[] name, int off, int len) {
        if (count == parent.length) {
            int n = count * 2;
            parent = Arrays.copyOf(parent, n);
            nameOff = Arrays.copyOf(nameOff, n);
            nameLen = Arrays.copyOf(nameLen, n);
            firstChild = Arrays.copyOf(firstChild, n);
            nextSibling = Arrays.copyOf(nextSibling, n);
            inode = Arrays.copyOf(inode, n);
            linkTarget = Arrays.copyOf(linkTarget, n);
            mode = Arrays.copyOf(mode, n);
            size = Arrays.copyOf(size, n);
            type = Arrays.copyOf(type, n);
            layer = Arrays.copyOf(layer, n);
        }
        if (namesUsed + len > names.length) {
            names = Arrays.copyOf(names, Math.max(names.length * 2, namesUsed + len));
        }
        int node = count++;
        System.arraycopy(name, off, names, namesUsed, len);
        nameOff[node] = namesUsed;
        nameLen[node] = len;
        namesUsed += len;
        parent[node] = dir;
        firstChild[node] = MISSING;
        linkTarget[node] = MISSING;
        if (dir != MISSING) {
            nextSibling[node] = firstChild[dir];
            firstChild[dir] = node;
            insert(node);
        }
        return node;
    }

    private void insert(int node) {
        if ((count + 1) * 2L > table.length) {
            int[] bigger = new int[table.length * 2];
            Arrays.fill(bigger, MISSING);
            table = bigger;
            for (int n = 1; n < count; n++) {
                if (n != node) {
                    place(n);
                }
            }
        }
        place(node);
    }

    private void place(int node) {
        int mask = table.length - 1;
        int i = NameHash.of(parent[node], names, nameOff[node], nameLen[node]) & mask;
        while (table[i] != MISSING) {
            i = (i + 1) & mask;
        }
        table[i] = node;
    }

    /** Approximate heap footprint, for the benchmark. */
    long estimatedBytes() {
        return (long) parent.length * (9 * 4 + 8 + 1 + 2) + names.length + table.length * 4L + targets.size() * 64L;
    }
}
