package dev.snoop.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link AtomicFiles}: the target holds the old content or the whole new one. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Writes well over the 64 KiB buffer, so the temporary file really holds data, then fails. */
    private static Consumer<OutputStream> failingAfter(RuntimeException failure) {
        return out -> {
            try {
                byte[] block = "new content ".repeat(1000).getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 20; i++) {
                    out.write(block);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw failure;
        };
    }

    @Test
    void testWrite_newFile() throws Exception {
        Path target = dir.resolve("out.json");
        AtomicFiles.write(target, out -> write(out, "hello\n"));
        assertEquals("hello\n", Files.readString(target));
        assertEquals(List.of("out.json"), names(dir));
    }

    @Test
    void testWrite_replacesExistingFile() throws Exception {
        Path target = Files.writeString(dir.resolve("out.json"), "old content that is longer than the new");
        AtomicFiles.write(target, out -> write(out, "new"));
        assertEquals("new", Files.readString(target));
        assertEquals(List.of("out.json"), names(dir));
    }

    @Test
    void testWrite_ioFailureMidWrite_originalIntactNoTempFile() throws Exception {
        Path target = Files.writeString(dir.resolve("out.json"), "previous");
        SnoopException e = assertThrows(SnoopException.class,
                () -> AtomicFiles.write(target, failingAfter(new UncheckedIOException(new IOException("No space left on device")))));
        assertEquals("cannot write " + target + ": No space left on device", e.getMessage());
        assertEquals("previous", Files.readString(target));
        assertEquals(List.of("out.json"), names(dir), "no temporary file left behind");
    }

    @Test
    void testWrite_otherFailureMidWrite_propagatesOriginalIntact() throws Exception {
        Path target = Files.writeString(dir.resolve("out.json"), "previous");
        SnoopException cause = new SnoopException("in.json: truncated JSON (line 3, column 1)");
        SnoopException e = assertThrows(SnoopException.class, () -> AtomicFiles.write(target, failingAfter(cause)));
        assertSame(cause, e, "the content's own failure is the one to report");
        assertEquals("previous", Files.readString(target));
        assertEquals(List.of("out.json"), names(dir));
    }

    @Test
    void testWrite_failureWithoutTarget_leavesNothing() throws Exception {
        Path target = dir.resolve("out.json");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, failingAfter(new IllegalStateException("boom"))));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), names(dir));
    }

    @Test
    void testWrite_missingDirectory() {
        Path target = dir.resolve("missing/out.json");
        SnoopException e = assertThrows(SnoopException.class, () -> AtomicFiles.write(target, out -> write(out, "x")));
        assertEquals("cannot write " + target + ": directory does not exist", e.getMessage());
        assertFalse(Files.exists(dir.resolve("missing")));
    }

    @Test
    void testWrite_targetIsADirectory_keptAsItIs() throws Exception {
        Path target = Files.createDirectory(dir.resolve("out.json"));
        Files.writeString(target.resolve("inside"), "kept");
        SnoopException e = assertThrows(SnoopException.class, () -> AtomicFiles.write(target, out -> write(out, "x")));
        assertEquals("cannot write " + target + ": is a directory", e.getMessage());
        assertEquals("kept", Files.readString(target.resolve("inside")));
        assertEquals(List.of("out.json"), names(dir));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(SnoopException.class, () -> AtomicFiles.write(empty, out -> write(out, "x")));
        assertTrue(Files.isDirectory(empty));
    }

    @Test
    void testWrite_fileSystemError_namesTargetNotTempFile() throws Exception {
        Path parent = Files.writeString(dir.resolve("file"), "not a directory");
        Path target = parent.resolve("out.json");
        SnoopException e = assertThrows(SnoopException.class, () -> AtomicFiles.write(target, out -> write(out, "x")));
        assertEquals("cannot write " + target + ": Not a directory", e.getMessage());
    }

    @Test
    void testWrite_relativeTarget_onJimfs() throws Exception {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path work = fs.getPath("/work");
            Files.createDirectories(work); // Jimfs's working directory in the unix configuration
            Path target = fs.getPath("report.json");
            Files.writeString(target, "old");
            AtomicFiles.write(target, out -> write(out, "new"));
            assertEquals("new", Files.readString(work.resolve("report.json")));
            assertEquals(List.of("report.json"), names(work));

            assertThrows(SnoopException.class, () -> AtomicFiles.write(target,
                    failingAfter(new UncheckedIOException(new IOException("disk full")))));
            assertEquals("new", Files.readString(target));
            assertEquals(List.of("report.json"), names(work));
        }
    }

    @Test
    void testReportJsonWrite_isAtomic() throws Exception {
        Path target = Files.writeString(dir.resolve("r.json"), "previous");
        ReportJson.write(ReportWriterTest.full(), target);
        assertEquals(ReportWriterTest.json(ReportWriterTest.full()), Files.readString(target));
        assertEquals(List.of("r.json"), names(dir));
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void testRemoveStaleTemporaries_removesOnlyTheTargetsOwnLeftovers() throws IOException {
        Path report = Files.writeString(dir.resolve("r.json"), "{}");
        // what a write killed mid-way leaves: the very name write() makes
        Path[] crashed = new Path[1];
        assertThrows(SnoopException.class, () -> AtomicFiles.write(report, out -> {
            try {
                out.write('x');
                out.flush();
                try (Stream<Path> files = Files.list(dir)) {
                    crashed[0] = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).findFirst().orElseThrow();
                }
                Files.copy(crashed[0], dir.resolve(crashed[0].getFileName() + ".kept"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new SnoopException("killed");
        }));
        String made = crashed[0].getFileName().toString();
        Files.move(dir.resolve(made + ".kept"), dir.resolve(made)); // as if the process had died
        Files.writeString(dir.resolve(".r.json.123.tmp"), "stale");
        Files.writeString(dir.resolve(".other.json.456.tmp"), "another report's");
        Files.writeString(dir.resolve(".r.json.abc.tmp"), "not our naming");
        Files.writeString(dir.resolve("r.json.789.tmp"), "no dot");
        Files.createDirectory(dir.resolve(".r.json.5.tmp"));
        Files.createSymbolicLink(dir.resolve(".r.json.6.tmp"), report);

        List<String> removed = AtomicFiles.removeStaleTemporaries(report);

        assertEquals(Stream.of(".r.json.123.tmp", made).sorted().toList(), removed.stream().sorted().toList());
        assertEquals(List.of(".other.json.456.tmp", ".r.json.5.tmp", ".r.json.6.tmp", ".r.json.abc.tmp", "r.json",
                "r.json.789.tmp"), names(dir));
        assertEquals("{}", Files.readString(report));
        assertEquals(List.of(), AtomicFiles.removeStaleTemporaries(dir.resolve("missing/r.json")));
    }
}
