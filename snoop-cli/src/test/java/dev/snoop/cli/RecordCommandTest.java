package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Invalid configuration is refused with one line and exit 2, before anything is loaded. */
class RecordCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --report-interval 0s                           | '--report-interval': '0s' is not a positive duration
            --report-interval soon                         | 'soon' is not a duration such as 500ms, 30s, 5m or 1h
            --target-mode sideways                         | --target-mode: 'sideways' is not exclude-self or explicit
            --target-mode explicit                         | --target-mode explicit needs --cgroup or --container-id
            --target-mode exclude-self --container-id abcd1234 | takes no --cgroup or --container-id
            --container-id a/b                             | --container-id: 'a/b' is not a container id
            --exclude-paths tmp                            | --exclude-paths: relative path without a base directory: tmp
            --metrics-addr 9090                            | --metrics-addr: '9090' is not an address such as :9090
            --metrics-addr :99999                          | --metrics-addr: ':99999': port out of range
            --log-level loud                               | --log-level: unknown log level 'loud'
            --ring-buffer-size 5000                        | --ring-buffer-size: 5000 is not a power of two
            --image-digest latest                          | --image-digest: 'latest' is not a digest
            --report-path /nonexistent-dir/r.json          | directory /nonexistent-dir does not exist
            ls                                             | 'ls': put the command to record after --
            --cgroup /sys/fs/cgroup -- ls                  | -- CMD records the command's own cgroup: it takes no --cgroup
            --target-mode explicit -- ls                   | it takes no --cgroup, --container-id or --target-mode
            --duration 5s -- ls                            | --duration does not apply
            """)
    void invalidConfigurationIsAUsageError(String args, String message) {
        String report = args.contains("--report-path") ? "" : "--report-path " + tmp.resolve("r.json") + " ";
        String[] argv = ("record " + report + args).split(" ");
        CliRun run = CliRun.run(argv);
        assertEquals(2, run.exitCode(), run.err());
        String first = run.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("snoop record: "), first);
        assertTrue(first.contains(message), first);
    }

    @org.junit.jupiter.api.Test
    void testRecordCommand_commandNotFound_exits127BeforeAnythingLoads() {
        CliRun run = CliRun.run("record", "--report-path", tmp.resolve("r.json").toString(), "--", "no-such-command-xyz");
        assertEquals(127, run.exitCode(), run.err());
        assertEquals("snoop record: no-such-command-xyz: command not found\n", run.err());
        CliRun notExecutable = CliRun.run("record", "--report-path", tmp.resolve("r.json").toString(), "--", "/etc/passwd");
        assertEquals(126, notExecutable.exitCode(), notExecutable.err());
        assertEquals("snoop record: /etc/passwd: not an executable file\n", notExecutable.err());
    }

    /**
     * Values that used to pass validation and fail only after the probes were attached (exit 1), or
     * overflow the recording loop's clock arithmetic. "--duration 1s --metrics-addr off" made the
     * old code stop by itself where it accepted the value.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --metrics-addr 300.1.1.1:80                    | --metrics-addr: '300.1.1.1:80': '300.1.1.1' is not an IPv4 address
            --metrics-addr [::1:80                         | --metrics-addr: '[::1:80': '[::1' is not an IPv6 address in brackets
            --metrics-addr :65536                          | --metrics-addr: ':65536': port out of range
            --metrics-addr no-such-host.invalid:80         | cannot resolve host no-such-host.invalid
            --report-interval 9999999999h                  | '9999999999h' is longer than the maximum of 8784h
            --duration 9999999999h                         | '9999999999h' is longer than the maximum of 8784h
            --duration 106751991167d                       | is not a duration
            --report-interval 9223372036854775807ms        | is longer than the maximum of 8784h
            """)
    void testBadValue_isAUsageErrorBeforeAnythingLoads(String args, String message) {
        // a target that never appears, so that the old code got as far as loading the probes
        String[] argv = ("record --container-id snoop-no-such-container --report-path " + tmp.resolve("r.json") + " "
                + args).split(" ");
        CliRun run = CliRun.run(argv);
        assertEquals(2, run.exitCode(), run.err());
        String first = run.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("snoop record: ") && first.contains(message), first);
        assertTrue(!run.err().contains("msg="), "nothing was logged, so nothing loaded: " + run.err());
    }

    @org.junit.jupiter.api.Test
    void testMetricsAddrWithASpace_isAUsageError() {
        CliRun run = CliRun.run("record", "--container-id", "snoop-no-such-container", "--report-path",
                tmp.resolve("r.json").toString(), "--metrics-addr", " :9090");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("snoop record: --metrics-addr: ' :9090' has a space"), run.err());
    }

    @ParameterizedTest(name = "{0}={1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            SNOOP_REPORT_INTERVAL | soon         | ''                        | 2 | 'soon' is not a duration
            SNOOP_TARGET_MODE     | sideways     | ''                        | 2 | 'sideways' is not exclude-self or explicit
            SNOOP_METRICS_ADDR    | nowhere      | ''                        | 2 | --metrics-addr: 'nowhere' is not an address
            SNOOP_LOG_LEVEL       | loud         | ''                        | 2 | unknown log level 'loud'
            SNOOP_REPORT_INTERVAL | soon         | --report-interval x       | 2 | 'x' is not a duration
            SNOOP_REPORT_PATH     | /x/r.json    | --help                    | 0 | /x/r.json
            SNOOP_EXCLUDE_PATHS   | /a,/b        | --help                    | 0 | /a,/b
            SNOOP_REPORT_INTERVAL | 5m           | --help                    | 0 | Default: 5m
            """)
    void everyOptionHasAVariableAndTheFlagWins(String variable, String value, String args, int code, String expected)
            throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.snoop.cli.Main", "record"));
        if (!args.isBlank()) {
            command.addAll(java.util.List.of(args.split(" ")));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SNOOP_"));
        pb.environment().put("SNOOP_REPORT_PATH", tmp.resolve("r.json").toString());
        pb.environment().put(variable, value);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        assertEquals(code, p.exitValue(), out);
        assertTrue(out.contains(expected), out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            record --help | SNOOP_REPORT_PATH
            record --help | SNOOP_TARGET_MODE
            record --help | SNOOP_METRICS_ADDR
            record --help | Exit Codes
            """)
    void helpNamesEveryVariable(String args, String expected) {
        CliRun run = CliRun.run(args.split(" "));
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains(expected), run.out());
    }
}
