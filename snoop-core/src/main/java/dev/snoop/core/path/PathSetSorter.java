package dev.snoop.core.path;

import java.util.Arrays;

/**
 * Lists a {@link PathSet} in path (UTF-8 byte) order.
 *
 * <p>A depth-first walk alone is not byte order: {@code /a-b} sorts between {@code /a} and
 * {@code /a/x} because {@code '-' < '/'}. So each directory's children are sorted as two kinds of
 * item: the child itself, keyed by its name, and the child's subtree, keyed by its name plus
 * {@code '/'}. Every path under a subtree starts with that key and no other item's paths do, so
 * emitting the items in key order, expanding subtrees in place, yields byte order.
 *
 * <p>It runs beside the recording on every report write, so what it allocates per node is heap a
 * sidecar must have room for: three ints per node (the node's reference and the children lists),
 * a fourth while they are built; names are read where the set keeps them. (It was nine ints and a
 * reference per node, 20 bytes a node more: 2 MB of heap at 100K files, 20 MB at 1M.)
 */
final class PathSetSorter {
    private final PathSet set;
    private final int n;
    /** refs[i]: the reference of node i, nodes numbered in creation (and ascending ref) order */
    private final int[] refs;
    /** children[childStart[i], childStart[i + 1]): the nodes below node i */
    private final int[] childStart;
    private final int[] children;

    PathSetSorter(PathSet set) {
        this.set = set;
        this.n = set.nodeCount();
        this.refs = new int[n];
        // the parent's reference at first, then its index
        int[] parentOf = new int[n];
        int[] cursor = {0};
        set.forEachNode((ref, parent, chunk, namePos, len) -> {
            int i = cursor[0]++;
            refs[i] = ref;
            parentOf[i] = parent;
        });
        // refs are ascending, so a parent's index is a binary search away
        childStart = new int[n + 1];
        for (int i = 1; i < n; i++) {
            parentOf[i] = Arrays.binarySearch(refs, 0, n, parentOf[i]);
            childStart[parentOf[i] + 1]++;
        }
        for (int i = 0; i < n; i++) {
            childStart[i + 1] += childStart[i];
        }
        // each parent's start serves as its fill cursor and ends up at its end, the next one's start
        children = new int[Math.max(0, n - 1)];
        for (int i = 1; i < n; i++) {
            children[childStart[parentOf[i]]++] = i;
        }
        System.arraycopy(childStart, 0, childStart, 1, n);
        childStart[0] = 0;
    }

    SortedPaths sort(boolean withCounts) {
        SortedPathsBuilder out = SortedPaths.builder();
        byte[] path = new byte[256];
        if (set.isMember(refs[0])) {
            path[0] = '/';
            out.appendIfAscending(path, 1, withCounts ? set.value(refs[0]) : 0);
        }
        // explicit stack: paths may be thousands of components deep
        int[][] stackItems = new int[16][];
        int[] stackPos = new int[16];
        int[] stackPrefix = new int[16];
        int depth = 0;
        stackItems[0] = itemsOf(0);
        stackPrefix[0] = 0;
        while (depth >= 0) {
            int[] items = stackItems[depth];
            if (stackPos[depth] == items.length) {
                depth--;
                continue;
            }
            int item = items[stackPos[depth]++];
            int ref = refs[item >>> 1];
            int nameLen = set.nameLength(ref);
            int prefix = stackPrefix[depth];
            int len = prefix + 1 + nameLen;
            if (len > path.length) {
                path = Arrays.copyOf(path, Math.max(path.length * 2, len));
            }
            path[prefix] = '/';
            System.arraycopy(set.chunkOf(ref), set.nameStart(ref), path, prefix + 1, nameLen);
            if ((item & 1) == 0) {
                out.appendIfAscending(path, len, withCounts ? set.value(ref) : 0);
            } else {
                if (++depth == stackItems.length) {
                    stackItems = Arrays.copyOf(stackItems, depth * 2);
                    stackPos = Arrays.copyOf(stackPos, depth * 2);
                    stackPrefix = Arrays.copyOf(stackPrefix, depth * 2);
                }
                stackItems[depth] = itemsOf(item >>> 1);
                stackPos[depth] = 0;
                stackPrefix[depth] = len;
            }
        }
        if (out.size() != set.size()) {
            throw new IllegalStateException("sorted " + out.size() + " of " + set.size() + " paths");
        }
        return out.build(withCounts);
    }

    /** The children of {@code node} as items (index << 1 | isSubtree), in key order. */
    private int[] itemsOf(int node) {
        int from = childStart[node];
        int to = childStart[node + 1];
        int[] items = new int[2 * (to - from)];
        int count = 0;
        for (int k = from; k < to; k++) {
            int c = children[k];
            if (set.isMember(refs[c])) {
                items[count++] = c << 1;
            }
            if (childStart[c + 1] > childStart[c]) {
                items[count++] = c << 1 | 1;
            }
        }
        items = Arrays.copyOf(items, count);
        new DirectorySort(items).sort();
        return items;
    }

    /** One directory's items sorted by key, their names looked up once, not at every comparison. */
    private final class DirectorySort {
        private final int[] items;
        private final byte[][] chunk;
        private final int[] start;
        private final int[] length;

        DirectorySort(int[] items) {
            this.items = items;
            this.chunk = new byte[items.length][];
            this.start = new int[items.length];
            this.length = new int[items.length];
            for (int i = 0; i < items.length; i++) {
                int ref = refs[items[i] >>> 1];
                chunk[i] = set.chunkOf(ref);
                start[i] = set.nameStart(ref);
                length[i] = set.nameLength(ref);
            }
        }

        void sort() {
            // directories rarely hold more than a few thousand entries: a boxed sort is fine here
            Integer[] order = new Integer[items.length];
            for (int i = 0; i < items.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, this::compare);
            int[] sorted = new int[items.length];
            for (int i = 0; i < items.length; i++) {
                sorted[i] = items[order[i]];
            }
            System.arraycopy(sorted, 0, items, 0, items.length);
        }

        private int compare(int a, int b) {
            int la = length[a] + (items[a] & 1);
            int lb = length[b] + (items[b] & 1);
            int common = Math.min(la, lb);
            for (int i = 0; i < common; i++) {
                int ca = i < length[a] ? chunk[a][start[a] + i] & 0xff : '/';
                int cb = i < length[b] ? chunk[b][start[b] + i] & 0xff : '/';
                if (ca != cb) {
                    return ca - cb;
                }
            }
            return la - lb;
        }
    }
}
