package dev.snoop.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.snoop.core.SnoopException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link CheckedTarInputStream} through {@link Image#read}: a root filesystem tar cut
 * anywhere before its end-of-archive marker, or with a damaged header, is refused with one line.
 */
class CheckedTarInputStreamTest {
    @TempDir
    Path dir;

    /** A layer with long names (pax headers), a symlink, a hard link, an empty file and a file of several records. */
    private static byte[] sampleTar() {
        return new TestImages.Layer().dir("etc").dir("usr").dir("usr/lib")
                .file("etc/passwd", 50)
                .file("etc/empty", 0)
                .file("usr/lib/" + "long-name-".repeat(15) + ".so", 1500)
                .symlink("usr/lib/link", "long")
                .hardLink("etc/passwd-hl", "etc/passwd")
                .file("usr/lib/exact", 1024)
                .file("usr/lib/last", 3).tar();
    }

    /** The offset of the end-of-archive marker, found by walking the headers. */
    private static int endMarker(byte[] tar) {
        int at = 0;
        while (true) {
            byte[] header = Arrays.copyOfRange(tar, at, at + 512);
            if (allZero(header)) {
                return at;
            }
            String size = new String(header, 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim();
            at += 512 + (int) ((Long.parseLong(size, 8) + 511) / 512 * 512);
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private Image read(byte[] tar) throws Exception {
        Path file = dir.resolve("rootfs.tar");
        Files.write(file, tar);
        return Image.read(file, w -> { });
    }

    private void assertRefused(byte[] tar, String what) {
        SnoopException e = assertThrows(SnoopException.class, () -> read(tar), what);
        assertFalse(e instanceof NotAnImageException, what + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), what + ": one line: " + e.getMessage());
        assertTrue(e.getMessage().contains("not a valid tar archive") || e.getMessage().contains("cannot read"),
                what + ": " + e.getMessage());
    }

    private void assertEveryCutRefused(byte[] tar) throws Exception {
        int end = endMarker(tar);
        int files = read(tar).tree().nodeCount();
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int boundary = 0; boundary <= tar.length; boundary += 512) {
            for (int delta : new int[] {0, 1, 100, 262, 300, 511}) {
                if (boundary + delta < tar.length) {
                    cuts.add(boundary + delta);
                }
            }
        }
        for (int cut : cuts) {
            byte[] damaged = Arrays.copyOf(tar, cut);
            if (cut < 262) {
                // too short to tell a tar from anything else: not an image (a usage error)
                assertThrows(NotAnImageException.class, () -> read(damaged), "cut at " + cut);
            } else if (cut < end + 512) {
                assertRefused(damaged, "cut at " + cut + " of " + tar.length + " (end marker at " + end + ")");
            } else {
                assertEquals(files, read(damaged).tree().nodeCount(), "cut at " + cut + ", after the end marker");
            }
        }
    }

    @Test
    void testRead_everyCutBeforeTheEndMarker_refused() throws Exception {
        assertEveryCutRefused(sampleTar());
    }

    @Test
    void testRead_gnuTar_everyCutRefused() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/a/" + "deep-directory-name/".repeat(8)));
        Files.writeString(src.resolve("file"), "x".repeat(2000));
        Files.writeString(dir.resolve("src/small"), "hello\n");
        Files.createSymbolicLink(dir.resolve("src/link"), Path.of("small"));
        Files.createLink(dir.resolve("src/hard"), dir.resolve("src/small"));
        Path tar = dir.resolve("gnu.tar");
        Process p;
        try {
            p = new ProcessBuilder("tar", "--format=gnu", "-C", dir.resolve("src").toString(), "-cf", tar.toString(), ".")
                    .inheritIO().start();
        } catch (java.io.IOException e) {
            // under CI nothing may skip: a machine without GNU tar fails the test there
            org.junit.jupiter.api.Assertions.assertFalse("true".equals(System.getenv("CI")), "CI=true and tar is not installed");
            assumeTrue(false, "tar is not installed");
            return;
        }
        assertEquals(0, p.waitFor());
        byte[] bytes = Files.readAllBytes(tar);
        Files.delete(tar);
        assertEveryCutRefused(bytes);
    }

    @Test
    void testRead_badHeaderChecksum_refused() throws Exception {
        byte[] tar = sampleTar();
        assertEquals(tar.length > 0, read(tar) != null);
        for (int header : new int[] {0, 1024}) {
            byte[] damaged = tar.clone();
            damaged[header + 3] ^= 0x20; // a name character
            SnoopException e = assertThrows(SnoopException.class, () -> read(damaged));
            assertTrue(e.getMessage().contains("bad header checksum at byte " + header), e.getMessage());
        }
    }

    @Test
    void testRead_garbageInPlaceOfHeadersOrData_refusedOrRead() throws Exception {
        byte[] tar = sampleTar();
        int end = endMarker(tar);
        Random random = new Random(6);
        for (int i = 0; i < 300; i++) {
            byte[] damaged = tar.clone();
            int at = 512 + random.nextInt(end - 512);
            int len = 1 + random.nextInt(Math.min(2048, tar.length - at));
            for (int k = 0; k < len; k++) {
                damaged[at + k] = (byte) random.nextInt();
            }
            try {
                read(damaged); // garbage inside contents cannot be told from content
            } catch (NotAnImageException e) {
                throw new AssertionError("garbage at " + at + ": " + e.getMessage(), e);
            } catch (SnoopException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
        }
    }

    @Test
    void testRead_invalidSizeField_refused() throws Exception {
        byte[] tar = sampleTar();
        byte[] damaged = tar.clone();
        damaged[1024 + 124] = '9';
        // recompute the checksum so that only the size is wrong
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : damaged[1024 + i] & 0xff;
        }
        byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, damaged, 1024 + 148, 8);
        assertRefused(damaged, "size field");
    }
}
