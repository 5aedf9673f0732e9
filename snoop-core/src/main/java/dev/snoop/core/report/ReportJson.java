package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.SortedPaths;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/** Reads and writes reports as JSON; see {@code docs/report-format.md}. */
public final class ReportJson {
    /**
     * Made on first use: reading a report normally needs no Jackson parser, and a command that
     * writes no JSON (a text diff) should not pay for the factory (~40 ms cold without the CDS
     * archive).
     */
    private static final class Jackson {
        static final JsonFactory FACTORY = JsonFactory.builder().build();
    }

    private ReportJson() {}

    /**
     * Reads a report file.
     *
     * @param warnings receives one line per problem that was repaired (non-normalized or duplicate
     *     paths), each naming the file
     * @throws SnoopException naming the file if it cannot be read or is not a report
     */
    public static Report read(Path file, Consumer<String> warnings) {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new SnoopException(source + ": is a directory");
        }
        byte[] json;
        try {
            json = readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SnoopException(source + ": no such file");
        } catch (AccessDeniedException e) {
            throw new SnoopException(source + ": permission denied");
        } catch (IOException e) {
            throw new SnoopException(source + ": cannot read: " + e.getMessage(), e);
        }
        return read(json, source, warnings);
    }

    /**
     * As {@link Files#readAllBytes}, which reads a large file through a temporary native buffer as
     * large as the file (for a 70 MB report, 70 MB more memory to fault in and copy through); read
     * a megabyte at a time, the JDK's temporary buffer stays small and is reused.
     */
    public static byte[] readAllBytes(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new OutOfMemoryError("Required array size too large");
            }
            byte[] bytes = new byte[(int) size];
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.position() < bytes.length) {
                buffer.limit(Math.min(bytes.length, buffer.position() + READ_CHUNK));
                if (channel.read(buffer) < 0) {
                    return Arrays.copyOf(bytes, buffer.position()); // it shrank meanwhile
                }
            }
            byte[] more = Channels.newInputStream(channel).readAllBytes(); // or grew
            if (more.length == 0) {
                return bytes;
            }
            byte[] all = Arrays.copyOf(bytes, bytes.length + more.length);
            System.arraycopy(more, 0, all, bytes.length, more.length);
            return all;
        }
    }

    private static final int READ_CHUNK = 1 << 20;

    /**
     * Reads a report from a stream, which is not closed.
     *
     * @param source the name used in messages, such as the file name or {@code <stdin>}
     */
    public static Report read(InputStream in, String source, Consumer<String> warnings) throws IOException {
        return read(in.readAllBytes(), source, warnings);
    }

    /**
     * Reads a report held in memory. The whole report is read first (a 1,000,000-file report is
     * about 70 MB), so that {@link ReportScanner} can take the paths as bytes and, for anything it
     * does not handle, Jackson can read the same bytes again. Sorted, normalized lists (the common
     * case) stay slices of {@code json}, which the report then keeps alive: a caller that keeps the
     * report but not the bytes can {@link dev.snoop.core.path.SortedPaths#compact} them. The bytes
     * must not change afterwards.
     *
     * @param source the name used in messages, such as the file name
     */
    public static Report read(byte[] json, String source, Consumer<String> warnings) {
        List<String> fastWarnings = new ArrayList<>();
        try {
            Report report = new ReportReader(new ReportScanner(json), source, fastWarnings::add).read();
            fastWarnings.forEach(warnings);
            return report;
        } catch (RuntimeException | IOException e) {
            // not the common case, or not a valid report: Jackson decides, with exact messages
        }
        return readWithJackson(json, source, warnings);
    }

    /** Reads with Jackson's parser alone, as {@link #read(byte[], String, Consumer)} falls back to. */
    static Report readWithJackson(byte[] json, String source, Consumer<String> warnings) {
        try (JsonParser parser = Jackson.FACTORY.createParser(json)) {
            return new ReportReader(JsonSource.of(parser), source, warnings).read();
        } catch (JsonEOFException e) {
            throw new SnoopException(source + ": truncated JSON " + ReportReader.where(e.getLocation()), e);
        } catch (CharConversionException e) {
            // bytes that are not text in the encoding Jackson detected, e.g. leading zero bytes
            throw new SnoopException(source + ": not valid JSON: " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage();
            int newline = reason.indexOf('\n');
            reason = newline < 0 ? reason : reason.substring(0, newline);
            throw new SnoopException(source + ": not valid JSON: " + reason + " " + ReportReader.where(e.getLocation()), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no I/O on a byte array
        }
    }

    /** Writes {@code report} to {@code out}, which is flushed but not closed. */
    public static void write(Report report, OutputStream out) throws IOException {
        try (JsonGenerator generator = configure(Jackson.FACTORY.createGenerator(out))) {
            new ReportWriter(generator).write(report);
            generator.writeRaw('\n');
        }
    }

    /** Writes {@code report} to {@code out}, which is flushed but not closed. */
    public static void write(Report report, Writer out) throws IOException {
        try (JsonGenerator generator = prettyGenerator(out)) {
            new ReportWriter(generator).write(report);
            generator.writeRaw('\n');
        }
    }

    /**
     * A generator that formats like reports do ({@code "key": value}, one array element per line),
     * for the other JSON that snoop prints. Closing it flushes {@code out} but does not close it.
     */
    public static JsonGenerator prettyGenerator(Writer out) throws IOException {
        return configure(Jackson.FACTORY.createGenerator(out));
    }

    /**
     * Writes the cursor's current path as a JSON string: straight from its UTF-8 bytes when the
     * generator writes bytes, through a String when it writes chars (Jackson cannot do otherwise).
     */
    public static void writePath(JsonGenerator generator, SortedPaths.Cursor cursor) throws IOException {
        if (!(generator.getOutputTarget() instanceof OutputStream)) {
            generator.writeString(cursor.path());
        } else {
            generator.writeUTF8String(cursor.bytes(), 0, cursor.length());
        }
    }

    private static JsonGenerator configure(JsonGenerator generator) {
        generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        generator.setPrettyPrinter(prettyPrinter());
        return generator;
    }

    /**
     * Writes {@code report} to {@code target} atomically: readers see the old file or the whole
     * new one, never a part.
     *
     * @throws SnoopException naming {@code target} if it cannot be written; the old file is kept
     */
    public static void write(Report report, Path target) {
        AtomicFiles.write(target, out -> {
            try {
                write(report, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        // "key": value (like jq and Go), one array element per line, \n on every platform
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withArrayEmptySeparator("")
                .withObjectEmptySeparator("");
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withSeparators(separators);
        printer.indentArraysWith(indenter);
        printer.indentObjectsWith(indenter);
        return printer;
    }
}
