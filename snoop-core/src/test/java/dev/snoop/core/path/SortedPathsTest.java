package dev.snoop.core.path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link SortedPaths}. */
class SortedPathsTest {
    /** {@code n} ascending paths that share long prefixes, so entries are front-coded. */
    private static List<String> paths(int n) {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            paths.add(String.format("/usr/lib/python3.11/module%04d.py", i * 2));
        }
        return paths;
    }

    private static SortedPaths build(List<String> paths) {
        SortedPaths.Builder builder = SortedPaths.builder();
        paths.forEach(builder::add);
        return builder.build();
    }

    private static List<String> list(SortedPaths paths) {
        List<String> list = new ArrayList<>();
        paths.forEach(list::add);
        return list;
    }

    @Test
    void testAppendIfAscending_refusesDuplicatesAndOutOfOrder() {
        SortedPaths.Builder builder = SortedPaths.builder();
        assertTrue(builder.appendIfAscending("/b"));
        assertFalse(builder.appendIfAscending("/b"), "duplicate");
        assertFalse(builder.appendIfAscending("/a"), "out of order");
        assertTrue(builder.appendIfAscending("/b-c"));
        assertFalse(builder.appendIfAscending("/b"), "a prefix sorts first");
        assertTrue(builder.appendIfAscending("/b/c"));
        assertTrue(builder.appendIfAscending("/\u00e9"), "non-ASCII bytes are unsigned: after '/b/c'");
        assertFalse(builder.appendIfAscending("/z"));
        assertEquals(4, builder.size());
        assertEquals(List.of("/b", "/b-c", "/b/c", "/\u00e9"), list(builder.build()));
    }

    @Test
    void testAdd_outOfOrder_throws() {
        SortedPaths.Builder builder = SortedPaths.builder().add("/b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.add("/a"));
        assertEquals("path out of order or repeated: /a", e.getMessage());
    }

    @Test
    void testEmpty() {
        SortedPaths empty = SortedPaths.empty();
        assertTrue(empty.isEmpty());
        assertEquals(0, empty.size());
        assertFalse(empty.contains("/"));
        assertFalse(empty.cursor().next());
        assertFalse(empty.iterator().hasNext());
        assertSame(empty, SortedPaths.builder().build(true));
        assertEquals("SortedPaths[] (0)", empty.toString());
    }

    @Test
    void testOf_sortsAndDeduplicates() {
        SortedPaths paths = SortedPaths.of("/z", "/a/b", "/a", "/a/b", "/a-b");
        assertEquals(List.of("/a", "/a-b", "/a/b", "/z"), list(paths));
        assertEquals(build(List.of("/a", "/a-b", "/a/b", "/z")), paths);
        assertEquals(SortedPaths.of(List.of("/z", "/a")), SortedPaths.of("/a", "/z"));
    }

    /** Sizes around the block boundaries: every 16th path is stored whole. */
    @ParameterizedTest(name = "{0} paths")
    @ValueSource(ints = {1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 49, 160, 1000})
    void testContains_membersAndGapsAroundBlockBoundaries(int n) {
        List<String> members = paths(n);
        SortedPaths sorted = build(members);
        assertEquals(n, sorted.size());
        assertEquals(members, list(sorted));
        for (String member : members) {
            assertTrue(sorted.contains(member), member);
        }
        for (int i = 0; i < n; i++) {
            // odd numbers fall between members, and after the last
            String gap = String.format("/usr/lib/python3.11/module%04d.py", i * 2 + 1);
            assertFalse(sorted.contains(gap), gap);
        }
        assertFalse(sorted.contains("/"));
        assertFalse(sorted.contains("/usr/lib/python3.11"));
        assertFalse(sorted.contains("/zzz"));
        assertFalse(sorted.contains(members.get(n - 1) + "x"));
        assertFalse(sorted.contains(members.get(0).substring(0, members.get(0).length() - 1)));
    }

    @Test
    void testContains_firstPathOfEachBlock() {
        List<String> members = paths(64);
        SortedPaths sorted = build(members);
        for (int block = 0; block < 4; block++) {
            assertTrue(sorted.contains(members.get(block * SortedPaths.BLOCK)));
            assertTrue(sorted.contains(members.get(block * SortedPaths.BLOCK + SortedPaths.BLOCK - 1)));
        }
    }

    @Test
    void testContains_nonAscii() {
        SortedPaths sorted = SortedPaths.of("/a", "/\u00e9t\u00e9", "/\u65e5\u672c/\u8a9e", "/\ud83d\ude00");
        assertTrue(sorted.contains("/\u00e9t\u00e9"));
        assertTrue(sorted.contains("/\u65e5\u672c/\u8a9e"));
        assertTrue(sorted.contains("/\ud83d\ude00"));
        assertFalse(sorted.contains("/\u00e9t"));
        assertFalse(sorted.contains("/\u65e5\u672c"));
    }

    @Test
    void testCursor_walksPathsWithIndexBytesAndCounts() {
        SortedPaths.Builder builder = SortedPaths.builder();
        List<String> members = paths(40);
        for (int i = 0; i < members.size(); i++) {
            byte[] utf8 = members.get(i).getBytes(StandardCharsets.UTF_8);
            byte[] padded = Arrays.copyOf(utf8, utf8.length + 5); // only length bytes count
            assertTrue(builder.appendIfAscending(padded, utf8.length, i + 1));
        }
        SortedPaths sorted = builder.build();
        assertTrue(sorted.hasCounts());
        SortedPaths.Cursor cursor = sorted.cursor();
        for (int i = 0; i < members.size(); i++) {
            assertTrue(cursor.next());
            assertEquals(i, cursor.index());
            assertEquals(members.get(i), cursor.path());
            byte[] expected = members.get(i).getBytes(StandardCharsets.UTF_8);
            assertEquals(expected.length, cursor.length());
            assertArrayEquals(expected, Arrays.copyOf(cursor.bytes(), cursor.length()));
            assertEquals(0, cursor.compareTo(expected));
            assertEquals(i + 1, cursor.count());
        }
        assertFalse(cursor.next());
        assertFalse(cursor.next(), "stays at the end");
        assertEquals(members.size(), cursor.index());
    }

    @ParameterizedTest
    @CsvSource({"/a, /b, -1", "/b, /a, 1", "/a, /a, 0", "/a/b, /a-b, 1", "/z, /\u00e9, -1"})
    void testCursor_compareToOtherCursor(String left, String right, int sign) {
        SortedPaths.Cursor a = SortedPaths.of(left).cursor();
        SortedPaths.Cursor b = SortedPaths.of(right).cursor();
        a.next();
        b.next();
        assertEquals(sign, Integer.signum(a.compareTo(b)));
        assertEquals(sign, Integer.signum(a.compareTo(right.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void testLongPaths_growBuffers() {
        String deep = "/" + "d/".repeat(400);
        List<String> members = List.of(deep + "a", deep + "b", deep + "b/" + "c".repeat(700));
        SortedPaths sorted = build(members);
        assertEquals(members, list(sorted));
        members.forEach(p -> assertTrue(sorted.contains(p)));
    }

    @Test
    void testCounts_zeroWhereNoneGiven_andWithoutCounts() {
        SortedPaths.Builder builder = SortedPaths.builder();
        builder.add("/a");
        builder.appendIfAscending("/b".getBytes(StandardCharsets.UTF_8), 2, 5);
        for (int i = 0; i < 20; i++) {
            builder.appendIfAscending(("/c" + (char) ('a' + i)).getBytes(StandardCharsets.UTF_8), 3, i);
        }
        SortedPaths withCounts = builder.build();
        assertTrue(withCounts.hasCounts());
        SortedPaths.Cursor cursor = withCounts.cursor();
        cursor.next();
        assertEquals(0, cursor.count());
        cursor.next();
        assertEquals(5, cursor.count());
        SortedPaths without = withCounts.withoutCounts();
        assertFalse(without.hasCounts());
        assertSame(without, without.withoutCounts());
        assertEquals(list(withCounts), list(without));
        assertNotEquals(withCounts, without, "counts are part of the value");

        SortedPaths plain = SortedPaths.builder().add("/a").add("/b").build();
        assertFalse(plain.hasCounts());
        SortedPaths zeros = SortedPaths.builder().add("/a").add("/b").build(true);
        assertTrue(zeros.hasCounts());
        SortedPaths.Cursor z = zeros.cursor();
        while (z.next()) {
            assertEquals(0, z.count());
        }
    }

    @Test
    void testEqualsHashCodeToString() {
        SortedPaths a = build(paths(20));
        SortedPaths b = SortedPaths.of(paths(20));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, build(paths(19)));
        assertNotEquals(a, "not paths");
        assertEquals("SortedPaths[/usr/lib/python3.11/module0000.py, /usr/lib/python3.11/module0002.py, "
                + "/usr/lib/python3.11/module0004.py, /usr/lib/python3.11/module0006.py, "
                + "/usr/lib/python3.11/module0008.py, ...] (20)", a.toString());
        assertEquals("SortedPaths[/a, /b] (2)", SortedPaths.of("/b", "/a").toString());
    }

    @Test
    void testIterator_throwsAtEnd() {
        Iterator<String> it = SortedPaths.of("/a").iterator();
        assertTrue(it.hasNext());
        assertTrue(it.hasNext(), "hasNext is idempotent");
        assertEquals("/a", it.next());
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void testFrontCoding_smallerThanThePaths() {
        List<String> members = paths(1000);
        long raw = members.stream().mapToLong(String::length).sum();
        assertTrue(build(members).estimatedBytes() < raw / 2, "shared prefixes are stored once per block");
    }

    @Test
    void testBuild_isASnapshot() {
        SortedPaths.Builder builder = SortedPaths.builder().add("/a");
        SortedPaths first = builder.build();
        builder.add("/b");
        assertEquals(List.of("/a"), list(first));
        assertEquals(List.of("/a", "/b"), list(builder.build()));
    }
}
