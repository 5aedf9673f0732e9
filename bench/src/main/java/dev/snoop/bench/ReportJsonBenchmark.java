package dev.snoop.bench;

import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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

/** Reading and writing a one-container report of 10,000 realistic files, from and to memory. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ReportJsonBenchmark {
    private byte[] json;
    private Report report;

    @Setup
    public void setUp() throws IOException {
        report = ReportGenerator.report("bench-0", RealisticPaths.generate(42, 10_000));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReportJson.write(report, out);
        json = out.toByteArray();
    }

    @Benchmark
    public Report read() throws IOException {
        return ReportJson.read(new ByteArrayInputStream(json), "bench", warning -> {
            throw new IllegalStateException(warning);
        });
    }

    @Benchmark
    public void write() throws IOException {
        ReportJson.write(report, OutputStream.nullOutputStream());
    }
}
