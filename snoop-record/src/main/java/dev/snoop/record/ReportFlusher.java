package dev.snoop.record;

import dev.snoop.core.SnoopException;
import dev.snoop.core.record.Recording;
import dev.snoop.core.report.ReportJson;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the recording's report atomically. A failed write (a full disk, a read-only volume) is
 * counted and logged and the recording goes on: the previous report stays whole, and the next
 * interval tries again.
 */
final class ReportFlusher {
    private final Path target;
    private final Recording recording;
    private final Log log;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean lastWriteSucceeded = true;
    /** Told the file count of each report written (the delivery to snoop serve), or nothing. */
    private volatile java.util.function.LongConsumer onWritten = files -> {};

    ReportFlusher(Path target, Recording recording, Log log) {
        this.target = target;
        this.recording = recording;
        this.log = log;
    }

    /** Writes a snapshot; true if it is on disk. */
    boolean write() {
        try {
            var snapshot = recording.snapshot();
            ReportJson.write(snapshot, target);
            writes.incrementAndGet();
            onWritten.accept(snapshot.fileCount());
            if (!lastWriteSucceeded) {
                log.info("report written again", "report", target);
            }
            lastWriteSucceeded = true;
            return true;
        } catch (SnoopException e) {
            failures.incrementAndGet();
            lastWriteSucceeded = false;
            log.error("report not written; the previous one is kept", "report", target, "error", e.getMessage());
            return false;
        }
    }

    void onWritten(java.util.function.LongConsumer listener) {
        this.onWritten = listener;
    }

    long writes() {
        return writes.get();
    }

    long failures() {
        return failures.get();
    }

    boolean lastWriteSucceeded() {
        return lastWriteSucceeded;
    }
}
