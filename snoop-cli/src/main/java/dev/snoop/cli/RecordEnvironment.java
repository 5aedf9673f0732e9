package dev.snoop.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The SNOOP_* variables of {@code snoop record}, as defaults of its options (an option on the
 * command line wins). One rule for every variable: a variable that is empty, or only blanks, is
 * the same as one that is not set, and the option's own default applies. Before, "${env:...}"
 * defaults made an empty variable an empty value, which meant four different things (the working
 * directory for paths, no exclusions, no target, the default). An empty value given on the command
 * line is a usage error instead: see {@link RecordCommand}.
 */
final class RecordEnvironment implements IDefaultValueProvider {
    /** Each option's variable, in the order of {@code snoop record --help}. */
    static final Map<String, String> VARIABLES = variables(
            "--target-mode", "SNOOP_TARGET_MODE",
            "--cgroup", "SNOOP_TARGET_CGROUP",
            "--container-id", "SNOOP_TARGET_CONTAINER_ID",
            "--cgroup-root", "SNOOP_CGROUP_ROOT",
            "--labels-file", "SNOOP_LABELS_FILE",
            "--runtime-state-dir", "SNOOP_RUNTIME_STATE_DIR",
            "--exclude-paths", "SNOOP_EXCLUDE_PATHS",
            "--report-path", "SNOOP_REPORT_PATH",
            "--replace-report", "SNOOP_REPLACE_REPORT",
            "--report-interval", "SNOOP_REPORT_INTERVAL",
            "--duration", "SNOOP_DURATION",
            "--image-ref", "SNOOP_IMAGE_REF",
            "--image-digest", "SNOOP_IMAGE_DIGEST",
            "--pod-name", "SNOOP_POD_NAME",
            "--namespace", "SNOOP_NAMESPACE",
            "--metrics-addr", "SNOOP_METRICS_ADDR",
            "--log-level", "SNOOP_LOG_LEVEL",
            "--ring-buffer-size", "SNOOP_RING_BUFFER_SIZE",
            "--dedup-entries", "SNOOP_DEDUP_ENTRIES",
            "--start-entries", "SNOOP_START_ENTRIES",
            "--cgroup-verdict-entries", "SNOOP_CGROUP_VERDICT_ENTRIES",
            "--api-endpoint", "SNOOP_API_ENDPOINT",
            "--api-token-file", "SNOOP_API_TOKEN_FILE");

    private final Map<String, String> environment;

    /** The process's environment; picocli makes it from the annotation. */
    RecordEnvironment() {
        this(System.getenv());
    }

    RecordEnvironment(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        String variable = variableOf(arg);
        return variable == null ? null : valueOf(variable);
    }

    /** The variable's value, or null if it is unset or blank. */
    String valueOf(String variable) {
        String value = environment.get(variable);
        return value == null || value.isBlank() ? null : value;
    }

    static String variableOf(ArgSpec arg) {
        return arg instanceof OptionSpec option ? VARIABLES.get(option.longestName()) : null;
    }

    private static Map<String, String> variables(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
