package dev.snoop.bpf.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;

/**
 * The libc calls needed: formatting libbpf's log lines, which arrive as a format and a va_list, and
 * memory for the ELF image that is given back as soon as libbpf is done with it.
 */
public interface LibC {

    Pointer malloc(@size_t long size);

    void free(Pointer ptr);

    /**
     * On x86-64 a {@code va_list} parameter is a pointer to the caller's {@code __va_list_tag};
     * on arm64 it is a 32-byte struct, which AAPCS64 passes as a pointer to a copy: either way
     * the one libbpf hands to its print callback can be passed on as a plain pointer.
     */
    int vsnprintf(@Out byte[] buf, @size_t long size, Pointer format, Pointer args);
}
