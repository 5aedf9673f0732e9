package dev.snoop.bpf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeLibs}'s own memory calls, on the real C library: what {@code malloc_trim} is for,
 * freed blocks in the middle of glibc's heap that its trim threshold never reaches.
 */
class NativeLibsTest {
    private static final int BLOCK = 100 * 1024; // below glibc's mmap threshold: from the heap
    private static final int BLOCKS = 200;

    @Test
    void testTrimNativeHeap_givesFreedBlocksBack() throws IOException {
        NativeLibs libs = NativeLibs.get();
        assertTrue(libs.canTrimNativeHeap(), "glibc's malloc_trim not found: the sidecar's images are glibc");
        List<Pointer> blocks = new ArrayList<>();
        byte[] page = new byte[4096];
        for (int i = 0; i < BLOCKS; i++) {
            Pointer block = libs.allocate(BLOCK);
            for (int at = 0; at + page.length <= BLOCK; at += page.length) {
                block.put(at, page, 0, page.length); // touched: resident
            }
            blocks.add(block);
        }
        Pointer last = libs.allocate(BLOCK); // above them: glibc cannot give them back by shrinking its heap
        for (Pointer block : blocks) {
            libs.free(block);
        }
        long before = rssAnonKb();
        libs.trimNativeHeap();
        long after = rssAnonKb();
        libs.free(last);
        long freedKb = (long) BLOCK * BLOCKS / 1024;
        assertTrue(before - after >= freedKb / 2,
                "anonymous memory " + before + " kB before the trim, " + after + " kB after; " + freedKb + " kB were free");
    }

    private static long rssAnonKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/self/status");
    }
}
