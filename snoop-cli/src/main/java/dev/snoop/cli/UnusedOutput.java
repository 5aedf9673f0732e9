package dev.snoop.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.snoop.core.SnoopException;
import dev.snoop.core.path.QuotedPaths;
import dev.snoop.core.path.SortedPaths;
import dev.snoop.core.report.ReportJson;
import dev.snoop.image.UnusedResult;
import dev.snoop.image.UnusedResult.Directory;
import dev.snoop.image.UnusedResult.PackageUse;
import dev.snoop.image.UnusedResult.UnusedFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/** The three renderings of {@code snoop unused}: a text summary, the full JSON, the keep list. */
final class UnusedOutput {
    private UnusedOutput() {}

    /** How the keep list separates and shows names. */
    enum KeepListStyle {
        /** one name a line, exactly; a name with a newline cannot be written */
        LINES,
        /** each name exactly, ended by NUL, for {@code tar --null -T}, {@code rsync --from0}, {@code xargs -0} */
        NUL,
        /** one name a line, quoted where {@link QuotedPaths} says: for a terminal, not for tools */
        QUOTED
    }

    static void write(UnusedResult r, UnusedCommand.Format format, int top, KeepListStyle style, Writer out) throws IOException {
        switch (format) {
            case json -> writeJson(r, out);
            case keep_list -> writeKeepList(r.keepList(), style, out);
            default -> {
                PrintWriter pw = out instanceof PrintWriter p ? p : new PrintWriter(out);
                writeText(r, top, pw);
                pw.flush();
            }
        }
    }

    /**
     * The keep list is data for tools, so its names are written exactly; only NUL can end a name
     * that contains a newline, and quoting it instead would name a file that does not exist.
     *
     * @throws SnoopException before anything is written, if a name has a newline and {@code style}
     *     is {@link KeepListStyle#LINES}
     */
    static void writeKeepList(SortedPaths keep, KeepListStyle style, Writer out) throws IOException {
        SortedPaths.Cursor cursor = keep.cursor();
        if (style == KeepListStyle.LINES) {
            while (cursor.next()) {
                if (hasNewline(cursor)) {
                    throw new SnoopException("keep list: the name " + QuotedPaths.quote(cursor.path())
                            + " has a newline, which a list of one name a line cannot hold; use --null");
                }
            }
            cursor = keep.cursor();
        }
        while (cursor.next()) {
            out.write(style == KeepListStyle.QUOTED ? QuotedPaths.quote(cursor.path()) : cursor.path());
            out.write(style == KeepListStyle.NUL ? '\0' : '\n');
        }
    }

    private static boolean hasNewline(SortedPaths.Cursor cursor) {
        byte[] bytes = cursor.array();
        for (int i = cursor.offset(), end = i + cursor.length(); i < end; i++) {
            if (bytes[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    /** Names (of files, packages, the image) that could forge a line or reach the terminal as controls are quoted. */
    static void writeText(UnusedResult r, int top, PrintWriter out) {
        out.printf("image      %s (%s%s)%n", q(r.image()), r.format(), r.imageDigest() == null ? "" : ", " + q(r.imageDigest()));
        out.printf("reports    %d; a file is unused when %s%n", r.reports(),
                r.usedIn() == 1 ? "no report used it" : "fewer than " + r.usedIn() + " of them used it");
        out.printf("files      %d in the image: %d kept, %d unused%n", r.imageFiles(), r.keptFiles(), r.unusedFiles());
        out.printf(Locale.ROOT, "unused     %s of %s (%.1f%%)%n", size(r.unusedBytes()), size(r.imageBytes()), 100 * r.unusedShare());
        out.printf("used paths %d, %d of them not in the image%n", r.usedPaths(), r.usedNotInImage());
        if (!r.createdAtRunTime().isEmpty()) {
            out.println();
            out.printf("created at run time (not in the image; their nearest directory is kept): %d%n",
                    r.createdAtRunTime().size());
            for (String p : r.createdAtRunTime().subList(0, Math.min(top, r.createdAtRunTime().size()))) {
                out.printf("  %s%n", p);
            }
            more(r.createdAtRunTime().size(), top, out);
        }
        out.println();
        out.println("directories with the most unused bytes (files directly inside):");
        if (r.directories().isEmpty()) {
            out.println("  (none)");
        }
        for (Directory d : r.directories().subList(0, Math.min(top, r.directories().size()))) {
            out.printf("%11s %7d  %s%n", size(d.bytes()), d.files().size(), q(d.path()));
        }
        if (r.directories().size() > top) {
            out.printf("  ... %d more directories (--top, --format json)%n", r.directories().size() - top);
        }
        out.println();
        if (r.packageManager() == null) {
            out.println("packages: no package database (dpkg or apk) in the image");
            return;
        }
        List<PackageUse> unused = r.unusedPackages();
        out.printf("unused packages (%s), candidates to drop: %d%n", q(r.packageManager()), unused.size());
        for (PackageUse p : unused.subList(0, Math.min(top, unused.size()))) {
            out.printf("%11s %7d  %s %s%n", size(p.bytes()), p.files(), q(p.name()), q(p.version()));
        }
        more(unused.size(), top, out);
        List<PackageUse> partly = r.partlyUsedPackages();
        out.println();
        out.printf("partly used packages: %d (unused bytes, used files of all)%n", partly.size());
        for (PackageUse p : partly.subList(0, Math.min(top, partly.size()))) {
            out.printf(Locale.ROOT, "%11s  %s %s: %d of %d files (%.1f%%), %s of %s used%n", size(p.bytes() - p.usedBytes()),
                    q(p.name()), q(p.version()), p.usedFiles(), p.files(), 100 * p.usedShare(), size(p.usedBytes()), size(p.bytes()));
        }
        more(partly.size(), top, out);
        out.println();
        out.printf("%d packages fully used, %d without files in the image%n", r.fullyUsedPackages(), r.packagesWithoutFiles());
    }

    private static String q(String name) {
        return QuotedPaths.quote(name);
    }

    private static void more(int size, int top, PrintWriter out) {
        if (size > top) {
            out.printf("  ... %d more (--top, --format json)%n", size - top);
        }
    }

    /** Bytes for people: 1023 B, 1.5 KiB, 12.3 MiB. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static void writeJson(UnusedResult r, Writer out) throws IOException {
        try (JsonGenerator json = ReportJson.prettyGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("image", r.image());
            json.writeStringField("format", r.format());
            if (r.imageDigest() != null) {
                json.writeStringField("image_digest", r.imageDigest());
            }
            json.writeNumberField("reports", r.reports());
            json.writeNumberField("used_in", r.usedIn());
            json.writeNumberField("image_files", r.imageFiles());
            json.writeNumberField("image_bytes", r.imageBytes());
            json.writeNumberField("kept_files", r.keptFiles());
            json.writeNumberField("kept_bytes", r.keptBytes());
            json.writeNumberField("unused_files", r.unusedFiles());
            json.writeNumberField("unused_bytes", r.unusedBytes());
            json.writeNumberField("unused_share", Math.round(r.unusedShare() * 10_000) / 10_000.0);
            json.writeNumberField("used_paths", r.usedPaths());
            json.writeNumberField("used_paths_not_in_image", r.usedNotInImage());
            json.writeArrayFieldStart("created_at_run_time");
            for (String p : r.createdAtRunTime()) {
                json.writeString(p);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("directories");
            for (Directory d : r.directories()) {
                json.writeStartObject();
                json.writeStringField("path", d.path());
                json.writeNumberField("unused_files", d.files().size());
                json.writeNumberField("unused_bytes", d.bytes());
                json.writeArrayFieldStart("files");
                for (UnusedFile f : d.files()) {
                    json.writeStartObject();
                    json.writeStringField("path", f.path());
                    json.writeStringField("type", f.type());
                    json.writeNumberField("size", f.size());
                    json.writeNumberField("bytes", f.bytes());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            writePackages(r, json);
            json.writeArrayFieldStart("keep_list");
            SortedPaths.Cursor cursor = r.keepList().cursor();
            while (cursor.next()) {
                ReportJson.writePath(json, cursor);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    private static void writePackages(UnusedResult r, JsonGenerator json) throws IOException {
        if (r.packageManager() == null) {
            json.writeNullField("packages");
            return;
        }
        json.writeObjectFieldStart("packages");
        json.writeStringField("manager", r.packageManager());
        json.writeNumberField("fully_used", r.fullyUsedPackages());
        json.writeNumberField("without_files", r.packagesWithoutFiles());
        json.writeArrayFieldStart("unused");
        for (PackageUse p : r.unusedPackages()) {
            json.writeStartObject();
            json.writeStringField("name", p.name());
            json.writeStringField("version", p.version());
            json.writeNumberField("files", p.files());
            json.writeNumberField("bytes", p.bytes());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("partly_used");
        for (PackageUse p : r.partlyUsedPackages()) {
            json.writeStartObject();
            json.writeStringField("name", p.name());
            json.writeStringField("version", p.version());
            json.writeNumberField("files", p.files());
            json.writeNumberField("used_files", p.usedFiles());
            json.writeNumberField("bytes", p.bytes());
            json.writeNumberField("used_bytes", p.usedBytes());
            json.writeNumberField("used_share", Math.round(p.usedShare() * 10_000) / 10_000.0);
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
