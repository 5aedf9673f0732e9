package dev.snoop.core.path;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable set of normalized absolute paths that stores each directory once.
 *
 * <p>Paths in a report share long prefixes ({@code /usr/lib/python3/dist-packages/...}), so the set
 * is a trie of path components: a node is {@code (parent, name)} packed into byte chunks, found
 * through an open-addressing table of node references. A path costs its last component plus about
 * fifteen bytes, instead of the ~150 a {@code HashSet<String>} entry costs. Paths added in order
 * (as reports list them) reuse the previous path's directories: a path in the same directory costs
 * one table probe, one in a sibling directory a probe per new component.
 *
 * <p>Every node carries an int value the owner may use (merge counts reports per path). Not thread
 * safe; but {@link #frozenCopy} gives, in time independent of the set's size, a copy that other
 * threads may read (and sort) while this set goes on changing.
 */
public final class PathSet {
    /* node record: [parent ref | MEMBER bit : 4][value : 4][name length : varint][name : UTF-8] */
    private static final int CHUNK_BITS = 20;
    private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    private static final int MEMBER = 0x8000_0000;
    private static final int NO_PARENT = 0x7fff_ffff;
    private static final int EMPTY = -1;
    private static final int ROOT = 0;

    private byte[][] chunks = new byte[1][];
    private int[] chunkUsed = new int[1];
    private int chunkCount = 1;
    /*
     * Chunks a frozen copy shares: copied before their first write (copy-on-write), so a copy
     * costs the chunk table, not the chunks. Null in a frozen copy, which never writes.
     */
    private boolean[] shared = new boolean[1];
    private final boolean frozen;

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
        frozen = false;
        chunks[0] = new byte[1024];
        Arrays.fill(table, EMPTY);
        int root = append(NO_PARENT, pathBytes, 0, 0);
        assert root == ROOT;
    }

    /** A frozen copy of {@code live}: its chunks (shared), node count and size; no lookup table. */
    private PathSet(PathSet live) {
        frozen = true;
        chunks = Arrays.copyOf(live.chunks, live.chunkCount);
        chunkUsed = Arrays.copyOf(live.chunkUsed, live.chunkCount);
        chunkCount = live.chunkCount;
        nodes = live.nodes;
        size = live.size;
        table = null;
        tags = null;
        shared = null;
    }

    /**
     * A read-only copy of the set as it is now, for {@link #toSortedPaths} on another thread while
     * this set goes on changing (the copy must be taken, and the set changed, under one lock, which
     * orders them). It shares the chunks: the next write to a shared chunk copies that chunk first,
     * so taking a copy costs a few words per MiB of paths, and each later first write to a chunk a
     * copy of at most 1 MiB. The copy can only be listed and counted.
     */
    public PathSet frozenCopy() {
        PathSet copy = new PathSet(this);
        Arrays.fill(shared, 0, chunkCount, true);
        return copy;
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
        int word = readInt(ref);
        if ((word & MEMBER) != 0) {
            return false;
        }
        writeInt(ref, word | MEMBER);
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
        int word = readInt(ref);
        if ((word & MEMBER) == 0) {
            writeInt(ref, word | MEMBER);
            size++;
        }
        return ref;
    }

    public boolean contains(String path) {
        int ref = lookup(path, false);
        return ref != EMPTY && (readInt(ref) & MEMBER) != 0;
    }

    /** The value stored with the node {@code ref}; 0 until set. */
    public int value(int ref) {
        return readInt(ref + 4);
    }

    public void setValue(int ref, int value) {
        writeInt(ref + 4, value);
    }

    /** Approximate heap footprint: the chunks, the table and the scratch buffers. */
    public long estimatedBytes() {
        long bytes = 64 + 16 + 5L * table.length + 16 + 32 + cachedDir.length + pathBytes.length + 16 + 8L * chunks.length
                + 32 + 8L * dirEnds.length;
        for (int i = 0; i < chunkCount; i++) {
            bytes += 16 + chunks[i].length;
        }
        return bytes;
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
        int word = readInt(ref);
        if ((word & MEMBER) == 0) {
            writeInt(ref, word | MEMBER);
            size++;
        }
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
        if (frozen) {
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
                int created = append(parent, name, offset, len);
                table[i] = created;
                tags[i] = tag;
                if (++nodes * 4L > table.length * 3L) {
                    grow();
                }
                return created;
            }
            if (tags[i] == tag && matches(ref, parent, name, offset, len)) {
                return ref;
            }
        }
    }

    /** The bits of a hash that do not choose the slot (tables stay far below 2^24 slots). */
    private static byte tag(int hash) {
        return (byte) (hash >>> 24);
    }

    private boolean matches(int ref, int parent, byte[] name, int offset, int len) {
        if ((readInt(ref) & ~MEMBER) != parent) {
            return false;
        }
        byte[] chunk = chunks[ref >>> CHUNK_BITS];
        int pos = ref & (CHUNK_SIZE - 1);
        pos += 8;
        int stored = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = chunk[pos++];
            stored |= (b & 0x7f) << shift;
            if (b >= 0) {
                break;
            }
        }
        return stored == len && Arrays.equals(chunk, pos, pos + len, name, offset, offset + len);
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

    private int append(int parent, byte[] name, int offset, int len) {
        int recordLen = 8 + varintLength(len) + len;
        if (recordLen > CHUNK_SIZE) {
            throw new IllegalArgumentException("path component longer than " + (CHUNK_SIZE - 16) + " bytes");
        }
        int c = chunkCount - 1;
        byte[] chunk = chunks[c];
        if (chunkUsed[c] + recordLen > chunk.length) {
            if (chunk.length < CHUNK_SIZE) {
                // the first chunk starts small so that small sets stay small
                chunk = Arrays.copyOf(chunk, Math.min(CHUNK_SIZE, Math.max(chunk.length * 2, chunkUsed[c] + recordLen)));
                chunks[c] = chunk;
                shared[c] = false; // a new array: a frozen copy keeps the old one
            } else {
                c = chunkCount++;
                if (c == chunks.length) {
                    chunks = Arrays.copyOf(chunks, c * 2);
                    chunkUsed = Arrays.copyOf(chunkUsed, c * 2);
                    shared = Arrays.copyOf(shared, c * 2);
                }
                if (c >= (1 << (31 - CHUNK_BITS))) {
                    throw new IllegalStateException("path set is full");
                }
                chunk = chunks[c] = new byte[CHUNK_SIZE];
            }
        }
        if (shared[c]) {
            chunk = chunks[c] = chunk.clone(); // before the writes below: a frozen copy reads the old one
            shared[c] = false;
        }
        int pos = chunkUsed[c];
        int ref = (c << CHUNK_BITS) | pos;
        chunkUsed[c] = pos + recordLen;
        writeInt(ref, parent);
        writeInt(ref + 4, 0);
        pos += 8;
        int v = len;
        while ((v & ~0x7f) != 0) {
            chunk[pos++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        chunk[pos++] = (byte) v;
        System.arraycopy(name, offset, chunk, pos, len);
        return ref;
    }

    private static int varintLength(int v) {
        return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : 4;
    }

    private int readInt(int ref) {
        byte[] chunk = chunks[ref >>> CHUNK_BITS];
        int p = ref & (CHUNK_SIZE - 1);
        return (chunk[p] & 0xff) << 24 | (chunk[p + 1] & 0xff) << 16 | (chunk[p + 2] & 0xff) << 8 | (chunk[p + 3] & 0xff);
    }

    private void writeInt(int ref, int value) {
        if (frozen) {
            throw new UnsupportedOperationException("a frozen copy of a path set cannot change");
        }
        int c = ref >>> CHUNK_BITS;
        if (shared[c]) {
            chunks[c] = chunks[c].clone(); // a frozen copy still reads the old one
            shared[c] = false;
        }
        byte[] chunk = chunks[c];
        int p = ref & (CHUNK_SIZE - 1);
        chunk[p] = (byte) (value >>> 24);
        chunk[p + 1] = (byte) (value >>> 16);
        chunk[p + 2] = (byte) (value >>> 8);
        chunk[p + 3] = (byte) value;
    }

    interface NodeVisitor {
        void visit(int ref, int parent, byte[] chunk, int namePos, int nameLen);
    }

    /** Visits every node, the root first, in creation order (which is ascending ref order). */
    void forEachNode(NodeVisitor visitor) {
        for (int c = 0; c < chunkCount; c++) {
            byte[] chunk = chunks[c];
            int pos = 0;
            while (pos < chunkUsed[c]) {
                int ref = (c << CHUNK_BITS) | pos;
                int parent = readInt(ref) & ~MEMBER;
                int p = pos + 8;
                int len = 0;
                for (int shift = 0; ; shift += 7) {
                    byte b = chunk[p++];
                    len |= (b & 0x7f) << shift;
                    if (b >= 0) {
                        break;
                    }
                }
                visitor.visit(ref, parent, chunk, p, len);
                pos = p + len;
            }
        }
    }

    int nodeCount() {
        return nodes + 1;
    }

    /** The chunk that holds the node {@code ref}'s name (for {@link PathSetSorter}). */
    byte[] chunkOf(int ref) {
        return chunks[ref >>> CHUNK_BITS];
    }

    /** Where the node {@code ref}'s name starts in {@link #chunkOf}, after its length. */
    int nameStart(int ref) {
        byte[] chunk = chunkOf(ref);
        int p = (ref & (CHUNK_SIZE - 1)) + 8;
        while (chunk[p] < 0) {
            p++;
        }
        return p + 1;
    }

    /** The length of the node {@code ref}'s name in bytes. */
    int nameLength(int ref) {
        byte[] chunk = chunkOf(ref);
        int p = (ref & (CHUNK_SIZE - 1)) + 8;
        int len = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = chunk[p++];
            len |= (b & 0x7f) << shift;
            if (b >= 0) {
                return len;
            }
        }
    }

    boolean isMember(int ref) {
        return (readInt(ref) & MEMBER) != 0;
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
