package dev.snoop.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The directory-chain cache of {@link PathSet}: consecutive paths reuse whole components only. */
class PathSetDirectoryCacheTest {

    @Test
    void testAdd_sortedAndShuffled_sameAsTreeSet() {
        Random random = new Random(7);
        String[] names = {"a", "ab", "b", "lib", "lib64", "x.y", "é"};
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            StringBuilder p = new StringBuilder();
            int depth = 1 + random.nextInt(6);
            for (int d = 0; d < depth; d++) {
                p.append('/').append(names[random.nextInt(names.length)]);
            }
            paths.add(p.toString());
        }
        paths.add("/");
        TreeSet<String> expected = new TreeSet<>(paths);
        List<String> sorted = new ArrayList<>(expected);
        // UTF-8 order equals String order here except for 'é', which sorts last either way
        for (List<String> order : List.of(sorted, shuffled(paths, random))) {
            PathSet set = new PathSet();
            for (String p : order) {
                set.add(p);
            }
            assertEquals(expected.size(), set.size());
            List<String> listed = new ArrayList<>();
            set.toSortedPaths(false).forEach(listed::add);
            assertEquals(sorted, listed);
            for (String p : expected) {
                assertTrue(set.contains(p), p);
            }
            assertFalse(set.contains("/a/c"));
            assertFalse(set.contains("/lib/lib/lib/lib/lib/lib/lib"));
        }
    }

    @Test
    void testAdd_bytesInTheMiddleOfAnArray_likeAString() {
        PathSet set = new PathSet();
        byte[] buf = "xx/usr/lib/libc.so\"/usr/lib64/ld.so\"".getBytes(StandardCharsets.UTF_8);
        assertTrue(set.add(buf, 2, 16));
        assertTrue(set.add(buf, 19, 16));
        assertFalse(set.add(buf, 2, 16));
        assertTrue(set.contains("/usr/lib/libc.so"));
        assertTrue(set.contains("/usr/lib64/ld.so"));
        assertFalse(set.contains("/usr/lib"));
        assertEquals(2, set.size());
    }

    @Test
    void testAdd_siblingAndPrefixDirectories_reuseOnlyWholeComponents() {
        PathSet set = new PathSet();
        for (String p : List.of("/a/bc/x", "/a/b/x", "/a/bcd/x", "/a/bc/y", "/a/x", "/b/x", "/a/bc/z/w", "/a/bc/x")) {
            set.add(p);
        }
        List<String> listed = new ArrayList<>();
        set.toSortedPaths(false).forEach(listed::add);
        assertEquals(List.of("/a/b/x", "/a/bc/x", "/a/bc/y", "/a/bc/z/w", "/a/bcd/x", "/a/x", "/b/x"), listed);
        assertFalse(set.contains("/a/bc"));
    }

    private static List<String> shuffled(List<String> paths, Random random) {
        List<String> copy = new ArrayList<>(paths);
        Collections.shuffle(copy, random);
        return copy;
    }
}
