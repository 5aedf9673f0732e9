package dev.snoop.cli;

import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import dev.snoop.merge.ReportMerger;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
            "  snoop merge --with-counts --server https://snoop.example.com serve:shop/shop@sha256:aaa... local/ > all.json",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure: an unreadable or invalid report, an I/O error",
            "2:usage error: an unknown option, a missing argument",
        })
final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    SnoopCommand parent;

    @Mixin
    CommonOptions.OutputFile output;

    @Option(names = "--with-counts",
            description = "Record, per file, in how many input reports its container saw it (seen_in).")
    boolean withCounts;

    @Mixin
    ServerOptions server;

    @Parameters(arity = "1..*", paramLabel = "REPORT|DIR",
            description = "Report files, directories (searched for *.json), - for standard input, "
                    + "or server references (serve:NAMESPACE/WORKLOAD/CONTAINER@DIGEST, with --server).")
    List<String> inputs;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        server.check(spec, inputs);
        List<ReportInputs.Input> expanded = ReportInputs.expand(inputs, server);
        int workers = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), expanded.size()));
        // Each worker reads reports and unites them into its own merger, so parsing and the set
        // union both use every core; the partial unions are united at the end. The result does not
        // depend on which worker took which report: a union, sums, and fields kept only where all
        // inputs agree. Warnings are printed in input order, and the first failing input (in input
        // order) is the one reported. Each worker also sorts its own union (result()), so that the
        // two sorts run side by side rather than one after the other at the end.
        List<List<String>> warnings = new ArrayList<>(java.util.Collections.nCopies(expanded.size(), null));
        Exception[] failures = new Exception[expanded.size()];
        java.util.concurrent.atomic.AtomicInteger nextInput = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        List<Report> partials = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
            Thread t = new Thread(runnable, "snoop-merge");
            t.setDaemon(true);
            return t;
        });
        try (Terminals.Progress progress = new Terminals.Progress(
                expanded.size() >= 20 ? parent.terminals().stderrTerminal() : null, "merging", expanded.size())) {
            List<Future<Report>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                running.add(pool.submit(() -> {
                    ReportMerger partial = new ReportMerger(withCounts);
                    for (int i = nextInput.getAndIncrement(); i < expanded.size() && !failed.get();
                            i = nextInput.getAndIncrement()) {
                        List<String> own = new ArrayList<>();
                        try {
                            partial.add(ReportInputs.read(expanded.get(i), parent.stdin(), own::add));
                        } catch (Exception e) {
                            failures[i] = e;
                            failed.set(true);
                        }
                        warnings.set(i, own);
                        int count = done.incrementAndGet();
                        synchronized (progress) {
                            progress.update(count);
                        }
                    }
                    return partial.reportCount() > 0 && !failed.get() ? partial.result() : null;
                }));
            }
            for (Future<Report> partial : running) {
                Report united = get(partial);
                if (united != null) {
                    partials.add(united);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < expanded.size(); i++) {
            if (warnings.get(i) != null) {
                warnings.get(i).forEach(w -> err.println(spec.qualifiedName() + ": warning: " + w));
            }
            if (failures[i] != null) {
                throw failures[i];
            }
        }
        Report merged;
        if (partials.size() == 1) {
            merged = partials.get(0);
        } else {
            ReportMerger merger = new ReportMerger(withCounts);
            partials.forEach(merger::add);
            merged = merger.result();
        }
        Output.write(output.file, spec.commandLine().getOut(), out -> ReportJson.write(merged, out));
        return ExitCodes.OK;
    }

    private static <T> T get(Future<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
