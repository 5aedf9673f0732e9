package dev.snoop.cli;

import dev.snoop.core.SnoopException;
import dev.snoop.core.path.QuotedPaths;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The reports named on a command line: files, directories searched for {@code *.json}, and
 * {@code -} for standard input.
 */
final class ReportInputs {
    static final String STDIN = "-";

    /** One report to read. */
    record Input(String name, Path path) {
        boolean isStdin() {
            return path == null;
        }
    }

    private ReportInputs() {}

    /**
     * Expands the arguments in order; a directory contributes its {@code *.json} files, searched
     * recursively and sorted so that results never depend on directory order.
     *
     * @throws SnoopException for a path that does not exist or a directory without reports
     */
    static List<Input> expand(List<String> args) {
        List<Input> inputs = new ArrayList<>();
        boolean stdinSeen = false;
        for (String arg : args) {
            if (arg.equals(STDIN)) {
                if (stdinSeen) {
                    throw new SnoopException("-: standard input can be read only once");
                }
                stdinSeen = true;
                inputs.add(new Input("<stdin>", null));
                continue;
            }
            Path path = Path.of(arg);
            if (Files.isDirectory(path)) {
                List<Path> found = jsonFilesUnder(path);
                if (found.isEmpty()) {
                    throw new SnoopException(arg + ": no *.json reports in this directory");
                }
                // a file found in a directory may have any name: messages quote it
                found.forEach(p -> inputs.add(new Input(QuotedPaths.quote(p.toString()), p)));
            } else if (Files.exists(path)) {
                inputs.add(new Input(arg, path));
            } else {
                throw new SnoopException(arg + ": no such file or directory");
            }
        }
        return inputs;
    }

    private static List<Path> jsonFilesUnder(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new SnoopException(dir + ": cannot list directory: " + e.getMessage(), e);
        }
    }

    /** Reads one input; standard input comes from {@code stdin}. */
    static Report read(Input input, InputStream stdin, Consumer<String> warnings) {
        if (!input.isStdin()) {
            ReportPrefetch.Read readAhead = ReportPrefetch.take(input.path());
            if (readAhead != null) {
                readAhead.warnings().forEach(warnings);
                return readAhead.report();
            }
            return ReportJson.read(input.path(), warnings);
        }
        try {
            return ReportJson.read(stdin, input.name(), warnings);
        } catch (IOException e) {
            throw new SnoopException(input.name() + ": cannot read: " + e.getMessage(), e);
        }
    }
}
