package dev.snoop.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link PathSet} and, through {@link PathSet#toSortedPaths}, {@link PathSetSorter}. */
class PathSetTest {
    /** Path order: unsigned UTF-8 bytes, as {@code LC_ALL=C sort} orders them. */
    static final Comparator<String> BYTE_ORDER = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private static List<String> list(SortedPaths paths) {
        List<String> list = new ArrayList<>();
        paths.forEach(list::add);
        return list;
    }

    @Test
    void testAdd_newAndRepeated() {
        PathSet set = new PathSet();
        assertTrue(set.isEmpty());
        assertTrue(set.add("/etc/passwd"));
        assertFalse(set.add("/etc/passwd"));
        assertTrue(set.add("/etc/hosts"));
        assertEquals(2, set.size());
        assertFalse(set.isEmpty());
    }

    @Test
    void testContains_directoriesOfMembersAreNotMembers() {
        PathSet set = new PathSet();
        set.add("/usr/lib/x86_64-linux-gnu/libc.so.6");
        assertTrue(set.contains("/usr/lib/x86_64-linux-gnu/libc.so.6"));
        // the trie holds nodes for the directories, but they were never added
        assertFalse(set.contains("/usr"));
        assertFalse(set.contains("/usr/lib"));
        assertFalse(set.contains("/usr/lib/x86_64-linux-gnu"));
        assertFalse(set.contains("/"));
        assertFalse(set.contains("/usr/lib/x86_64-linux-gnu/libc.so.6/more"));
        assertFalse(set.contains("/usr/lib/x86_64-linux-gnu/libc.so"));
        assertFalse(set.contains("/usr/lib/other/libc.so.6"));
        assertFalse(set.contains("/nothing/here"));
        assertEquals(1, set.size());
    }

    @Test
    void testAdd_directoryAfterItsFile_becomesMember() {
        PathSet set = new PathSet();
        set.add("/a/b/c");
        assertFalse(set.contains("/a/b"));
        assertTrue(set.add("/a/b"), "an existing directory node is not yet a member");
        assertTrue(set.contains("/a/b"));
        assertEquals(2, set.size());
        assertEquals(List.of("/a/b", "/a/b/c"), list(set.toSortedPaths(false)));
    }

    @Test
    void testRoot_isAPath() {
        PathSet set = new PathSet();
        assertFalse(set.contains("/"));
        assertTrue(set.add("/"));
        assertFalse(set.add("/"));
        set.add("/a");
        assertTrue(set.contains("/"));
        assertEquals(List.of("/", "/a"), list(set.toSortedPaths(false)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "etc/passwd", "./a", "relative"})
    void testAdd_notAbsolute_rejected(String path) {
        PathSet set = new PathSet();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> set.add(path));
        assertEquals("not an absolute path: " + path, e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> set.contains(path));
        assertEquals(0, set.size());
    }

    @Test
    void testAddRef_sameNodeForSamePath_valuesStartAtZero() {
        PathSet set = new PathSet();
        int a = set.addRef("/lib/a.so");
        int b = set.addRef("/lib/b.so");
        assertNotEquals(a, b);
        assertEquals(a, set.addRef("/lib/a.so"));
        assertEquals(2, set.size());
        assertEquals(0, set.value(a));
        set.setValue(a, 7);
        set.setValue(b, -1);
        assertEquals(7, set.value(a));
        assertEquals(-1, set.value(b), "the whole int range is the owner's");
        assertEquals(7, set.value(set.addRef("/lib/a.so")));
        assertTrue(set.contains("/lib/a.so"), "setting a value keeps membership");
    }

    @Test
    void testAddRef_bytes_sameNodeAsString() {
        PathSet set = new PathSet();
        int ref = set.addRef("/usr/share/zoneinfo/Europe/Zürich");
        byte[] utf8 = "/usr/share/zoneinfo/Europe/Zürich/ignored".getBytes(StandardCharsets.UTF_8);
        int length = "/usr/share/zoneinfo/Europe/Zürich".getBytes(StandardCharsets.UTF_8).length;
        assertEquals(ref, set.addRef(utf8, length), "only the first length bytes count");
        assertEquals(1, set.size());
        int other = set.addRef("/x".getBytes(StandardCharsets.UTF_8), 2);
        assertTrue(set.contains("/x"));
        assertNotEquals(ref, other);
    }

    @Test
    void testValue_directoryNodeKeepsItsValueWhenAdded() {
        PathSet set = new PathSet();
        set.add("/a/b/c");
        int dir = set.addRef("/a/b");
        set.setValue(dir, 3);
        set.add("/a/b/d");
        assertEquals(3, set.value(set.addRef("/a/b")));
    }

    @Test
    void testToSortedPaths_byteOrderOfNamesSharingPrefixes() {
        // '-' (0x2d) and '.' (0x2e) sort before '/' (0x2f), '0' after it: a depth-first walk is not enough
        List<String> expected = List.of(
                "/a",
                "/a/b",
                "/a/b-c",
                "/a/b-c/d",
                "/a/b.c",
                "/a/b/c",
                "/a/b/c/d",
                "/a/b0",
                "/a/bc",
                "/a-b",
                "/a.b",
                "/a0",
                "/b",
                "/\u00e9", // é, 2 UTF-8 bytes
                "/\u65e5\u672c", // 日本, 3 bytes each
                "/\uff61", // U+FF61: 3 bytes, EF BD A1
                "/\ud83d\ude00"); // U+1F600: 4 bytes, F0...; UTF-16 order would put it before U+FF61
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(42));
        PathSet set = new PathSet();
        shuffled.forEach(set::add);
        List<String> byteOrdered = new ArrayList<>(expected);
        byteOrdered.sort(BYTE_ORDER);
        assertEquals(byteOrdered, list(set.toSortedPaths(false)));
        assertEquals(List.of("/a", "/a-b", "/a.b", "/a/b"), byteOrdered.subList(0, 4));
        assertEquals("/\uff61", byteOrdered.get(byteOrdered.size() - 2));
        assertEquals("/\ud83d\ude00", byteOrdered.get(byteOrdered.size() - 1));
    }

    @Test
    void testToSortedPaths_withCounts() {
        PathSet set = new PathSet();
        set.setValue(set.addRef("/z"), 1);
        set.setValue(set.addRef("/a/b"), 2);
        set.addRef("/a");
        set.setValue(set.addRef("/"), 4);
        SortedPaths sorted = set.toSortedPaths(true);
        assertTrue(sorted.hasCounts());
        SortedPaths.Cursor cursor = sorted.cursor();
        List<String> seen = new ArrayList<>();
        while (cursor.next()) {
            seen.add(cursor.path() + "=" + cursor.count());
        }
        assertEquals(List.of("/=4", "/a=0", "/a/b=2", "/z=1"), seen);
        assertFalse(set.toSortedPaths(false).hasCounts());
        assertEquals(sorted.withoutCounts(), set.toSortedPaths(false));
    }

    @Test
    void testToSortedPaths_empty() {
        assertEquals(0, new PathSet().toSortedPaths(false).size());
        PathSet onlyDirs = new PathSet();
        onlyDirs.contains("/a/b");
        assertTrue(onlyDirs.toSortedPaths(true).isEmpty());
    }

    @Test
    void testDeepPath_sortedWithoutRecursion() {
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            deep.append("/d");
        }
        PathSet set = new PathSet();
        set.add(deep + "/file");
        set.add(deep.toString());
        set.add("/d/e");
        List<String> sorted = list(set.toSortedPaths(false));
        assertEquals(List.of(deep.toString(), deep + "/file", "/d/e"), sorted);
    }

    @Test
    void testLongComponent_overChunkSize_rejected() {
        PathSet set = new PathSet();
        String huge = "/" + "x".repeat(1 << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> set.add(huge));
        assertTrue(e.getMessage().startsWith("path component longer than"), e.getMessage());
        String large = "/" + "y".repeat(100_000);
        assertTrue(set.add(large));
        assertTrue(set.contains(large));
        assertEquals(List.of(large), list(set.toSortedPaths(false)));
    }

    @Test
    void testEstimatedBytes_growsWithContent() {
        PathSet set = new PathSet();
        long empty = set.estimatedBytes();
        assertTrue(empty > 0);
        for (int i = 0; i < 1000; i++) {
            set.add("/usr/lib/file" + i);
        }
        assertTrue(set.estimatedBytes() > empty + 1000 * 5, "" + set.estimatedBytes());
    }

    private static final String[] NAME_PARTS = {
        "a", "b", "ab", "a-", "a.", ".a", "0", "-", "_", "lib", "\u00e9", "\u65e5", "\uff61", "\ud83d\ude00", "~", "A", " "
    };

    private static String randomPath(Random random) {
        StringBuilder sb = new StringBuilder();
        int depth = 1 + random.nextInt(5);
        for (int d = 0; d < depth; d++) {
            sb.append('/');
            String name;
            do {
                StringBuilder n = new StringBuilder();
                int parts = 1 + random.nextInt(3);
                for (int p = 0; p < parts; p++) {
                    n.append(NAME_PARTS[random.nextInt(NAME_PARTS.length)]);
                }
                name = n.toString();
            } while (name.equals(".") || name.equals(".."));
            sb.append(name);
        }
        return sb.toString();
    }

    /** Paths added where they lie in a larger array (a report's bytes) land on the nodes their Strings do. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 5})
    void testAddRef_bytesAtAnOffset_sameNodesAsStrings(long seed) {
        Random random = new Random(seed);
        PathSet byString = new PathSet();
        PathSet byBytes = new PathSet();
        for (int i = 0; i < 5_000; i++) {
            String path = random.nextInt(50) == 0 ? "/" : randomPath(random);
            byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
            int offset = random.nextInt(40);
            byte[] around = new byte[offset + utf8.length + random.nextInt(40)];
            Arrays.fill(around, (byte) '/'); // what lies around must not count
            System.arraycopy(utf8, 0, around, offset, utf8.length);
            int expected = byString.addRef(path);
            byString.setValue(expected, byString.value(expected) + 1);
            int ref = byBytes.addRef(around, offset, utf8.length);
            byBytes.setValue(ref, byBytes.value(ref) + 1);
            assertEquals(expected, ref, path);
        }
        assertEquals(byString.toSortedPaths(true), byBytes.toSortedPaths(true));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 20260101})
    void testRandomSets_matchTreeSetInByteOrder(long seed) {
        Random random = new Random(seed);
        PathSet set = new PathSet();
        TreeMap<String, Integer> expected = new TreeMap<>(BYTE_ORDER);
        for (int i = 0; i < 20_000; i++) {
            String path = random.nextInt(50) == 0 ? "/" : randomPath(random);
            boolean added = set.add(path);
            assertEquals(!expected.containsKey(path), added, path);
            int ref = set.addRef(path);
            set.setValue(ref, set.value(ref) + 1);
            expected.merge(path, 1, Integer::sum);
        }
        assertEquals(expected.size(), set.size());
        for (int i = 0; i < 2_000; i++) {
            String probe = randomPath(random);
            assertEquals(expected.containsKey(probe), set.contains(probe), probe);
        }
        SortedPaths sorted = set.toSortedPaths(true);
        assertEquals(new ArrayList<>(expected.keySet()), list(sorted));
        SortedPaths.Cursor cursor = sorted.cursor();
        for (Integer count : expected.values()) {
            assertTrue(cursor.next());
            assertEquals(count, cursor.count(), cursor.path());
        }
        for (String path : expected.keySet()) {
            assertTrue(sorted.contains(path), path);
        }
    }

    @Test
    void testLargeSet_severalChunksAndTableGrowth_matchTreeSet() {
        Random random = new Random(7);
        PathSet set = new PathSet();
        TreeSet<String> expected = new TreeSet<>(); // ASCII only: String order is byte order
        // ~250k nodes with names of ~8 bytes: more than one 1 MiB chunk, many table doublings
        for (int i = 0; i < 250_000; i++) {
            String path = "/" + Integer.toString(random.nextInt(40), 36)
                    + "/" + Long.toString(random.nextLong() & 0xff_ffff_ffffL, 36)
                    + (random.nextBoolean() ? "-x" : "/y");
            set.add(path);
            expected.add(path);
        }
        assertEquals(expected.size(), set.size());
        assertTrue(set.estimatedBytes() > 1 << 20);
        assertEquals(new ArrayList<>(expected), list(set.toSortedPaths(false)));
        for (String path : expected) {
            assertTrue(set.contains(path), path);
        }
    }

    @Test
    void testInsertionOrder_doesNotChangeResult() {
        Random random = new Random(11);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            paths.add(randomPath(random));
        }
        PathSet inOrder = new PathSet();
        paths.stream().sorted(BYTE_ORDER).forEach(inOrder::add);
        PathSet reversed = new PathSet();
        paths.stream().sorted(BYTE_ORDER.reversed()).forEach(reversed::add);
        PathSet shuffled = new PathSet();
        paths.forEach(shuffled::add);
        assertEquals(inOrder.toSortedPaths(false), reversed.toSortedPaths(false));
        assertEquals(inOrder.toSortedPaths(false), shuffled.toSortedPaths(false));
    }
}
