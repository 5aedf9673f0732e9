package dev.snoop.bpf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One file access reported by the kernel. Paths are kept as the kernel's bytes (Linux names are
 * bytes, not text); {@link #path()} and {@link #absolutePath()} decode them as UTF-8.
 *
 * @param containerCgroupId the container's cgroup id (see {@link RootMode}), not the task's own
 * @param ino inode of the opened or exec'd file, 0 when unknown
 * @param pid the process (tgid)
 * @param tid the thread
 * @param flags {@code SNOOP_F_*}; use the predicates
 * @param result the syscall's return: an fd, 0, or {@code -errno}
 * @param dirfd the dirfd argument, -100 (AT_FDCWD) when there is none
 * @param openFlags the {@code O_*} flags of an open, 0 otherwise
 * @param pathBytes the name as given, no NUL; empty when it could not be read whole
 * @param dirChainBytes for a relative name, the directory it is relative to: NUL-terminated names
 *     from the innermost directory up to the task's root
 */
public record FileEvent(long containerCgroupId, long ino, int pid, int tid, EventKind kind,
                        int flags, int result, int dirfd, int openFlags, byte[] pathBytes,
                        byte[] dirChainBytes) {

    public FileEvent {
        Objects.requireNonNull(kind, "kind");
        pathBytes = pathBytes.clone();
        dirChainBytes = dirChainBytes.clone();
    }

    @Override
    public byte[] pathBytes() {
        return pathBytes.clone();
    }

    @Override
    public byte[] dirChainBytes() {
        return dirChainBytes.clone();
    }

    /** The name as the process gave it, decoded as UTF-8. */
    public String path() {
        return new String(pathBytes, StandardCharsets.UTF_8);
    }

    /** The directory names of a relative name, innermost first; empty for the root itself. */
    public List<String> directoryChain() {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < dirChainBytes.length; i++) {
            if (dirChainBytes[i] == 0) {
                names.add(new String(dirChainBytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return List.copyOf(names);
    }

    /** The directory chain as a path from the task's root, e.g. {@code "/usr/lib"}; {@code "/"} for an empty chain. */
    public String directory() {
        List<String> chain = new ArrayList<>(directoryChain());
        java.util.Collections.reverse(chain);
        return "/" + String.join("/", chain);
    }

    /**
     * The path as the container sees it: {@code "/" + reverse(chain).join("/") + "/" + path} for
     * a relative name, the directory itself for an AT_EMPTY_PATH access or an exec'd file, the
     * path unchanged otherwise (also when its directory was not resolved). Not normalized:
     * {@code ..} and {@code .} stay.
     */
    public String absolutePath() {
        boolean relative = (flags & Wire.F_RELATIVE) != 0;
        boolean empty = (flags & Wire.F_EMPTY_PATH) != 0;
        if ((!relative && !empty) || dirUnresolved()) {
            return path();
        }
        String dir = directory();
        if (empty || pathBytes.length == 0) {
            return dir;
        }
        return dir.endsWith("/") ? dir + path() : dir + "/" + path();
    }

    /**
     * True when the name itself is the absolute path ({@link #absolutePath()} only decodes it):
     * neither relative to a directory nor an AT_EMPTY_PATH access. Lets a consumer take
     * {@link #pathBytes()} as they are, without building Strings.
     */
    public boolean nameIsAbsolute() {
        return (flags & (Wire.F_RELATIVE | Wire.F_EMPTY_PATH)) == 0 && pathBytes.length > 0 && pathBytes[0] == '/';
    }

    /** The name could not be read from the process's memory. */
    public boolean pathFault() {
        return (flags & Wire.F_PATH_FAULT) != 0;
    }

    /** The name was longer than PATH_MAX. */
    public boolean pathTooLong() {
        return (flags & Wire.F_PATH_TOO_LONG) != 0;
    }

    /** A relative name whose directory could not be walked to the root. */
    public boolean dirUnresolved() {
        return (flags & Wire.F_DIR_UNRESOLVED) != 0;
    }

    /** The opened file is a directory. */
    /** The fd named a pipe, socket, memfd or other file of a kernel-internal mount: no path. */
    public boolean pseudoFile() {
        return (flags & Wire.F_PSEUDO) != 0;
    }

    public boolean isDirectory() {
        return (flags & Wire.F_DIRECTORY) != 0;
    }

    /** The syscall failed ({@link #result()} is {@code -errno}). */
    public boolean failed() {
        return result < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileEvent e
                && containerCgroupId == e.containerCgroupId && ino == e.ino && pid == e.pid
                && tid == e.tid && kind == e.kind && flags == e.flags && result == e.result
                && dirfd == e.dirfd && openFlags == e.openFlags
                && Arrays.equals(pathBytes, e.pathBytes)
                && Arrays.equals(dirChainBytes, e.dirChainBytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(containerCgroupId, ino, pid, tid, kind, flags, result, dirfd, openFlags,
                Arrays.hashCode(pathBytes), Arrays.hashCode(dirChainBytes));
    }

    @Override
    public String toString() {
        return "FileEvent[" + kind + " " + absolutePath() + " result=" + result + " flags=0x"
                + Integer.toHexString(flags) + " container=" + containerCgroupId + " pid=" + pid
                + " tid=" + tid + " ino=" + ino + "]";
    }
}
