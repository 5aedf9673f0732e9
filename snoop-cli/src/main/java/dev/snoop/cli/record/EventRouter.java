package dev.snoop.cli.record;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.snoop.bpf.EventKind;
import dev.snoop.bpf.FileEvent;
import dev.snoop.core.record.AccessKind;
import dev.snoop.core.record.Recording;
import dev.snoop.core.record.Recording.Identity;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.LongFunction;

/**
 * Turns each kernel event into a change of the {@link Recording}: finds the container, decides
 * whether the event names a file that exists, classifies the access, and adds what the kernel
 * opened without a syscall (the ELF interpreter of an executed binary).
 *
 * <p>A failed access with ENOENT or ENOTDIR proves only that a path does not exist, so it is
 * counted but not listed; any other result, failures such as EACCES included, shows the file is
 * there and matters to the program, so it is listed.
 */
final class EventRouter {
    private static final int ENOENT = 2;
    private static final int EFAULT = 14;
    private static final int ENOTDIR = 20;
    private static final int ENAMETOOLONG = 36;

    private final Recording recording;
    private final LongFunction<Identity> containers;
    private final BiFunction<Integer, String, Optional<String>> interpreterOf;
    /** (container, executable) -> interpreter: the same binary is run again and again */
    private final Cache<String, Optional<String>> interpreters =
            Caffeine.newBuilder().maximumSize(4096).build();
    /** container name -> a recent pid in it, to read files through when an exec'd process is gone */
    private final java.util.Map<String, Integer> recentPid = new java.util.HashMap<>();
    private long unattributed;

    /**
     * @param containers the container of a container cgroup id, or null for one that is not traced
     * @param interpreterOf (pid, path in the container) -> the ELF interpreter of that file
     */
    EventRouter(Recording recording, LongFunction<Identity> containers,
            BiFunction<Integer, String, Optional<String>> interpreterOf) {
        this.recording = recording;
        this.containers = containers;
        this.interpreterOf = interpreterOf;
    }

    /** Reads the interpreter through the process's own root, so the container's view is used. */
    static Optional<String> interpreterInProcRoot(int pid, String path) {
        return ElfInterpreter.of(Path.of("/proc", Integer.toString(pid), "root", path.substring(1)));
    }

    void accept(FileEvent event) {
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
        if (event.dirUnresolved()) {
            recording.countUnresolved(container);
            return;
        }
        if (event.result() == -ENOENT || event.result() == -ENOTDIR) {
            return;
        }
        String path = event.absolutePath();
        if (path.isEmpty()) {
            return;
        }
        Integer previous = recentPid.put(container.name(), event.pid());
        int access = accessOf(event);
        Recording.Outcome outcome = recording.record(container, path, null, access);
        if (outcome == Recording.Outcome.NEW && access == AccessKind.EXEC.bit() && event.kind() != EventKind.EXEC_INTERP) {
            addElfInterpreter(container, event.pid(), previous, path);
        }
    }

    /** Events that named no traced container since the start. */
    long unattributed() {
        return unattributed;
    }

    private void addElfInterpreter(Identity container, int pid, Integer otherPid, String path) {
        Optional<String> interpreter = interpreters.get(container.name() + '\0' + path, k -> {
            Optional<String> found = interpreterOf.apply(pid, path);
            // a short-lived process may be gone already: its container's root is still there
            return found.isEmpty() && otherPid != null && otherPid != pid ? interpreterOf.apply(otherPid, path) : found;
        });
        interpreter.ifPresent(interp -> recording.record(container, interp, null, AccessKind.EXEC.bit()));
    }

    static int accessOf(FileEvent event) {
        return switch (event.kind()) {
            case OPEN, OPENAT, OPENAT2, CREAT ->
                    event.isDirectory() ? AccessKind.DIRECTORY.bit() : AccessKind.OPEN.bit();
            case EXECVE, EXECVEAT, EXEC_FILENAME, EXEC_FILE, EXEC_INTERP -> AccessKind.EXEC.bit();
            case STAT, LSTAT, NEWFSTATAT, STATX, ACCESS, FACCESSAT, FACCESSAT2, READLINK, READLINKAT ->
                    AccessKind.METADATA.bit();
        };
    }
}
