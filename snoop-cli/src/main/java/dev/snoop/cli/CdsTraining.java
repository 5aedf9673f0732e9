package dev.snoop.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
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
            Files.writeString(a, "{\"schema_version\":1,\"containers\":[{\"name\":\"app\",\"files\":[\"/bin/sh\",\"/etc/passwd\"]}]}");
            Files.writeString(b, "{\"containers\":[{\"name\":\"app\",\"files\":[\"/bin/sh\",\"/etc/hosts\"]}]}");
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
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
