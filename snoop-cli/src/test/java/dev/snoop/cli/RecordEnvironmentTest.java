package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.record.RecordConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The one rule for empty values: an empty SNOOP_* variable is an unset one; an empty value on the
 * command line is a usage error. Every variable is tested, with the environment given to the
 * command in-process.
 */
class RecordEnvironmentTest {
    @TempDir
    Path tmp;

    static Stream<String> variables() {
        return RecordEnvironment.VARIABLES.values().stream();
    }

    static Stream<String> optionsWithValues() {
        return RecordEnvironment.VARIABLES.keySet().stream().filter(o -> !o.equals("--replace-report"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variables")
    void testEmptyVariable_isTheSameAsUnset(String variable) {
        Map<String, Object> unset = values(parse(Map.of()));
        for (String empty : List.of("", " ", "\t")) {
            assertEquals(unset, values(parse(Map.of(variable, empty))), variable + "='" + empty + "'");
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            SNOOP_TARGET_MODE         | explicit
            SNOOP_TARGET_CGROUP       | /sys/fs/cgroup/a,/sys/fs/cgroup/b
            SNOOP_TARGET_CONTAINER_ID | 3f2a9c,4b3c
            SNOOP_CGROUP_ROOT         | /host/cgroup
            SNOOP_LABELS_FILE         | /etc/podinfo/labels
            SNOOP_RUNTIME_STATE_DIR   | /run/k3s/containerd
            SNOOP_EXCLUDE_PATHS       | /proc,/tmp
            SNOOP_REPORT_PATH         | /reports/r.json
            SNOOP_REPLACE_REPORT      | true
            SNOOP_REPORT_INTERVAL     | 1h30m
            SNOOP_DURATION            | 10s
            SNOOP_IMAGE_REF           | docker.io/library/nginx:1
            SNOOP_IMAGE_DIGEST        | sha256:0123456789abcdef0123456789abcdef
            SNOOP_POD_NAME            | web-1
            SNOOP_NAMESPACE           | shop
            SNOOP_METRICS_ADDR        | 127.0.0.1:9091
            SNOOP_LOG_LEVEL           | debug
            SNOOP_RING_BUFFER_SIZE    | 8192
            SNOOP_DEDUP_ENTRIES       | 4096
            SNOOP_START_ENTRIES       | 1024
            SNOOP_CGROUP_VERDICT_ENTRIES | 512
            """)
    void testVariable_isTheOptionsDefault(String variable, String value) {
        String option = RecordEnvironment.VARIABLES.entrySet().stream().filter(e -> e.getValue().equals(variable))
                .findFirst().orElseThrow().getKey();
        Map<String, Object> fromVariable = values(parse(Map.of(variable, value)));
        Map<String, Object> fromOption = values(parse(Map.of(), option.equals("--replace-report")
                ? new String[] {option} : new String[] {option, value}));
        assertEquals(fromOption, fromVariable);
        assertNotEquals(values(parse(Map.of())), fromVariable, "no effect");
    }

    @Test
    void testEveryOption_hasAVariableNamedInItsHelp() {
        CommandLine cmd = parse(Map.of());
        for (OptionSpec option : cmd.getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp() || option.longestName().equals("--check")) {
                continue; // --check is a question asked once, not a sidecar's setting
            }
            String variable = RecordEnvironment.VARIABLES.get(option.longestName());
            assertTrue(variable != null, option.longestName() + " has no variable");
            assertTrue(String.join(" ", option.description()).contains("Env: " + variable), option.longestName());
        }
        assertEquals(RecordEnvironment.VARIABLES.size(), cmd.getCommandSpec().options().size() - 3);
    }

    @Test
    void testEmptyVariables_giveTheDefaultConfiguration() {
        Map<String, String> env = new HashMap<>();
        RecordEnvironment.VARIABLES.values().forEach(v -> env.put(v, ""));
        RecordConfig config = validate(env, "--report-path", tmp.resolve("r.json").toString());
        // SNOOP_TARGET_CGROUP="" used to be an explicit target of the working directory: nothing traced
        assertTrue(config.targets().excludeSelf());
        // SNOOP_EXCLUDE_PATHS="" used to drop the default exclusions
        assertEquals(java.util.Set.of("/proc", "/sys", "/dev"), java.util.Set.copyOf(config.exclusions().prefixes()));
        // empty path variables used to mean the working directory
        assertNull(config.cgroupRoot());
        assertNull(config.labelsFile());
        assertEquals(Path.of("/run/containerd/io.containerd.runtime.v2.task"), config.runtimeStateDir());
        assertNull(config.duration());
        assertNull(config.podName());
        assertNull(config.imageDigest());
        assertEquals(java.time.Duration.ofSeconds(30), config.reportInterval());
        assertEquals(9090, config.metricsAddress().getPort());
        assertEquals(2097152, config.ringBufferBytes());
        assertEquals(dev.snoop.record.MapSizes.defaults(), config.mapSizes());
    }

    @Test
    void testMapSizes_fromOptionsAndVariables() {
        RecordConfig config = validate(Map.of("SNOOP_START_ENTRIES", "100"), "--report-path", tmp.resolve("r.json").toString(),
                "--dedup-entries", "5000", "--cgroup-verdict-entries", "300");
        assertEquals(new dev.snoop.record.MapSizes(5000, 100, 300), config.mapSizes());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            --dedup-entries          | 0
            --start-entries          | -1
            --cgroup-verdict-entries | 16777217
            """)
    void testMapSizes_outOfRangeIsAUsageError(String option, String value) {
        ParameterException e = assertThrows(ParameterException.class,
                () -> validate(Map.of(), "--report-path", tmp.resolve("r.json").toString(), option, value));
        assertEquals(option + ": " + value + " is not between 1 and 16777216", e.getMessage());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            SNOOP_EXCLUDE_PATHS       | /proc,,/sys
            SNOOP_EXCLUDE_PATHS       | '/proc,'
            SNOOP_TARGET_CONTAINER_ID | 'abcd1234, '
            SNOOP_TARGET_CGROUP       | ',/sys/fs/cgroup'
            """)
    void testVariable_withAnEmptyElementIsAUsageError(String variable, String value) {
        ParameterException e = assertThrows(ParameterException.class,
                () -> validate(Map.of(variable, value), "--report-path", tmp.resolve("r.json").toString()));
        assertTrue(e.getMessage().startsWith(variable + ": empty value in"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} ''")
    @MethodSource("optionsWithValues")
    void testOption_withAnEmptyValueIsAUsageError(String option) {
        for (String empty : List.of("", " ")) {
            // what the old code needed to stop by itself, had it accepted the empty value
            List<String> args = new ArrayList<>(List.of("record"));
            for (String[] other : new String[][] {{"--duration", "1s"}, {"--metrics-addr", "off"},
                    {"--report-path", tmp.resolve("r.json").toString()}}) {
                if (!option.equals(other[0])) {
                    args.addAll(List.of(other));
                }
            }
            args.addAll(List.of(option, empty));
            CliRun run = CliRun.run(args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), option + " '" + empty + "': " + run.err());
            String first = run.err().lines().findFirst().orElse("");
            assertTrue(first.contains(option), first);
            assertTrue(first.contains("empty value") || first.contains("''") || first.contains("' '"), first);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            --exclude-paths | /proc,,/sys
            --exclude-paths | '/proc,'
            --container-id  | 'abcd1234,'
            --cgroup        | ',/sys/fs/cgroup'
            """)
    void testOption_withAnEmptyElementIsAUsageError(String option, String value) {
        ParameterException e = assertThrows(ParameterException.class,
                () -> validate(Map.of(), "--report-path", tmp.resolve("r.json").toString(), option, value));
        assertTrue(e.getMessage().startsWith(option + ": empty value in"), e.getMessage());
    }

    private static CommandLine parse(Map<String, String> env, String... args) {
        CommandLine cmd = new CommandLine(new RecordCommand());
        cmd.setDefaultValueProvider(new RecordEnvironment(env));
        cmd.parseArgs(args);
        return cmd;
    }

    private static RecordConfig validate(Map<String, String> env, String... args) {
        CommandLine cmd = parse(env, args);
        return ((RecordCommand) cmd.getCommand()).validate();
    }

    /** Every option's value, by name. */
    private static Map<String, Object> values(CommandLine cmd) {
        Map<String, Object> values = new HashMap<>();
        for (OptionSpec option : cmd.getCommandSpec().options()) {
            Object value = option.getValue();
            values.put(option.longestName(), value == null ? "(null)" : value);
        }
        return values;
    }
}
