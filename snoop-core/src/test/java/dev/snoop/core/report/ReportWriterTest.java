package dev.snoop.core.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.path.SortedPathsBuilder;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link ReportWriter} through {@link ReportJson#write}, and reading back what it wrote. */
class ReportWriterTest {
    @TempDir
    Path dir;

    static Report full() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("version", "1.1");
        labels.put("app", "shop");
        SortedPathsBuilder counted = SortedPaths.builder();
        counted.appendIfAscending("/app/main.py".getBytes(StandardCharsets.UTF_8), 12, 2);
        counted.appendIfAscending("/etc/ld.so.cache".getBytes(StandardCharsets.UTF_8), 16, 1);
        ContainerReport app = new ContainerReport("app", "containerd://abc", 4242, "/sys/fs/cgroup/kubepods/pod1/abc",
                "registry.example.com/shop:1.1", "sha256:1111", Instant.parse("2026-11-01T09:00:01Z"),
                Instant.parse("2026-11-01T09:29:59.500Z"), 560, 3, counted.build());
        ContainerReport sidecar = ContainerReport.of("sidecar", SortedPaths.of("/bin/sh"));
        return new Report(1, "shop-7d9c5-x2x4q", "shop", labels, Instant.parse("2026-11-01T09:00:00Z"),
                Instant.parse("2026-11-01T09:30:00Z"), 569, 3, 2, List.of(sidecar, app));
    }

    static String json(Report report) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReportJson.write(report, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void testWrite_everyField_inDeclarationOrder() throws Exception {
        assertEquals("""
                {
                  "schema_version": 1,
                  "pod_name": "shop-7d9c5-x2x4q",
                  "namespace": "shop",
                  "labels": {
                    "app": "shop",
                    "version": "1.1"
                  },
                  "started_at": "2026-11-01T09:00:00Z",
                  "last_updated_at": "2026-11-01T09:30:00Z",
                  "total_events": 569,
                  "dropped_events": 3,
                  "merged_reports": 2,
                  "containers": [
                    {
                      "name": "app",
                      "container_id": "containerd://abc",
                      "cgroup_id": 4242,
                      "cgroup_path": "/sys/fs/cgroup/kubepods/pod1/abc",
                      "image_ref": "registry.example.com/shop:1.1",
                      "image_digest": "sha256:1111",
                      "started_at": "2026-11-01T09:00:01Z",
                      "last_updated_at": "2026-11-01T09:29:59.500Z",
                      "unique_files": 2,
                      "total_events": 560,
                      "dropped_events": 3,
                      "files": [
                        "/app/main.py",
                        "/etc/ld.so.cache"
                      ],
                      "seen_in": [
                        2,
                        1
                      ]
                    },
                    {
                      "name": "sidecar",
                      "unique_files": 1,
                      "total_events": 0,
                      "dropped_events": 0,
                      "files": [
                        "/bin/sh"
                      ]
                    }
                  ]
                }
                """, json(full()));
    }

    @Test
    void testWrite_optionalFieldsOmitted() throws Exception {
        Report report = Report.of(List.of(ContainerReport.of("", SortedPaths.empty())));
        assertEquals("""
                {
                  "schema_version": 1,
                  "labels": {},
                  "total_events": 0,
                  "dropped_events": 0,
                  "containers": [
                    {
                      "name": "",
                      "unique_files": 0,
                      "total_events": 0,
                      "dropped_events": 0,
                      "files": []
                    }
                  ]
                }
                """, json(report));
        assertEquals("""
                {
                  "schema_version": 1,
                  "labels": {},
                  "total_events": 0,
                  "dropped_events": 0,
                  "containers": []
                }
                """, json(Report.of(List.of())));
    }

    @Test
    void testWrite_alwaysCurrentSchemaVersion() throws Exception {
        Report old = new Report(0, null, null, null, null, null, 0, 0, 0, List.of());
        assertTrue(json(old).startsWith("{\n  \"schema_version\": 1,\n"));
    }

    @Test
    void testWrite_containersSortedByNameThenImage() throws Exception {
        ContainerReport b = ContainerReport.of("b", SortedPaths.of("/b"));
        ContainerReport a2 = ContainerReport.of("a", SortedPaths.of("/a")).withImage("img:2", null);
        ContainerReport a1 = ContainerReport.of("a", SortedPaths.of("/a")).withImage("img:9", "sha256:0");
        ContainerReport a0 = ContainerReport.of("a", SortedPaths.of("/a"));
        String json = json(Report.of(List.of(b, a2, a1, a0)));
        int noImage = json.indexOf("\"name\": \"a\",\n      \"unique_files\"");
        int digest = json.indexOf("sha256:0");
        int ref = json.indexOf("img:2");
        int last = json.indexOf("\"name\": \"b\"");
        assertTrue(noImage > 0 && noImage < ref && ref < digest && digest < last, json);
    }

    @Test
    void testWrite_twice_identicalBytes() throws Exception {
        Path first = dir.resolve("first.json");
        Path second = dir.resolve("second.json");
        ReportJson.write(full(), first);
        ReportJson.write(full(), second);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void testRoundTrip_readThenWrite_identicalBytes() throws Exception {
        Path first = dir.resolve("first.json");
        ReportJson.write(full(), first);
        List<String> warnings = new ArrayList<>();
        Report read = ReportJson.read(first, warnings::add);
        assertEquals(List.of(), warnings);
        assertEquals(full(), read);
        Path second = dir.resolve("second.json");
        ReportJson.write(read, second);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void testRoundTrip_examples_writtenAsTheyAre() throws Exception {
        Path examples = Path.of(System.getProperty("snoop.root", "..")).resolve("examples");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(examples)) {
            files = walk.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(files.size() >= 3, "examples found: " + files);
        for (Path file : files) {
            Report report = ReportJson.read(file, w -> {
                throw new AssertionError(w);
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ReportJson.write(report, out);
            assertEquals(Files.readString(file), out.toString(StandardCharsets.UTF_8), file + " is in the written form");
        }
    }

    @Test
    void testWrite_specialCharactersAndNonAscii_streamAndWriterAgree() throws Exception {
        SortedPaths paths = SortedPaths.of("/tmp/quote\"d", "/tmp/back\\slash", "/tmp/new\nline", "/tmp/tab\t",
                "/tmp/\u0001ctrl", "/usr/share/zoneinfo/Europe/Z\u00fcrich", "/\u65e5\u672c", "/\ud83d\ude00");
        Report report = Report.of(List.of(ContainerReport.of("app", paths)));
        String bytes = json(report);
        StringWriter chars = new StringWriter();
        ReportJson.write(report, chars);
        assertEquals(bytes, chars.toString());
        assertTrue(bytes.contains("\"/tmp/quote\\\"d\""), bytes);
        assertTrue(bytes.contains("\"/tmp/new\\nline\""), bytes);
        assertTrue(bytes.contains("\"/tmp/\\u0001ctrl\""), bytes);
        assertTrue(bytes.contains("\"/\ud83d\ude00\""), "non-ASCII is written as UTF-8, not escaped");
        Path file = dir.resolve("special.json");
        ReportJson.write(report, file);
        assertEquals(paths, ReportJson.read(file, w -> { }).containers().get(0).files());
    }

    @Test
    void testWrite_labelsSorted_withCountsOnlyWhenPresent() throws Exception {
        Report report = new Report(1, null, null, Map.of("z", "1", "a", "2", "m", "3"), null, null, 0, 0, 0,
                List.of(ContainerReport.of("app", SortedPaths.of("/a"))));
        String json = json(report);
        assertTrue(json.contains("\"labels\": {\n    \"a\": \"2\",\n    \"m\": \"3\",\n    \"z\": \"1\"\n  },"), json);
        assertTrue(!json.contains("seen_in") && !json.contains("merged_reports"), json);
    }
}
