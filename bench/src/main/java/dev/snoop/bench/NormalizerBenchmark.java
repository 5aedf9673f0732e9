package dev.snoop.bench;

import dev.snoop.core.path.PathNormalizer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PathNormalizer#normalize} per path: on normalized input (every path of a report that is
 * read back) and on input as a process passes it ({@code //}, {@code /./}, {@code dir/..}).
 * JMH needs benchmark classes public.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class NormalizerBenchmark {
    private static final int COUNT = 4096;

    private final String[] normalized = new String[COUNT];
    private final String[] messy = new String[COUNT];
    private int next;

    @Setup
    public void setUp() {
        List<String> paths = RealisticPaths.generate(11, COUNT);
        for (int i = 0; i < COUNT; i++) {
            String p = paths.get(i);
            normalized[i] = p;
            int slash = p.indexOf('/', 1);
            String head = slash < 0 ? p : p.substring(0, slash);
            String tail = slash < 0 ? "" : p.substring(slash);
            messy[i] = switch (i % 4) {
                case 0 -> head + "/" + tail;                 // a doubled slash
                case 1 -> head + "/." + tail;                // a "." component
                case 2 -> head + "/tmp/.." + tail;           // a ".." component
                default -> p + "/";                          // a trailing slash
            };
        }
    }

    @Benchmark
    public String normalizeNormalized() {
        return PathNormalizer.normalize(normalized[next++ & (COUNT - 1)]);
    }

    @Benchmark
    public String normalizeNonNormalized() {
        return PathNormalizer.normalize(messy[next++ & (COUNT - 1)]);
    }
}
