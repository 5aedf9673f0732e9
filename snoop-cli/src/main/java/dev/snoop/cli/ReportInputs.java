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
 * The reports named on a command line: files, directories searched for {@code *.json}, {@code -}
 * for standard input, and server references ({@code serve:...@DIGEST}, {@link ServerReports}).
 */
final class ReportInputs {
    static final String STDIN = "-";

    /** One report to read: a file, standard input (no path), or a server's union (a reference). */
    record Input(String name, Path path, ServerReports.Reference reference, ServerOptions server) {
        Input(String name, Path path) {
            this(name, path, null, null);
        }

        boolean isStdin() {
            return path == null && reference == null;
        }

        /** The input an argument names that is no directory: a server reference, standard input or a file. */
        static Input of(String arg, ServerOptions server) {
            if (ServerReports.isReference(arg) && server != null) {
                return new Input(arg, null, ServerReports.Reference.parse(arg), server);
            }
            return arg.equals(STDIN) ? new Input("<stdin>", null) : new Input(arg, Path.of(arg));
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
        return expand(args, null);
    }

    /** As {@link #expand(List)}; with {@code server}, {@code serve:} arguments are server references (checked before). */
    static List<Input> expand(List<String> args, ServerOptions server) {
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
            if (server != null && ServerReports.isReference(arg)) {
                inputs.add(Input.of(arg, server));
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
        if (input.reference() != null) {
            return ServerReports.read(input.reference(), input.server(), warnings);
        }
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
