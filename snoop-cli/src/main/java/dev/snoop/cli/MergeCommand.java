package dev.snoop.cli;

import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.merge.ReportMerger;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code snoop merge}: the union of many reports. */
@Command(
        name = "merge",
        mixinStandardHelpOptions = true,
        versionProvider = SnoopCommand.ManifestVersionProvider.class,
        description = {
            "Unite reports, e.g. from CI runs or the replicas of a deployment.",
            "Containers are matched by name and image (digest, else reference); files are unioned, "
                    + "counters summed and the time range widened.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  snoop merge -o merged.json replica-*.json",
            "  snoop merge --with-counts ci-reports/ > merged.json",
            "  cat r1.json | snoop merge - r2.json",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure: an unreadable or invalid report, an I/O error",
            "2:usage error: an unknown option, a missing argument",
        })
final class MergeCommand implements Callable<Integer> {
    /** Reports in flight at once: reading is the cost, and a report can be large. */
    private static final int WINDOW = 2 * Runtime.getRuntime().availableProcessors();

    @Spec
    CommandSpec spec;

    @ParentCommand
    SnoopCommand parent;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the merged report to FILE atomically instead of standard output.")
    Path output;

    @Option(names = "--with-counts",
            description = "Record, per file, in how many input reports its container saw it (seen_in).")
    boolean withCounts;

    @Parameters(arity = "1..*", paramLabel = "REPORT|DIR",
            description = "Report files, directories (searched for *.json), or - for standard input.")
    List<String> inputs;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<ReportInputs.Input> expanded = ReportInputs.expand(inputs);
        ReportMerger merger = new ReportMerger(withCounts);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(WINDOW / 2, expanded.size()), runnable -> {
            Thread t = new Thread(runnable, "snoop-read");
            t.setDaemon(true);
            return t;
        });
        // read ahead in parallel, merge in input order so that warnings come out in order
        try (Terminals.Progress progress = new Terminals.Progress(
                expanded.size() >= 20 ? parent.terminals().stderrTerminal() : null, "merging", expanded.size())) {
            ArrayDeque<Future<Parsed>> pending = new ArrayDeque<>();
            int next = 0;
            int done = 0;
            while (done < expanded.size()) {
                while (next < expanded.size() && pending.size() < WINDOW) {
                    ReportInputs.Input input = expanded.get(next++);
                    pending.add(pool.submit(() -> Parsed.read(input, parent)));
                }
                Parsed parsed = get(pending.poll());
                parsed.warnings.forEach(w -> err.println("snoop: warning: " + w));
                merger.add(parsed.report);
                progress.update(++done);
            }
        } finally {
            pool.shutdownNow();
        }
        Report merged = merger.result();
        Output.write(output, spec.commandLine().getOut(), out -> ReportJson.write(merged, out));
        return ExitCodes.OK;
    }

    private static Parsed get(Future<Parsed> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private record Parsed(Report report, List<String> warnings) {
        static Parsed read(ReportInputs.Input input, SnoopCommand parent) {
            List<String> warnings = new ArrayList<>();
            return new Parsed(ReportInputs.read(input, parent.stdin(), warnings::add), warnings);
        }
    }
}
