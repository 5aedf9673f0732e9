package dev.snoop.bench;

import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Heap bytes per path of the path structures, and the time to fill them and to list them sorted.
 *
 * <p>Usage: {@code java -XX:+UseSerialGC -Xmx3g -cp benchmarks.jar dev.snoop.bench.MemoryBenchmark
 * [--runs N] INPUT...} where INPUT is {@code gen:100K}, {@code gen:1M} or a file of paths (one a
 * line). Not JMH: retained size is what matters, measured as used heap after repeated full
 * collections ({@link MemoryMXBean}) with the structure alive minus the same without it. The input
 * is held packed ({@link PathList}) during both measurements, and every structure gets its own
 * Strings, as it would when reading a report.
 *
 * <p>Times are the median of {@code --runs} fills (default 5) in the same JVM, after one warm-up
 * fill; "sorted output" is {@code toSortedPaths} for a PathSet, copy-and-sort for a HashSet and
 * walking the tree into an array for a TreeSet.
 */
final class MemoryBenchmark {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private MemoryBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = 5;
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            } else {
                inputs.add(args[i]);
            }
        }
        System.out.println("| input | structure | paths | retained heap | bytes/path | estimatedBytes/path | fill, shuffled (ms) | fill, sorted (ms) | sorted output (ms) |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (String spec : inputs) {
            List<String> loaded = PathList.load(spec);
            PathList shuffled = PathList.of(PathList.shuffled(loaded, 7));
            PathList sorted = PathList.of(PathList.sorted(loaded));
            String name = spec.startsWith("gen:") ? spec : spec.substring(spec.lastIndexOf('/') + 1);
            loaded = null;
            measure(name, "PathSet", shuffled, sorted, runs, MemoryBenchmark::pathSet, s -> ((PathSet) s).estimatedBytes(),
                    s -> ((PathSet) s).toSortedPaths(false));
            measure(name, "SortedPaths", shuffled, sorted, runs, list -> pathSet(list).toSortedPaths(false),
                    s -> ((SortedPaths) s).estimatedBytes(), null);
            measure(name, "HashSet<String>", shuffled, sorted, runs, MemoryBenchmark::hashSet, s -> -1,
                    s -> sortedCopy((Set<?>) s));
            measure(name, "TreeSet<String>", shuffled, sorted, runs, MemoryBenchmark::treeSet, s -> -1,
                    s -> ((Set<?>) s).toArray());
            Reference.reachabilityFence(shuffled);
            Reference.reachabilityFence(sorted);
        }
    }

    interface Builder {
        Object build(PathList paths);
    }

    interface Metric {
        long of(Object structure);
    }

    interface Op {
        Object apply(Object structure);
    }

    private static void measure(String input, String structure, PathList shuffled, PathList sorted, int runs,
            Builder builder, Metric estimate, Op sortedOutput) {
        long before = usedAfterGc();
        Object built = builder.build(shuffled);
        long retained = usedAfterGc() - before;
        long estimated = estimate.of(built);
        Reference.reachabilityFence(built);
        built = null;

        builder.build(shuffled); // warm-up
        double fillShuffled = medianMillis(runs, () -> builder.build(shuffled));
        double fillSorted = medianMillis(runs, () -> builder.build(sorted));
        String output = "";
        if (sortedOutput != null) {
            Object filled = builder.build(shuffled);
            sortedOutput.apply(filled);
            output = String.format(Locale.ROOT, "%.0f", medianMillis(runs, () -> sortedOutput.apply(filled)));
        }
        int n = shuffled.size();
        System.out.printf(Locale.ROOT, "| %s | %s | %,d | %.1f MB | %.1f | %s | %.0f | %.0f | %s |%n",
                input, structure, n, retained / 1e6, (double) retained / n,
                estimated < 0 ? "" : String.format(Locale.ROOT, "%.1f", (double) estimated / n),
                fillShuffled, fillSorted, output);
    }

    private static double medianMillis(int runs, Supplier<Object> task) {
        double[] times = new double[runs];
        for (int i = 0; i < runs; i++) {
            usedAfterGc();
            long start = System.nanoTime();
            Object result = task.get();
            times[i] = (System.nanoTime() - start) / 1e6;
            Reference.reachabilityFence(result);
        }
        Arrays.sort(times);
        return times[runs / 2];
    }

    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static PathSet pathSet(PathList paths) {
        PathSet set = new PathSet();
        for (int i = 0; i < paths.size(); i++) {
            set.add(paths.get(i));
        }
        return set;
    }

    static HashSet<String> hashSet(PathList paths) {
        HashSet<String> set = new HashSet<>();
        for (int i = 0; i < paths.size(); i++) {
            set.add(paths.get(i));
        }
        return set;
    }

    static TreeSet<String> treeSet(PathList paths) {
        TreeSet<String> set = new TreeSet<>();
        for (int i = 0; i < paths.size(); i++) {
            set.add(paths.get(i));
        }
        return set;
    }

    private static Object sortedCopy(Set<?> set) {
        @SuppressWarnings("unchecked")
        List<String> list = new ArrayList<>((Set<String>) set);
        list.sort(null);
        return list;
    }
}
