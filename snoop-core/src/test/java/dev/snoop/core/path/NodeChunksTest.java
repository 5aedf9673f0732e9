package dev.snoop.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link NodeChunks}, the node records behind a {@link PathSet}. */
class NodeChunksTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void testAppend_recordsReadBack() {
        NodeChunks chunks = new NodeChunks();
        int root = chunks.append(0x7fff_ffff, new byte[0], 0, 0);
        byte[] name = utf8("xxusryy");
        int usr = chunks.append(root, name, 2, 3);
        int lib = chunks.append(usr, utf8("caf\u00e9"), 0, 5);
        assertEquals(0, root);
        assertEquals(root, chunks.parentOf(usr));
        assertTrue(chunks.matches(usr, root, utf8("usr"), 0, 3));
        assertFalse(chunks.matches(usr, lib, utf8("usr"), 0, 3), "another parent");
        assertFalse(chunks.matches(usr, root, utf8("us"), 0, 2), "another name");
        assertEquals(5, chunks.nameLength(lib));
        assertEquals("caf\u00e9", new String(chunks.chunkOf(lib), chunks.nameStart(lib), 5, StandardCharsets.UTF_8));

        assertFalse(chunks.isMember(usr));
        assertEquals(0, chunks.value(usr));
        assertTrue(chunks.markMember(usr));
        assertFalse(chunks.markMember(usr), "already one");
        chunks.setValue(usr, 0x7fff_fff0);
        assertTrue(chunks.isMember(usr));
        assertEquals(0x7fff_fff0, chunks.value(usr));
        assertEquals(root, chunks.parentOf(usr), "the member bit is not part of the parent");
    }

    @Test
    void testForEachNode_inCreationOrderAcrossChunks() {
        NodeChunks chunks = new NodeChunks();
        List<Integer> refs = new ArrayList<>();
        byte[] name = new byte[300]; // a record in a varint of two bytes
        int n = 10_000; // about 3 MiB: the first chunk grows to 1 MiB, then new ones
        for (int i = 0; i < n; i++) {
            name[0] = (byte) i;
            refs.add(chunks.append(i == 0 ? 0x7fff_ffff : refs.get(i - 1), name, 0, i == 0 ? 0 : name.length));
        }
        assertTrue(refs.get(n - 1) >>> NodeChunks.CHUNK_BITS >= 2, "several chunks");
        List<Integer> visited = new ArrayList<>();
        chunks.forEachNode((ref, parent, chunk, namePos, nameLen) -> {
            int i = visited.size();
            assertEquals(i == 0 ? 0x7fff_ffff : refs.get(i - 1), parent);
            assertEquals(i == 0 ? 0 : 300, nameLen);
            if (i > 0) {
                assertEquals((byte) i, chunk[namePos]);
            }
            visited.add(ref);
        });
        assertEquals(refs, visited);
    }

    @Test
    void testFrozenCopy_sharesUntilWrittenAndCannotChange() {
        NodeChunks live = new NodeChunks();
        int root = live.append(0x7fff_ffff, new byte[0], 0, 0);
        int a = live.append(root, utf8("a"), 0, 1);
        live.setValue(a, 1);
        NodeChunks copy = live.frozenCopy();
        live.setValue(a, 2);
        live.markMember(a);
        int b = live.append(root, utf8("b"), 0, 1);
        assertEquals(1, copy.value(a), "the live side copied the chunk before writing to it");
        assertFalse(copy.isMember(a));
        assertEquals(2, live.value(a));
        assertTrue(live.matches(b, root, utf8("b"), 0, 1));
        assertTrue(copy.isFrozen());
        assertThrows(UnsupportedOperationException.class, () -> copy.setValue(a, 3));
        assertThrows(UnsupportedOperationException.class, () -> copy.markMember(a));
    }
}
