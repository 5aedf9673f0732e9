package dev.snoop.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.QuotedPaths;
import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.core.stats.ReportStats;
import dev.snoop.core.stats.ReportStats.DirectoryCount;
import dev.snoop.core.stats.ReportStats.ExtensionCount;
import dev.snoop.merge.ReportMerger;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code snoop stats}: where the used files are. */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        versionProvider = SnoopCommand.ManifestVersionProvider.class,
        description = {
            "Summarize reports: totals, files per directory as a tree, the fullest directories, "
                    + "and files by extension. Several reports are merged first.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  snoop stats report.json",
            "  snoop stats --depth 3 --top 20 --container app replicas/",
            "  snoop stats --format json report.json | jq .drop_ratio",
            "  snoop stats --server https://snoop.example.com serve:shop/shop/app@sha256:aaa...",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure: an unreadable or invalid report, an I/O error",
            "2:usage error: an unknown option, a missing argument",
        })
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    SnoopCommand parent;

    @Mixin
    CommonOptions.TextOrJson format;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "2",
            description = "Directory levels in the tree. Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10",
            description = "Entries in the lists of directories and extensions. Default: ${DEFAULT-VALUE}.")
    int top;

    @Mixin
    CommonOptions.ContainerName container;

    @Mixin
    CommonOptions.OutputFile output;

    @Mixin
    ServerOptions server;

    @Parameters(arity = "1..*", paramLabel = "REPORT|DIR",
            description = "Report files, directories (searched for *.json), - for standard input, "
                    + "or server references (serve:NAMESPACE/WORKLOAD/CONTAINER@DIGEST, with --server).")
    List<String> inputs;

    @Override
    public Integer call() throws IOException {
        if (depth < 1) {
            throw new ParameterException(spec.commandLine(), "--depth must be at least 1, not " + depth);
        }
        if (top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be at least 1, not " + top);
        }
        PrintWriter err = spec.commandLine().getErr();
        ReportMerger merger = new ReportMerger(false);
        server.check(spec, inputs);
        List<ReportInputs.Input> expanded = ReportInputs.expand(inputs, server);
        for (ReportInputs.Input input : expanded) {
            merger.add(ReportInputs.read(input, parent.stdin(), w -> err.println(spec.qualifiedName() + ": warning: " + w)));
        }
        Report report = merger.result();
        String name = container.name;
        if (name != null) {
            report = report.withContainers(report.containers().stream().filter(c -> c.name().equals(name)).toList());
            if (report.containers().isEmpty()) {
                throw new SnoopException("no container named '" + name + "' in " + String.join(", ", inputs));
            }
        }
        ReportStats stats = ReportStats.of(report, depth, top);
        Output.write(output.file, spec.commandLine().getOut(), out -> {
            if (format.json()) {
                writeJson(stats, out);
            } else {
                PrintWriter text = out instanceof PrintWriter p ? p : new PrintWriter(out);
                writeText(stats, text);
                text.flush();
            }
        });
        return ExitCodes.OK;
    }

    /** Names that could forge a line or reach the terminal as controls are quoted ({@link QuotedPaths}). */
    static void writeText(ReportStats s, PrintWriter out) {
        out.printf("containers      %d%n", s.containers());
        out.printf("files           %d%s%n", s.files(),
                s.files() == s.distinctFiles() ? "" : " (" + s.distinctFiles() + " distinct)");
        out.printf("events          %d%n", s.totalEvents());
        out.printf(Locale.ROOT, "dropped events  %d (%.2f%%)%n", s.droppedEvents(), 100 * s.dropRatio());
        out.println();
        out.println("files by directory:");
        writeTree(s.tree(), "", out);
        out.println();
        out.println("fullest directories (files directly inside):");
        for (DirectoryCount d : s.largestDirectories()) {
            out.printf("%8d  %s%n", d.files(), QuotedPaths.quote(d.path()));
        }
        out.println();
        out.println("files by extension:");
        for (ExtensionCount e : s.extensions()) {
            out.printf("%8d  %s%n", e.files(), QuotedPaths.quote(e.extension()));
        }
    }

    private static void writeTree(List<DirectoryCount> level, String indent, PrintWriter out) {
        for (DirectoryCount d : level) {
            out.printf("%8d  %s%s%n", d.files(), indent, QuotedPaths.quote(d.path()));
            writeTree(d.children(), indent + "  ", out);
        }
    }

    static void writeJson(ReportStats s, Writer out) throws IOException {
        try (JsonGenerator json = ReportJson.prettyGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("containers", s.containers());
            json.writeNumberField("files", s.files());
            json.writeNumberField("distinct_files", s.distinctFiles());
            json.writeNumberField("total_events", s.totalEvents());
            json.writeNumberField("dropped_events", s.droppedEvents());
            json.writeNumberField("drop_ratio", s.dropRatio());
            json.writeFieldName("directories");
            writeDirectories(s.tree(), json);
            json.writeFieldName("fullest_directories");
            writeDirectories(s.largestDirectories(), json);
            json.writeArrayFieldStart("extensions");
            for (ExtensionCount e : s.extensions()) {
                json.writeStartObject();
                json.writeStringField("extension", e.extension());
                json.writeNumberField("files", e.files());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    private static void writeDirectories(List<DirectoryCount> dirs, JsonGenerator json) throws IOException {
        json.writeStartArray();
        for (DirectoryCount d : dirs) {
            json.writeStartObject();
            json.writeStringField("path", d.path());
            json.writeNumberField("files", d.files());
            if (!d.children().isEmpty()) {
                json.writeFieldName("children");
                writeDirectories(d.children(), json);
            }
            json.writeEndObject();
        }
        json.writeEndArray();
    }
}
