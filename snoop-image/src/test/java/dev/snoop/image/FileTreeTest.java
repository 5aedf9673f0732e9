package dev.snoop.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tests for {@link FileTree}: building, removing, and resolving inside the root. */
class FileTreeTest {
    private static FileTree sample() {
        FileTree t = new FileTree();
        put(t, "usr/lib/libc.so.6", FileTree.FILE, null);
        put(t, "lib", FileTree.SYMLINK, "usr/lib");
        put(t, "usr/lib/libc.so", FileTree.SYMLINK, "libc.so.6");
        put(t, "usr/lib/chain1", FileTree.SYMLINK, "/lib/chain2");
        put(t, "usr/lib/chain2", FileTree.SYMLINK, "../lib/./libc.so");
        put(t, "etc/up", FileTree.SYMLINK, "../../../../usr/lib");
        put(t, "etc/loop1", FileTree.SYMLINK, "loop2");
        put(t, "etc/loop2", FileTree.SYMLINK, "loop1");
        put(t, "etc/file", FileTree.FILE, null);
        put(t, "etc/dangling", FileTree.SYMLINK, "/nowhere");
        return t;
    }

    private static int put(FileTree t, String path, byte type, String link) {
        return t.put(EntryNames.split(path), type, 5, 0644, link, FileTree.MISSING, 1);
    }

    static Stream<Arguments> resolutions() {
        return Stream.of(
                Arguments.of("/usr/lib/libc.so.6", true, "/usr/lib/libc.so.6", List.of()),
                Arguments.of("/lib/libc.so.6", true, "/usr/lib/libc.so.6", List.of("/lib")),
                Arguments.of("/lib/libc.so", true, "/usr/lib/libc.so.6", List.of("/lib", "/usr/lib/libc.so")),
                Arguments.of("/lib/libc.so", false, "/usr/lib/libc.so", List.of("/lib")),
                Arguments.of("/usr/lib/chain1", true, "/usr/lib/libc.so.6",
                        List.of("/usr/lib/chain1", "/lib", "/usr/lib/chain2", "/usr/lib/libc.so")),
                Arguments.of("/etc/up/libc.so.6", true, "/usr/lib/libc.so.6", List.of("/etc/up")),
                Arguments.of("/../../usr/./lib//libc.so.6", true, "/usr/lib/libc.so.6", List.of()),
                // ".." after a symlink is the target's parent, as in the kernel: /usr, not /
                Arguments.of("/lib/../etc/file", true, null, List.of("/lib")),
                Arguments.of("/lib/../lib/libc.so.6", true, "/usr/lib/libc.so.6", List.of("/lib")),
                Arguments.of("/etc/loop1", true, null, List.of()),
                Arguments.of("/etc/dangling", true, null, List.of("/etc/dangling")),
                Arguments.of("/etc/file/x", true, null, List.of()),
                Arguments.of("/missing", true, null, List.of()),
                Arguments.of("/", true, "/", List.of()));
    }

    @ParameterizedTest
    @MethodSource("resolutions")
    void testResolve_table(String path, boolean followLast, String expected, List<String> symlinks) {
        FileTree t = sample();
        List<String> followed = new ArrayList<>();
        int node = t.resolve(path, followLast, n -> followed.add(t.path(n)));
        assertEquals(expected, node == FileTree.MISSING ? null : t.path(node));
        byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(node, t.resolve(bytes, bytes.length, followLast, n -> { }), "the allocation-free walk agrees");
        if (!path.startsWith("/etc/loop")) {
            assertEquals(symlinks, followed);
        } else {
            assertEquals(FileTree.MAX_LINKS + 1, followed.size());
        }
    }

    @Test
    void testRemove_revivedNodeHasNoOldChildren() {
        FileTree t = sample();
        int usr = t.lookup(List.of("usr"));
        t.remove(usr);
        assertEquals(FileTree.MISSING, t.lookup(List.of("usr", "lib", "libc.so.6")));
        put(t, "usr/bin/sh", FileTree.FILE, null);
        assertEquals(usr, t.lookup(List.of("usr")));
        assertEquals(FileTree.MISSING, t.lookup(List.of("usr", "lib")));
        assertEquals("/usr/bin/sh", t.path(t.lookup(List.of("usr", "bin", "sh"))));
    }

    @Test
    void testPut_fileReplacesDirectoryAndItsChildren() {
        FileTree t = sample();
        put(t, "usr/lib", FileTree.FILE, null);
        assertEquals(FileTree.FILE, t.type(t.lookup(List.of("usr", "lib"))));
        assertEquals(FileTree.MISSING, t.lookup(List.of("usr", "lib", "libc.so.6")));
        put(t, "usr/lib/again", FileTree.FILE, null);
        assertEquals(FileTree.DIR, t.type(t.lookup(List.of("usr", "lib"))));
    }

    @Test
    void testRemoveLowerLayers_keepsWhatTheLayerAdded() {
        FileTree t = new FileTree();
        t.put(EntryNames.split("a/old"), FileTree.FILE, 1, 0644, null, FileTree.MISSING, 1);
        t.put(EntryNames.split("a/sub/old"), FileTree.FILE, 1, 0644, null, FileTree.MISSING, 1);
        t.put(EntryNames.split("a/sub/new"), FileTree.FILE, 1, 0644, null, FileTree.MISSING, 2);
        t.removeLowerLayers(t.lookup(List.of("a")), 2);
        assertEquals(FileTree.MISSING, t.lookup(List.of("a", "old")));
        assertEquals(FileTree.MISSING, t.lookup(List.of("a", "sub", "old")));
        assertEquals(FileTree.FILE, t.type(t.lookup(List.of("a", "sub", "new"))));
    }

    @Test
    void testGrowth_manyNodesStayFindable() {
        FileTree t = new FileTree();
        for (int i = 0; i < 50_000; i++) {
            t.put(List.of("d" + (i % 100), "f" + i), FileTree.FILE, i, 0644, null, FileTree.MISSING, 1);
        }
        for (int i = 0; i < 50_000; i += 997) {
            assertEquals(i, t.size(t.lookup(List.of("d" + (i % 100), "f" + i))));
        }
    }

    static Stream<Arguments> names() {
        return Stream.of(
                Arguments.of("./usr/bin/", List.of("usr", "bin")),
                Arguments.of("/etc//passwd", List.of("etc", "passwd")),
                Arguments.of("a/../b", List.of("b")),
                Arguments.of("../etc/passwd", null),
                Arguments.of("a/../../b", null),
                Arguments.of(".", List.of()));
    }

    @ParameterizedTest
    @MethodSource("names")
    void testEntryNames_split(String name, List<String> expected) {
        assertEquals(expected, EntryNames.split(name));
    }
}
