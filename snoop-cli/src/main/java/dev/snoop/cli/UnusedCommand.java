package dev.snoop.cli;

import dev.snoop.core.SnoopException;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.image.Image;
import dev.snoop.image.NotAnImageException;
import dev.snoop.image.UnusedAnalysis;
import dev.snoop.image.UnusedResult;
import dev.snoop.image.Usage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code snoop unused}: what an image carries that no report used. */
@Command(
        name = "unused",
        mixinStandardHelpOptions = true,
        versionProvider = SnoopCommand.ManifestVersionProvider.class,
        description = {
            "Show what an image carries that no recording ever touched: unused files and bytes by directory, "
                    + "unused and partly used packages (dpkg, apk), or the keep list for a slim image.",
            "IMAGE is an OCI image layout (directory or tar, as skopeo copy and ctr export write it), a docker "
                    + "save archive, a root filesystem tar (docker export) or a root filesystem directory. Layers are "
                    + "applied in order with their whiteouts, streamed and checked against their digests, never unpacked.",
            "Reports are matched to the image by digest (or take --container); a report of another image is "
                    + "compared with a warning. A used file keeps its parent directories, a used symlink keeps its "
                    + "target (resolved inside the image), and the keep list is closed under both rules.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  snoop unused --image shop.tar reports/",
            "  snoop unused --image oci/ --format keep-list -o keep.txt merged.json",
            "  snoop unused --image rootfs/ --container app --used-in 50%% replicas/",
            "  snoop unused --image app.tar --format json r.json | jq .packages.unused",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure: a damaged or unsafe image (a digest mismatch, an entry that escapes the root), "
                    + "an invalid report, an I/O error",
            "2:usage error: an unknown option, a missing argument, an IMAGE or REPORT that does not exist, "
                    + "an IMAGE that is not an image, reports whose container is ambiguous",
        })
final class UnusedCommand implements Callable<Integer> {
    enum Format { text, json, keep_list }

    @Spec
    CommandSpec spec;

    @ParentCommand
    SnoopCommand parent;

    @Option(names = "--image", required = true, paramLabel = "IMAGE",
            description = "The image: OCI layout directory or tar, docker save tar, root filesystem tar or directory.")
    Path image;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", converter = FormatConverter.class,
            completionCandidates = Candidates.UnusedFormats.class,
            description = "text (a summary), json (everything) or keep-list (the closed keep list, one path a line). "
                    + "Default: ${DEFAULT-VALUE}.")
    Format format;

    /** Instead of the containers that ran the image. */
    @Mixin
    CommonOptions.ContainerName containerName;

    @Option(names = "--used-in", paramLabel = "N|P%", defaultValue = "1",
            description = "A file counts as used when at least N reports (or P%% of them) used it. "
                    + "Default: ${DEFAULT-VALUE}, so a file is unused only if unused in all of them.")
    String usedIn;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10",
            description = "Directories and packages listed in the text summary. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = {"-z", "--null"},
            description = "With --format keep-list: end each name with NUL instead of a newline (for tar --null -T, "
                    + "rsync --from0, xargs -0), so that any name can be written.")
    boolean nul;

    @Mixin
    CommonOptions.OutputFile output;

    @Parameters(arity = "1..*", paramLabel = "REPORT|DIR",
            description = "Reports (also merge --with-counts output), directories (searched for *.json), or - for standard input.")
    List<String> inputs;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be at least 1, not " + top);
        }
        checkUsedIn(1);
        if (nul && format != Format.keep_list) {
            throw new ParameterException(spec.commandLine(), "--null applies only to --format keep-list");
        }
        if (!Files.exists(image)) {
            throw new ParameterException(spec.commandLine(), image + ": no such file or directory");
        }
        for (String input : inputs) {
            if (!input.equals(ReportInputs.STDIN) && !Files.exists(Path.of(input))) {
                throw new ParameterException(spec.commandLine(), input + ": no such file or directory");
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        List<ReportInputs.Input> expanded = ReportInputs.expand(inputs);
        ExecutorService pool = Executors.newFixedThreadPool(2, runnable -> {
            Thread t = new Thread(runnable, "snoop-read");
            t.setDaemon(true);
            return t;
        });
        Usage usage = new Usage();
        Image read = null;
        try {
            // the image streams in while the reports are parsed; reports wait only until it is known
            List<String> imageWarnings = new ArrayList<>();
            Future<Image> imageFuture = pool.submit(() -> Image.read(image, imageWarnings::add));
            ArrayDeque<Future<Parsed>> pending = new ArrayDeque<>();
            List<Parsed> waiting = new ArrayList<>();
            int next = 0;
            for (int done = 0; done < expanded.size(); done++) {
                while (next < expanded.size() && pending.size() < 4) {
                    ReportInputs.Input input = expanded.get(next++);
                    pending.add(pool.submit(() -> Parsed.read(input, parent)));
                }
                // a report's warnings wait for the image's, so that stderr is the same on every run
                waiting.add(get(pending.poll()));
                if (read == null && imageFuture.isDone()) {
                    read = imageDone(imageFuture, imageWarnings, err);
                }
                if (read != null) {
                    addAll(waiting, read, usage, err);
                }
            }
            if (read == null) {
                read = imageDone(imageFuture, imageWarnings, err);
            }
            addAll(waiting, read, usage, err);
        } catch (NotAnImageException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } finally {
            pool.shutdownNow();
        }
        if (usage.reports() == 0) {
            throw new SnoopException(containerName.name != null ? "no report has a container named '" + containerName.name + "'"
                    : "no report has a container");
        }
        Image img = read;
        UnusedResult result = UnusedAnalysis.analyze(img, usage, checkUsedIn(usage.reports()),
                w -> err.println(spec.qualifiedName() + ": warning: " + image + ": " + w));
        // names are exact for tools; only on a terminal, which may act on controls, are they quoted
        UnusedOutput.KeepListStyle style = nul ? UnusedOutput.KeepListStyle.NUL
                : output.isStdout() && parent.terminals().stdoutTerminal() ? UnusedOutput.KeepListStyle.QUOTED
                : UnusedOutput.KeepListStyle.LINES;
        Output.write(output.file, spec.commandLine().getOut(), out -> UnusedOutput.write(result, format, top, style, out));
        return ExitCodes.OK;
    }

    private Image imageDone(Future<Image> future, List<String> warnings, PrintWriter err) throws Exception {
        Image img = get(future);
        warnings.forEach(w -> err.println(spec.qualifiedName() + ": warning: " + w));
        return img;
    }

    /** The --used-in threshold as a number of reports, for {@code reports} reports. */
    private int checkUsedIn(int reports) {
        String value = usedIn.trim();
        try {
            if (value.endsWith("%")) {
                double percent = Double.parseDouble(value.substring(0, value.length() - 1));
                if (percent > 0 && percent <= 100) {
                    return Math.max(1, (int) Math.ceil(percent * reports / 100 - 1e-9));
                }
            } else {
                int n = Integer.parseInt(value);
                if (n >= 1) {
                    return n;
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the usage error
        }
        throw new ParameterException(spec.commandLine(),
                "--used-in must be a number of reports (at least 1) or a percentage (above 0% and at most 100%), not '" + usedIn + "'");
    }

    private void addAll(List<Parsed> parsed, Image img, Usage usage, PrintWriter err) {
        for (Parsed p : parsed) {
            p.warnings.forEach(w -> err.println(spec.qualifiedName() + ": warning: " + w));
            List<ContainerReport> chosen = choose(p, img, err);
            if (!chosen.isEmpty()) {
                usage.add(chosen, p.report.mergedReports());
            }
        }
        parsed.clear();
    }

    /** The containers of one report that ran this image, or the one named with --container. */
    private List<ContainerReport> choose(Parsed p, Image img, PrintWriter err) {
        List<ContainerReport> all = p.report.containers();
        List<ContainerReport> chosen;
        if (containerName.name != null) {
            chosen = all.stream().filter(c -> c.name().equals(containerName.name)).toList();
            if (chosen.isEmpty()) {
                err.println(spec.qualifiedName() + ": warning: " + p.name + ": no container named '" + containerName.name + "'; skipped");
            }
        } else if (all.isEmpty()) {
            err.println(spec.qualifiedName() + ": warning: " + p.name + ": no containers; skipped");
            chosen = all;
        } else {
            chosen = all.stream().filter(c -> ranImage(c, img)).toList();
            if (chosen.isEmpty() && all.size() == 1) {
                chosen = all;
            } else if (chosen.isEmpty()) {
                throw new ParameterException(spec.commandLine(), p.name + ": " + all.size() + " containers and none ran "
                        + image + "; choose one with --container ("
                        + all.stream().map(ContainerReport::label).collect(Collectors.joining(", ")) + ")");
            }
        }
        for (ContainerReport c : chosen) {
            if (c.imageDigest() != null && !img.digests().isEmpty() && !img.digests().contains(c.imageDigest())) {
                err.println(spec.qualifiedName() + ": warning: " + p.name + ": container '" + c.label() + "' ran image " + c.imageDigest()
                        + ", not " + image + " (" + img.digest() + "); compared anyway");
            }
        }
        return chosen;
    }

    private static boolean ranImage(ContainerReport c, Image img) {
        if (c.imageDigest() != null) {
            return img.digests().contains(c.imageDigest());
        }
        return c.imageRef() != null && img.refs().contains(c.imageRef());
    }

    private static <T> T get(Future<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private record Parsed(String name, Report report, List<String> warnings) {
        static Parsed read(ReportInputs.Input input, SnoopCommand parent) {
            List<String> warnings = new ArrayList<>();
            Report report = ReportInputs.read(input, parent.stdin(), warnings::add);
            // reports may wait for the image: a third of their size, not the bytes they were read from
            return new Parsed(input.name(), report.withContainers(report.containers().stream()
                    .map(c -> c.withFiles(c.files().compact()).withAccess(c.access())).toList()), warnings);
        }
    }

    /** Accepts {@code keep-list} (and {@code keep_list}) case-insensitively. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            for (Format f : Format.values()) {
                if (f.name().replace('_', '-').equalsIgnoreCase(value) || f.name().equalsIgnoreCase(value)) {
                    return f;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("expected one of text, json, keep-list but was '" + value + "'");
        }
    }
}
