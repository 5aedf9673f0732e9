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
 */
final class PathSetSorter {
    private final PathSet set;
    private final int n;
    private final int[] refs;
    private final int[] nameStart;
    private final byte[][] nameChunk;
    private final int[] nameLen;
    private final int[] childStart;
    private final int[] children;

    PathSetSorter(PathSet set) {
        this.set = set;
        this.n = set.nodeCount();
        this.refs = new int[n];
        this.nameStart = new int[n];
        this.nameChunk = new byte[n][];
        this.nameLen = new int[n];
        int[] parentRef = new int[n];
        int[] cursor = {0};
        set.forEachNode((ref, parent, chunk, namePos, len) -> {
            int i = cursor[0]++;
            refs[i] = ref;
            parentRef[i] = parent;
            nameChunk[i] = chunk;
            nameStart[i] = namePos;
            nameLen[i] = len;
        });
        // refs are ascending, so a parent's index is a binary search away
        int[] parentIndex = new int[n];
        childStart = new int[n + 1];
        for (int i = 1; i < n; i++) {
            parentIndex[i] = Arrays.binarySearch(refs, 0, n, parentRef[i]);
            childStart[parentIndex[i] + 1]++;
        }
        for (int i = 0; i < n; i++) {
            childStart[i + 1] += childStart[i];
        }
        children = new int[Math.max(0, n - 1)];
        int[] fill = Arrays.copyOf(childStart, n);
        for (int i = 1; i < n; i++) {
            children[fill[parentIndex[i]]++] = i;
        }
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
            int node = item >>> 1;
            int prefix = stackPrefix[depth];
            int len = prefix + 1 + nameLen[node];
            if (len > path.length) {
                path = Arrays.copyOf(path, Math.max(path.length * 2, len));
            }
            path[prefix] = '/';
            System.arraycopy(nameChunk[node], nameStart[node], path, prefix + 1, nameLen[node]);
            if ((item & 1) == 0) {
                out.appendIfAscending(path, len, withCounts ? set.value(refs[node]) : 0);
            } else {
                if (++depth == stackItems.length) {
                    stackItems = Arrays.copyOf(stackItems, depth * 2);
                    stackPos = Arrays.copyOf(stackPos, depth * 2);
                    stackPrefix = Arrays.copyOf(stackPrefix, depth * 2);
                }
                stackItems[depth] = itemsOf(node);
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
        sortItems(items);
        return items;
    }

    private void sortItems(int[] items) {
        // directories rarely hold more than a few thousand entries: a boxed sort is fine here
        Integer[] boxed = new Integer[items.length];
        for (int i = 0; i < items.length; i++) {
            boxed[i] = items[i];
        }
        Arrays.sort(boxed, this::compareItems);
        for (int i = 0; i < items.length; i++) {
            items[i] = boxed[i];
        }
    }

    private int compareItems(int a, int b) {
        int na = a >>> 1;
        int nb = b >>> 1;
        int la = nameLen[na] + (a & 1);
        int lb = nameLen[nb] + (b & 1);
        int common = Math.min(la, lb);
        for (int i = 0; i < common; i++) {
            int ca = i < nameLen[na] ? nameChunk[na][nameStart[na] + i] & 0xff : '/';
            int cb = i < nameLen[nb] ? nameChunk[nb][nameStart[nb] + i] & 0xff : '/';
            if (ca != cb) {
                return ca - cb;
            }
        }
        return la - lb;
    }
}
