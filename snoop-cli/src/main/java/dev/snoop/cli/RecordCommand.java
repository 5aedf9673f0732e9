package dev.snoop.cli;

import dev.snoop.record.ApiSettings;
import dev.snoop.record.CgroupFs;
import dev.snoop.record.CommandRun;
import dev.snoop.record.ExistingReport;
import dev.snoop.record.Log;
import dev.snoop.record.MapSizes;
import dev.snoop.record.MetricsAddress;
import dev.snoop.record.RecordCheck;
import dev.snoop.record.RecordConfig;
import dev.snoop.record.Recorder;
import dev.snoop.record.TargetCheck;
import dev.snoop.record.TargetSpec;
import dev.snoop.core.path.PathFilter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code snoop record}: loads the probes, records the files of the target containers, and writes
 * the report until stopped. Every option has an environment variable, so a sidecar is configured
 * by its pod spec alone; an option given on the command line wins over its variable.
 */
@Command(
        name = "record",
        defaultValueProvider = RecordEnvironment.class,
        mixinStandardHelpOptions = true,
        versionProvider = SnoopCommand.ManifestVersionProvider.class,
        sortOptions = false,
        description = {
            "Record which files containers access, with eBPF, and write a report periodically and on exit.",
            "By default every sibling cgroup of snoop's own (the other containers of its pod) is traced, "
                    + "including containers that start later. Needs root, or CAP_BPF and CAP_PERFMON.",
            "Stops on SIGTERM or SIGINT after a final report (exit 0), also when the signal comes while it starts.",
            "Every option has a SNOOP_* variable; an empty variable is an unset one, an empty value on the command "
                    + "line is refused (exit 2).",
            "With -- CMD [ARGS...] it runs CMD in a cgroup of its own instead and records CMD and everything it starts "
                    + "(containers too, when placed below that cgroup) until CMD exits, then exits with CMD's exit code. "
                    + "The report then goes to ./snoop-report.json and metrics are off, unless set.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  snoop record                        sidecar: trace the pod's other containers",
            "  snoop record --cgroup /sys/fs/cgroup/web --report-path web.json",
            "  SNOOP_TARGET_CONTAINER_ID=3f2a9c snoop record --report-interval 10s",
            "  snoop record -- make test           record a command and all it starts",
            "  snoop record --report-path it.json -- ./run-integration-tests.sh",
            "  snoop record --check                can snoop record here?",
        },
        exitCodeListHeading = "%nExit Codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM/SIGINT or --duration, final report written",
            "1:failure: BPF cannot be loaded (privileges, kernel, libbpf), the existing report cannot be read, "
                    + "the final report could not be written",
            "2:invalid configuration (an option or SNOOP_* variable), a file at --report-path that must not be replaced",
            "CMD:with -- CMD: CMD's own exit code (128+N if signal N ended it)",
            "125:with -- CMD: snoop failed (BPF, the report)",
            "126:with -- CMD: CMD cannot be run",
            "127:with -- CMD: CMD is not found",
        })
final class RecordCommand implements Callable<Integer>, HasFailureExitCode {
    /** Default report of {@code record -- CMD}: beside the user, not in a container's volume. */
    private static final Path COMMAND_REPORT = Path.of("snoop-report.json");

    @Spec
    CommandSpec spec;

    @ParentCommand
    SnoopCommand parent;

    @Option(names = "--target-mode", paramLabel = "MODE", completionCandidates = Candidates.TargetModes.class,
            description = {"exclude-self: trace every sibling cgroup of snoop's own and their descendants (the default "
                    + "without --cgroup or --container-id); explicit: trace only the named targets.",
                "Env: SNOOP_TARGET_MODE."})
    String targetMode;

    @Option(names = "--cgroup", paramLabel = "DIR", split = ",",
            description = {"An existing cgroup v2 directory (absolute path) to trace as one container (repeatable); "
                    + "for a container that starts later, use --container-id.", "Env: SNOOP_TARGET_CGROUP (comma-separated)."})
    List<Path> cgroups = new ArrayList<>();

    @Option(names = "--container-id", paramLabel = "ID", split = ",",
            description = {"Trace the container whose cgroup directory name contains ID (repeatable); it may start later.",
                "Env: SNOOP_TARGET_CONTAINER_ID (comma-separated)."})
    List<String> containerIds = new ArrayList<>();

    @Option(names = "--cgroup-root", paramLabel = "DIR",
            description = {"The host's cgroup v2 tree, when snoop's own /sys/fs/cgroup shows only its own cgroup "
                    + "(a container with a private cgroup namespace): mount the host's /sys/fs/cgroup read-only and name it here. "
                    + "Default: the cgroup v2 mount in /proc/self/mountinfo.", "Env: SNOOP_CGROUP_ROOT."})
    Path cgroupRoot;

    @Option(names = "--labels-file", paramLabel = "FILE",
            description = {"The pod's labels as a Kubernetes downward API volume writes them (key=\"value\" lines).",
                "Env: SNOOP_LABELS_FILE."})
    Path labelsFile;

    @Option(names = "--runtime-state-dir", paramLabel = "DIR",
            defaultValue = "/run/containerd/io.containerd.runtime.v2.task",
            description = {"containerd's task state, read (never written) for container names and images from the "
                    + "CRI annotations of each task's config.json. Default: ${DEFAULT-VALUE}.", "Env: SNOOP_RUNTIME_STATE_DIR."})
    Path runtimeStateDir;

    @Option(names = "--exclude-paths", paramLabel = "PREFIX", split = ",",
            defaultValue = "/proc,/sys,/dev",
            description = {"Leave out paths under these prefixes (component boundaries). Default: ${DEFAULT-VALUE}.",
                "Env: SNOOP_EXCLUDE_PATHS."})
    List<String> excludePaths;

    @Option(names = "--report-path", paramLabel = "FILE", defaultValue = "/data/snoop-report.json",
            description = {"Where the report is written (atomically, mode 0600). A report of the same pod there is "
                    + "continued; any other file is refused. Default: ${DEFAULT-VALUE}.", "Env: SNOOP_REPORT_PATH."})
    Path reportPath;

    @Option(names = "--replace-report", defaultValue = "false",
            description = {"Replace a file at --report-path that is not a report of this pod, or cannot be read, "
                    + "instead of refusing to start.", "Env: SNOOP_REPLACE_REPORT (true or false)."})
    boolean replaceReport;

    @Option(names = "--report-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "30s",
            description = {"How often the report is written (Go syntax: 500ms, 30s, 1h30m; 1ms to 8784h). "
                    + "Default: ${DEFAULT-VALUE}.", "Env: SNOOP_REPORT_INTERVAL."})
    Duration reportInterval;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = {"Stop by itself after DURATION (1ms to 8784h), as on SIGTERM (default: run until stopped).", "Env: SNOOP_DURATION."})
    Duration duration;

    @Option(names = "--image-ref", paramLabel = "REF",
            description = {"Image reference of the traced containers, when the runtime does not say.", "Env: SNOOP_IMAGE_REF."})
    String imageRef;

    @Option(names = "--image-digest", paramLabel = "DIGEST",
            description = {"Image digest (sha256:...) of the traced containers, when the runtime does not say.", "Env: SNOOP_IMAGE_DIGEST."})
    String imageDigest;

    @Option(names = "--pod-name", paramLabel = "NAME",
            description = {"Pod name written into the report.", "Env: SNOOP_POD_NAME."})
    String podName;

    @Option(names = "--namespace", paramLabel = "NAMESPACE",
            description = {"Namespace written into the report.", "Env: SNOOP_NAMESPACE."})
    String namespace;

    @Option(names = "--metrics-addr", paramLabel = "ADDR", defaultValue = ":9090",
            description = {"Serve /metrics and /healthz on ADDR ([host]:port; port 0 picks one; 'off' serves nothing). "
                    + "Default: ${DEFAULT-VALUE}.", "Env: SNOOP_METRICS_ADDR."})
    String metricsAddr;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            completionCandidates = Candidates.LogLevels.class,
            description = {"debug, info, warn or error. Default: ${DEFAULT-VALUE}.", "Env: SNOOP_LOG_LEVEL."})
    String logLevel;

    @Mixin
    KernelMapOptions kernelMaps = new KernelMapOptions();

    @Mixin
    DeliveryOptions delivery = new DeliveryOptions();

    @Option(names = "--check", description = "Probe every prerequisite (privileges, BTF, libbpf, BPF helpers and maps, "
            + "cgroup v2, tracefs), print each as ok or missing and exit 0 if snoop can record here, else 1. "
            + "Loads nothing that stays; records nothing.")
    boolean check;

    @Parameters(arity = "0..*", paramLabel = "CMD",
            description = "After --: the command to run and record, with its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public int failureExitCode() {
        return command.isEmpty() ? ExitCodes.FAILURE : CommandRun.SNOOP_FAILED;
    }

    @Override
    public Integer call() {
        if (check) {
            return RecordCheck.run(spec.commandLine().getOut());
        }
        RecordConfig config = validate();
        Log log = new Log(spec.commandLine().getErr(), Log.parseLevel(logLevel));
        if (config.recordsCommand()) {
            // before anything loads, as env(1) would find it: a typo costs nothing
            String problem = CommandRun.problemWith(command.get(0), System.getenv("PATH"));
            if (problem != null) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": " + problem);
                return CommandRun.exitCodeOf(problem);
            }
        }
        return new Recorder(config, log).run();
    }

    /**
     * {@code record -- CMD} records the command's own cgroup until it ends: target options and
     * --duration have no meaning there; the report and metrics get defaults that suit a user's shell.
     */
    private void validateCommandMode() {
        if (!spec.commandLine().getParseResult().originalArgs().contains("--")) {
            throw usage("'" + command.get(0) + "': put the command to record after --: snoop record [OPTIONS] -- CMD [ARGS...]");
        }
        if (!cgroups.isEmpty() || !containerIds.isEmpty() || targetMode != null) {
            throw usage("-- CMD records the command's own cgroup: it takes no --cgroup, --container-id or --target-mode");
        }
        if (duration != null) {
            throw usage("-- CMD: the recording ends when the command does; --duration does not apply");
        }
        if (!given("--report-path")) {
            reportPath = COMMAND_REPORT;
        }
        if (!given("--metrics-addr")) {
            metricsAddr = "off";
        }
    }

    /** Whether the option is on the command line or its variable is set (an empty one is unset). */
    private boolean given(String option) {
        RecordEnvironment environment = spec.defaultValueProvider() instanceof RecordEnvironment e ? e : new RecordEnvironment();
        return spec.commandLine().getParseResult().hasMatchedOption(option)
                || environment.valueOf(RecordEnvironment.VARIABLES.get(option)) != null;
    }

    /** Checks the whole configuration before anything is loaded: a mistake is exit 2, not a half-started sidecar. */
    RecordConfig validate() {
        refuseEmptyValues();
        if (!command.isEmpty()) {
            validateCommandMode();
        }
        boolean named = !cgroups.isEmpty() || !containerIds.isEmpty();
        String mode = targetMode == null ? (named ? "explicit" : "exclude-self") : targetMode.trim();
        TargetSpec targets = switch (mode) {
            case "exclude-self" -> {
                if (named) {
                    throw usage("--target-mode exclude-self traces the pod's other containers: it takes no --cgroup or --container-id");
                }
                yield TargetSpec.siblingsOfSelf();
            }
            case "explicit" -> {
                if (!named) {
                    throw usage("--target-mode explicit needs --cgroup or --container-id");
                }
                yield TargetSpec.of(cgroups, containerIds.stream().map(String::trim).toList());
            }
            default -> throw usage("--target-mode: '" + mode + "' is not exclude-self or explicit");
        };
        for (String id : containerIds) {
            if (!id.trim().matches("[0-9a-zA-Z_.-]{4,128}")) {
                throw usage("--container-id: '" + id + "' is not a container id");
            }
        }
        PathFilter exclusions;
        try {
            exclusions = PathFilter.excluding(excludePaths.stream().map(String::trim).toList());
        } catch (IllegalArgumentException e) {
            throw usage("--exclude-paths: " + e.getMessage());
        }
        Path report = reportPath.toAbsolutePath().normalize();
        if (Files.isDirectory(report, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw usage("--report-path " + reportPath + ": is a directory");
        }
        if (!Files.isDirectory(report.getParent())) {
            throw usage("--report-path " + reportPath + ": directory " + report.getParent() + " does not exist");
        }
        if (cgroupRoot != null && !Files.isDirectory(cgroupRoot)) {
            throw usage("--cgroup-root " + cgroupRoot + ": not a directory");
        }
        InetSocketAddress metrics = null;
        if (!metricsAddr.equals("off")) {
            try {
                metrics = MetricsAddress.parse(metricsAddr);
            } catch (IllegalArgumentException e) {
                throw usage("--metrics-addr: " + e.getMessage());
            }
        }
        try {
            Log.parseLevel(logLevel);
        } catch (IllegalArgumentException e) {
            throw usage("--log-level: " + e.getMessage());
        }
        int ringBufferSize;
        MapSizes mapSizes;
        ApiSettings api;
        try {
            ringBufferSize = kernelMaps.ringBufferBytes();
            mapSizes = kernelMaps.mapSizes();
            api = delivery.settings(new RecordEnvironment().valueOf("SNOOP_API_TOKEN"));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (imageDigest != null && !imageDigest.matches("[a-z0-9]+:[0-9a-fA-F]{32,}")) {
            throw usage("--image-digest: '" + imageDigest + "' is not a digest such as sha256:<hex>");
        }
        Path root = cgroupRoot == null ? null : cgroupRoot.toAbsolutePath().normalize();
        if (!targets.excludeSelf()) {
            try {
                // the cgroup tree is only read: a cgroup v1-only host or a bad --cgroup-root fails as before (exit 1)
                TargetCheck.check(targets, root == null ? CgroupFs.current() : CgroupFs.at(root));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        ExistingReport existing;
        try {
            existing = ExistingReport.check(report, "--report-path " + reportPath, trimmed(podName), trimmed(namespace),
                    replaceReport);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        return new RecordConfig(targets, exclusions, report, reportInterval, duration, trimmed(imageRef),
                trimmed(imageDigest), trimmed(podName), trimmed(namespace), metrics, ringBufferSize, mapSizes,
                SnoopCommand.class.getPackage().getImplementationVersion(), root, labelsFile, runtimeStateDir, existing, api, command);
    }

    /**
     * The command-line half of the one rule for empty values ({@link RecordEnvironment} has the
     * variables' half): an empty value, or an empty element of a comma-separated list, is a usage
     * error, from the command line or from a variable. An empty variable is an unset one.
     */
    private void refuseEmptyValues() {
        ParseResult parsed = spec.commandLine().getParseResult();
        RecordEnvironment environment = spec.defaultValueProvider() instanceof RecordEnvironment e ? e : new RecordEnvironment();
        for (OptionSpec option : spec.options()) {
            if (option.arity().max() == 0) {
                continue; // a flag takes no value
            }
            boolean list = !option.splitRegex().isEmpty();
            if (parsed.hasMatchedOption(option)) {
                for (String value : parsed.matchedOption(option.longestName()).originalStringValues()) {
                    if (value.isBlank() || list && hasEmptyElement(value)) {
                        throw usage(option.longestName() + ": empty value" + (value.isBlank() ? "" : " in '" + value + "'"));
                    }
                }
            } else {
                String variable = RecordEnvironment.variableOf(option);
                String value = variable == null ? null : environment.valueOf(variable);
                if (value != null && list && hasEmptyElement(value)) {
                    throw usage(variable + ": empty value in '" + value + "'");
                }
            }
        }
    }

    private static boolean hasEmptyElement(String list) {
        for (String element : list.split(",", -1)) {
            if (element.isBlank()) {
                return true;
            }
        }
        return false;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static String trimmed(String s) {
        return s == null ? null : s.trim();
    }
}
