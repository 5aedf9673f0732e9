package dev.snoop.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ContainerReport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link ImageTree}: an image read back from its tree summary analyses as the image itself. */
class ImageTreeTest {
    @TempDir
    Path dir;

    private static Usage usage(List<String> paths) {
        Usage u = new Usage();
        u.add(List.of(ContainerReport.of("app", SortedPaths.of(paths))), 0);
        return u;
    }

    private static byte[] tree(Image image, String digest) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageTree.write(image, digest, out);
        return out.toByteArray();
    }

    /** Everything of a result but where the image came from. */
    private static String summary(UnusedResult r) {
        List<String> keep = new ArrayList<>();
        r.keepList().forEach(keep::add);
        return r.imageFiles() + " files, " + r.imageBytes() + " bytes, kept " + r.keptFiles() + "/" + r.keptBytes()
                + ", unused " + r.unusedBytes() + ", used " + r.usedPaths() + " (" + r.usedNotInImage() + " not in image), "
                + "run time " + r.createdAtRunTime() + "\nkeep " + keep + "\ndirs " + r.directories()
                + "\npackages " + r.packageManager() + " " + r.packages() + " " + r.fullyUsedPackages() + " " + r.packagesWithoutFiles();
    }

    @Test
    void testReadWrite_sampleImage_sameAnalysis() throws Exception {
        Image image = Image.read(TestImages.oci(TestImages.sampleLayers()).writeTar(dir.resolve("image.tar")), w -> { });
        byte[] json = tree(image, image.digest());
        Image back = ImageTree.read(json, "serve:@" + image.digest());
        assertEquals(image.digest(), back.digest());
        assertEquals(image.refs(), back.refs());
        assertTrue(back.digests().containsAll(image.digests()));
        List<String> warnings = new ArrayList<>();
        UnusedResult original = UnusedAnalysis.analyze(image, usage(TestImages.SAMPLE_USED), 1, warnings::add);
        UnusedResult fromTree = UnusedAnalysis.analyze(back, usage(TestImages.SAMPLE_USED), 1, warnings::add);
        assertEquals(summary(original), summary(fromTree));
        assertEquals(UnusedAnalysisTest.SAMPLE_KEEP_LIST.size(), fromTree.keepList().size());
        // the tree of the tree is the same bytes: nothing is lost or reordered on the way
        assertEquals(new String(json, StandardCharsets.UTF_8).replace("\"OCI image layout\"", "\"image tree (OCI image layout)\""),
                new String(tree(back, image.digest()), StandardCharsets.UTF_8));
    }

    @Test
    void testReadWrite_dpkgHardLinksAndInterpreter_sameAnalysis() throws Exception {
        TestImages.Layer layer = new TestImages.Layer()
                .symlink("bin", "usr/bin")
                .file("usr/bin/tool", 100).file("usr/bin/perl", 3000).file("usr/share/perl/strict.pm", 400)
                .file("var/lib/dpkg/status", """
                        Package: tool
                        Status: install ok installed
                        Version: 1.0-1

                        Package: perl-base
                        Status: install ok installed
                        Version: 5.36.0-7
                        """.getBytes(StandardCharsets.UTF_8))
                .file("var/lib/dpkg/info/tool.list", "/bin/tool\n".getBytes(StandardCharsets.UTF_8))
                .file("var/lib/dpkg/info/perl-base.list", "/usr/bin/perl\n/usr/share/perl/strict.pm\n".getBytes(StandardCharsets.UTF_8));
        Image image = Image.read(TestImages.oci(layer).writeTar(dir.resolve("i.tar")), w -> { });
        Image back = ImageTree.read(tree(image, "sha256:abc"), "tree");
        assertEquals("sha256:abc", back.digest());
        List<String> used = List.of("/bin/tool");
        assertEquals(summary(UnusedAnalysis.analyze(image, usage(used), 1, w -> { })),
                summary(UnusedAnalysis.analyze(back, usage(used), 1, w -> { })));
        assertEquals("dpkg", UnusedAnalysis.analyze(back, usage(used), 1, w -> { }).packageManager());
    }

    @Test
    void testRead_notATree_failsNamingTheSource() {
        SnoopException e = assertThrows(SnoopException.class,
                () -> ImageTree.read("{\"schema_version\": 2}".getBytes(StandardCharsets.UTF_8), "serve:@sha256:x"));
        assertEquals("serve:@sha256:x: not an image tree: schema_version is not 1", e.getMessage());
        e = assertThrows(SnoopException.class, () -> ImageTree.read("[".getBytes(StandardCharsets.UTF_8), "t"));
        assertEquals("t: not an image tree: not a JSON object", e.getMessage());
        e = assertThrows(SnoopException.class, () -> ImageTree.read(
                "{\"schema_version\": 1, \"image_digest\": \"d\", \"entries\": [{\"path\": \"/x\", \"type\": \"fifo\"}]}"
                        .getBytes(StandardCharsets.UTF_8), "t"));
        assertEquals("t: not an image tree: entry /x: unknown type 'fifo'", e.getMessage());
    }
}
