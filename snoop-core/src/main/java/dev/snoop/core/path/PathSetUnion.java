package dev.snoop.core.path;

import java.util.Arrays;
import java.util.function.IntBinaryOperator;

/** {@link PathSet#addAll}: walks the other set's trie, parents first, mapping its nodes to ours. */
final class PathSetUnion {
    private PathSetUnion() {}

    static void addAll(PathSet into, PathSet other, IntBinaryOperator merge) {
        int n = other.nodeCount();
        int[] theirRefs = new int[n];
        int[] myRefs = new int[n];
        int[] next = {0};
        // creation order is ascending ref order and puts every parent before its children
        other.forEachNode((ref, parent, chunk, namePos, nameLen) -> {
            int i = next[0]++;
            theirRefs[i] = ref;
            // the root is node 0 of every set
            myRefs[i] = i == 0 ? ref : into.childRef(myRefs[Arrays.binarySearch(theirRefs, 0, i, parent)], chunk, namePos, nameLen);
            if (other.isMember(ref)) {
                int mine = myRefs[i];
                int before = into.markMember(mine) ? 0 : into.value(mine);
                int merged = merge.applyAsInt(before, other.value(ref));
                if (merged != into.value(mine)) {
                    into.setValue(mine, merged);
                }
            }
        });
    }
}
