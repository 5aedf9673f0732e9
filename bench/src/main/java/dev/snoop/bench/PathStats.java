package dev.snoop.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Describes a path list's shape, to compare {@link RealisticPaths} with a real tree.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.snoop.bench.PathStats gen:1M /tmp/usr.txt ...}. A
 * directory is a path that is the parent of another path in the list; a leaf is any other path
 * (a file, or an empty directory, which cannot be told apart from a list alone).
 */
final class PathStats {
    private PathStats() {}

    public static void main(String[] args) throws Exception {
        System.out.println("| input | paths | avg bytes | avg depth | avg leaf name | directories | leaves | leaves/dir (mean) | median | p90 | max |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String spec : args) {
            System.out.println(row(spec, PathList.load(spec)));
        }
    }

    static String row(String name, List<String> paths) {
        Set<String> all = new HashSet<>(paths);
        Map<String, Integer> leavesPerDir = new HashMap<>();
        Set<String> dirs = new HashSet<>();
        long bytes = 0;
        long depth = 0;
        long leafNames = 0;
        int leaves = 0;
        for (String p : paths) {
            bytes += p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            depth += p.chars().filter(c -> c == '/').count();
            int slash = p.lastIndexOf('/');
            String parent = slash == 0 ? "/" : p.substring(0, slash);
            for (String d = parent; ; d = d.substring(0, Math.max(1, d.lastIndexOf('/')))) {
                if (!dirs.add(d) || d.equals("/")) {
                    break;
                }
            }
        }
        for (String p : paths) {
            if (!dirs.contains(p)) {
                leaves++;
                leafNames += p.length() - p.lastIndexOf('/') - 1;
                int slash = p.lastIndexOf('/');
                leavesPerDir.merge(slash == 0 ? "/" : p.substring(0, slash), 1, Integer::sum);
            }
        }
        List<Integer> counts = new ArrayList<>(leavesPerDir.values());
        Collections.sort(counts);
        int n = paths.size();
        return String.format(Locale.ROOT, "| %s | %,d | %.1f | %.2f | %.1f | %,d | %,d | %.2f | %d | %d | %d |",
                name, n, (double) bytes / n, (double) depth / n, (double) leafNames / leaves, dirs.size(), leaves,
                (double) leaves / dirs.size(), counts.get(counts.size() / 2), counts.get((int) (counts.size() * 0.9)),
                counts.get(counts.size() - 1)) + (all.size() != n ? " (" + (n - all.size()) + " duplicates)" : "");
    }
}
