package dev.snoop.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.SnoopException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link Image}: every image format, layer application, and bad input. */
class ImageTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    /** The sample image's final tree, one "path type size [-> target]" line per node. */
    static final List<String> SAMPLE_TREE = List.of(
            "/bin symlink 0 -> usr/bin",
            "/etc dir 0",
            "/etc/evil symlink 0 -> ../../../../etc/hostname",
            "/etc/hostname file 10",
            "/etc/passwd file 50",
            "/lib symlink 0 -> usr/lib",
            "/opt dir 0",
            "/opt/app dir 0",
            "/opt/app/big-link file 10000",
            "/opt/app/big.dat file 10000",
            "/opt/app/config.json file 20",
            "/opt/app/data file 700",
            "/opt/app/data.hl file 700",
            "/usr dir 0",
            "/usr/bin dir 0",
            "/usr/bin/sh file 120",
            "/usr/bin/unused-tool file 200",
            "/usr/lib dir 0",
            "/usr/lib/libbar.so file 300",
            "/usr/lib/libc.so symlink 0 -> libc.so.6",
            "/usr/lib/libc.so.6 file 1000",
            "/usr/lib/libfoo.so symlink 0 -> /usr/lib/libfoo.so.1",
            "/usr/lib/libfoo.so.1 symlink 0 -> libfoo.so.1.2.3",
            "/usr/lib/libfoo.so.1.2.3 file 500",
            "/var dir 0",
            "/var/cache dir 0",
            "/var/cache/apt dir 0",
            "/var/cache/apt/new.bin file 40");

    static List<String> listing(FileTree t) {
        List<String> out = new ArrayList<>();
        for (int n = 1; n < t.nodeCount(); n++) {
            if (!t.isLive(n)) {
                continue;
            }
            String type = switch (t.type(n)) {
                case FileTree.DIR -> "dir";
                case FileTree.FILE -> "file";
                case FileTree.SYMLINK -> "symlink";
                default -> "other";
            };
            out.add(t.path(n) + " " + type + " " + t.size(n) + (t.linkTarget(n) == null ? "" : " -> " + t.linkTarget(n)));
        }
        out.sort(PathOrder.COMPARATOR);
        return out;
    }

    @Test
    void testRead_ociTar_appliesLayersWhiteoutsAndOpaqueDirectories() throws Exception {
        TestImages.Archive archive = TestImages.oci(TestImages.sampleLayers());
        Image image = Image.read(archive.writeTar(dir.resolve("image.tar")), warnings::add);
        assertEquals(SAMPLE_TREE, listing(image.tree()));
        assertEquals("OCI image layout", image.format());
        assertEquals(archive.digest(), image.digest());
        assertEquals(2, image.digests().size(), "manifest and config");
        assertEquals(Set.of("test:1"), image.refs());
        assertEquals(List.of(dir.resolve("image.tar") + ": layer 1 (" + Image.shortDigest(layerDigest(archive, 0))
                + "): 1 symlink points above the image root; resolved inside it, as the container sees them "
                + "(first: /etc/evil -> ../../../../etc/hostname)"), warnings);
    }

    /** The digest of layer {@code index}: {@link TestImages#oci} puts the layer blobs first. */
    private static String layerDigest(TestImages.Archive archive, int index) {
        String blob = List.copyOf(archive.files().keySet()).get(index);
        return "sha256:" + blob.substring(blob.lastIndexOf('/') + 1);
    }

    @Test
    void testRead_ociDirectory_sameTreeAsTar() throws Exception {
        Path layout = TestImages.oci(TestImages.sampleLayers()).writeDir(dir.resolve("oci"));
        assertEquals(SAMPLE_TREE, listing(Image.read(layout, warnings::add).tree()));
    }

    @Test
    void testRead_dockerSave_sameTreeAndConfigDigest() throws Exception {
        TestImages.Archive archive = TestImages.docker(TestImages.sampleLayers());
        Image image = Image.read(archive.writeTar(dir.resolve("docker.tar")), warnings::add);
        assertEquals(SAMPLE_TREE, listing(image.tree()));
        assertEquals("docker save archive", image.format());
        assertEquals(Set.of(archive.digest()), image.digests());
        assertEquals(Set.of("test:1"), image.refs());
    }

    @Test
    void testRead_rootfsTar_oneLayer() throws Exception {
        Path tar = dir.resolve("export.tar");
        Files.write(tar, new TestImages.Layer().dir("etc").file("etc/os-release", 7).symlink("sbin", "usr/sbin").tar());
        Image image = Image.read(tar, warnings::add);
        assertEquals(List.of("/etc dir 0", "/etc/os-release file 7", "/sbin symlink 0 -> usr/sbin"), listing(image.tree()));
        assertEquals("root filesystem tar", image.format());
    }

    @Test
    void testRead_rootfsDirectory_symlinksRecordedNotFollowed() throws Exception {
        Path root = Files.createDirectories(dir.resolve("rootfs"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/sh"), "#!");
        Files.createLink(root.resolve("usr/bin/sh.hl"), root.resolve("usr/bin/sh"));
        Files.createSymbolicLink(root.resolve("host"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../.."));
        Image image = Image.read(root, warnings::add);
        assertEquals(List.of("/host symlink 0 -> /", "/up symlink 0 -> ../../..", "/usr dir 0", "/usr/bin dir 0",
                "/usr/bin/sh file 2", "/usr/bin/sh.hl file 2"), listing(image.tree()));
        FileTree t = image.tree();
        assertEquals(t.inode(t.lookup(List.of("usr", "bin", "sh"))), t.inode(t.lookup(List.of("usr", "bin", "sh.hl"))));
        assertEquals("root filesystem directory", image.format());
        assertEquals(null, image.digest());
    }

    @Test
    void testRead_missing_notAnImage() {
        NotAnImageException e = assertThrows(NotAnImageException.class, () -> Image.read(dir.resolve("nope"), warnings::add));
        assertEquals(dir.resolve("nope") + ": no such file or directory", e.getMessage());
    }

    @Test
    void testRead_jsonFile_notAnImage() throws Exception {
        Path file = Files.writeString(dir.resolve("report.json"), "{\"files\": []}");
        NotAnImageException e = assertThrows(NotAnImageException.class, () -> Image.read(file, warnings::add));
        assertEquals(file + ": not an image: expected an OCI layout or docker save tar, or a root filesystem directory", e.getMessage());
    }

    @Test
    void testRead_gzippedArchive_refused() throws Exception {
        Path file = Files.write(dir.resolve("image.tar.gz"), TestImages.gzip(new TestImages.Layer().file("a", 1).tar()));
        NotAnImageException e = assertThrows(NotAnImageException.class, () -> Image.read(file, warnings::add));
        assertTrue(e.getMessage().endsWith(": a compressed file; decompress it first (gunzip), snoop reads image tars in place"), e.getMessage());
    }

    @Test
    void testRead_layerDigestMismatch_refused() throws Exception {
        TestImages.Archive archive = TestImages.oci(new TestImages.Layer().file("a", 1));
        String blob = archive.files().keySet().iterator().next();
        // another valid layer under the first layer's digest
        archive.put(blob, TestImages.gzip(new TestImages.Layer().file("evil", 1).tar()));
        Path tar = archive.writeTar(dir.resolve("image.tar"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(tar, warnings::add));
        assertTrue(e.getMessage().startsWith(tar + ": layer 1 (sha256:"), e.getMessage());
        assertTrue(e.getMessage().contains("): digest mismatch: the content hashes to sha256:"), e.getMessage());
    }

    @Test
    void testRead_corruptLayer_reportedAsDigestMismatch() throws Exception {
        TestImages.Archive archive = TestImages.oci(new TestImages.Layer().file("a", 1000));
        String blob = archive.files().keySet().iterator().next();
        byte[] bytes = archive.get(blob).clone();
        bytes[bytes.length / 2] ^= 0x55;
        archive.put(blob, bytes);
        Path tar = archive.writeTar(dir.resolve("image.tar"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(tar, warnings::add));
        assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
    }

    @Test
    void testRead_dockerLayerNotMatchingDiffId_refused() throws Exception {
        TestImages.Archive archive = TestImages.docker(new TestImages.Layer().file("a", 1));
        String layer = archive.files().keySet().iterator().next();
        archive.put(layer, new TestImages.Layer().file("b", 1).tar());
        Path tar = archive.writeTar(dir.resolve("docker.tar"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(tar, warnings::add));
        assertTrue(e.getMessage().contains(": layer 1 (sha256:") && e.getMessage().contains("digest mismatch"), e.getMessage());
    }

    @Test
    void testRead_manifestDigestMismatch_refused() throws Exception {
        TestImages.Archive archive = TestImages.oci(new TestImages.Layer().file("a", 1));
        String index = new String(archive.get("index.json"), StandardCharsets.UTF_8);
        String manifestDigest = archive.digest();
        String blob = "blobs/" + manifestDigest.replace(':', '/');
        archive.put(blob, (new String(archive.get(blob), StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8));
        Path tar = archive.writeTar(dir.resolve("image.tar"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(tar, warnings::add));
        assertTrue(e.getMessage().startsWith(tar + ": " + manifestDigest + ": digest mismatch"), e.getMessage());
        assertTrue(index.contains(manifestDigest));
    }

    @Test
    void testRead_entryEscapingRoot_refused() throws Exception {
        TestImages.Archive archive = TestImages.oci(new TestImages.Layer().file("ok", 1).file("../../etc/cron.d/evil", 5));
        Path tar = archive.writeTar(dir.resolve("image.tar"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(tar, warnings::add));
        assertTrue(e.getMessage().endsWith("): entry '../../etc/cron.d/evil' escapes the image root"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("../etc")), "nothing is ever written");
    }

    @Test
    void testRead_hardLinkEscapingRoot_refused() throws Exception {
        Path tar = TestImages.oci(new TestImages.Layer().hardLink("passwd", "../../../etc/passwd")).writeTar(dir.resolve("i.tar"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(tar, warnings::add));
        assertTrue(e.getMessage().endsWith("): hard link 'passwd' to '../../../etc/passwd' escapes the image root"), e.getMessage());
    }

    @Test
    void testRead_absoluteEntryNames_containedWithWarning() throws Exception {
        TestImages.Layer layer = new TestImages.Layer();
        TarArchiveEntry e = new TarArchiveEntry("/etc/abs", true);
        e.setSize(3);
        layer.add(e, new byte[3]);
        Path tar = dir.resolve("export.tar");
        Files.write(tar, layer.tar());
        Image image = Image.read(tar, warnings::add);
        assertEquals(List.of("/etc dir 0", "/etc/abs file 3"), listing(image.tree()));
        assertEquals(List.of(tar + ": took 1 absolute entry name relative to the image root (first: '/etc/abs')"), warnings);
    }

    @Test
    void testRead_zstdLayer_refused() throws Exception {
        TestImages.Archive archive = TestImages.oci(new TestImages.Layer().file("a", 1));
        String blob = archive.files().keySet().iterator().next();
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};
        String digest = Digests.of(zstd);
        // rewrite the manifest to point at a zstd blob with a correct digest
        TestImages.Archive fixed = new TestImages.Archive();
        for (Map.Entry<String, byte[]> f : archive.files().entrySet()) {
            if (f.getKey().equals(blob)) {
                fixed.put("blobs/" + digest.replace(':', '/'), zstd);
            } else {
                fixed.put(f.getKey(), f.getValue());
            }
        }
        String oldDigest = "sha256:" + blob.substring(blob.lastIndexOf('/') + 1);
        String manifestBlob = "blobs/" + archive.digest().replace(':', '/');
        String manifest = new String(archive.get(manifestBlob), StandardCharsets.UTF_8).replace(oldDigest, digest)
                .replaceFirst("\"size\":\\d+}]", "\"size\":8}]");
        String newManifestDigest = Digests.of(manifest.getBytes(StandardCharsets.UTF_8));
        fixed.files().remove(manifestBlob);
        fixed.put("blobs/" + newManifestDigest.replace(':', '/'), manifest.getBytes(StandardCharsets.UTF_8));
        fixed.put("index.json", new String(archive.get("index.json"), StandardCharsets.UTF_8)
                .replace(archive.digest(), newManifestDigest)
                .replaceFirst("\"size\":\\d+", "\"size\":" + manifest.length()).getBytes(StandardCharsets.UTF_8));
        Path tar = fixed.writeTar(dir.resolve("zstd.tar"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(tar, warnings::add));
        assertTrue(e.getMessage().endsWith("): zstd-compressed layers are not supported; convert the image first, "
                + "e.g. skopeo copy --dest-compress-format gzip"), e.getMessage());
    }

    @Test
    void testRead_layerNamedOutsideArchive_refused() throws Exception {
        TestImages.Archive archive = TestImages.docker(new TestImages.Layer().file("a", 1));
        String manifest = new String(archive.get("manifest.json"), StandardCharsets.UTF_8)
                .replaceFirst("\"Layers\":\\[\"[^\"]+\"", "\"Layers\":[\"../../etc/passwd\"");
        archive.put("manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
        Path layout = archive.writeDir(dir.resolve("unpacked"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(layout, warnings::add));
        assertEquals(layout + ": '../../etc/passwd' is outside the image directory", e.getMessage());
    }

    @Test
    void testRead_blobSymlinkToHost_refused() throws Exception {
        TestImages.Archive archive = TestImages.docker(new TestImages.Layer().file("a", 1));
        Path layout = archive.writeDir(dir.resolve("unpacked"));
        String layer = archive.files().keySet().iterator().next();
        Files.delete(layout.resolve(layer));
        Files.createSymbolicLink(layout.resolve(layer), Path.of("/etc/hostname"));
        SnoopException e = assertThrows(SnoopException.class, () -> Image.read(layout, warnings::add));
        assertEquals(layout + ": " + layer + " is a symlink to outside the image directory", e.getMessage());
    }

    @Test
    void testRead_packageDatabaseCapturedAndWhiteoutsHonoured() throws Exception {
        TestImages.Layer base = new TestImages.Layer()
                .file("var/lib/dpkg/status", "Package: a\nStatus: install ok installed\n".getBytes(StandardCharsets.UTF_8))
                .file("var/lib/dpkg/info/a.list", "/usr/bin/a\n".getBytes(StandardCharsets.UTF_8))
                .file("var/lib/dpkg/info/gone.list", "/usr/bin/gone\n".getBytes(StandardCharsets.UTF_8));
        TestImages.Layer top = new TestImages.Layer()
                .whiteout("var/lib/dpkg/info", "gone.list")
                .file("var/lib/dpkg/info/a.list", "/usr/bin/a\n/usr/bin/a2\n".getBytes(StandardCharsets.UTF_8));
        Image image = Image.read(TestImages.oci(base, top).writeTar(dir.resolve("i.tar")), warnings::add);
        assertEquals(List.of(PackageFiles.DPKG_INFO + "a.list", PackageFiles.DPKG_STATUS), List.copyOf(image.packageFiles().keySet()));
        assertEquals("/usr/bin/a\n/usr/bin/a2\n", new String(image.packageFiles().get(PackageFiles.DPKG_INFO + "a.list"), StandardCharsets.UTF_8));
    }
}
