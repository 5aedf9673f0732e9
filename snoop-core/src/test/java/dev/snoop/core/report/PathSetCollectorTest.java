package dev.snoop.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link PathSetCollector}, the paths of a streamed report going into a {@link PathSet}. */
class PathSetCollectorTest {
    private static List<String> paths(PathSet set) {
        List<String> list = new ArrayList<>();
        SortedPaths.Cursor cursor = set.toSortedPaths(false).cursor();
        while (cursor.next()) {
            list.add(new String(cursor.bytes(), 0, cursor.length(), StandardCharsets.UTF_8));
        }
        return list;
    }

    private static void addChars(PathSetCollector c, String path) {
        char[] chars = ("xx" + path + "yy").toCharArray(); // as Jackson holds text: within a larger buffer
        c.add(chars, 2, path.length());
    }

    @Test
    void testSortedList_keptInOrder_valuesByListIndex() {
        PathSetCollector c = new PathSetCollector();
        int n = 10_000; // more than one block of node references
        byte[] bits = new byte[n];
        for (int i = 0; i < n; i++) {
            addChars(c, String.format("/usr/lib/d%02d/f%05d", i / 500, i));
            bits[i] = (byte) (1 + i % 7);
        }
        assertTrue(c.keptOrder());
        assertEquals(n, c.size());
        PathSet set = c.finish(bits);
        for (int i = 0; i < n; i += 97) {
            assertEquals(1 + i % 7, set.value(set.addRef(String.format("/usr/lib/d%02d/f%05d", i / 500, i))), "path " + i);
        }
    }

    @Test
    void testNormalizesAsFileCollectorDoes() {
        PathSetCollector streamed = new PathSetCollector();
        FileCollector whole = new FileCollector();
        for (String raw : List.of("/a//b", "rel/x", "/c/./d/", "/caf\u00e9/\u65e5", "/e/../f")) {
            addChars(streamed, raw);
            whole.add(raw);
        }
        List<String> want = new ArrayList<>();
        whole.paths().forEach(want::add);
        assertEquals(want, paths(streamed.finish(null)));
        assertEquals(whole.keptOrder(), streamed.keptOrder());
    }

    @Test
    void testDroppedOrReordered_notKept() {
        PathSetCollector dropped = new PathSetCollector();
        addChars(dropped, "/a");
        addChars(dropped, "");
        addChars(dropped, "/b");
        assertFalse(dropped.keptOrder(), "an empty path is dropped: the kinds no longer line up");
        assertEquals(List.of("/a", "/b"), paths(dropped.finish(null)));

        PathSetCollector reordered = new PathSetCollector();
        addChars(reordered, "/b");
        addChars(reordered, "/a");
        assertFalse(reordered.keptOrder());
        PathSetCollector duplicate = new PathSetCollector();
        addChars(duplicate, "/a");
        addChars(duplicate, "/a");
        assertFalse(duplicate.keptOrder());
        assertEquals(1, duplicate.size());
    }

    @Test
    void testBytesAndStrings_sameAsChars() {
        PathSetCollector c = new PathSetCollector();
        byte[] utf8 = "xx/a/\u00e9yy".getBytes(StandardCharsets.UTF_8);
        c.add(utf8, 2, utf8.length - 4, true);
        c.add("/b//c");
        assertTrue(c.keptOrder());
        assertEquals(List.of("/a/\u00e9", "/b/c"), paths(c.finish(null)));
    }

    @Test
    void testUnstorablePaths_refusedAsFileCollectorRefusesThem() {
        String surrogate = "/a/\ud800";
        FileCollector.Refused streamed = assertThrows(FileCollector.Refused.class, () -> addChars(new PathSetCollector(), surrogate));
        FileCollector.Refused whole = assertThrows(FileCollector.Refused.class, () -> new FileCollector().add(surrogate));
        assertEquals(whole.getMessage(), streamed.getMessage());
        String longName = "/" + "n".repeat(FileCollector.MAX_NAME_BYTES + 1);
        streamed = assertThrows(FileCollector.Refused.class, () -> addChars(new PathSetCollector(), longName));
        whole = assertThrows(FileCollector.Refused.class, () -> new FileCollector().add(longName));
        assertEquals(whole.getMessage(), streamed.getMessage());
    }
}
