package dev.snoop.core.path;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable set of normalized absolute paths that stores each directory once.
 *
 * <p>Paths in a report share long prefixes ({@code /usr/lib/python3/dist-packages/...}), so the set
 * is a trie of path components: a node is {@code (parent, name)} packed into byte chunks
 * ({@link NodeChunks}), found through an open-addressing table of node references (this class). A
 * path costs its last component plus about fifteen bytes, instead of the ~150 a
 * {@code HashSet<String>} entry costs. Paths added in order
 * (as reports list them) reuse the previous path's directories: a path in the same directory costs
 * one table probe, one in a sibling directory a probe per new component.
 *
 * <p>Every node carries an int value the owner may use (merge counts reports per path). Not thread
 * safe; but {@link #frozenCopy} gives, in time independent of the set's size, a copy that other
 * threads may read (and sort) while this set goes on changing.
 */
public final class PathSet {
    private static final int NO_PARENT = 0x7fff_ffff;
    private static final int EMPTY = -1;
    private static final int ROOT = 0;

    /** The nodes themselves; this class finds them. */
    private final NodeChunks chunks;

    private int[] table = new int[64];
    /*
     * Eight more bits of each node's hash, beside its slot: a probe that meets another node mostly
     * tells from them, without reading the node's record at a random place in the chunks.
     */
    private byte[] tags = new byte[64];
    private int nodes; // excluding the root, which is never in the table
    private int size;

    /*
     * The directory chain of the last path added, as paths arrive sorted and grouped by directory:
     * cachedDir holds its directory's bytes, and for each directory component k (the root excluded)
     * dirEnds[k] is where it ends in them and dirRefs[k] its node.
     */
    private byte[] cachedDir = new byte[256];
    private int cachedDirLength = -1;
    private int[] dirEnds = new int[32];
    private int[] dirRefs = new int[32];
    private int dirDepth;
    private byte[] pathBytes = new byte[256];

    public PathSet() {
        chunks = new NodeChunks();
        Arrays.fill(table, EMPTY);
        int root = chunks.append(NO_PARENT, pathBytes, 0, 0);
        assert root == ROOT;
    }

    /** A frozen copy of {@code live}: its chunks (shared), node count and size; no lookup table. */
    private PathSet(PathSet live) {
        chunks = live.chunks.frozenCopy();
        nodes = live.nodes;
        size = live.size;
        table = null;
        tags = null;
    }

    /**
     * A read-only copy of the set as it is now, for {@link #toSortedPaths} on another thread while
     * this set goes on changing (the copy must be taken, and the set changed, under one lock, which
     * orders them). It shares the chunks: the next write to a shared chunk copies that chunk first,
     * so taking a copy costs a few words per MiB of paths, and each later first write to a chunk a
     * copy of at most 1 MiB. The copy can only be listed and counted.
     */
    public PathSet frozenCopy() {
        return new PathSet(this);
    }

    /**
     * Adds every path of {@code other} with its value, combined with this set's value of the path
     * by {@code merge(mine, theirs)} (0 for a path new to this set); one table probe per node of
     * {@code other}, nothing sorted.
     */
    public void addAll(PathSet other, java.util.function.IntBinaryOperator merge) {
        if (other == this) {
            throw new IllegalArgumentException("a set cannot be added to itself");
        }
        PathSetUnion.addAll(this, other, merge);
    }

    /** The node of {@code name} below {@code parent}, added if new (for {@link PathSetUnion}). */
    int childRef(int parent, byte[] name, int offset, int len) {
        return child(parent, name, offset, len, true);
    }

    /** Makes the node {@code ref} a member; true if it was not one (for {@link PathSetUnion}). */
    boolean markMember(int ref) {
        if (!chunks.markMember(ref)) {
            return false;
        }
        size++;
        return true;
    }

    /** The number of paths in the set. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Adds a normalized absolute path.
     *
     * @return true if it was not in the set
     * @throws IllegalArgumentException if the path is not absolute
     */
    public boolean add(String path) {
        int before = size;
        addRef(path);
        return size > before;
    }

    /**
     * Adds a normalized absolute path and returns the reference of its node, for {@link #value} and
     * {@link #setValue}.
     */
    public int addRef(String path) {
        int ref = lookup(path, true);
        markMember(ref);
        return ref;
    }

    public boolean contains(String path) {
        int ref = lookup(path, false);
        return ref != EMPTY && chunks.isMember(ref);
    }

    /** The value stored with the node {@code ref}; 0 until set. */
    public int value(int ref) {
        return chunks.value(ref);
    }

    public void setValue(int ref, int value) {
        chunks.setValue(ref, value);
    }

    /** Approximate heap footprint: the chunks, the table and the scratch buffers. */
    public long estimatedBytes() {
        return 64 + 16 + 5L * table.length + 16 + 32 + cachedDir.length + pathBytes.length + 32 + 8L * dirEnds.length
                + chunks.estimatedBytes();
    }

    /**
     * Adds a normalized absolute path given as UTF-8 bytes (the first {@code length} of
     * {@code utf8}), as {@link SortedPaths.Cursor} yields them, and returns its node reference.
     */
    public int addRef(byte[] utf8, int length) {
        return addRef(utf8, 0, length);
    }

    /**
     * As {@link #addRef(byte[], int)}, for the UTF-8 bytes {@code utf8[offset, offset + length)}
     * where they lie (as {@link SortedPaths.Cursor#array()} has them), without copying them.
     */
    public int addRef(byte[] utf8, int offset, int length) {
        int ref = lookup(utf8, offset, length, true);
        markMember(ref);
        return ref;
    }

    /**
     * Adds a normalized absolute path given as the UTF-8 bytes {@code utf8[offset, offset + length)}.
     *
     * @return true if it was not in the set
     */
    public boolean add(byte[] utf8, int offset, int length) {
        int before = size;
        addRef(utf8, offset, length);
        return size > before;
    }

    private int lookup(String path, boolean add) {
        int n = path.length();
        if (pathBytes.length < n * 3) {
            pathBytes = new byte[Math.max(pathBytes.length * 2, n * 3)];
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            char c = path.charAt(i);
            if (c >= 0x80) {
                byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
                return lookup(utf8, 0, utf8.length, add);
            }
            pathBytes[len++] = (byte) c;
        }
        return lookup(pathBytes, 0, len, add);
    }

    /** Looks up the path {@code path[from, from + n)}; positions below are relative to {@code from}. */
    private int lookup(byte[] path, int from, int n, boolean add) {
        if (chunks.isFrozen()) {
            throw new UnsupportedOperationException("a frozen copy of a path set can only be listed");
        }
        if (n == 0 || path[from] != '/') {
            throw new IllegalArgumentException("not an absolute path: " + new String(path, from, n, StandardCharsets.UTF_8));
        }
        if (n == 1) {
            return ROOT;
        }
        int lastSlash = n - 1;
        while (path[from + lastSlash] != '/') {
            lastSlash--;
        }
        int parent;
        if (cachedDirLength == lastSlash && Arrays.equals(cachedDir, 0, lastSlash, path, from, from + lastSlash)) {
            parent = dirDepth == 0 ? ROOT : dirRefs[dirDepth - 1];
        } else {
            // keep the cached directories that are whole components of this path's directory too
            int depth = 0;
            if (cachedDirLength >= 0) {
                int mismatch = Arrays.mismatch(cachedDir, 0, cachedDirLength, path, from, from + lastSlash);
                int same = mismatch < 0 ? Math.min(cachedDirLength, lastSlash) : mismatch;
                depth = dirDepth;
                while (depth > 0 && !(dirEnds[depth - 1] <= same
                        && (dirEnds[depth - 1] == lastSlash || path[from + dirEnds[depth - 1]] == '/'))) {
                    depth--;
                }
            }
            parent = depth == 0 ? ROOT : dirRefs[depth - 1];
            int start = depth == 0 ? 1 : dirEnds[depth - 1] + 1;
            while (start < lastSlash) {
                int end = start;
                while (path[from + end] != '/') {
                    end++;
                }
                parent = child(parent, path, from + start, end - start, add);
                if (parent == EMPTY) {
                    return EMPTY;
                }
                if (add) {
                    if (depth == dirEnds.length) {
                        dirEnds = Arrays.copyOf(dirEnds, depth * 2);
                        dirRefs = Arrays.copyOf(dirRefs, depth * 2);
                    }
                    dirEnds[depth] = end;
                    dirRefs[depth] = parent;
                    depth++;
                }
                start = end + 1;
            }
            if (add) {
                if (cachedDir.length < lastSlash) {
                    cachedDir = Arrays.copyOf(cachedDir, Math.max(cachedDir.length * 2, lastSlash));
                }
                System.arraycopy(path, from, cachedDir, 0, lastSlash);
                cachedDirLength = lastSlash;
                dirDepth = depth;
            }
        }
        return child(parent, path, from + lastSlash + 1, n - lastSlash - 1, add);
    }

    private int child(int parent, byte[] name, int offset, int len, boolean add) {
        int hash = NameHash.of(parent, name, offset, len);
        byte tag = tag(hash);
        int mask = table.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            int ref = table[i];
            if (ref == EMPTY) {
                if (!add) {
                    return EMPTY;
                }
                int created = chunks.append(parent, name, offset, len);
                table[i] = created;
                tags[i] = tag;
                if (++nodes * 4L > table.length * 3L) {
                    grow();
                }
                return created;
            }
            if (tags[i] == tag && chunks.matches(ref, parent, name, offset, len)) {
                return ref;
            }
        }
    }

    /** The bits of a hash that do not choose the slot (tables stay far below 2^24 slots). */
    private static byte tag(int hash) {
        return (byte) (hash >>> 24);
    }

    private void grow() {
        int[] bigger = new int[table.length * 2];
        byte[] biggerTags = new byte[bigger.length];
        Arrays.fill(bigger, EMPTY);
        int mask = bigger.length - 1;
        forEachNode((ref, parent, chunk, namePos, nameLen) -> {
            if (ref == ROOT) {
                return;
            }
            int hash = NameHash.of(parent, chunk, namePos, nameLen);
            int i = hash & mask;
            while (bigger[i] != EMPTY) {
                i = (i + 1) & mask;
            }
            bigger[i] = ref;
            biggerTags[i] = tag(hash);
        });
        table = bigger;
        tags = biggerTags;
    }

    interface NodeVisitor {
        void visit(int ref, int parent, byte[] chunk, int namePos, int nameLen);
    }

    /** Visits every node, the root first, in creation order (which is ascending ref order). */
    void forEachNode(NodeVisitor visitor) {
        chunks.forEachNode(visitor);
    }

    int nodeCount() {
        return nodes + 1;
    }

    /** The chunk that holds the node {@code ref}'s name (for {@link PathSetSorter}). */
    byte[] chunkOf(int ref) {
        return chunks.chunkOf(ref);
    }

    /** Where the node {@code ref}'s name starts in {@link #chunkOf}, after its length. */
    int nameStart(int ref) {
        return chunks.nameStart(ref);
    }

    /** The length of the node {@code ref}'s name in bytes. */
    int nameLength(int ref) {
        return chunks.nameLength(ref);
    }

    boolean isMember(int ref) {
        return chunks.isMember(ref);
    }

    /**
     * The paths in path order (UTF-8 byte order), as an immutable list.
     *
     * @param withCounts carry each node's {@link #value} as the path's count
     */
    public SortedPaths toSortedPaths(boolean withCounts) {
        return new PathSetSorter(this).sort(withCounts);
    }
}
