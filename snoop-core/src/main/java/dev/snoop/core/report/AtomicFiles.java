package dev.snoop.core.report;

import dev.snoop.core.SnoopException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Replaces a file atomically: write a temporary file in the same directory, fsync it, rename it
 * over the target, fsync the directory. A crash or a full disk leaves the previous file whole.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Writes {@code target} with what {@code content} writes to the stream it is given.
     *
     * @throws SnoopException naming {@code target} if any step fails; the temporary file is removed
     */
    public static void write(Path target, Consumer<OutputStream> content) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (Files.isDirectory(absolute)) {
            throw new SnoopException("cannot write " + target + ": is a directory");
        }
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.accept(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            syncDirectory(dir);
        } catch (UncheckedIOException e) {
            throw failure(target, e.getCause());
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
        }
    }

    /**
     * Removes the temporary files that writes of {@code target} left behind when the process was
     * killed mid-write ({@code kill -9}, the OOM killer): {@code .NAME.DIGITS.tmp} beside it, the
     * names {@link #write} makes, and nothing else, so the temporaries of other targets in the
     * same directory and files that only look alike stay. Call it before the first write, while
     * no other writer of the same target runs.
     *
     * @return the names removed
     * @throws SnoopException naming the file that could not be removed
     */
    public static java.util.List<String> removeStaleTemporaries(Path target) {
        Path absolute = target.toAbsolutePath();
        String prefix = "." + absolute.getFileName() + ".";
        java.util.List<String> removed = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(absolute.getParent())) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(".tmp")
                        && name.substring(prefix.length(), name.length() - ".tmp".length()).matches("[0-9]+")
                        && Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(file);
                    removed.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return removed; // no directory, so nothing left behind
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new SnoopException("cannot remove stale temporary files of " + target + ": " + e.getMessage(), e);
        }
        return removed;
    }

    private static void syncDirectory(Path dir) {
        // makes the rename itself durable; some filesystems refuse to open a directory, which is fine
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: the data is already on disk
        }
    }

    private static SnoopException failure(Path target, IOException e) {
        String reason;
        if (e instanceof NoSuchFileException) {
            reason = "directory does not exist";
        } else if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof FileSystemException fs && fs.getReason() != null) {
            reason = fs.getReason(); // the message would name the temporary file
        } else {
            reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return new SnoopException("cannot write " + target + ": " + reason, e);
    }
}
