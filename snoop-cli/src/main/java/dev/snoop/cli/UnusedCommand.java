package dev.snoop.cli;

import dev.snoop.core.SnoopException;
import dev.snoop.core.report.ContainerReport;
import dev.snoop.core.report.Report;
import dev.snoop.image.Image;
import dev.snoop.image.ImageTree;
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
            "  snoop unused --image app.tar --attach --digest sha256:aaa... --server https://snoop.example.com",
            "  snoop unused --server https://snoop.example.com --digest sha256:aaa... serve:shop/shop/app@sha256:aaa...",
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

    @Option(names = "--image", paramLabel = "IMAGE",
            description = "The image: OCI layout directory or tar, docker save tar, root filesystem tar or directory. "
                    + "Without it, --digest and --server: the image's tree attached to the server.")
    Path image;

    @Option(names = "--digest", paramLabel = "DIGEST",
            description = "The image digest (sha256:...) the reports carry: the tree to read from --server when there is "
                    + "no --image, the digest --attach keeps the tree under (default: the image's own).")
    String digest;

    @Option(names = "--attach",
            description = "Upload the tree of --image (paths, sizes, links; never file contents) to --server, for "
                    + "unused --server --digest elsewhere. With no REPORT, only that.")
    boolean attach;

    @Mixin
    ServerOptions server;

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

    @Parameters(arity = "0..*", paramLabel = "REPORT|DIR",
            description = "Reports (also merge --with-counts output), directories (searched for *.json), - for standard input, "
                    + "or server references (serve:NAMESPACE/WORKLOAD/CONTAINER@DIGEST). With --digest and --server and "
                    + "none given: serve:@DIGEST, the server's union of the image.")
    List<String> inputs = new ArrayList<>();

    /** What the image is called in messages: its path, or where on the server its tree is. */
    private String imageName;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be at least 1, not " + top);
        }
        checkUsedIn(1);
        if (nul && format != Format.keep_list) {
            throw new ParameterException(spec.commandLine(), "--null applies only to --format keep-list");
        }
        PrintWriter err = spec.commandLine().getErr();
        if (!checkImage()) {
            return attachOnly(err);
        }
        for (String input : inputs) {
            if (!input.equals(ReportInputs.STDIN) && !ServerReports.isReference(input) && !Files.exists(Path.of(input))) {
                throw new ParameterException(spec.commandLine(), input + ": no such file or directory");
            }
        }
        server.check(spec, inputs);
        List<ReportInputs.Input> expanded = ReportInputs.expand(inputs, server);
        ExecutorService pool = Executors.newFixedThreadPool(2, runnable -> {
            Thread t = new Thread(runnable, "snoop-read");
            t.setDaemon(true);
            return t;
        });
        Usage usage = new Usage();
        Image read = null;
        try {
            if (attach) {
                // the image first: its tree goes to the server before the reports are read
                read = Image.read(image, w -> err.println(spec.qualifiedName() + ": warning: " + w));
                err.println(spec.qualifiedName() + ": " + upload(read));
            }
            Image local = read;
            // the image streams in while the reports are parsed; reports wait only until it is known
            List<String> imageWarnings = new ArrayList<>();
            Future<Image> imageFuture = pool.submit(() -> local != null ? local : image != null ? Image.read(image, imageWarnings::add)
                    : ImageTree.read(readTree(ServerReports.treeRoute(digest)), imageName));
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
                w -> err.println(spec.qualifiedName() + ": warning: " + imageName + ": " + w));
        // names are exact for tools; only on a terminal, which may act on controls, are they quoted
        UnusedOutput.KeepListStyle style = nul ? UnusedOutput.KeepListStyle.NUL
                : output.isStdout() && parent.terminals().stdoutTerminal() ? UnusedOutput.KeepListStyle.QUOTED
                : UnusedOutput.KeepListStyle.LINES;
        Output.write(output.file, spec.commandLine().getOut(), out -> UnusedOutput.write(result, format, top, style, out));
        return ExitCodes.OK;
    }

    /**
     * Checks where the image comes from: --image, or --digest with --server (the attached tree).
     * Fills in the default report (the server's union of the image) when there is none.
     *
     * @return false for an --attach without reports: upload, nothing to compare
     */
    private boolean checkImage() {
        if (image == null && (digest == null || server.server == null)) {
            throw new ParameterException(spec.commandLine(), "an image is needed: --image IMAGE, or --digest DIGEST with "
                    + "--server URL (a tree attached with --attach)");
        }
        if (image != null && !Files.exists(image)) {
            throw new ParameterException(spec.commandLine(), image + ": no such file or directory");
        }
        if (attach && (image == null || server.server == null)) {
            throw new ParameterException(spec.commandLine(), "--attach uploads the tree of --image to --server: both are needed");
        }
        if (digest != null && !digest.matches("[a-z0-9]+:[A-Za-z0-9=_-]+")) {
            throw new ParameterException(spec.commandLine(), "--digest: '" + digest + "' is not a digest (sha256:...)");
        }
        imageName = image != null ? image.toString() : ServerReports.PREFIX + "@" + digest;
        if (attach || image == null) {
            // the token and URL are checked as for a reference
            server.check(spec, List.of(ServerReports.PREFIX + "@" + (digest != null ? digest : "sha256:image")));
        }
        if (inputs.isEmpty()) {
            if (attach) {
                return false;
            }
            if (digest == null || server.server == null) {
                throw new ParameterException(spec.commandLine(), "no REPORT given; with --digest and --server the server's "
                        + "union of the image is compared");
            }
            inputs = List.of(ServerReports.PREFIX + "@" + digest);
        }
        return true;
    }

    private int attachOnly(PrintWriter err) {
        Image img;
        try {
            img = Image.read(image, w -> err.println(spec.qualifiedName() + ": warning: " + w));
        } catch (NotAnImageException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        err.println(spec.qualifiedName() + ": " + upload(img));
        return ExitCodes.OK;
    }

    /** Uploads the tree of {@code img}; returns a line saying what the server kept. */
    private String upload(Image img) {
        String under = digest != null ? digest : img.digest();
        if (under == null) {
            throw new ParameterException(spec.commandLine(), image + ": " + img.format() + " has no digest; "
                    + "say which one the reports carry with --digest");
        }
        java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
        try {
            ImageTree.write(img, under, json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // memory only
        }
        String answer = ServerReports.post(server, ServerReports.treeRoute(under), json.toByteArray(),
                "--attach " + image);
        return "attached the tree of " + image + " to " + server.base() + " as " + under + ": " + answer;
    }

    private byte[] readTree(String route) throws java.io.IOException {
        try (java.io.InputStream in = ServerReports.get(server, route, imageName)) {
            byte[] tree = in.readNBytes(ServerReports.MAX_TREE_BYTES + 1);
            if (tree.length > ServerReports.MAX_TREE_BYTES) {
                throw new SnoopException(imageName + ": the server's tree is over " + ServerReports.MAX_TREE_BYTES + " bytes");
            }
            return tree;
        }
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
                        + imageName + "; choose one with --container ("
                        + all.stream().map(ContainerReport::label).collect(Collectors.joining(", ")) + ")");
            }
        }
        for (ContainerReport c : chosen) {
            if (c.imageDigest() != null && !img.digests().isEmpty() && !img.digests().contains(c.imageDigest())) {
                err.println(spec.qualifiedName() + ": warning: " + p.name + ": container '" + c.label() + "' ran image " + c.imageDigest()
                        + ", not " + imageName + " (" + img.digest() + "); compared anyway");
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
