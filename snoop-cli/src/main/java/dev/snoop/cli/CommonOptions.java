package dev.snoop.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options several commands share, declared once so that their names, labels and meaning cannot
 * drift apart: {@code -o/--output} everywhere data is written, {@code --container} everywhere
 * reports are read, {@code --format text|json} for the summaries.
 */
final class CommonOptions {
    private CommonOptions() {}

    /** {@code -o FILE}: the command's data into FILE, replaced atomically; {@code -} or none is stdout. */
    static final class OutputFile {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE",
                description = "Write to FILE (replaced atomically: never half-written) instead of standard output.")
        Path file;

        /** True when the data goes to standard output (where colour may apply). */
        boolean isStdout() {
            return file == null || file.toString().equals("-");
        }
    }

    /** {@code --container NAME}: one container of each report. */
    static final class ContainerName {
        @Option(names = "--container", paramLabel = "NAME",
                description = "Use only the container of this name in each report.")
        String name;
    }

    /** {@code --format text|json}. */
    static final class TextOrJson {
        enum Format { text, json }

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
                description = "text (for people) or json (for programs: everything, exact). Default: ${DEFAULT-VALUE}.")
        Format format;

        boolean json() {
            return format == Format.json;
        }
    }
}
