package dev.snoop.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.QuotedPaths;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.diff.ContainerDiff;
import dev.snoop.diff.ReportDiff;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code snoop diff}: which files one report has that the other has not. */
@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        versionProvider = SnoopCommand.ManifestVersionProvider.class,
        description = {
            "Compare two reports, e.g. of two image versions: files only in OLD (-), only in NEW (+), "
                    + "and how many both have, per container.",
            "Containers are paired by name; a report with one container pairs with the other's single "
                    + "container (or the one chosen with --container).",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  snoop diff v1.json v2.json",
            "  snoop diff --container app --format json pod-v1.json app-v2.json",
            "  snoop diff old.json new.json > /dev/null || echo 'file usage changed'",
            "  snoop diff --server https://snoop.example.com serve:shop/shop/app@sha256:aaa... serve:shop/shop/app@sha256:bbb...",
        },
        exitCodeListHeading = "%nExit Codes (as diff(1)):%n",
        exitCodeList = {
            "0:no differences",
            "1:differences found",
            "2:trouble: a usage error, an unreadable or invalid report",
        })
final class DiffCommand implements Callable<Integer>, HasFailureExitCode {
    @Spec
    CommandSpec spec;

    @ParentCommand
    SnoopCommand parent;

    @Mixin
    CommonOptions.TextOrJson format;

    @Mixin
    CommonOptions.ContainerName container;

    @Mixin
    CommonOptions.OutputFile output;

    @Mixin
    ServerOptions server;

    @Parameters(index = "0", paramLabel = "OLD",
            description = "The older report, - for standard input, or a server reference (serve:NAMESPACE/WORKLOAD/CONTAINER@DIGEST).")
    String oldReport;

    @Parameters(index = "1", paramLabel = "NEW", description = "The newer report, - for standard input, or a server reference.")
    String newReport;

    @Override
    public int failureExitCode() {
        return ExitCodes.USAGE;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        server.check(spec, List.of(oldReport, newReport));
        if (oldReport.equals(ReportInputs.STDIN) && newReport.equals(ReportInputs.STDIN)) {
            throw new SnoopException("-: standard input can be read only once");
        }
        // read NEW on a second thread while this one reads OLD: reading is most of the work
        List<String> newWarnings = new ArrayList<>();
        FutureTask<Report> newer = new FutureTask<>(() -> read(newReport, newWarnings));
        Thread reader = new Thread(newer, "snoop-read");
        reader.setDaemon(true);
        reader.start();
        List<String> oldWarnings = new ArrayList<>();
        Report older = read(oldReport, oldWarnings);
        oldWarnings.forEach(w -> err.println(spec.qualifiedName() + ": warning: " + w));
        Report newerReport = get(newer);
        newWarnings.forEach(w -> err.println(spec.qualifiedName() + ": warning: " + w));
        ReportDiff diff = ReportDiff.of(older, newerReport, container.name);
        boolean colour = output.isStdout() && parent.terminals().colour();
        Output.write(output.file, spec.commandLine().getOut(), out -> {
            if (format.json()) {
                writeJson(diff, out);
            } else {
                PrintWriter text = out instanceof PrintWriter p ? p : new PrintWriter(out);
                writeText(diff, text, colour);
                text.flush();
            }
        });
        return diff.hasChanges() ? 1 : ExitCodes.OK;
    }

    private static Report get(FutureTask<Report> task) {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnoopException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new SnoopException(e.getCause().toString(), e.getCause());
        }
    }

    private Report read(String arg, List<String> warnings) {
        ReportInputs.Input input = ReportInputs.Input.of(arg, server);
        if (input.path() != null && !Files.exists(input.path())) {
            throw new SnoopException(arg + ": no such file");
        }
        return ReportInputs.read(input, parent.stdin(), warnings::add);
    }

    static void writeText(ReportDiff diff, PrintWriter out, boolean colour) {
        List<ContainerDiff> containers = diff.containers();
        boolean several = containers.size() > 1;
        long removed = 0;
        long added = 0;
        long unchanged = 0;
        for (ContainerDiff c : containers) {
            if (several) {
                out.println("## container " + (c.name().isEmpty() ? "(unnamed)" : QuotedPaths.quote(c.name())));
            }
            writeLines(c, out, colour);
            out.println((several ? QuotedPaths.quote(c.name()) + ": " : "") + summary(c.removed().size(), c.added().size(), c.unchangedCount()));
            removed += c.removed().size();
            added += c.added().size();
            unchanged += c.unchangedCount();
        }
        if (several) {
            out.println("total: " + summary(removed, added, unchanged));
        }
    }

    /** Removed and added files interleaved in path order, as a unified diff would show them. */
    private static void writeLines(ContainerDiff c, PrintWriter out, boolean colour) {
        Utf8Lines lines = new Utf8Lines(out);
        SortedPaths.Cursor minus = c.removed().cursor();
        SortedPaths.Cursor plus = c.added().cursor();
        boolean hasMinus = minus.next();
        boolean hasPlus = plus.next();
        while (hasMinus || hasPlus) {
            if (hasMinus && (!hasPlus || minus.compareTo(plus) < 0)) {
                writeLine(lines, colour ? "\033[31m- " : "- ", minus, colour);
                hasMinus = minus.next();
            } else {
                writeLine(lines, colour ? "\033[32m+ " : "+ ", plus, colour);
                hasPlus = plus.next();
            }
        }
        lines.flush();
    }

    /** One line; a name that could forge a line or reach the terminal as a control is quoted ({@link QuotedPaths}). */
    private static void writeLine(Utf8Lines lines, String prefix, SortedPaths.Cursor path, boolean colour) {
        lines.append(prefix);
        if (QuotedPaths.needsQuoting(path.array(), path.offset(), path.length())) {
            byte[] quoted = QuotedPaths.quote(path.array(), path.offset(), path.length()).getBytes(StandardCharsets.UTF_8);
            lines.append(quoted, 0, quoted.length);
        } else {
            lines.append(path.array(), path.offset(), path.length());
        }
        if (colour) {
            lines.append("\033[0m");
        }
        lines.endLine();
    }

    private static String summary(long removed, long added, long unchanged) {
        return removed + " removed, " + added + " added, " + unchanged + " unchanged";
    }

    static void writeJson(ReportDiff diff, Writer out) throws IOException {
        try (JsonGenerator json = ReportJson.prettyGenerator(out)) {
            if (diff.containers().size() == 1) {
                writeContainer(diff.containers().get(0), json, false);
            } else {
                json.writeStartObject();
                json.writeArrayFieldStart("containers");
                for (ContainerDiff c : diff.containers()) {
                    writeContainer(c, json, true);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeRaw('\n');
        }
    }

    private static void writeContainer(ContainerDiff c, JsonGenerator json, boolean named) throws IOException {
        json.writeStartObject();
        if (named) {
            json.writeStringField("name", c.name());
        }
        writePaths("removed", c.removed(), json);
        writePaths("added", c.added(), json);
        json.writeNumberField("unchanged_count", c.unchangedCount());
        json.writeEndObject();
    }

    private static void writePaths(String field, SortedPaths paths, JsonGenerator json) throws IOException {
        json.writeArrayFieldStart(field);
        SortedPaths.Cursor cursor = paths.cursor();
        while (cursor.next()) {
            ReportJson.writePath(json, cursor);
        }
        json.writeEndArray();
    }
}
