package dev.snoop.bpf;

import dev.snoop.bpf.internal.GlibcMalloc;
import dev.snoop.bpf.internal.LibBpf;
import dev.snoop.bpf.internal.LibC;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The loaded {@code libbpf.so.1} and libc, and the one place where their error conventions
 * become {@link BpfException}s. Loaded once per JVM; libbpf's log goes to the
 * {@code dev.snoop.bpf.libbpf} logger at DEBUG (its warnings) and TRACE (its debug lines).
 */
final class NativeLibs {

    private static final System.Logger LIBBPF_LOG = System.getLogger("dev.snoop.bpf.libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_DEBUG = 2;
    /** Longer log records (a whole verifier log) are cut: a va_list can be formatted only once. */
    private static final int LOG_LINE_MAX = 64 * 1024;

    private static NativeLibs instance;

    final LibBpf bpf;
    private final LibC libc;
    /** null where the C library is not glibc */
    private final GlibcMalloc malloc;
    private final Runtime runtime;
    /** Strongly held: libbpf keeps the function pointer for the life of the process. */
    private final LibBpf.PrintFn printFn;
    private volatile String lastWarning = "";

    private NativeLibs(LibBpf bpf, LibC libc, GlibcMalloc malloc) {
        this.bpf = bpf;
        this.libc = libc;
        this.malloc = malloc;
        this.runtime = Runtime.getRuntime(bpf);
        this.printFn = this::print;
        bpf.libbpf_set_print(printFn);
    }

    /** libbpf and libc, loaded on first use. */
    static synchronized NativeLibs get() {
        if (instance == null) {
            LibBpf bpf;
            try {
                bpf = LibraryLoader.create(LibBpf.class).failImmediately().load("libbpf.so.1");
            } catch (UnsatisfiedLinkError e) {
                throw new BpfException("libbpf.so.1 not found: install libbpf1 (libbpf >= 1.0)");
            }
            LibC libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
            instance = new NativeLibs(bpf, libc, glibcMalloc());
        }
        return instance;
    }

    private static GlibcMalloc glibcMalloc() {
        try {
            return LibraryLoader.create(GlibcMalloc.class).failImmediately().load("c");
        } catch (UnsatisfiedLinkError e) {
            return null; // not glibc: its allocator keeps what it keeps
        }
    }

    /**
     * Hands the native memory glibc holds free back to the kernel. libbpf parses the kernel's BTF
     * (several MB) for each load and frees it after, but glibc keeps the freed blocks, spread
     * through its heaps where its trim threshold never reaches them: at 100K files that was 0 to
     * 13 MB of the recorder's working set, by the luck of where they lay (docs/performance.md,
     * Memory limit). {@code malloc_trim} takes some microseconds per MB of heap.
     */
    void trimNativeHeap() {
        if (malloc != null) {
            malloc.malloc_trim(0);
        }
    }

    /** Whether {@link #trimNativeHeap} does anything here (glibc). */
    boolean canTrimNativeHeap() {
        return malloc != null;
    }

    Runtime runtime() {
        return runtime;
    }

    /** {@code size} bytes of native memory, until {@link #free}. */
    Pointer allocate(long size) {
        return checkPointer(libc.malloc(size), "failed to allocate " + size + " bytes");
    }

    void free(Pointer memory) {
        libc.free(memory);
    }

    /** The errno the last call on this thread left behind. */
    int lastErrno() {
        return runtime.getLastError();
    }

    /** For a call returning {@code -errno}: throws unless {@code ret >= 0}, else returns it. */
    int check(int ret, String what) {
        if (ret < 0) {
            throw failure(what, -ret);
        }
        return ret;
    }

    /** For a call returning NULL and setting errno: throws on NULL. */
    Pointer checkPointer(Pointer p, String what) {
        if (p == null || p.address() == 0) {
            int errno = lastErrno();
            throw failure(what, errno == 0 ? Errno.ENOENT : errno);
        }
        return p;
    }

    BpfException failure(String what, int errno) {
        String warning = lastWarning;
        String cause = warning.isEmpty() || errno == Errno.EPERM ? "" : " [libbpf: " + warning + "]";
        return new BpfException(what + ": " + strerror(errno) + " (" + Errno.name(errno) + ")"
                + Errno.hint(errno) + cause, errno);
    }

    /** libbpf's text for an errno, which also knows its own LIBBPF_ERRNO__* codes. */
    String strerror(int errno) {
        byte[] buf = new byte[128];
        bpf.libbpf_strerror(errno, buf, buf.length);
        return cString(buf);
    }

    /** Clears the last libbpf warning, so a failure quotes only what happened since. */
    void clearWarning() {
        lastWarning = "";
    }

    private int print(int level, Pointer format, Pointer args) {
        try {
            Level to = level >= LIBBPF_DEBUG ? Level.TRACE : Level.DEBUG;
            boolean keep = level == LIBBPF_WARN;
            if (!keep && !LIBBPF_LOG.isLoggable(to)) {
                return 0;
            }
            byte[] buf = new byte[LOG_LINE_MAX];
            libc.vsnprintf(buf, buf.length, format, args);
            String line = cString(buf).strip();
            if (keep && !line.isEmpty()) {
                /* the first line of a multi-line warning (a verifier log) says what failed */
                int nl = line.indexOf('\n');
                lastWarning = nl < 0 ? line : line.substring(0, nl);
            }
            LIBBPF_LOG.log(to, line);
        } catch (Throwable t) {
            /* never unwind into libbpf */
        }
        return 0;
    }

    static String cString(byte[] buf) {
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }
}
