package dev.snoop.cli;

import dev.snoop.core.report.AtomicFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Where a command's data goes: standard output, or a file replaced atomically ({@code -o}). */
final class Output {
    interface Content {
        void writeTo(Writer out) throws IOException;
    }

    private Output() {}

    static void write(Path file, PrintWriter stdout, Content content) {
        if (file == null || file.toString().equals("-")) {
            try {
                content.writeTo(stdout);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            stdout.flush();
            return;
        }
        AtomicFiles.write(file, stream -> {
            Writer writer = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            try {
                content.writeTo(writer);
                writer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
