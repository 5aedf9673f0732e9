package dev.snoop.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.path.SortedPathsBuilder;
import dev.snoop.core.report.ContainerReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link UnusedAnalysis}: the unused set, the bytes, the keep list and packages. */
class UnusedAnalysisTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    static final List<String> SAMPLE_KEEP_LIST = List.of("/bin", "/etc", "/etc/evil", "/etc/hostname", "/etc/passwd",
            "/lib", "/opt", "/opt/app", "/opt/app/config.json", "/opt/app/data.hl", "/usr", "/usr/bin", "/usr/bin/sh",
            "/usr/lib", "/usr/lib/libc.so", "/usr/lib/libc.so.6", "/usr/lib/libfoo.so", "/usr/lib/libfoo.so.1",
            "/usr/lib/libfoo.so.1.2.3");

    private Image sample() throws Exception {
        return Image.read(TestImages.oci(TestImages.sampleLayers()).writeTar(dir.resolve("image.tar")), w -> { });
    }

    private static Usage usage(List<String> paths) {
        Usage u = new Usage();
        u.add(List.of(ContainerReport.of("app", SortedPaths.of(paths))), 0);
        return u;
    }

    private static List<String> list(SortedPaths paths) {
        List<String> out = new ArrayList<>();
        paths.forEach(out::add);
        return out;
    }

    private static String unused(UnusedResult r) {
        return r.directories().stream()
                .map(d -> d.path() + " " + d.bytes() + ": " + d.files().stream()
                        .map(f -> f.path() + " " + f.type() + " " + f.size() + "/" + f.bytes())
                        .collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void testAnalyze_sample_exactUnusedSetBytesAndKeepList() throws Exception {
        UnusedResult r = UnusedAnalysis.analyze(sample(), usage(TestImages.SAMPLE_USED), 1, warnings::add);
        assertEquals(SAMPLE_KEEP_LIST, list(r.keepList()));
        assertEquals("""
                /opt/app 10000: /opt/app/big-link file 10000/10000, /opt/app/big.dat file 10000/0, /opt/app/data file 700/0
                /usr/lib 300: /usr/lib/libbar.so file 300/300
                /usr/bin 200: /usr/bin/unused-tool file 200/200
                /var/cache/apt 40: /var/cache/apt/new.bin file 40/40""", unused(r));
        assertEquals(19, r.imageFiles());
        assertEquals(12_940, r.imageBytes());
        assertEquals(13, r.keptFiles());
        assertEquals(2_400, r.keptBytes());
        assertEquals(6, r.unusedFiles());
        assertEquals(10_540, r.unusedBytes());
        assertEquals(10, r.usedPaths());
        assertEquals(2, r.usedNotInImage(), "/tmp/runtime and /proc/self/maps");
        assertEquals(null, r.packageManager());
        assertEquals(List.of(), warnings);
    }

    @Test
    void testAnalyze_keepListIsClosed() throws Exception {
        Image image = sample();
        UnusedResult r = UnusedAnalysis.analyze(image, usage(TestImages.SAMPLE_USED), 1, warnings::add);
        FileTree t = image.tree();
        List<String> keep = list(r.keepList());
        for (String path : keep) {
            int node = t.resolve(path, false, x -> { });
            String parent = t.path(t.parent(node));
            assertEquals(true, parent.equals("/") || keep.contains(parent), "parent of " + path);
            if (t.type(node) == FileTree.SYMLINK) {
                List<String> followed = new ArrayList<>();
                int target = t.resolve(path, true, n -> followed.add(t.path(n)));
                assertEquals(true, keep.contains(t.path(target)), "target of " + path);
                assertEquals(true, keep.containsAll(followed), "links on the way from " + path);
            }
        }
    }

    @Test
    void testAnalyze_usedThroughMissingFile_stillKeepsSymlinkTarget() throws Exception {
        // /lib is traversed but /lib/nothing does not exist: /lib's target must still be kept
        UnusedResult r = UnusedAnalysis.analyze(sample(), usage(List.of("/lib/nothing")), 1, warnings::add);
        assertEquals(List.of("/lib", "/usr", "/usr/lib"), list(r.keepList()));
        assertEquals(1, r.usedNotInImage());
    }

    @Test
    void testAnalyze_linksToKeptFiles_keptForTheElfInterpreter() throws Exception {
        // as on Debian: PT_INTERP names /lib64/ld-linux-x86-64.so.2, the kernel opens (and the
        // recorder reports) the file it resolves to
        Image image = Image.read(TestImages.oci(new TestImages.Layer()
                .dir("usr").dir("usr/lib").dir("usr/lib/x86_64-linux-gnu").dir("usr/lib64").dir("usr/bin")
                .symlink("lib64", "usr/lib64")
                .symlink("usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
                .file("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 200)
                .symlink("usr/bin/unrelated", "/usr/lib/x86_64-linux-gnu/missing")
                .file("usr/bin/app", 10)).writeTar(dir.resolve("ld.tar")), w -> { });
        UnusedResult r = UnusedAnalysis.analyze(image,
                usage(List.of("/usr/bin/app", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")), 1, warnings::add);
        assertEquals(List.of("/lib64", "/usr", "/usr/bin", "/usr/bin/app", "/usr/lib", "/usr/lib/x86_64-linux-gnu",
                "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib64", "/usr/lib64/ld-linux-x86-64.so.2"),
                list(r.keepList()));
    }

    @Test
    void testAnalyze_usedPathCreatedAtRunTime_keepsItsNearestDirectory() throws Exception {
        // nginx writes /run/nginx.pid and /var/lib/nginx/body/...: /run is empty in the image and
        // /var/lib/nginx is not there at all, so /run and /var/lib are what must stay
        Image image = Image.read(TestImages.oci(new TestImages.Layer()
                .dir("run").dir("var").dir("var/lib").dir("var/cache").dir("usr").dir("usr/sbin")
                .file("usr/sbin/nginx", 10).symlink("var/run", "/run")).writeTar(dir.resolve("run.tar")), w -> { });
        UnusedResult r = UnusedAnalysis.analyze(image, usage(List.of("/usr/sbin/nginx", "/var/run/nginx.pid",
                "/var/lib/nginx/body/0000000001", "/proc/self/stat", "/usr/sbin/nginx/not-a-dir")), 1, warnings::add);
        assertEquals(List.of("/run", "/usr", "/usr/sbin", "/usr/sbin/nginx", "/var", "/var/lib", "/var/run"),
                list(r.keepList()));
        assertEquals(List.of("/var/lib/nginx/body/0000000001", "/var/run/nginx.pid"), r.createdAtRunTime());
        assertEquals(4, r.usedNotInImage());
    }

    @Test
    void testAnalyze_keptExecutable_keepsItsElfInterpreterThroughSymlinks() throws Exception {
        // the recorder on overlayfs may never name the loader: only PT_INTERP says it is needed
        Image image = Image.read(TestImages.oci(new TestImages.Layer()
                .dir("usr").dir("usr/lib").dir("usr/lib/x86_64-linux-gnu").dir("usr/lib64").dir("usr/bin")
                .symlink("lib64", "usr/lib64")
                .symlink("usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
                .file("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 200)
                .file("usr/lib/x86_64-linux-gnu/unused.so", 20)
                .executable("usr/bin/app", ElfInterpreterTest.elf(true, true, "/lib64/ld-linux-x86-64.so.2"))
                .executable("usr/bin/static", ElfInterpreterTest.elf(true, true, null)))
                .writeTar(dir.resolve("interp.tar")), w -> { });
        UnusedResult r = UnusedAnalysis.analyze(image, usage(List.of("/usr/bin/app", "/usr/bin/static")), 1, warnings::add);
        assertEquals(List.of("/lib64", "/usr", "/usr/bin", "/usr/bin/app", "/usr/bin/static", "/usr/lib",
                "/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib64",
                "/usr/lib64/ld-linux-x86-64.so.2"), list(r.keepList()));
    }

    @Test
    void testAnalyze_usedIn_countsFromMergedReports() throws Exception {
        Usage u = new Usage();
        // a merge --with-counts of 4 reports: sh in all, passwd in 1
        SortedPathsBuilder b = SortedPaths.builder();
        b.appendIfAscending("/etc/passwd".getBytes(StandardCharsets.UTF_8), 11, 1);
        b.appendIfAscending("/usr/bin/sh".getBytes(StandardCharsets.UTF_8), 11, 4);
        u.add(List.of(ContainerReport.of("app", b.build(true))), 4);
        u.add(List.of(ContainerReport.of("app", SortedPaths.of("/usr/bin/sh", "/usr/bin/unused-tool"))), 0);
        assertEquals(5, u.reports());
        Image image = sample();
        // /bin -> usr/bin is kept because /usr/bin is: a link to something kept always is
        assertEquals(List.of("/bin", "/etc", "/etc/passwd", "/usr", "/usr/bin", "/usr/bin/sh", "/usr/bin/unused-tool"),
                list(UnusedAnalysis.analyze(image, u, 1, warnings::add).keepList()));
        assertEquals(List.of("/bin", "/usr", "/usr/bin", "/usr/bin/sh"), list(UnusedAnalysis.analyze(image, u, 2, warnings::add).keepList()));
        assertEquals(List.of("/bin", "/usr", "/usr/bin", "/usr/bin/sh"), list(UnusedAnalysis.analyze(image, u, 5, warnings::add).keepList()));
        assertEquals(List.of(), list(UnusedAnalysis.analyze(image, u, 6, warnings::add).keepList()));
    }

    @Test
    void testUsage_twoContainersOfOneReport_countOnce() {
        Usage u = new Usage();
        u.add(List.of(ContainerReport.of("a", SortedPaths.of("/x")), ContainerReport.of("b", SortedPaths.of("/x", "/y"))), 0);
        SortedPaths.Cursor c = u.counted().cursor();
        c.next();
        assertEquals(1, c.count());
        assertEquals(1, u.reports());
    }

    @Test
    void testAnalyze_usedInBelowOne_refused() throws Exception {
        Image image = sample();
        assertThrows(IllegalArgumentException.class, () -> UnusedAnalysis.analyze(image, new Usage(), 0, warnings::add));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void testAnalyze_dpkg_unusedAndPartlyUsedPackages() throws Exception {
        TestImages.Layer layer = new TestImages.Layer()
                .symlink("bin", "usr/bin")
                .file("usr/bin/tool", 100).file("usr/bin/tool2", 50)
                .file("usr/share/doc/tool/copyright", 10)
                .file("usr/bin/perl", 3000).file("usr/share/perl/strict.pm", 400)
                .file("usr/lib/libz.so.1", 90)
                .file("var/lib/dpkg/status", utf8("""
                        Package: tool
                        Status: install ok installed
                        Architecture: amd64
                        Version: 1.0-1

                        Package: perl-base
                        Status: install ok installed
                        Version: 5.36.0-7

                        Package: zlib1g
                        Status: install ok installed
                        Architecture: amd64
                        Version: 1:1.2.13

                        Package: removed
                        Status: deinstall ok config-files
                        Version: 1

                        Package: meta
                        Status: install ok installed
                        Version: 2
                        """))
                .file("var/lib/dpkg/info/tool.list", utf8("/.\n/bin\n/bin/tool\n/usr/bin/tool2\n/usr/share/doc/tool/copyright\n"))
                .file("var/lib/dpkg/info/perl-base.list", utf8("/usr/bin/perl\n/usr/share/perl/strict.pm\n/usr/share/perl/gone.pm\n"))
                .file("var/lib/dpkg/info/zlib1g:amd64.list", utf8("/usr/lib/libz.so.1\n"))
                .file("var/lib/dpkg/info/meta.list", utf8("/.\n/usr\n"));
        Image image = Image.read(TestImages.oci(layer).writeTar(dir.resolve("i.tar")), w -> { });
        UnusedResult r = UnusedAnalysis.analyze(image, usage(List.of("/bin/tool", "/usr/lib/libz.so.1")), 1, warnings::add);
        assertEquals("dpkg", r.packageManager());
        assertEquals(List.of(new UnusedResult.PackageUse("perl-base", "5.36.0-7", 2, 0, 3400, 0)), r.unusedPackages());
        assertEquals(List.of(new UnusedResult.PackageUse("tool", "1.0-1", 3, 1, 160, 100)), r.partlyUsedPackages());
        assertEquals(1, r.fullyUsedPackages());
        assertEquals(1, r.packagesWithoutFiles(), "meta lists only directories");
        assertEquals(List.of(), warnings);
    }

    @Test
    void testAnalyze_apk_packages() throws Exception {
        TestImages.Layer layer = new TestImages.Layer()
                .file("bin/busybox", 800).symlink("bin/sh", "/bin/busybox")
                .file("usr/lib/libcurl.so.4", 300)
                .file("lib/apk/db/installed", utf8("""
                        C:Q1abc=
                        P:busybox
                        V:1.36.1-r2
                        F:bin
                        R:busybox
                        R:sh

                        C:Q1def=
                        P:libcurl
                        V:8.5.0-r0
                        F:usr/lib
                        R:libcurl.so.4
                        """));
        Image image = Image.read(TestImages.oci(layer).writeTar(dir.resolve("i.tar")), w -> { });
        UnusedResult r = UnusedAnalysis.analyze(image, usage(List.of("/bin/sh")), 1, warnings::add);
        assertEquals("apk", r.packageManager());
        assertEquals(List.of(new UnusedResult.PackageUse("libcurl", "8.5.0-r0", 1, 0, 300, 0)), r.unusedPackages());
        assertEquals(List.of(), r.partlyUsedPackages());
        assertEquals(1, r.fullyUsedPackages(), "busybox: sh used, and busybox as its target");
    }
}
