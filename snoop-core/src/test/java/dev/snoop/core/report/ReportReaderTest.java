package dev.snoop.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.SortedPaths;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link ReportReader} through {@link ReportJson#read}, on real files. */
class ReportReaderTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private Path write(String name, String json) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, json);
        return file;
    }

    private Report read(Path file) {
        return ReportJson.read(file, warnings::add);
    }

    private String error(Path file) {
        return assertThrows(SnoopException.class, () -> read(file)).getMessage();
    }

    private static List<String> list(SortedPaths paths) {
        List<String> list = new ArrayList<>();
        paths.forEach(list::add);
        return list;
    }

    @Test
    void testRead_currentDocument_everyField() throws Exception {
        Path file = write("pod.json", """
                {
                  "schema_version": 1,
                  "pod_name": "shop-7d9c5-x2x4q",
                  "namespace": "shop",
                  "labels": {"version": "1.1", "app": "shop"},
                  "started_at": "2026-11-01T09:00:00Z",
                  "last_updated_at": "2026-11-01T10:30:00+01:00",
                  "total_events": 569,
                  "dropped_events": 3,
                  "merged_reports": 2,
                  "containers": [
                    {
                      "name": "sidecar",
                      "files": ["/bin/sh"]
                    },
                    {
                      "name": "app",
                      "container_id": "containerd://abc",
                      "cgroup_id": 4242,
                      "cgroup_path": "/sys/fs/cgroup/kubepods/pod1/abc",
                      "image_ref": "registry.example.com/shop:1.1",
                      "image_digest": "sha256:1111",
                      "started_at": "2026-11-01T09:00:01Z",
                      "last_updated_at": "2026-11-01T09:29:59.5Z",
                      "unique_files": 2,
                      "total_events": 560,
                      "dropped_events": 3,
                      "files": ["/app/main.py", "/etc/ld.so.cache"],
                      "seen_in": [2, 1]
                    }
                  ]
                }
                """);
        Report report = read(file);
        assertEquals(List.of(), warnings);
        assertEquals(1, report.schemaVersion());
        assertEquals("shop-7d9c5-x2x4q", report.podName());
        assertEquals("shop", report.namespace());
        assertEquals(List.of("app", "version"), List.copyOf(report.labels().keySet()), "labels sorted by key");
        assertEquals(Instant.parse("2026-11-01T09:00:00Z"), report.startedAt());
        assertEquals(Instant.parse("2026-11-01T09:30:00Z"), report.lastUpdatedAt(), "offsets are converted");
        assertEquals(569, report.totalEvents());
        assertEquals(3, report.droppedEvents());
        assertEquals(2, report.mergedReports());
        assertEquals(List.of("app", "sidecar"), report.containers().stream().map(ContainerReport::name).toList());
        ContainerReport app = report.containers().get(0);
        assertEquals(new ContainerReport("app", "containerd://abc", 4242, "/sys/fs/cgroup/kubepods/pod1/abc",
                "registry.example.com/shop:1.1", "sha256:1111", Instant.parse("2026-11-01T09:00:01Z"),
                Instant.parse("2026-11-01T09:29:59.500Z"), 560, 3, app.files()), app);
        SortedPaths.Cursor cursor = app.files().cursor();
        List<String> counted = new ArrayList<>();
        while (cursor.next()) {
            counted.add(cursor.path() + "=" + cursor.count());
        }
        assertEquals(List.of("/app/main.py=2", "/etc/ld.so.cache=1"), counted);
        assertEquals(ContainerReport.of("sidecar", SortedPaths.of("/bin/sh")), report.containers().get(1));
    }

    @Test
    void testRead_goPrototypePodDocument() throws Exception {
        // no schema_version, image fields or container ids; Go writes nil slices as null and unset times as year 1
        Path file = write("go.json", """
                {"pod_name":"web-0","namespace":"default","labels":{"app":"web"},\
                "started_at":"2025-03-01T12:00:00.123456789Z","last_updated_at":"0001-01-01T00:00:00Z",\
                "total_events":12,"dropped_events":0,\
                "containers":[{"name":"nginx","started_at":"2025-03-01T12:00:01Z","total_events":12,\
                "dropped_events":0,"unique_files":2,"files":["/etc/nginx/nginx.conf","/usr/sbin/nginx"]},\
                {"name":"idle","files":null}]}
                """);
        Report report = read(file);
        assertEquals(List.of(), warnings);
        assertEquals(Report.SCHEMA_VERSION, report.schemaVersion());
        assertEquals("web-0", report.podName());
        assertEquals(Map.of("app", "web"), report.labels());
        assertEquals(Instant.parse("2025-03-01T12:00:00.123456789Z"), report.startedAt());
        assertNull(report.lastUpdatedAt(), "Go's zero time means unset");
        assertEquals(12, report.totalEvents());
        assertEquals(2, report.containers().size());
        ContainerReport idle = report.containers().get(0);
        assertEquals("idle", idle.name());
        assertTrue(idle.files().isEmpty());
        ContainerReport nginx = report.containers().get(1);
        assertEquals(List.of("/etc/nginx/nginx.conf", "/usr/sbin/nginx"), list(nginx.files()));
        assertNull(nginx.imageRef());
        assertNull(nginx.containerId());
        assertEquals(12, nginx.totalEvents());
    }

    @Test
    void testRead_singleContainerObject_readAsOneContainer() throws Exception {
        Path file = write("single.json", """
                {
                  "container_id": "cri-o://f00d",
                  "image_ref": "nginx:1.27",
                  "image_digest": "sha256:2222",
                  "pod_name": "web-1",
                  "namespace": "prod",
                  "labels": {"app": "web"},
                  "started_at": "2026-01-02T03:04:05Z",
                  "last_updated_at": "2026-01-02T04:04:05Z",
                  "files": ["/usr/sbin/nginx", "/etc/nginx/nginx.conf"],
                  "total_events": 40,
                  "dropped_events": 1
                }
                """);
        Report report = read(file);
        assertEquals(List.of(), warnings);
        assertEquals(1, report.schemaVersion());
        assertEquals("web-1", report.podName());
        assertEquals("prod", report.namespace());
        assertEquals(40, report.totalEvents());
        assertEquals(1, report.droppedEvents());
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), report.startedAt());
        ContainerReport only = report.containers().get(0);
        assertEquals(1, report.containers().size());
        assertEquals(new ContainerReport("", "cri-o://f00d", 0, null, "nginx:1.27", "sha256:2222",
                Instant.parse("2026-01-02T03:04:05Z"), Instant.parse("2026-01-02T04:04:05Z"), 40, 1,
                SortedPaths.of("/etc/nginx/nginx.conf", "/usr/sbin/nginx")), only);
        assertEquals("cri-o://f00d", only.label());
    }

    @Test
    void testRead_unknownFieldsIgnored_atEveryLevel() throws Exception {
        Path file = write("future.json", """
                {
                  "schema_version": 1,
                  "recording": {"node": "n1", "excluded": ["/proc", "/sys"], "nested": {"deep": [1, {"x": null}]}},
                  "complete": true,
                  "total_events": 5,
                  "containers": [
                    {
                      "name": "app",
                      "complete": false,
                      "failed_path_reads": 2,
                      "unresolved_paths": 1,
                      "last_new_file_at": "2026-01-01T00:00:00Z",
                      "access": ["xr", "m"],
                      "files": ["/bin/app", "/etc/hosts"],
                      "extra": {"files": 42}
                    }
                  ],
                  "trailer": [[], {}, "x", 1.5, false, null]
                }
                """);
        Report report = read(file);
        assertEquals(List.of(), warnings);
        assertEquals(5, report.totalEvents());
        assertEquals(List.of("/bin/app", "/etc/hosts"), list(report.containers().get(0).files()));
    }

    @Test
    void testRead_nullsMeanUnset() throws Exception {
        Path file = write("nulls.json", """
                {"schema_version": null, "pod_name": null, "labels": null, "started_at": "", "total_events": null,
                 "containers": [{"name": null, "image_ref": null, "files": ["/a"]}]}
                """);
        Report report = read(file);
        assertEquals(1, report.schemaVersion());
        assertNull(report.podName());
        assertEquals(Map.of(), report.labels());
        assertNull(report.startedAt());
        assertEquals("", report.containers().get(0).name());
        assertEquals("(unnamed)", report.containers().get(0).label());
    }

    @Test
    void testRead_containersNull_emptyReport() throws Exception {
        Report report = read(write("none.json", "{\"schema_version\": 1, \"containers\": null}"));
        assertEquals(List.of(), report.containers());
    }

    @Test
    void testRead_newerSchemaVersion_refused() throws Exception {
        Path file = write("v2.json", """
                {"schema_version": 2, "containers": [{"name": "app", "files": ["/a"], "new_thing": {}}]}
                """);
        assertEquals(file + ": schema_version 2 is newer than this snoop reads (1); upgrade snoop", error(file));
    }

    @Test
    void testRead_newerSchemaVersion_refusedBeforeFieldsAreMisread() throws Exception {
        // in version 2, files might be objects: the version must be checked before they are read
        Path file = write("v2.json", """
                {"schema_version": 2, "files": [{"path": "/a"}]}
                """);
        assertEquals(file + ": schema_version 2 is newer than this snoop reads (1); upgrade snoop", error(file));
    }

    @Test
    void testRead_missingFile() {
        Path file = dir.resolve("missing.json");
        assertEquals(file + ": no such file", error(file));
    }

    @Test
    void testRead_directory() {
        assertEquals(dir + ": is a directory", error(dir));
    }

    static Stream<Arguments> badDocuments() {
        return Stream.of(
                Arguments.of("empty", "", "empty file"),
                Arguments.of("whitespace", "  \n\t\n", "empty file"),
                Arguments.of("truncated", "{\"schema_version\": 1,\n  \"containers\": [\n", "truncated JSON (line 3, column 1)"),
                Arguments.of("truncated string", "{\"files\": [\"/a", "truncated JSON (line 1, column 15)"),
                Arguments.of("truncated object", "{\"containers\": [{\"name\": \"app\"}", "truncated JSON (line 1, column 32)"),
                Arguments.of("trailing garbage", "{\"files\": []} x",
                        "not valid JSON: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') (line 1, column 15)"),
                Arguments.of("two documents", "{\"files\": []}\n{\"files\": []}", "unexpected content after the report object"),
                Arguments.of("missing comma", "{\"files\": [\"/a\" \"/b\"]}",
                        "not valid JSON: Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries (line 1, column 17)"),
                Arguments.of("array", "[{\"files\": []}]", "not a report: expected a JSON object, found an array"),
                Arguments.of("string", "\"report\"", "not a report: expected a JSON object, found a string"),
                Arguments.of("number", "42", "not a report: expected a JSON object, found a number"),
                Arguments.of("null", "null", "not a report: expected a JSON object, found null"),
                Arguments.of("no files or containers", "{\"hello\": \"world\"}", "not a report: no 'containers' or 'files' field"),
                Arguments.of("both shapes", "{\"files\": [], \"containers\": []}", "not a report: has both 'containers' and 'files'"),
                Arguments.of("files an object", "{\"files\": {\"/a\": 1}}", "'files' must be a list of strings, found an object (line 1, column 11)"),
                Arguments.of("files a string", "{\"files\": \"/a\"}", "'files' must be a list of strings, found a string (line 1, column 11)"),
                Arguments.of("files of numbers", "{\"containers\": [{\"files\": [\"/a\", 1]}]}",
                        "'files' must be a list of strings, found a number (line 1, column 34)"),
                Arguments.of("files of objects", "{\"files\": [{\"path\": \"/a\"}]}", "'files' must be a list of strings, found an object (line 1, column 12)"),
                Arguments.of("containers an object", "{\"containers\": {\"name\": \"app\"}}",
                        "'containers' must be a list of objects, found an object (line 1, column 16)"),
                Arguments.of("containers of strings", "{\"containers\": [\"app\"]}",
                        "'containers' must be a list of objects, found a string (line 1, column 17)"),
                Arguments.of("labels a list", "{\"labels\": [\"a\"], \"files\": []}", "'labels' must be an object of strings, found an array (line 1, column 12)"),
                Arguments.of("label a number", "{\"labels\": {\"tier\": 1}, \"files\": []}", "label 'tier' must be a string, found a number (line 1, column 21)"),
                Arguments.of("name a number", "{\"containers\": [{\"name\": 7}]}", "'name' must be a string, found a number (line 1, column 26)"),
                Arguments.of("negative counter", "{\"total_events\": -1, \"files\": []}", "'total_events' is out of range: -1 (line 1, column 18)"),
                Arguments.of("fractional counter", "{\"dropped_events\": 1.5, \"files\": []}", "'dropped_events' must be a whole number, found a number (line 1, column 20)"),
                Arguments.of("huge counter", "{\"total_events\": 99999999999999999999999, \"files\": []}",
                        "'total_events' must be a whole number, found a number (line 1, column 18)"),
                Arguments.of("counter a string", "{\"total_events\": \"5\", \"files\": []}", "'total_events' must be a whole number, found a string (line 1, column 18)"),
                Arguments.of("merged_reports too big", "{\"merged_reports\": 3000000000, \"containers\": []}",
                        "'merged_reports' is out of range: 3000000000 (line 1, column 20)"),
                Arguments.of("schema_version a string", "{\"schema_version\": \"1\", \"containers\": []}",
                        "'schema_version' must be a whole number, found a string (line 1, column 20)"),
                Arguments.of("schema_version 0", "{\"schema_version\": 0, \"containers\": []}", "schema_version 0 is not a valid version"),
                Arguments.of("bad timestamp", "{\"started_at\": \"yesterday\", \"files\": []}",
                        "'started_at' is not an RFC 3339 timestamp: 'yesterday' (line 1, column 16)"),
                Arguments.of("timestamp without zone", "{\"containers\": [{\"last_updated_at\": \"2026-01-01T00:00:00\"}]}",
                        "'last_updated_at' is not an RFC 3339 timestamp: '2026-01-01T00:00:00' (line 1, column 37)"),
                Arguments.of("seen_in not a list", "{\"containers\": [{\"files\": [], \"seen_in\": 3}]}",
                        "'seen_in' must be a list of counts, found a number (line 1, column 42)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDocuments")
    void testRead_badDocument_oneLineNamingTheFile(String what, String content, String expected) throws Exception {
        Path file = write("bad.json", content);
        String message = error(file);
        assertEquals(file + ": " + expected, message);
        assertEquals(1, message.lines().count());
    }

    static Stream<Arguments> binaryGarbage() {
        return Stream.of(
                Arguments.of("gzip", new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, (byte) 0xab, 0x56},
                        "not valid JSON: Illegal character ((CTRL-CHAR, code 31)): only regular white space (\\r, \\n, \\t) is allowed between tokens (line 1, column 2)"),
                Arguments.of("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10},
                        "not valid JSON: Unexpected character ((CTRL-CHAR, code 137)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false') (line 1, column 1)"),
                Arguments.of("invalid UTF-8", "{\"files\": [\"/a\u00ff\"]}".getBytes(StandardCharsets.ISO_8859_1),
                        "not valid JSON: Invalid UTF-8 start byte 0xff (line 1, column 16)"),
                // leading zero bytes make Jackson guess UTF-32, whose decoder fails differently
                Arguments.of("zeros", new byte[] {0, 0, 0, '{', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                        "not valid JSON: Invalid UTF-32 character 0xfffeffff (above 0x0010ffff) at char #1, byte #7)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryGarbage")
    void testRead_binaryGarbage_notValidJson(String what, byte[] content, String expected) throws Exception {
        Path file = dir.resolve("garbage.json");
        Files.write(file, content);
        assertEquals(file + ": " + expected, error(file));
    }

    @Test
    void testRead_randomBytes_alwaysOneLineError() throws Exception {
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 200; i++) {
            byte[] content = new byte[1 + random.nextInt(64)];
            random.nextBytes(content);
            Path file = dir.resolve("random" + i + ".json");
            Files.write(file, content);
            String message = error(file);
            assertTrue(message.startsWith(file + ": "), message);
            assertEquals(1, message.lines().count(), message);
        }
    }

    @Test
    void testRead_stream_usesSourceName() {
        byte[] json = "{\"files\": [1]}".getBytes(StandardCharsets.UTF_8);
        SnoopException e = assertThrows(SnoopException.class,
                () -> ReportJson.read(new ByteArrayInputStream(json), "<stdin>", warnings::add));
        assertEquals("<stdin>: 'files' must be a list of strings, found a number (line 1, column 12)", e.getMessage());
    }

    @Test
    void testRead_nonNormalizedRelativeAndDuplicatePaths_repairedWithWarnings() throws Exception {
        Path file = write("messy.json", """
                {"containers": [{"name": "app", "files": ["/usr/lib/", "etc/passwd", "/b//c", "/usr/lib", "/a/../b/c", ""]}]}
                """);
        Report report = read(file);
        assertEquals(List.of("/b/c", "/etc/passwd", "/usr/lib"), list(report.containers().get(0).files()));
        assertEquals(List.of(
                file + ": container 'app': normalized 4 paths (first: '/usr/lib/' -> '/usr/lib')",
                file + ": container 'app': dropped 2 duplicate paths",
                file + ": container 'app': skipped 1 invalid path (first: empty path)"), warnings);
    }

    @Test
    void testRead_hostileNamesInWarnings_quoted() throws Exception {
        Path file = write("hostile.json", """
                {"containers": [{"name": "app\\n+ x", "files": ["/tmp/x\\n+ /usr/bin/sudo/", "/\\u001b[2J", "/\\u001b[2J"]}]}
                """);
        read(file);
        assertEquals(List.of(
                file + ": container '\"app\\n+ x\"': normalized 1 path (first: \"/tmp/x\\n+ /usr/bin/sudo/\" -> \"/tmp/x\\n+ /usr/bin/sudo\")",
                file + ": container '\"app\\n+ x\"': dropped 1 duplicate path"), warnings);
        assertTrue(warnings.stream().allMatch(w -> w.chars().noneMatch(c -> c < 0x20)), warnings.toString());
    }

    @Test
    void testRead_pathLimits_boundaries() throws Exception {
        String name255 = "/tmp/" + "n".repeat(255);
        String path8192 = "/abcdefg".repeat(1024);
        Path ok = write("limits-ok.json", "{\"files\": [\"" + name255 + "\", \"" + path8192 + "\"]}");
        assertEquals(List.of(path8192, name255), list(read(ok).containers().get(0).files()));
        Path name = write("name256.json", "{\"files\": [\"/tmp/" + "n".repeat(256) + "/x\"]}");
        assertEquals(name + ": 'files': a path component of 256 bytes, longer than the 255 a name may have (NAME_MAX): /tmp/"
                + "n".repeat(59) + "... (line 1, column 12)", error(name));
        Path path = write("path8193.json", "{\"files\": [\"/abcdefg\", \"" + path8192 + "x\"]}");
        assertEquals(path + ": 'files': a path of 8193 bytes, longer than the 8192 a path may have: " + "/abcdefg".repeat(8)
                + "... (line 1, column 24)", error(path));
        // a relative path, normalized first, and a multi-byte name counted in bytes
        Path multibyte = write("multibyte.json", "{\"files\": [\"tmp/" + "\u00e9".repeat(128) + "\"]}");
        assertTrue(error(multibyte).startsWith(multibyte + ": 'files': a path component of 256 bytes"), error(multibyte));
    }

    @Test
    void testRead_loneSurrogates_refused() throws Exception {
        Path label = write("label.json", "{\"labels\": {\"app\": \"x\\udbff\"}, \"containers\": []}");
        assertEquals(label + ": 'app' holds a lone surrogate (\\udbff), which is no character and has no UTF-8 bytes"
                + " (line 1, column 20)", error(label));
        Path pair = write("pair.json", "{\"files\": [\"/\\ud83d\\ude00\"]}");
        assertEquals(List.of("/\ud83d\ude00"), list(read(pair).containers().get(0).files()));
    }

    @Test
    void testReadLimited_endlessStream_refusedAtTheLimit() {
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() {
                return ' ';
            }
        };
        SnoopException e = assertThrows(SnoopException.class, () -> ReportJson.readLimited(endless, "<stdin>", 1000));
        assertEquals("<stdin>: too large for a report (more than 1000 bytes; an input that does not end?); the limit is 1 GiB",
                e.getMessage());
    }

    @Test
    void testReadLimited_exactlyTheLimit_read() throws Exception {
        byte[] json = ("{\"files\": [\"/a\"]}" + " ".repeat(983)).getBytes(StandardCharsets.UTF_8);
        assertEquals(1000, json.length);
        assertEquals(1000, ReportJson.readLimited(new ByteArrayInputStream(json), "<stdin>", 1000).length);
    }

    @Test
    void testReadLimited_notJsonFromTheStart_refusedWithoutReadingOn() {
        java.io.InputStream zeros = new java.io.InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 0);
                return len;
            }
        };
        SnoopException e = assertThrows(SnoopException.class, () -> ReportJson.readLimited(zeros, "<stdin>", Integer.MAX_VALUE - 8));
        assertTrue(e.getMessage().startsWith("<stdin>: not valid JSON: Illegal character ((CTRL-CHAR, code 0))"), e.getMessage());
    }

    @Test
    void testRead_nestingBeyondTheLimit_oneLine() throws Exception {
        Path deep = write("deep.json", "{\"files\": [], \"x\": " + "[".repeat(999) + "]".repeat(999) + "}");
        assertTrue(read(deep).containers().get(0).files().isEmpty()); // 1,000 levels with the object: accepted
        Path tooDeep = write("toodeep.json", "{\"files\": [], \"x\": " + "{\"y\": ".repeat(1000) + "1" + "}".repeat(1001));
        assertEquals(tooDeep + ": not a report: document nesting depth exceeds the maximum allowed (1000)", error(tooDeep));
    }

    @Test
    void testRead_singleContainerShape_warningsNameTheFile() throws Exception {
        Path file = write("single.json", "{\"files\": [\"/x\", \"/x\"]}");
        read(file);
        assertEquals(List.of(file + ": dropped 1 duplicate path"), warnings);
    }

    @Test
    void testRead_seenInOfAnotherLength_ignoredWithWarning() throws Exception {
        Path file = write("counts.json", """
                {"containers": [{"name": "app", "files": ["/a", "/b"], "seen_in": [1]}]}
                """);
        SortedPaths files = read(file).containers().get(0).files();
        assertEquals(List.of("/a", "/b"), list(files));
        assertTrue(!files.hasCounts());
        assertEquals(List.of(file + ": container 'app': ignored 'seen_in' (1 counts for 2 files)"), warnings);
    }

    @Test
    void testRead_seenInBesideUnsortedFiles_ignoredWithWarning() throws Exception {
        // sorting the files would pair /a with /b's count: the counts cannot be trusted
        Path file = write("counts.json", """
                {"containers": [{"name": "app", "files": ["/b", "/a"], "seen_in": [2, 1]}]}
                """);
        SortedPaths files = read(file).containers().get(0).files();
        assertEquals(List.of("/a", "/b"), list(files));
        assertTrue(!files.hasCounts());
        assertEquals(List.of(file + ": container 'app': ignored 'seen_in' (files were not sorted and unique)"), warnings);
    }

    @Test
    void testRead_inputNotModified() throws Exception {
        String content = "{\"files\": [\"/z\", \"/a/../b\", \"/z\"]}";
        Path file = write("keep.json", content);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        read(file);
        assertEquals(content, Files.readString(file));
        assertEquals(Instant.parse("2020-01-01T00:00:00Z"), Files.getLastModifiedTime(file).toInstant());
    }

    /** The shortcut must give exactly what java.time gives, or leave the text to it. */
    @ParameterizedTest
    @ValueSource(strings = {
        "2026-11-01T09:00:00Z", "1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "2024-02-29T12:30:45Z", "2000-02-29T00:00:00Z",
    })
    void testParseUtcSeconds_sameAsOffsetDateTime(String text) {
        assertEquals(OffsetDateTime.parse(text).toInstant(), ReportTimestamps.parseUtcSeconds(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2026-11-01T09:00:00.5Z", "2026-11-01T09:00:00+02:00", "2026-11-01t09:00:00z", "2026-11-01T09:00Z",
        "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-01T24:00:00Z",
        "2026-11-01T09:60:00Z", "2026-11-01T09:00:60Z", "2026-00-10T09:00:00Z", "2026-1a-01T09:00:00Z",
        "+2026-11-01T09:00:0Z", "2026-11-01 09:00:00Z", "\u0662026-11-01T09:00:00Z", "", "2026",
    })
    void testParseUtcSeconds_otherFormsLeftToJavaTime(String text) {
        assertNull(ReportTimestamps.parseUtcSeconds(text));
    }

    @Test
    void testRead_timestamps_asJavaTimeParsesThem() {
        String json = """
                {"started_at": "2026-11-01T09:00:00Z", "last_updated_at": "2026-11-01T09:00:00.250+01:00",
                 "files": []}
                """;
        Report r = ReportJson.read(json.getBytes(StandardCharsets.UTF_8), "r.json", w -> {});
        assertEquals(Instant.parse("2026-11-01T09:00:00Z"), r.startedAt());
        assertEquals(Instant.parse("2026-11-01T08:00:00.250Z"), r.lastUpdatedAt());
        SnoopException e = assertThrows(SnoopException.class, () -> ReportJson.read(
                "{\"started_at\": \"2025-02-29T00:00:00Z\", \"files\": []}".getBytes(StandardCharsets.UTF_8), "r.json", w -> {}));
        assertTrue(e.getMessage().contains("'started_at' is not an RFC 3339 timestamp: '2025-02-29T00:00:00Z'"), e.getMessage());
        Report zero = ReportJson.read("{\"started_at\": \"0001-01-01T00:00:00Z\", \"files\": []}"
                .getBytes(StandardCharsets.UTF_8), "r.json", w -> {});
        assertNull(zero.startedAt(), "Go's zero time");
    }
}
