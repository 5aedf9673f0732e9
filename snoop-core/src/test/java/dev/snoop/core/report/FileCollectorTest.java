package dev.snoop.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Tests for {@link FileCollector}. */
class FileCollectorTest {
    private static FileCollector collect(String... raw) {
        FileCollector collector = new FileCollector();
        for (String path : raw) {
            collector.add(path);
        }
        return collector;
    }

    private static List<String> paths(FileCollector collector) {
        List<String> list = new ArrayList<>();
        collector.paths().forEach(list::add);
        return list;
    }

    private static List<String> warnings(FileCollector collector) {
        List<String> warnings = new ArrayList<>();
        collector.warn("r.json", warnings::add);
        return warnings;
    }

    @Test
    void testSortedInput_keptAsIsWithoutWarnings() {
        FileCollector c = collect("/a", "/a-b", "/a/b", "/\u00e9");
        assertEquals(List.of("/a", "/a-b", "/a/b", "/\u00e9"), paths(c));
        assertTrue(c.keptOrder());
        assertEquals(List.of(), warnings(c));
    }

    @Test
    void testUnsortedInput_sortedSilently() {
        FileCollector c = collect("/b", "/c", "/a", "/a/b", "/a-b");
        assertEquals(List.of("/a", "/a-b", "/a/b", "/b", "/c"), paths(c));
        assertFalse(c.keptOrder());
        assertEquals(List.of(), warnings(c), "order is not a problem worth a warning");
    }

    @Test
    void testEmpty() {
        FileCollector c = collect();
        assertTrue(c.paths().isEmpty());
        assertTrue(c.keptOrder());
        assertEquals(List.of(), warnings(c));
    }

    /** Table: raw paths (space separated), resulting paths, warnings (| separated). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', quoteCharacter = '"', textBlock = """
            /a /a/./b                 ; /a /a/b        ; r.json: normalized 1 path (first: '/a/./b' -> '/a/b')
            /x/ /y//z /q/..           ; / /x /y/z      ; r.json: normalized 3 paths (first: '/x/' -> '/x')
            etc/passwd                ; /etc/passwd    ; r.json: normalized 1 path (first: 'etc/passwd' -> '/etc/passwd')
            /a /a                     ; /a             ; r.json: dropped 1 duplicate path
            /b /a /b /a /b            ; /a /b          ; r.json: dropped 3 duplicate paths
            /a /b/../a                ; /a             ; r.json: normalized 1 path (first: '/b/../a' -> '/a')|r.json: dropped 1 duplicate path
            """)
    void testRepairs_warnOncePerKind(String raw, String expectedPaths, String expectedWarnings) {
        FileCollector c = collect(raw.split(" "));
        assertEquals(Arrays.asList(expectedPaths.split(" ")), paths(c));
        assertEquals(Arrays.asList(expectedWarnings.split("\\|")), warnings(c));
    }

    @Test
    void testInvalidPaths_skippedWithFirstReason() {
        FileCollector c = collect("/a", "", "/b", "/c\u0000d", "");
        assertEquals(List.of("/a", "/b"), paths(c));
        assertFalse(c.keptOrder(), "a skipped path shifts every later position");
        assertEquals(List.of("r.json: skipped 3 invalid paths (first: empty path)"), warnings(c));
        assertEquals(List.of("r.json: skipped 1 invalid path (first: path contains a NUL byte)"),
                warnings(collect("/\u0000")));
    }

    @Test
    void testAllKinds_oneLineEachInFixedOrder() {
        FileCollector c = collect("/z", "", "/a/../z", "rel", "/rel");
        assertEquals(List.of("/rel", "/z"), paths(c));
        assertEquals(List.of(
                "r.json: normalized 2 paths (first: '/a/../z' -> '/z')",
                "r.json: dropped 2 duplicate paths",
                "r.json: skipped 1 invalid path (first: empty path)"), warnings(c));
    }

    @Test
    void testNormalizedButStillAscending_keepsOrder() {
        FileCollector c = collect("/a/./b", "/c/");
        assertTrue(c.keptOrder(), "seen_in still lines up");
        assertEquals(List.of("/a/b", "/c"), paths(c));
    }

    @Test
    void testManyUnsortedPaths_matchSortedUnique() {
        List<String> raw = new ArrayList<>();
        for (int i = 999; i >= 0; i--) {
            raw.add("/usr/lib/f" + (i % 500));
        }
        FileCollector c = collect(raw.toArray(String[]::new));
        List<String> expected = raw.stream().distinct().sorted().toList();
        assertEquals(expected, paths(c));
        assertEquals(List.of("r.json: dropped 500 duplicate paths"), warnings(c));
    }
}
