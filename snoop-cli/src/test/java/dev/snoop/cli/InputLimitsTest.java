package dev.snoop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inputs no report can be, for every command that reads reports: a file of 2 GiB, a device and a
 * FIFO that never end, endless standard input. Each is refused with one line and the documented
 * exit code (1; {@code diff}: 2), never a stack trace or memory run out.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InputLimitsTest {
    private static final String LIMIT = "the limit is 1 GiB";

    @TempDir
    Path dir;

    private Path good;
    private Path root;

    @BeforeEach
    void setUp() throws Exception {
        good = CliRun.write(dir, "good.json", CliRun.report(null, "/usr/bin/sh"));
        root = Files.createDirectories(dir.resolve("rootfs/usr/bin")).getParent().getParent();
        Files.writeString(root.resolve("usr/bin/sh"), "sh");
    }

    /** The command line of {@code command} reading {@code report}, and its exit code for a bad report. */
    private List<String> commandLine(String command, String report) {
        List<String> args = new ArrayList<>(List.of(command));
        switch (command) {
            case "diff" -> args.add(good.toString());
            case "unused" -> args.addAll(List.of("--image", root.toString()));
            default -> { }
        }
        args.add(report);
        return args;
    }

    private static int badReportExit(String command) {
        return command.equals("diff") ? 2 : 1;
    }

    private static CliRun run(InputStream stdin, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(stdin, new PrintWriter(out), new PrintWriter(err), Terminals.none(), args.toArray(String[]::new));
        return new CliRun(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"merge", "stats", "diff", "unused"})
    void testRead_twoGibibyteFile_refusedBeforeReading(String command) throws Exception {
        Path big = dir.resolve("big.json");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.write("{\"containers\": [{\"name\": \"app\", \"files\": [\"/a\", ".getBytes(StandardCharsets.UTF_8));
            file.setLength(2L << 30); // sparse: zeros after a valid start, no 2 GiB written
        }
        CliRun r = run(InputStream.nullInputStream(), commandLine(command, big.toString()));
        assertEquals(badReportExit(command), r.exitCode(), r.err());
        assertEquals("snoop " + command + ": " + big + ": too large for a report (2147483648 bytes); " + LIMIT + "\n", r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"merge", "stats", "diff", "unused"})
    void testRead_endlessStdin_refusedAtTheLimit(String command) {
        CliRun r = run(new Endless(), commandLine(command, "-"));
        assertEquals(badReportExit(command), r.exitCode(), r.err());
        assertEquals("snoop " + command + ": <stdin>: too large for a report (more than 1073741824 bytes; an input that does not end?); "
                + LIMIT + "\n", r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"merge", "stats", "diff", "unused"})
    void testRead_devZero_refusedAtOnce(String command) {
        CliRun r = run(InputStream.nullInputStream(), commandLine(command, "/dev/zero"));
        assertEquals(badReportExit(command), r.exitCode(), r.err());
        assertEquals("snoop " + command + ": /dev/zero: not valid JSON: Illegal character ((CTRL-CHAR, code 0)): only regular white space"
                + " (\\r, \\n, \\t) is allowed between tokens (line 1, column 2)\n", r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"merge", "stats", "diff", "unused"})
    void testRead_endlessFifo_refused(String command) throws Exception {
        Path fifo = dir.resolve("endless.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        Thread writer = new Thread(() -> {
            byte[] chunk = "[[[[[[[[".repeat(8192).getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = Files.newOutputStream(fifo)) {
                while (true) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the reader closed it: done
            }
        }, "fifo-writer");
        writer.setDaemon(true);
        writer.start();
        CliRun r = run(InputStream.nullInputStream(), commandLine(command, fifo.toString()));
        assertEquals(badReportExit(command), r.exitCode(), r.err());
        assertEquals("snoop " + command + ": " + fifo + ": not a report: expected a JSON object, found an array\n", r.err());
        writer.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** {@code {"files": [} and then {@code "/a", } for ever, as fast as it is read. */
    private static final class Endless extends InputStream {
        private static final byte[] START = "{\"files\": [".getBytes(StandardCharsets.UTF_8);
        private static final byte[] ITEMS = "\"/a\", ".repeat(16 * 1024).getBytes(StandardCharsets.UTF_8);
        private boolean started;
        private int at;

        @Override
        public int read() {
            byte[] one = new byte[1];
            read(one, 0, 1);
            return one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!started) {
                started = true;
                int n = Math.min(len, START.length);
                System.arraycopy(START, 0, b, off, n); // callers ask for more than 11 bytes
                return n;
            }
            int n = Math.min(len, ITEMS.length - at);
            System.arraycopy(ITEMS, at, b, off, n);
            at = (at + n) % ITEMS.length;
            return n;
        }
    }
}
