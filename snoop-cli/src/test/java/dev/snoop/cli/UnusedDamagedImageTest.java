package dev.snoop.cli;

import static dev.snoop.cli.CliRun.run;
import static dev.snoop.cli.CliRun.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.image.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code snoop unused --image} on damaged input: every truncated or corrupt tar, and a truncated
 * gzip layer, ends with one line on stderr and exit 1, never exit 0 and never a stack trace.
 */
class UnusedDamagedImageTest {
    @TempDir
    Path dir;

    private Path report;

    @BeforeEach
    void setUp() throws Exception {
        report = write(dir, "r.json", CliRun.report(null, "/etc/passwd", "/usr/bin/sh"));
    }

    private void assertFailsWithOneLine(byte[] image, String what) throws Exception {
        Path file = dir.resolve("image.tar");
        Files.write(file, image);
        CliRun r = run("unused", "--image", file.toString(), report.toString());
        assertEquals(1, r.exitCode(), what + ": " + r.err() + r.out());
        assertEquals("", r.out(), what);
        assertTrue(r.err().startsWith("snoop unused: ") && r.err().endsWith("\n") && r.err().indexOf('\n') == r.err().length() - 1,
                what + ": one line: " + r.err());
        assertFalse(r.err().contains("internal error") || r.err().contains("\tat "), what + ": " + r.err());
    }

    @Test
    void testUnused_rootfsTarCutBeforeItsEnd_exit1OneLine() throws Exception {
        byte[] tar = TestImages.sampleLayers()[0].tar();
        CliRun whole = run("unused", "--image", write(dir, "whole.tar", "").toString(), report.toString());
        // an empty file cannot be told from any other file that is no image: a usage error
        assertEquals(2, whole.exitCode(), "an empty file: " + whole.err());
        Files.write(dir.resolve("whole.tar"), tar);
        assertEquals(0, run("unused", "--image", dir.resolve("whole.tar").toString(), report.toString()).exitCode());
        // the sample's 24 entries each take a header and at most a few content records: every
        // boundary up to there is inside the archive, before the end-of-archive marker
        for (int cut = 512; cut < 24 * 512; cut += 512) {
            assertFailsWithOneLine(Arrays.copyOf(tar, cut), "cut at " + cut);
            assertFailsWithOneLine(Arrays.copyOf(tar, cut + 100), "cut at " + (cut + 100));
        }
        assertFailsWithOneLine(Arrays.copyOf(tar, 300), "cut inside the first header");
    }

    @Test
    void testUnused_badChecksumOrGarbageHeader_exit1OneLine() throws Exception {
        byte[] tar = TestImages.sampleLayers()[0].tar();
        byte[] checksum = tar.clone();
        checksum[512 + 2] ^= 1;
        assertFailsWithOneLine(checksum, "bad checksum");
        Random random = new Random(1);
        for (int i = 0; i < 5; i++) {
            byte[] garbage = tar.clone();
            byte[] noise = new byte[512];
            random.nextBytes(noise);
            System.arraycopy(noise, 0, garbage, 512 * (1 + i), 512);
            assertFailsWithOneLine(garbage, "garbage in record " + (1 + i));
        }
    }

    @Test
    void testUnused_ociArchiveCutOrLayerGzipTruncated_exit1OneLine() throws Exception {
        TestImages.Archive archive = TestImages.oci(TestImages.sampleLayers());
        Path whole = archive.writeTar(dir.resolve("oci.tar"));
        byte[] bytes = Files.readAllBytes(whole);
        for (int cut = 1024; cut < bytes.length - 2048; cut += 1536) {
            assertFailsWithOneLine(Arrays.copyOf(bytes, cut), "oci tar cut at " + cut);
        }
        Map.Entry<String, byte[]> layer = archive.files().entrySet().iterator().next();
        archive.put(layer.getKey(), Arrays.copyOf(layer.getValue(), layer.getValue().length / 2));
        assertFailsWithOneLine(Files.readAllBytes(archive.writeTar(dir.resolve("oci-gz.tar"))), "gzip layer cut in half");
    }
}
