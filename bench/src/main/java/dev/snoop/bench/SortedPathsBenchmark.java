package dev.snoop.bench;

import dev.snoop.core.path.SortedPaths;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Walking a {@link SortedPaths} of 100K realistic paths: with the allocation-free cursor (as diff
 * and the JSON writer do) and as Strings through {@code Iterable}. Scores are per path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SortedPathsBenchmark {
    static final int N = 100_000;

    private SortedPaths paths;

    @Setup
    public void setUp() {
        paths = SortedPaths.of(RealisticPaths.generate(42, N));
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long cursor() {
        long bytes = 0;
        SortedPaths.Cursor cursor = paths.cursor();
        while (cursor.next()) {
            bytes += cursor.length();
        }
        return bytes;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void iterateStrings(Blackhole bh) {
        for (String p : paths) {
            bh.consume(p);
        }
    }
}
