package dev.snoop.core.path;

/**
 * The hash of one path component under its parent, shared by the path tables that intern
 * components ({@link PathSet}, and the image's file tree in snoop-image).
 */
public final class NameHash {
    private NameHash() {}

    /** Hash of the name {@code name[offset, offset + len)} under the node {@code parent}. */
    public static int of(int parent, byte[] name, int offset, int len) {
        int h = parent * 0x9E37_79B9;
        int i = offset;
        int end = offset + len;
        // the polynomial 31 * h + b, four bytes a step: only one multiply-add per step waits for the last
        for (; i + 4 <= end; i += 4) {
            h = h * (31 * 31 * 31 * 31) + name[i] * (31 * 31 * 31) + name[i + 1] * (31 * 31) + name[i + 2] * 31 + name[i + 3];
        }
        for (; i < end; i++) {
            h = 31 * h + name[i];
        }
        // murmur3 finalizer: spreads the polynomial hash over the low bits a table's mask keeps
        h ^= h >>> 16;
        h *= 0x85eb_ca6b;
        h ^= h >>> 13;
        h *= 0xc2b2_ae35;
        return h ^ (h >>> 16);
    }
}
