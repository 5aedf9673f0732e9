package dev.snoop.bpf.internal;

import jnr.ffi.types.size_t;

/**
 * glibc's allocator, apart from {@link LibC} because other C libraries (musl) lack it: loading it
 * may fail, and then nothing is trimmed.
 */
public interface GlibcMalloc {

    /**
     * Gives the free memory of every arena back to the kernel, whole pages in the middle of an
     * arena too (glibc 2.8 and later), not only what lies at the top of the main heap; 1 if any
     * was given back.
     */
    int malloc_trim(@size_t long pad);
}
