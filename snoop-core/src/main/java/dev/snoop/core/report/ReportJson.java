package dev.snoop.core.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.QuotedPaths;
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
    static final class Jackson {
        static final JsonFactory FACTORY = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_STRING_CHARS)
                        .maxDocumentLength(MAX_REPORT_BYTES)
                        .build())
                .build();
    }

    /**
     * The largest report read, 1 GiB: about 15 million paths of the usual length (a 1,000,000-file
     * report is about 70 MB). A larger file, or an input that does not end (a device, a FIFO,
     * standard input), is refused once it passes the limit, before memory runs out; also below
     * what one Java array can hold.
     */
    public static final int MAX_REPORT_BYTES = 1 << 30;

    /** Objects and arrays nested deeper than this (a report needs four) are refused, as Jackson's default. */
    static final int MAX_NESTING_DEPTH = 1000;

    /**
     * The longest string read, in chars: far more than any path ({@link FileCollector} refuses
     * those longer than {@value FileCollector#MAX_PATH_BYTES} bytes), label or identifier needs.
     */
    static final int MAX_STRING_CHARS = 1 << 20;

    private ReportJson() {}

    /**
     * Reads a report file.
     *
     * @param warnings receives one line per problem that was repaired (non-normalized or duplicate
     *     paths), each naming the file
     * @throws SnoopException naming the file if it cannot be read or is not a report
     */
    public static Report read(Path file, Consumer<String> warnings) {
        String source = QuotedPaths.quote(file.toString()); // a file found in a directory may have any name
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
     * a megabyte at a time, the JDK's temporary buffer stays small and is reused. A file of more
     * than {@link #MAX_REPORT_BYTES} is refused before anything is read; a device or FIFO, whose
     * size is not known, is read as a stream up to the limit.
     *
     * @throws SnoopException naming the file if it is larger than {@link #MAX_REPORT_BYTES}
     */
    public static byte[] readAllBytes(Path file) throws IOException {
        String source = QuotedPaths.quote(file.toString());
        try (FileChannel channel = FileChannel.open(file)) {
            if (!Files.isRegularFile(file)) {
                return readLimited(Channels.newInputStream(channel), source);
            }
            long size = channel.size();
            if (size > MAX_REPORT_BYTES) {
                throw tooLarge(source, size + " bytes");
            }
            byte[] bytes = allocate((int) size, source);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.position() < bytes.length) {
                buffer.limit(Math.min(bytes.length, buffer.position() + READ_CHUNK));
                if (channel.read(buffer) < 0) {
                    return Arrays.copyOf(bytes, buffer.position()); // it shrank meanwhile
                }
            }
            byte[] more = readLimited(Channels.newInputStream(channel), source, MAX_REPORT_BYTES - bytes.length); // or grew
            if (more.length == 0) {
                return bytes;
            }
            byte[] all = Arrays.copyOf(bytes, bytes.length + more.length);
            System.arraycopy(more, 0, all, bytes.length, more.length);
            return all;
        }
    }

    /** Reads {@code in} to its end, refusing more than {@link #MAX_REPORT_BYTES}. */
    static byte[] readLimited(InputStream in, String source) throws IOException {
        return readLimited(in, source, MAX_REPORT_BYTES);
    }

    /**
     * Reads {@code in} to its end, refusing more than {@code limit} bytes. Input that cannot be a
     * report from its first bytes on (an endless {@code /dev/zero}) is refused as soon as that is
     * clear, with the message the parser gives for those bytes, instead of being read to the limit.
     */
    static byte[] readLimited(InputStream in, String source, int limit) throws IOException {
        byte[] buffer = new byte[Math.min(limit, 64 * 1024)];
        int used = 0;
        boolean checked = false;
        while (true) {
            if (used == buffer.length) {
                if (used >= limit) {
                    if (in.read() < 0) {
                        return buffer;
                    }
                    throw tooLarge(source, "more than " + limit + " bytes; an input that does not end?");
                }
                byte[] larger = allocate((int) Math.min(limit, 2L * buffer.length), source);
                System.arraycopy(buffer, 0, larger, 0, used);
                buffer = larger;
            }
            int n = in.read(buffer, used, buffer.length - used);
            if (n < 0) {
                return Arrays.copyOf(buffer, used);
            }
            used += n;
            if (!checked) {
                checked = refuseEarly(buffer, used, source);
            }
        }
    }

    /**
     * After the first bytes of an input: false while they are only white space; true once the
     * first other byte is the '{' a report starts with (or a byte order mark); else it throws the
     * parser's error for the bytes so far, which are no report whatever follows.
     */
    private static boolean refuseEarly(byte[] bytes, int used, String source) {
        for (int i = 0; i < used; i++) {
            byte b = bytes[i];
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            if (b == '{' || b == (byte) 0xef) {
                return true;
            }
            readWithJackson(Arrays.copyOf(bytes, used), source, warning -> { }); // throws, but for UTF-16
            return true;
        }
        return false;
    }

    private static byte[] allocate(int size, String source) {
        try {
            return new byte[size];
        } catch (OutOfMemoryError e) {
            throw new SnoopException(source + ": not enough memory to read a report of " + size
                    + " bytes; give Java more (-Xmx)");
        }
    }

    private static SnoopException tooLarge(String source, String size) {
        return new SnoopException(source + ": too large for a report (" + size + "); the limit is "
                + (MAX_REPORT_BYTES >> 30) + " GiB");
    }

    private static final int READ_CHUNK = 1 << 20;

    /**
     * Reads a report from a stream, which is not closed.
     *
     * @param source the name used in messages, such as the file name or {@code <stdin>}
     */
    public static Report read(InputStream in, String source, Consumer<String> warnings) throws IOException {
        return read(readLimited(in, source), source, warnings);
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
            Report report = ReportReader.readReport(new ReportScanner(json), source, fastWarnings::add);
            fastWarnings.forEach(warnings);
            return report;
        } catch (RuntimeException | IOException e) {
            // not the common case, or not a valid report: Jackson decides, with exact messages
        }
        return readWithJackson(json, source, warnings);
    }

    /** What Jackson's parser found wrong (a JsonProcessingException or CharConversionException), in snoop's words. */
    static SnoopException notJson(String source, IOException e) {
        if (e instanceof JsonEOFException eof) {
            return new SnoopException(source + ": truncated JSON " + JsonMessages.where(eof.getLocation()), e);
        }
        if (e instanceof StreamConstraintsException limit) {
            // "Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints...`)";
            // the first number is where the parser noticed, which varies with its buffering
            String reason = limit.getOriginalMessage().replaceFirst(", from `[^`]*`\\)", ")").replaceFirst(" \\(\\d+\\) exceeds", " exceeds");
            reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
            String at = limit.getLocation() == null ? "" : " " + JsonMessages.where(limit.getLocation());
            return new SnoopException(source + ": not a report: " + reason + at, e);
        }
        if (e instanceof JsonProcessingException json) {
            String reason = json.getOriginalMessage();
            int newline = reason.indexOf('\n');
            reason = newline < 0 ? reason : reason.substring(0, newline);
            return new SnoopException(source + ": not valid JSON: " + reason + " " + JsonMessages.where(json.getLocation()), e);
        }
        // bytes that are not text in the encoding Jackson detected, e.g. leading zero bytes (CharConversionException)
        return new SnoopException(source + ": not valid JSON: " + e.getMessage(), e);
    }

    /** Reads with Jackson's parser alone, as {@link #read(byte[], String, Consumer)} falls back to. */
    static Report readWithJackson(byte[] json, String source, Consumer<String> warnings) {
        try (JsonParser parser = Jackson.FACTORY.createParser(json)) {
            return ReportReader.readReport(JsonSource.of(parser), source, warnings);
        } catch (JsonProcessingException | CharConversionException e) {
            throw notJson(source, e);
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
