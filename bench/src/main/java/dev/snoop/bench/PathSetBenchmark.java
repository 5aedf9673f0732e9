package dev.snoop.bench;

import dev.snoop.core.path.PathSet;
import dev.snoop.core.path.SortedPaths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PathSet}: filling a fresh set with 100K realistic paths in random and in path order (as
 * reports list them), and listing a full set sorted. Scores are per path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PathSetBenchmark {
    static final int N = 100_000;

    private String[] shuffled;
    private String[] sorted;
    private PathSet full;

    @Setup
    public void setUp() {
        List<String> paths = RealisticPaths.generate(42, N);
        shuffled = PathList.shuffled(paths, 7).toArray(String[]::new);
        sorted = PathList.sorted(paths).toArray(String[]::new);
        full = fill(shuffled);
    }

    private static PathSet fill(String[] paths) {
        PathSet set = new PathSet();
        for (String p : paths) {
            set.add(p);
        }
        return set;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public PathSet addRandomOrder() {
        return fill(shuffled);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public PathSet addSortedOrder() {
        return fill(sorted);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public SortedPaths toSortedPaths() {
        return full.toSortedPaths(false);
    }
}
