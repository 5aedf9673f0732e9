package dev.snoop.cli;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the common commands once on tiny reports so that the build's class-data-sharing archive
 * ({@code -XX:ArchiveClassesAtExit}) holds the classes every run loads. Not part of the CLI.
 */
final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("snoop-cds");
        try {
            Path a = dir.resolve("a.json");
            Path b = dir.resolve("b.json");
            // with timestamps, as real reports have them, so that the classes that read them are archived
            Files.writeString(a, "{\"schema_version\":1,\"started_at\":\"2026-11-01T09:00:00Z\",\"containers\":"
                    + "[{\"name\":\"app\",\"files\":[\"/bin/sh\",\"/etc/passwd\"]}]}");
            Files.writeString(b, "{\"started_at\":\"2026-11-01T10:00:00Z\",\"containers\":"
                    + "[{\"name\":\"app\",\"files\":[\"/bin/sh\",\"/etc/hosts\"]}]}");
            // through an encoder, as Main's standard output is
            PrintWriter sink = new PrintWriter(new OutputStreamWriter(OutputStream.nullOutputStream(), StandardCharsets.UTF_8));
            PrintWriter err = new PrintWriter(new StringWriter());
            Main.run(sink, err, "--version");
            Main.run(sink, err, "--help");
            Main.run(sink, err, "diff", a.toString(), b.toString());
            Main.run(sink, err, "diff", "--format", "json", a.toString(), b.toString());
            Main.run(sink, err, "merge", "--with-counts", a.toString(), b.toString());
            Main.run(sink, err, "stats", a.toString());
            Main.run(sink, err, "stats", "--format", "json", a.toString());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
