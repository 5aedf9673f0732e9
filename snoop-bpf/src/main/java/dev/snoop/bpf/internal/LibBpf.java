package dev.snoop.bpf.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.NativeLongByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.u_int32_t;

/**
 * The libbpf calls snoop uses, named as in C ({@code libbpf.so.1}, libbpf 1.0 or newer). In 1.x
 * pointer-returning calls give NULL and set errno, int-returning ones give {@code -errno}; every
 * call saves errno so a caller can read it with {@code Runtime.getLastError()}.
 *
 * <p>Public only because jnr-ffi generates the implementation in another class loader; nothing
 * outside {@code dev.snoop.bpf} uses it.
 */
@SaveError
public interface LibBpf {

    /** {@code int (*libbpf_print_fn_t)(enum libbpf_print_level, const char *, va_list)}. */
    interface PrintFn {
        @Delegate
        int print(int level, Pointer format, Pointer args);
    }

    /** {@code int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size)}. */
    interface SampleFn {
        @Delegate
        int sample(Pointer ctx, Pointer data, @size_t long size);
    }

    Pointer libbpf_set_print(PrintFn fn);

    int libbpf_strerror(int err, @Out byte[] buf, @size_t long size);

    int libbpf_num_possible_cpus();

    @u_int32_t int libbpf_major_version();

    @u_int32_t int libbpf_minor_version();

    /** 1 if the kernel has the helper for the program type, 0 if not, {@code -errno} if it cannot tell. */
    int libbpf_probe_bpf_helper(int progType, int helperId, Pointer opts);

    /** 1 if the kernel has the map type, 0 if not, {@code -errno} if it cannot tell. */
    int libbpf_probe_bpf_map_type(int mapType, Pointer opts);

    Pointer bpf_object__open_mem(Pointer objBuf, @size_t long objBufSize, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    Pointer bpf_object__btf(Pointer obj);

    /** The program after prev (null: the first), null after the last. */
    Pointer bpf_object__next_program(Pointer obj, Pointer prev);

    String bpf_program__name(Pointer prog);

    /** Its ELF section, the SEC() that says how it attaches ("fexit/__arm64_sys_openat"). */
    String bpf_program__section_name(Pointer prog);

    int bpf_map__fd(Pointer map);

    int bpf_map__set_max_entries(Pointer map, @u_int32_t int maxEntries);

    @u_int32_t int bpf_map__max_entries(Pointer map);

    Pointer bpf_map__initial_value(Pointer map, @Out NativeLongByReference size);

    int bpf_map_update_elem(int fd, @In byte[] key, @In byte[] value, long flags);

    int bpf_map_lookup_elem(int fd, @In byte[] key, @Out byte[] value);

    int bpf_map_delete_elem(int fd, @In byte[] key);

    /** With a null key, the first key; -ENOENT after the last. */
    int bpf_map_get_next_key(int fd, @In byte[] key, @Out byte[] nextKey);

    Pointer bpf_program__attach(Pointer prog);

    /** Before load: false leaves the program out of the load (and its attach target unresolved). */
    int bpf_program__set_autoload(Pointer prog, boolean autoload);

    /** The running kernel's BTF ({@code /sys/kernel/btf/vmlinux}), NULL with errno when absent. */
    Pointer btf__load_vmlinux_btf();

    void btf__free(Pointer btf);

    int bpf_link__destroy(Pointer link);

    int btf__find_by_name_kind(Pointer btf, String name, @u_int32_t int kind);

    Pointer btf__type_by_id(Pointer btf, @u_int32_t int id);

    String btf__name_by_offset(Pointer btf, @u_int32_t int offset);

    Pointer ring_buffer__new(int mapFd, SampleFn sampleCb, Pointer ctx, Pointer opts);

    int ring_buffer__poll(Pointer rb, int timeoutMs);

    int ring_buffer__consume(Pointer rb);

    void ring_buffer__free(Pointer rb);
}
