package dev.snoop.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link PathSet#frozenCopy} (copy-on-write chunks) and {@link PathSet#addAll}. */
class PathSetFrozenCopyTest {

    @Test
    void testFrozenCopy_laterWritesDoNotShowInIt() {
        PathSet set = new PathSet();
        TreeMap<String, Integer> before = new TreeMap<>();
        // several 1 MiB chunks, so that writes land in old chunks, the last one and new ones
        for (int i = 0; i < 120_000; i++) {
            String path = "/srv/d" + (i % 97) + "/file-" + i;
            set.setValue(set.addRef(path), 1);
            before.put(path, 1);
        }
        PathSet copy = set.frozenCopy();
        for (int i = 0; i < 120_000; i += 7) {
            set.setValue(set.addRef("/srv/d" + (i % 97) + "/file-" + i), 3); // old chunks: copied first
        }
        for (int i = 0; i < 60_000; i++) {
            set.addRef("/new/d" + (i % 13) + "/f" + i); // the last chunk, then new ones
        }
        set.addRef("/srv/d1"); // a directory node of the copy becomes a member
        assertEquals(before.size(), copy.size());
        assertEquals(counted(before), counted(copy));
        assertEquals(before.size() + 60_001, set.size());
        assertEquals(3, count(set, "/srv/d0/file-0"));
        assertEquals(1, count(copy, "/srv/d0/file-0"));
    }

    @Test
    void testFrozenCopy_sortedOnAnotherThreadWhileTheSetChanges() throws Exception {
        PathSet set = new PathSet();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            set.add("/a/" + (i % 10) + "/" + i);
        }
        PathSet copy = set.frozenCopy();
        copy.toSortedPaths(false).forEach(expected::add);
        PathSet again = set.frozenCopy(); // a second copy shares the same chunks
        ExecutorService sorter = Executors.newSingleThreadExecutor();
        try {
            Future<List<String>> sorted = sorter.submit(() -> {
                List<String> out = new ArrayList<>();
                again.toSortedPaths(false).forEach(out::add);
                return out;
            });
            for (int i = 0; i < 200_000; i++) {
                set.setValue(set.addRef("/b/" + (i % 100) + "/" + i), i);
            }
            assertEquals(expected, sorted.get());
        } finally {
            sorter.shutdownNow();
        }
        assertEquals(250_000, set.size());
    }

    @Test
    void testFrozenCopy_cannotChange() {
        PathSet set = new PathSet();
        set.add("/etc/hosts");
        PathSet copy = set.frozenCopy();
        assertThrows(UnsupportedOperationException.class, () -> copy.add("/etc/passwd"));
    }

    @Test
    void testAddAll_unitesPathsAndMergesValues() {
        PathSet a = new PathSet();
        a.setValue(a.addRef("/etc/hosts"), 1);
        a.setValue(a.addRef("/usr/lib/libc.so.6"), 2);
        a.addRef("/usr"); // a directory that is a member too
        PathSet b = new PathSet();
        b.setValue(b.addRef("/etc/hosts"), 4);
        b.setValue(b.addRef("/usr/lib/libm.so.6"), 8);
        b.setValue(b.addRef("/usr/lib"), 16);
        b.setValue(b.addRef("/"), 32);
        a.addAll(b, (mine, theirs) -> mine | theirs);
        assertEquals(List.of("/=32", "/etc/hosts=5", "/usr=0", "/usr/lib=16", "/usr/lib/libc.so.6=2", "/usr/lib/libm.so.6=8"),
                entries(a));
        assertEquals(4, b.size(), "the other set is unchanged");
        assertThrows(IllegalArgumentException.class, () -> a.addAll(a, Integer::sum));
    }

    @Test
    void testAddAll_manyPaths_sameAsAddingOneByOne() {
        PathSet a = new PathSet();
        PathSet b = new PathSet();
        PathSet both = new PathSet();
        for (int i = 0; i < 30_000; i++) {
            String left = "/x/" + (i % 31) + "/" + i;
            String right = "/x/" + (i % 17) + "/" + (i * 3);
            a.add(left);
            b.add(right);
            both.add(left);
            both.add(right);
        }
        a.addAll(b, (mine, theirs) -> mine | theirs);
        assertEquals(both.size(), a.size());
        assertEquals(both.toSortedPaths(false), a.toSortedPaths(false));
    }

    private static List<String> counted(TreeMap<String, Integer> paths) {
        List<String> out = new ArrayList<>();
        paths.forEach((p, c) -> out.add(p + "=" + c));
        return out;
    }

    private static List<String> counted(PathSet set) {
        return entries(set);
    }

    private static List<String> entries(PathSet set) {
        List<String> out = new ArrayList<>();
        SortedPaths.Cursor cursor = set.toSortedPaths(true).cursor();
        while (cursor.next()) {
            out.add(cursor.path() + "=" + cursor.count());
        }
        return out;
    }

    private static int count(PathSet set, String path) {
        SortedPaths.Cursor cursor = set.toSortedPaths(true).cursor();
        while (cursor.next()) {
            if (cursor.path().equals(path)) {
                return cursor.count();
            }
        }
        throw new AssertionError(path);
    }

    @Test
    void testFrozenCopy_ofAnEmptySet() {
        PathSet copy = new PathSet().frozenCopy();
        assertEquals(0, copy.size());
        assertTrue(copy.toSortedPaths(false).isEmpty());
    }
}
