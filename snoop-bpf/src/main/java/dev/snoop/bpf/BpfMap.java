package dev.snoop.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A loaded map, reached through its fd with fixed-size little-endian keys and values. */
final class BpfMap {

    private static final long BPF_ANY = 0;

    private final NativeLibs libs;
    private final String name;
    private final int fd;

    BpfMap(NativeLibs libs, String name, int fd) {
        this.libs = libs;
        this.name = name;
        this.fd = fd;
    }

    int fd() {
        return fd;
    }

    void put(byte[] key, byte[] value) {
        libs.check(libs.bpf.bpf_map_update_elem(fd, key, value, BPF_ANY), "failed to update map " + name);
    }

    /** False when the key was not there. */
    boolean delete(byte[] key) {
        int ret = libs.bpf.bpf_map_delete_elem(fd, key);
        if (ret == -Errno.ENOENT) {
            return false;
        }
        libs.check(ret, "failed to delete from map " + name);
        return true;
    }

    /**
     * The keys of a hash map, of {@code keySize} bytes each. Entries added or removed meanwhile
     * may or may not be seen; a key removed under the walk restarts it from the first key, as
     * the kernel does.
     */
    java.util.List<byte[]> keys(int keySize) {
        java.util.List<byte[]> keys = new java.util.ArrayList<>();
        byte[] key = null;
        while (true) {
            byte[] next = new byte[keySize];
            int ret = libs.bpf.bpf_map_get_next_key(fd, key, next);
            if (ret == -Errno.ENOENT) {
                return keys;
            }
            libs.check(ret, "failed to walk map " + name);
            keys.add(next);
            key = next;
        }
    }

    /** Fills value and returns true, or returns false when the key is not there. */
    boolean lookup(byte[] key, byte[] value) {
        int ret = libs.bpf.bpf_map_lookup_elem(fd, key, value);
        if (ret == -Errno.ENOENT) {
            return false;
        }
        libs.check(ret, "failed to read map " + name);
        return true;
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static long u64At(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(offset);
    }

    static int u32At(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }
}
