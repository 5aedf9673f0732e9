package dev.snoop.record;

import dev.snoop.bpf.EventKind;
import dev.snoop.bpf.FileEvent;
import dev.snoop.core.report.AccessKind;
import dev.snoop.core.record.Recording;
import dev.snoop.core.record.Recording.Identity;
import java.util.function.LongFunction;

/**
 * Turns each kernel event into a change of the {@link Recording}: finds the container, decides
 * whether the event names a file that exists, and classifies the access.
 *
 * <p>A failed access with ENOENT, ENOTDIR or ENAMETOOLONG proves only that a path does not exist,
 * so it is counted but not listed; any other result, failures such as EACCES included, shows the file is
 * there and matters to the program, so it is listed.
 */
final class EventRouter {
    private static final int ENOENT = 2;
    private static final int EBADF = 9;
    private static final int EFAULT = 14;
    private static final int ENOTDIR = 20;
    private static final int ENAMETOOLONG = 36;

    private final Recording recording;
    private final LongFunction<Identity> containers;
    private final java.util.function.BiConsumer<Long, String> announce;
    private volatile long unattributed; // written by the poller only

    private final Log log;

    EventRouter(Recording recording, ContainerDirectory directory, Log log) {
        this(recording, directory::identityOf, directory::announce, log);
    }

    /**
     * @param containers the identity of a container cgroup id, null for a cgroup of no container
     * @param announce told the cgroup path the kernel gave for a container id
     */
    EventRouter(Recording recording, LongFunction<Identity> containers,
            java.util.function.BiConsumer<Long, String> announce, Log log) {
        this.recording = recording;
        this.containers = containers;
        this.announce = announce;
        this.log = log;
    }

    void accept(FileEvent event) {
        if (event.kind() == EventKind.CGROUP) {
            // the kernel names a container's cgroup while it exists, which a lookup later cannot
            announce.accept(event.containerCgroupId(), event.directory());
            return;
        }
        Identity container = containers.apply(event.containerCgroupId());
        if (container == null) {
            unattributed++; // a process in the pod's own cgroup, or a container already gone
            return;
        }
        if (event.pathFault() || event.pathTooLong()) {
            // a bad pointer the syscall itself refused accessed nothing; anything else was missed
            if (event.result() != -EFAULT && event.result() != -ENAMETOOLONG) {
                recording.countFailedPathRead(container);
            }
            return;
        }
        if (event.pseudoFile() || event.dirUnresolved() && event.result() == -EBADF) {
            return; // fstat() of a pipe or socket, or of no file at all: nothing on disk
        }
        if (event.dirUnresolved()) {
            recording.countUnresolved(container);
            return;
        }
        if (event.result() == -ENOENT || event.result() == -ENOTDIR || event.result() == -ENAMETOOLONG) {
            return; // a name too long (a component over NAME_MAX) names no file, and readers refuse it
        }
        Recording.Outcome outcome;
        if (event.nameIsAbsolute()) {
            outcome = recording.record(container, event.pathBytes(), accessOf(event)); // no String per event
        } else {
            String path = event.absolutePath();
            if (path.isEmpty()) {
                return;
            }
            outcome = recording.record(container, path, null, accessOf(event));
        }
        if (outcome == Recording.Outcome.NEW && log.enabled(Log.Level.DEBUG)) {
            log.debug("new file", "container", container.name(), "path", event.absolutePath(), "kind", event.kind(),
                    "pid", event.pid(), "result", event.result(), "flags", event.flags());
        }
    }

    /** Events that named no traced container since the start. */
    long unattributed() {
        return unattributed;
    }

    static int accessOf(FileEvent event) {
        return switch (event.kind()) {
            case OPEN, OPENAT, OPENAT2, CREAT ->
                    event.isDirectory() ? AccessKind.DIRECTORY.bit() : AccessKind.OPEN.bit();
            case CGROUP -> 0;
            case EXECVE, EXECVEAT, EXEC_FILENAME, EXEC_FILE, EXEC_INTERP, EXEC_ELF_INTERP -> AccessKind.EXEC.bit();
            case STAT, LSTAT, NEWFSTATAT, STATX, ACCESS, FACCESSAT, FACCESSAT2, READLINK, READLINKAT ->
                    AccessKind.METADATA.bit();
        };
    }
}
