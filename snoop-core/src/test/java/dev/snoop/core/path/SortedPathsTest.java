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
        SortedPathsBuilder builder = SortedPaths.builder();
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
        SortedPathsBuilder builder = SortedPaths.builder();
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
        SortedPathsBuilder builder = SortedPaths.builder().add("/b");
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
        SortedPathsBuilder builder = SortedPaths.builder();
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
        SortedPathsBuilder builder = SortedPaths.builder();
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
        SortedPathsBuilder builder = SortedPaths.builder().add("/a");
        SortedPaths first = builder.build();
        builder.add("/b");
        assertEquals(List.of("/a"), list(first));
        assertEquals(List.of("/a", "/b"), list(builder.build()));
    }

    /** {@code paths} laid out in one array as a report lists them, and a list of slices over it. */
    private static SortedPaths slices(String separator, List<String> paths) {
        StringBuilder text = new StringBuilder("[");
        List<int[]> where = new ArrayList<>();
        for (String path : paths) {
            text.append(where.isEmpty() ? "" : separator).append('"');
            int start = text.toString().getBytes(StandardCharsets.UTF_8).length;
            where.add(new int[] {start, path.getBytes(StandardCharsets.UTF_8).length});
            text.append(path).append('"');
        }
        byte[] source = text.append(']').toString().getBytes(StandardCharsets.UTF_8);
        int[] bounds = new int[2 * paths.size() + 6]; // spare room, as a growing reader leaves
        for (int i = 0; i < where.size(); i++) {
            bounds[2 * i] = where.get(i)[0];
            bounds[2 * i + 1] = where.get(i)[1];
        }
        return SortedPaths.ofSlices(source, bounds, paths.size());
    }

    @Test
    void testOfSlices_behavesAsTheFrontCodedList() {
        List<String> members = new ArrayList<>(paths(40));
        members.add("/usr/lib/\u00e9t\u00e9");
        members.add("/usr/lib/\ud83d\ude00");
        SortedPaths frontCoded = build(members);
        SortedPaths sliced = slices(",\n    ", members);
        assertEquals(members, list(sliced));
        assertEquals(members.size(), sliced.size());
        assertFalse(sliced.hasCounts());
        assertSame(sliced, sliced.withoutCounts());
        assertEquals(frontCoded, sliced);
        assertEquals(sliced, frontCoded);
        assertEquals(frontCoded.hashCode(), sliced.hashCode());
        assertEquals(frontCoded.toString(), sliced.toString());
        assertEquals(frontCoded, sliced.compact());
        SortedPaths compact = frontCoded.compact();
        assertSame(frontCoded, compact);
        members.forEach(p -> assertTrue(sliced.contains(p), p));
        for (String absent : List.of("/", "/usr", "/usr/lib/python3.11/module0001.py", "/zz", "/usr/lib/\u00e9")) {
            assertFalse(sliced.contains(absent), absent);
        }
        SortedPaths.Cursor a = sliced.cursor();
        SortedPaths.Cursor b = frontCoded.cursor();
        while (b.next()) {
            assertTrue(a.next());
            assertEquals(b.index(), a.index());
            assertEquals(b.path(), a.path());
            assertEquals(0, a.compareTo(b));
            assertEquals(0, b.compareTo(a));
            assertEquals(0, a.compareTo(b.path().getBytes(StandardCharsets.UTF_8)));
            assertEquals(b.path(), new String(a.array(), a.offset(), a.length(), StandardCharsets.UTF_8));
            assertArrayEquals(Arrays.copyOf(b.bytes(), b.length()), Arrays.copyOf(a.bytes(), a.length()));
            assertEquals(0, a.offset(), "bytes() copies the slice to the start of its own buffer");
            assertEquals(0, a.count());
        }
        assertFalse(a.next());
        assertTrue(sliced.estimatedBytes() > 0);
    }

    @Test
    void testOfSlices_differentPathsOrLengths_notEqual() {
        assertNotEquals(slices(",", List.of("/a", "/b")), build(List.of("/a", "/c")));
        assertNotEquals(slices(",", List.of("/a", "/b")), build(List.of("/a")));
        assertNotEquals(slices(",", List.of("/a")), "/a");
        assertEquals(SortedPaths.empty(), SortedPaths.ofSlices(new byte[0], new int[0], 0));
        assertThrows(IllegalArgumentException.class, () -> SortedPaths.ofSlices(new byte[4], new int[2], 2));
    }

    @Test
    void testOfSlices_longPath_growsTheCopyBuffer() {
        String longPath = "/" + "x".repeat(1000);
        SortedPaths sliced = slices(",", List.of("/a", longPath));
        SortedPaths.Cursor cursor = sliced.cursor();
        cursor.next();
        cursor.next();
        assertEquals(longPath, new String(cursor.bytes(), 0, cursor.length(), StandardCharsets.UTF_8));
    }

    /** One case of skipSame: two lists, how each is laid out, and the runs a diff walk finds. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // old paths           | old separator | new paths             | new separator | expected runs
        "/a /b /c /d           | ','           | /a /b /c /d           | ','           | 3",
        "/a /b /c /d           | ', '          | /a /b /c /d           | ','           | 0 0 0 0",
        "/a /b /c /d           | ','           | /a /b /x /y           | ','           | 1",
        "/a /b /c /d /e        | ','           | /a /c /d /e           | ','           | 0 2",
        "/a /bb /c             | ','           | /a /b /c              | ','           | 0 0",
        "/a /b /c              | ','           | /a /b /c /d           | ','           | 2",
        "/a /b/c /b/d          | ','           | /a /b/c /b/d          | ',\n  '        | 0 0 0",
        "/x                    | ','           | /x                    | ','           | 0",
    })
    void testSkipSame_movesBothCursorsPastCommonRuns(String oldPaths, String oldSeparator, String newPaths,
            String newSeparator, String expectedRuns) {
        List<String> olds = List.of(oldPaths.trim().split(" +"));
        List<String> news = List.of(newPaths.trim().split(" +"));
        SortedPaths.Cursor a = slices(oldSeparator.replace("\\n", "\n"), olds).cursor();
        SortedPaths.Cursor b = slices(newSeparator.replace("\\n", "\n"), news).cursor();
        // the walk a diff makes: on each equal pair, skip what follows alike
        List<Integer> runs = new ArrayList<>();
        List<String> common = new ArrayList<>();
        boolean hasA = a.next();
        boolean hasB = b.next();
        while (hasA && hasB) {
            int c = a.compareTo(b);
            if (c == 0) {
                int from = a.index();
                int moved = a.skipSame(b);
                runs.add(moved);
                assertEquals(from + moved, a.index());
                assertEquals(0, a.compareTo(b), "both end on equal paths");
                for (int i = from; i <= a.index(); i++) {
                    common.add(olds.get(i));
                }
            }
            if (c <= 0) {
                hasA = a.next();
            }
            if (c >= 0) {
                hasB = b.next();
            }
        }
        assertEquals(expectedRuns, String.join(" ", runs.stream().map(String::valueOf).toList()));
        List<String> expectedCommon = new ArrayList<>(olds);
        expectedCommon.retainAll(news);
        assertEquals(expectedCommon, common);
    }

    @Test
    void testSkipSame_frontCodedLists_moveByNone() {
        SortedPaths.Cursor a = build(List.of("/a", "/b")).cursor();
        SortedPaths.Cursor b = slices(",", List.of("/a", "/b")).cursor();
        a.next();
        b.next();
        assertEquals(0, a.skipSame(b));
        assertEquals(0, b.skipSame(a));
        assertEquals(0, a.index());
        assertEquals(0, b.index());
    }
}
