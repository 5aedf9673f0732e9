package dev.snoop.core.path;

import java.util.Arrays;

/**
 * The node records of a {@link PathSet}, packed into byte chunks: a node's reference is its chunk
 * and offset ({@code chunk << CHUNK_BITS | offset}), and nodes are appended in creation order.
 * The first chunk starts small and doubles up to {@link #CHUNK_SIZE}, so that small sets stay
 * small; later chunks are full size. A frozen copy shares the chunks, and the live side copies a
 * shared chunk before its first write to it (copy-on-write).
 */
final class NodeChunks {
    /* node record: [parent ref | MEMBER bit : 4][value : 4][name length : varint][name : UTF-8] */
    static final int CHUNK_BITS = 20;
    static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    private static final int MEMBER = 0x8000_0000;

    private byte[][] chunks = new byte[1][];
    private int[] chunkUsed = new int[1];
    private int chunkCount = 1;
    /*
     * Chunks a frozen copy shares: copied before their first write (copy-on-write), so a copy
     * costs the chunk table, not the chunks. Null in a frozen copy, which never writes.
     */
    private boolean[] shared = new boolean[1];
    private final boolean frozen;

    NodeChunks() {
        frozen = false;
        chunks[0] = new byte[1024];
    }

    /** A frozen copy of {@code live}: its chunks, shared from now on. */
    private NodeChunks(NodeChunks live) {
        frozen = true;
        chunks = Arrays.copyOf(live.chunks, live.chunkCount);
        chunkUsed = Arrays.copyOf(live.chunkUsed, live.chunkCount);
        chunkCount = live.chunkCount;
        shared = null;
    }

    /** A read-only copy that shares the chunks; this side copies each before it next writes to it. */
    NodeChunks frozenCopy() {
        NodeChunks copy = new NodeChunks(this);
        Arrays.fill(shared, 0, chunkCount, true);
        return copy;
    }

    boolean isFrozen() {
        return frozen;
    }

    /** Appends the node {@code name} below {@code parent}, not a member, value 0; its reference. */
    int append(int parent, byte[] name, int offset, int len) {
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

    /** True if the node {@code ref} is {@code name} below {@code parent}. */
    boolean matches(int ref, int parent, byte[] name, int offset, int len) {
        if (parentOf(ref) != parent) {
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

    int parentOf(int ref) {
        return readInt(ref) & ~MEMBER;
    }

    boolean isMember(int ref) {
        return (readInt(ref) & MEMBER) != 0;
    }

    /** Makes the node {@code ref} a member; true if it was not one. */
    boolean markMember(int ref) {
        int word = readInt(ref);
        if ((word & MEMBER) != 0) {
            return false;
        }
        writeInt(ref, word | MEMBER);
        return true;
    }

    int value(int ref) {
        return readInt(ref + 4);
    }

    void setValue(int ref, int value) {
        writeInt(ref + 4, value);
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

    /** Visits every node, the first appended (the root) first, in creation order (which is ascending ref order). */
    void forEachNode(PathSet.NodeVisitor visitor) {
        for (int c = 0; c < chunkCount; c++) {
            byte[] chunk = chunks[c];
            int pos = 0;
            while (pos < chunkUsed[c]) {
                int ref = (c << CHUNK_BITS) | pos;
                int parent = parentOf(ref);
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

    /** The chunk that holds the node {@code ref}'s name. */
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

    /** Approximate heap footprint: the chunk table and the chunks. */
    long estimatedBytes() {
        long bytes = 16 + 8L * chunks.length;
        for (int i = 0; i < chunkCount; i++) {
            bytes += 16 + chunks[i].length;
        }
        return bytes;
    }
}
