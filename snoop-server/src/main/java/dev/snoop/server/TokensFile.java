package dev.snoop.server;

import dev.snoop.core.SnoopException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The tokens file, re-read when it changes: {@link #check} (called once a second) compares its
 * modification time, size and file key (a Kubernetes Secret's update swaps a symlink, so the key
 * changes) with those of the version read; {@link #reload} (SIGHUP) re-reads it whatever they say.
 * A new version that cannot be read keeps the tokens in use and logs one line, once for that
 * version: a half-written file never locks every sidecar out.
 */
final class TokensFile {
    /** What tells one version of the file from another. */
    private record Stamp(FileTime modified, long size, Object fileKey) {}

    private final Path file;
    private final Consumer<String> log;
    private volatile Tokens current;
    /** The version in use, or the last one that failed (not tried again until it changes). */
    private Stamp seen;

    /** @param initial the tokens already read from {@code file}, at start */
    TokensFile(Path file, Tokens initial, Consumer<String> log) {
        this.file = file;
        this.log = log;
        this.current = initial;
        this.seen = stamp();
    }

    Tokens current() {
        return current;
    }

    /** Re-reads the file if it changed since it was last read or tried. */
    synchronized void check() {
        Stamp now = stamp();
        if (!Objects.equals(now, seen)) {
            read(now, "changed");
        }
    }

    /** Re-reads the file, changed or not (SIGHUP). */
    synchronized void reload() {
        read(stamp(), "reload asked");
    }

    private void read(Stamp stamp, String why) {
        seen = stamp;
        Tokens tokens;
        try {
            tokens = Tokens.load(file);
        } catch (SnoopException e) {
            // the message names the file and line, never a token
            log.accept("snoop serve: " + e.getMessage() + "; keeping the " + current.size() + " token(s) read before");
            return;
        }
        current = tokens;
        log.accept("snoop serve: " + file + " re-read (" + why + "): " + tokens.size() + " token(s)");
    }

    /** The file's stamp, or null while it cannot be read. */
    private Stamp stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (IOException e) {
            return null;
        }
    }
}
