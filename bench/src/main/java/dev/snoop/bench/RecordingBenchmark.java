package dev.snoop.bench;

import dev.snoop.core.path.PathFilter;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.record.Recording;
import dev.snoop.core.record.Recording.Identity;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
 * The recorder's per-event work after the kernel: {@link Recording#record} of 100K distinct
 * realistic paths in event (random) order, into a fresh recording with the default exclusions,
 * as the kernel's bytes (what {@code EventRouter} passes for an absolute name) and as a decoded
 * String (the route before, and still the route for relative names). Scores are per event; the
 * bytes case includes copying them as {@code FileEvent.pathBytes()} does. Run with the recorder's
 * JIT mode too: {@code -jvmArgsAppend -XX:TieredStopAtLevel=1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordingBenchmark {
    static final int N = 100_000;
    private static final Identity APP = new Identity("app", "c1", 7, "/pod/app", null, null);

    private byte[][] names;

    @Setup
    public void setUp() {
        List<String> paths = PathList.shuffled(RealisticPaths.generate(42, N), 7);
        names = paths.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Recording recordBytes() {
        Recording recording = new Recording(Clock.systemUTC(), PathFilter.defaults());
        for (byte[] name : names) {
            recording.record(APP, name.clone(), AccessKind.OPEN.bit());
        }
        return recording;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Recording recordStrings() {
        Recording recording = new Recording(Clock.systemUTC(), PathFilter.defaults());
        for (byte[] name : names) {
            recording.record(APP, new String(name, StandardCharsets.UTF_8), null, AccessKind.OPEN.bit());
        }
        return recording;
    }
}
