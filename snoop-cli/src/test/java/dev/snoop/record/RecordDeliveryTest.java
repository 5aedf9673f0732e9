package dev.snoop.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.snoop.server.ServerConfig;
import dev.snoop.server.SnoopServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sidecar delivering to a real {@code snoop serve} (its embedded PostgreSQL): reports are
 * sent after every write with the token from a file, and the final one on SIGTERM.
 */
@Tag("bpf")
class RecordDeliveryTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void requireBpf() {
        BpfTests.require();
    }

    @Test
    void testRecord_deliversToSnoopServe_theFinalReportOnSigterm() throws Exception {
        String token = "sidecar-token-" + System.nanoTime();
        Path tokens = Files.writeString(tmp.resolve("tokens"), ServerTokens.sha256Hex(token) + " *\n");
        Path tokenFile = Files.writeString(tmp.resolve("token"), token + "\n");
        Path report = tmp.resolve("r.json");
        ServerConfig config = new ServerConfig("127.0.0.1", 0, tmp.resolve("db"), null, tokens, 2);
        try (SnoopServer server = SnoopServer.start(config, line -> {});
                TestCgroup cgroup = TestCgroup.create("snoop-deliver")) {
            Path app = cgroup.child("app");
            try (SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--cgroup", app.toString(),
                    "--report-path", report.toString(), "--report-interval", "1s", "--metrics-addr", "off",
                    "--api-endpoint", "http://127.0.0.1:" + server.port() + "/v1/reports",
                    "--api-token-file", tokenFile.toString())) {
                snoop.awaitRecording(Duration.ofSeconds(60));
                Commands.run(Duration.ofSeconds(30), TestCgroup.in(app, List.of("cat", "/etc/hostname")));
                assertEquals(0, snoop.terminate(), snoop.log());
                String log = snoop.log();
                assertTrue(log.contains("msg=\"final report delivered\""), log);
                assertFalse(log.contains("report rejected") || log.contains("will retry"), log);
                assertFalse(log.contains(token), "the token reached the log:\n" + log);
            }
        }
    }

    @Test
    void testRecord_serverDown_finalReportStaysTheOutbox_exitZero() throws Exception {
        Path report = tmp.resolve("r.json");
        try (TestCgroup cgroup = TestCgroup.create("snoop-deliver")) {
            Path app = cgroup.child("app");
            try (SnoopProcess snoop = SnoopProcess.start(null, List.of(), "--cgroup", app.toString(),
                    "--report-path", report.toString(), "--metrics-addr", "off",
                    "--api-endpoint", "http://127.0.0.1:1/v1/reports")) {
                snoop.awaitRecording(Duration.ofSeconds(60));
                long start = System.nanoTime();
                assertEquals(0, snoop.terminate(), snoop.log()); // within 5 s: the final delivery gives up in time
                assertTrue(snoop.log().contains("final report not delivered; it stays in the report file"), snoop.log());
                assertTrue(Files.isRegularFile(report));
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos());
            }
        }
    }

}
