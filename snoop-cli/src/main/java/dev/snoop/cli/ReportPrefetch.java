package dev.snoop.cli;

import dev.snoop.core.report.Report;
import dev.snoop.core.report.ReportJson;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The two reports of a {@code snoop diff} command line, read from the start of {@code main} on
 * background threads while picocli builds its model: about 80 ms in which the second of two cores
 * is mostly idle, against the ~270 ms it takes to read and scan a 70 MB report. Only regular
 * files are read ahead (never standard input, a pipe or a device), by the same
 * {@link ReportJson#read(Path, java.util.function.Consumer)} the command would call; a report and
 * its warnings go once to the command that reads that path. A file that could not be read ahead
 * (any error), or that the command does not read, is left to the command's own read and its
 * messages.
 */
final class ReportPrefetch {
    private static final Map<Path, FutureTask<Read>> READS = new ConcurrentHashMap<>();

    /** A report read ahead, and the warnings its reading gave. */
    record Read(Report report, List<String> warnings) {}

    private ReportPrefetch() {}

    /** Starts reading the files a diff command line names; any other command line reads nothing ahead. */
    static void start(String... args) {
        if (args.length < 3 || !args[0].equals("diff")) {
            return;
        }
        boolean optionsEnded = false;
        for (int i = 1; i < args.length; i++) {
            if (!optionsEnded && (args[i].equals("--container") || args[i].equals("--format"))) {
                i++; // its value names no report
                continue;
            }
            if (args[i].equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (args[i].equals("-") || !optionsEnded && args[i].startsWith("-")) {
                continue; // standard input, or an option
            }
            Path path;
            try {
                path = Path.of(args[i]);
            } catch (InvalidPathException e) {
                continue;
            }
            // an option's value that names a regular file is read in vain, which costs time only
            if (READS.size() < 2 && Files.isRegularFile(path) && !READS.containsKey(path)) {
                FutureTask<Read> read = new FutureTask<>(() -> {
                    List<String> warnings = new ArrayList<>();
                    Report report = ReportJson.read(path, warnings::add);
                    return new Read(report, warnings);
                });
                READS.put(path, read);
                Thread thread = new Thread(read, "snoop-prefetch");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    /** The report at {@code path} if it is being read ahead, once the read has ended; else null. */
    static Read take(Path path) {
        FutureTask<Read> read = READS.remove(path);
        if (read == null) {
            return null;
        }
        try {
            return read.get();
        } catch (ExecutionException e) {
            return null; // the command reads the file itself and reports what is wrong
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
