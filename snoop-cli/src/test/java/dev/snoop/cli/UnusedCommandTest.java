package dev.snoop.cli;

import static dev.snoop.cli.CliRun.run;
import static dev.snoop.cli.CliRun.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.image.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link UnusedCommand}, against the sample image of {@link TestImages}. */
class UnusedCommandTest {
    @TempDir
    Path dir;

    private TestImages.Archive archive;
    private Path image;

    private static final String KEEP_LIST = """
            /bin
            /etc
            /etc/evil
            /etc/hostname
            /etc/passwd
            /lib
            /opt
            /opt/app
            /opt/app/config.json
            /opt/app/data.hl
            /usr
            /usr/bin
            /usr/bin/sh
            /usr/lib
            /usr/lib/libc.so
            /usr/lib/libc.so.6
            /usr/lib/libfoo.so
            /usr/lib/libfoo.so.1
            /usr/lib/libfoo.so.1.2.3
            """;

    @BeforeEach
    void setUp() throws Exception {
        archive = TestImages.oci(TestImages.sampleLayers());
        image = archive.writeTar(dir.resolve("shop.tar"));
    }

    /** A report whose container {@code name} ran {@code digest} and used {@code files}. */
    private static String report(String name, String digest, List<String> files) {
        return "{\"schema_version\": 1, \"containers\": [{\"name\": \"" + name + "\""
                + (digest == null ? "" : ", \"image_digest\": \"" + digest + "\"")
                + ", \"files\": [" + files.stream().map(f -> "\"" + f + "\"").collect(Collectors.joining(", ")) + "]}]}";
    }

    /** The first layer's digest, hex only: {@link TestImages#oci} puts layer blobs first. */
    private String layerHex() {
        String blob = archive.files().keySet().iterator().next();
        return blob.substring(blob.lastIndexOf('/') + 1);
    }

    private Path sampleReport() throws Exception {
        return write(dir, "reports/r1.json", report("app", archive.digest(), TestImages.SAMPLE_USED));
    }

    @Test
    void testUnused_text_summary() throws Exception {
        CliRun r = run("unused", "--image", image.toString(), sampleReport().toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("snoop unused: warning: " + image + ": layer 1 (sha256:" + layerHex().substring(0, 12) + "): 1 symlink points above "
                + "the image root; resolved inside it, as the container sees them (first: /etc/evil -> ../../../../etc/hostname)\n", r.err());
        assertEquals("image      " + image + " (OCI image layout, " + archive.digest() + ")\n" + """
                reports    1; a file is unused when no report used it
                files      19 in the image: 13 kept, 6 unused
                unused     10.3 KiB of 12.6 KiB (81.5%)
                used paths 10, 2 of them not in the image

                created at run time (not in the image; their nearest directory is kept): 1
                  /tmp/runtime

                directories with the most unused bytes (files directly inside):
                    9.8 KiB       3  /opt/app
                      300 B       1  /usr/lib
                      200 B       1  /usr/bin
                       40 B       1  /var/cache/apt

                packages: no package database (dpkg or apk) in the image
                """, r.out());
    }

    @Test
    void testUnused_text_packages() throws Exception {
        TestImages.Layer layer = new TestImages.Layer()
                .file("usr/bin/tool", 100).file("usr/bin/tool2", 50).file("usr/bin/perl", 3000)
                .file("var/lib/dpkg/status", ("Package: tool\nStatus: install ok installed\nVersion: 1.0\n\n"
                        + "Package: perl-base\nStatus: install ok installed\nVersion: 5.36\n").getBytes(StandardCharsets.UTF_8))
                .file("var/lib/dpkg/info/tool.list", "/usr/bin/tool\n/usr/bin/tool2\n".getBytes(StandardCharsets.UTF_8))
                .file("var/lib/dpkg/info/perl-base.list", "/usr/bin/perl\n".getBytes(StandardCharsets.UTF_8));
        Path debian = TestImages.docker(layer).writeTar(dir.resolve("debian.tar"));
        Path report = write(dir, "r.json", report("app", null, List.of("/usr/bin/tool")));
        CliRun r = run("unused", "--image", debian.toString(), report.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().endsWith("""
                unused packages (dpkg), candidates to drop: 1
                    2.9 KiB       1  perl-base 5.36

                partly used packages: 1 (unused bytes, used files of all)
                       50 B  tool 1.0: 1 of 2 files (50.0%), 100 B of 150 B used

                0 packages fully used, 0 without files in the image
                """), r.out());
    }

    @Test
    void testUnused_help_percentSignsFormatted() {
        CliRun r = run("unused", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("--used-in 50% replicas/\n") && !r.out().contains("%%"), r.out());
    }

    @Test
    void testUnused_keepList_exactAndClosed() throws Exception {
        CliRun r = run("unused", "--image", image.toString(), "--format", "keep-list", sampleReport().toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(KEEP_LIST, r.out());
    }

    @Test
    void testUnused_json_full() throws Exception {
        CliRun r = run("unused", "--image", image.toString(), "--format", "json", "--top", "1", sampleReport().toString());
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("{\n  \"image\": \"" + image + "\",\n  \"format\": \"OCI image layout\",\n  \"image_digest\": \""
                + archive.digest() + "\",\n"), out);
        assertTrue(out.contains("""
                  "reports": 1,
                  "used_in": 1,
                  "image_files": 19,
                  "image_bytes": 12940,
                  "kept_files": 13,
                  "kept_bytes": 2400,
                  "unused_files": 6,
                  "unused_bytes": 10540,
                  "unused_share": 0.8145,
                  "used_paths": 10,
                  "used_paths_not_in_image": 2,
                  "created_at_run_time": [
                    "/tmp/runtime"
                  ],
                  "directories": [
                    {
                      "path": "/opt/app",
                      "unused_files": 3,
                      "unused_bytes": 10000,
                      "files": [
                        {
                          "path": "/opt/app/big-link",
                          "type": "file",
                          "size": 10000,
                          "bytes": 10000
                        },
                """), out);
        assertTrue(out.contains("\"packages\": null,\n  \"keep_list\": [\n    \"/bin\",\n"), out);
        assertTrue(out.endsWith("    \"/usr/lib/libfoo.so.1.2.3\"\n  ]\n}\n"), out);
    }

    @Test
    void testUnused_output_writtenAtomically() throws Exception {
        Path keep = dir.resolve("keep.txt");
        Files.writeString(keep, "old");
        CliRun r = run("unused", "--image", image.toString(), "--format", "keep-list", "-o", keep.toString(), sampleReport().toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertEquals(KEEP_LIST, Files.readString(keep));
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void testUnused_usedIn_fileUnusedInMostReplicas() throws Exception {
        write(dir, "replicas/a.json", report("app", archive.digest(), List.of("/usr/bin/sh", "/etc/passwd")));
        write(dir, "replicas/b.json", report("app", archive.digest(), List.of("/usr/bin/sh")));
        write(dir, "replicas/c.json", report("app", archive.digest(), List.of("/usr/bin/sh")));
        String replicas = dir.resolve("replicas").toString();
        CliRun all = run("unused", "--image", image.toString(), "--format", "keep-list", replicas);
        assertEquals("/bin\n/etc\n/etc/passwd\n/usr\n/usr/bin\n/usr/bin/sh\n", all.out());
        CliRun half = run("unused", "--image", image.toString(), "--format", "keep-list", "--used-in", "50%", replicas);
        assertEquals(0, half.exitCode(), half.err());
        assertEquals("/bin\n/usr\n/usr/bin\n/usr/bin/sh\n", half.out());
        CliRun text = run("unused", "--image", image.toString(), "--used-in", "2", replicas);
        assertTrue(text.out().contains("reports    3; a file is unused when fewer than 2 of them used it\n"), text.out());
    }

    @Test
    void testUnused_mergedWithCounts_countsAsItsReports() throws Exception {
        Path a = write(dir, "a.json", report("app", archive.digest(), List.of("/usr/bin/sh", "/etc/passwd")));
        Path b = write(dir, "b.json", report("app", archive.digest(), List.of("/usr/bin/sh")));
        Path merged = dir.resolve("merged.json");
        assertEquals(0, run("merge", "--with-counts", "-o", merged.toString(), a.toString(), b.toString()).exitCode());
        CliRun r = run("unused", "--image", image.toString(), "--format", "keep-list", "--used-in", "2", merged.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("/bin\n/usr\n/usr/bin\n/usr/bin/sh\n", r.out());
    }

    @Test
    void testUnused_otherImageDigest_warnsAndCompares() throws Exception {
        String other = "sha256:" + "ab".repeat(32);
        Path report = write(dir, "r.json", report("app", other, List.of("/usr/bin/sh")));
        CliRun r = run("unused", "--image", image.toString(), "--format", "keep-list", report.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().endsWith("snoop unused: warning: " + report + ": container 'app' ran image " + other + ", not " + image
                + " (" + archive.digest() + "); compared anyway\n"), r.err());
        assertEquals("/bin\n/usr\n/usr/bin\n/usr/bin/sh\n", r.out());
    }

    @Test
    void testUnused_podReport_containerMatchedByDigest() throws Exception {
        Path report = write(dir, "pod.json", "{\"containers\": ["
                + "{\"name\": \"app\", \"image_digest\": \"" + archive.digest() + "\", \"files\": [\"/usr/bin/sh\"]},"
                + "{\"name\": \"proxy\", \"image_digest\": \"sha256:" + "cd".repeat(32) + "\", \"files\": [\"/etc/passwd\"]}]}");
        CliRun r = run("unused", "--image", image.toString(), "--format", "keep-list", report.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("/bin\n/usr\n/usr/bin\n/usr/bin/sh\n", r.out());
        CliRun chosen = run("unused", "--image", image.toString(), "--format", "keep-list", "--container", "proxy", report.toString());
        assertEquals("/etc\n/etc/passwd\n", chosen.out());
        assertTrue(chosen.err().contains("container 'proxy' ran image sha256:cdcd"), chosen.err());
    }

    @Test
    void testUnused_ambiguousContainers_exitsTwo() throws Exception {
        Path report = write(dir, "pod.json", "{\"containers\": [{\"name\": \"a\", \"files\": []}, {\"name\": \"b\", \"files\": []}]}");
        CliRun r = run("unused", "--image", image.toString(), report.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("snoop unused: " + report + ": 2 containers and none ran " + image
                + "; choose one with --container (a, b)\n"), r.err());
    }

    @Test
    void testUnused_unknownContainer_exitsOne() throws Exception {
        CliRun r = run("unused", "--image", image.toString(), "--container", "nope", sampleReport().toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().endsWith("snoop unused: no report has a container named 'nope'\n"), r.err());
    }

    @Test
    void testUnused_reportWithoutContainers_exitsOne() throws Exception {
        Path empty = write(dir, "empty.json", "{\"containers\": []}");
        CliRun r = run("unused", "--image", image.toString(), empty.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().endsWith("snoop unused: warning: " + empty + ": no containers; skipped\nsnoop unused: no report has a container\n"), r.err());
    }

    @Test
    void testUnused_missingImage_exitsTwo() throws Exception {
        CliRun r = run("unused", "--image", dir.resolve("nope.tar").toString(), sampleReport().toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop unused: " + dir.resolve("nope.tar") + ": no such file or directory\n"
                + "Try 'snoop unused --help' for more information."), r.err());
    }

    @Test
    void testUnused_notAnImage_exitsTwo() throws Exception {
        Path report = sampleReport();
        CliRun r = run("unused", "--image", report.toString(), report.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop unused: " + report + ": not an image: expected an OCI layout or docker save tar, "
                + "or a root filesystem directory\n"), r.err());
    }

    @Test
    void testUnused_missingReport_exitsTwo() {
        CliRun r = run("unused", "--image", image.toString(), dir.resolve("nope.json").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop unused: " + dir.resolve("nope.json") + ": no such file or directory\n"), r.err());
    }

    @Test
    void testUnused_missingImageOption_exitsTwo() throws Exception {
        CliRun r = run("unused", sampleReport().toString());
        assertEquals(2, r.exitCode());
        // the image may also come from a server (--digest with --server), so --image is not a picocli-required option
        assertTrue(r.err().startsWith("snoop unused: an image is needed: --image IMAGE, or --digest DIGEST with --server URL"),
                r.err());
    }

    @Test
    void testUnused_badUsedIn_exitsTwo() throws Exception {
        CliRun r = run("unused", "--image", image.toString(), "--used-in", "0", sampleReport().toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("snoop unused: --used-in must be a number of reports (at least 1) or a percentage "
                + "(above 0% and at most 100%), not '0'"), r.err());
    }

    @Test
    void testUnused_badFormat_exitsTwo() throws Exception {
        CliRun r = run("unused", "--image", image.toString(), "--format", "yaml", sampleReport().toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("expected one of text, json, keep-list but was 'yaml'"), r.err());
    }

    @Test
    void testUnused_tamperedLayer_exitsOne() throws Exception {
        String blob = archive.files().keySet().iterator().next();
        archive.put(blob, TestImages.gzip(new TestImages.Layer().file("evil", 1).tar()));
        Path tampered = archive.writeTar(dir.resolve("tampered.tar"));
        CliRun r = run("unused", "--image", tampered.toString(), sampleReport().toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("snoop unused: " + tampered + ": layer 1 (sha256:"), r.err());
        assertTrue(r.err().contains("): digest mismatch: the content hashes to sha256:"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void testUnused_escapingEntry_exitsOneWithoutWriting() throws Exception {
        Path evil = TestImages.oci(new TestImages.Layer().file("../../../tmp/snoop-escape", 3)).writeTar(dir.resolve("evil.tar"));
        CliRun r = run("unused", "--image", evil.toString(), sampleReport().toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().endsWith("): entry '../../../tmp/snoop-escape' escapes the image root\n"), r.err());
        assertFalse(Files.exists(Path.of("/tmp/snoop-escape")));
    }

    @Test
    void testUnused_invalidReport_exitsOne() throws Exception {
        Path bad = write(dir, "bad.json", "{\"files\": 3}");
        CliRun r = run("unused", "--image", image.toString(), bad.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("snoop unused: " + bad + ": 'files' must be a list of strings"), r.err());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("dev.snoop.cli.BadReports#all")
    void testUnused_badReport_exitsOneWithOneLine(String name, byte[] content, String expected) throws Exception {
        Path bad = BadReports.write(dir, name, content);
        CliRun r = run("unused", "--image", image.toString(), sampleReport().toString(), bad.toString());
        assertEquals(1, r.exitCode(), r.err());
        // the image is read at the same time: its own warning may come before the report fails
        String err = r.err().lines().filter(l -> !l.startsWith("snoop unused: warning: " + image + ": "))
                .map(l -> l + "\n").reduce("", String::concat);
        assertEquals("snoop unused: " + bad + ": " + expected + "\n", err);
        assertEquals("", r.out());
    }

    @Test
    void testUnused_rootfsDirectory_andStdin() throws Exception {
        Path root = Files.createDirectories(dir.resolve("rootfs/usr/bin")).getParent().getParent();
        Files.writeString(root.resolve("usr/bin/sh"), "sh");
        Files.writeString(root.resolve("usr/bin/ls"), "ls!");
        CliRun r = CliRun.runWithStdin(report("app", null, List.of("/usr/bin/sh")),
                "unused", "--image", root.toString(), "--format", "keep-list", "-");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("/usr\n/usr/bin\n/usr/bin/sh\n", r.out()); // no /bin link in this root
    }

    /** A root filesystem with real files whose names hold a newline and an escape sequence. */
    private Path hostileRoot() throws Exception {
        Path root = dir.resolve("hostile");
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/sh"), "sh");
        Path forged = Files.createDirectories(root.resolve("opt/x\n+ /usr/bin"));
        Files.writeString(forged.resolve("sudo"), "not sudo");
        Path red = Files.createDirectories(root.resolve("opt/\u001b[31mred"));
        Files.writeString(red.resolve("junk"), "unused bytes");
        return root;
    }

    private Path hostileReport() throws Exception {
        return write(dir, "hostile.json", "{\"containers\": [{\"name\": \"app\", \"files\": "
                + "[\"/usr/bin/sh\", \"/opt/x\\n+ /usr/bin/sudo\"]}]}");
    }

    @Test
    void testUnused_hostileNames_textQuoted() throws Exception {
        CliRun r = run("unused", "--image", hostileRoot().toString(), hostileReport().toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("  \"/opt/\\033[31mred\"\n"), r.out());
        assertTrue(r.out().chars().noneMatch(c -> c == 0x1b), r.out());
        assertTrue(r.out().lines().noneMatch(line -> line.startsWith("+ /usr/bin/sudo")), r.out());
    }

    @Test
    void testUnused_keepListWithNewlineName_refusedWithoutWriting() throws Exception {
        Path keep = dir.resolve("keep.txt");
        CliRun r = run("unused", "--image", hostileRoot().toString(), "--format", "keep-list", hostileReport().toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertEquals("snoop unused: keep list: the name \"/opt/x\\n+ \" has a newline, which a list of one name a line "
                + "cannot hold; use --null\n", r.err());
        CliRun toFile = run("unused", "--image", hostileRoot().toString(), "--format", "keep-list", "-o", keep.toString(),
                hostileReport().toString());
        assertEquals(1, toFile.exitCode(), toFile.err());
        assertFalse(Files.exists(keep));
    }

    @Test
    void testUnused_keepListNull_exactNames() throws Exception {
        CliRun r = run("unused", "--image", hostileRoot().toString(), "--format", "keep-list", "--null", hostileReport().toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("/opt\0/opt/x\n+ \0/opt/x\n+ /usr\0/opt/x\n+ /usr/bin\0/opt/x\n+ /usr/bin/sudo\0/usr\0/usr/bin\0/usr/bin/sh\0",
                r.out());
    }

    @Test
    void testUnused_keepListOnATerminal_quoted() throws Exception {
        Path safe = write(dir, "safe.json", "{\"containers\": [{\"name\": \"app\", \"files\": "
                + "[\"/usr/bin/sh\", \"/opt/\\u001b[31mred/junk\"]}]}");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(java.io.InputStream.nullInputStream(), new java.io.PrintWriter(out), new java.io.PrintWriter(err),
                new Terminals(false, false, true), "unused", "--image", hostileRoot().toString(), "--format", "keep-list", safe.toString());
        assertEquals(0, code, err.toString());
        assertEquals("/opt\n\"/opt/\\033[31mred\"\n\"/opt/\\033[31mred/junk\"\n/usr\n/usr/bin\n/usr/bin/sh\n", out.toString());
        CliRun piped = run("unused", "--image", hostileRoot().toString(), "--format", "keep-list", safe.toString());
        assertEquals("/opt\n/opt/\u001b[31mred\n/opt/\u001b[31mred/junk\n/usr\n/usr/bin\n/usr/bin/sh\n", piped.out()); // exact for tools
    }

    @Test
    void testUnused_nullWithoutKeepList_exitsTwo() throws Exception {
        CliRun r = run("unused", "--image", hostileRoot().toString(), "--null", hostileReport().toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--null applies only to --format keep-list"), r.err());
    }
}
