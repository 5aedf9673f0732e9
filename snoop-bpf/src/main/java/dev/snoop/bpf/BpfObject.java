package dev.snoop.bpf;

import java.util.LinkedHashMap;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.NativeLongByReference;

/**
 * A libbpf {@code bpf_object} opened from memory: the steps before load (config, map sizes),
 * load, and the maps and programs after. Not thread-safe; {@link BpfRecorder} serializes.
 */
final class BpfObject implements AutoCloseable {

    /** sizeof(struct bpf_object_open_opts) in libbpf 1.1; libbpf accepts older, smaller sizes. */
    private static final int OPEN_OPTS_SIZE = 80;
    private static final int OPEN_OPTS_OBJECT_NAME = 8;
    private static final int BTF_KIND_DATASEC = 15;
    /** struct btf_type: name_off, info, size; then vlen struct btf_var_secinfo {type, offset, size} */
    private static final int BTF_TYPE_SIZE = 12;
    private static final int BTF_SECINFO_SIZE = 12;

    private final NativeLibs libs;
    /**
     * libbpf reads the ELF image from this buffer until load (1.x is done with it at the end of
     * open already), then keeps copies of what it needs: given back after load, not held for the
     * object's life (1.2 MB of the sidecar's memory for nothing). Null once given back.
     */
    private Pointer image;
    private final Pointer opts;
    private Pointer obj;
    private final Map<String, Pointer> links = new LinkedHashMap<>();

    private BpfObject(NativeLibs libs, Pointer image, Pointer opts, Pointer obj) {
        this.libs = libs;
        this.image = image;
        this.opts = opts;
        this.obj = obj;
    }

    static BpfObject open(NativeLibs libs, byte[] elf, String name) {
        jnr.ffi.Runtime rt = libs.runtime();
        Pointer image = libs.allocate(elf.length);
        image.put(0, elf, 0, elf.length);
        Pointer opts = Memory.allocateDirect(rt, OPEN_OPTS_SIZE + name.length() + 1, true);
        opts.putLong(0, OPEN_OPTS_SIZE);
        /* the name string lives right after the struct, in the same allocation */
        opts.putString(OPEN_OPTS_SIZE, name, name.length() + 1, java.nio.charset.StandardCharsets.US_ASCII);
        opts.putAddress(OPEN_OPTS_OBJECT_NAME, opts.address() + OPEN_OPTS_SIZE);
        libs.clearWarning();
        Pointer obj;
        try {
            obj = libs.checkPointer(libs.bpf.bpf_object__open_mem(image, elf.length, opts),
                    "failed to open the BPF object " + name);
        } catch (RuntimeException e) {
            libs.free(image);
            throw e;
        }
        return new BpfObject(libs, image, opts, obj);
    }

    private Pointer mapPointer(String name) {
        return libs.checkPointer(libs.bpf.bpf_object__find_map_by_name(obj, name),
                "the BPF object has no map " + name);
    }

    /** Before load: the map's size. */
    void setMaxEntries(String map, int maxEntries) {
        libs.check(libs.bpf.bpf_map__set_max_entries(mapPointer(map), maxEntries),
                "failed to size map " + map + " to " + maxEntries);
    }

    int maxEntries(String map) {
        return libs.bpf.bpf_map__max_entries(mapPointer(map));
    }

    /**
     * Before load: sets a {@code const volatile} global. Its offset in .rodata comes from the
     * object's BTF (the compiler may lay globals out in any order).
     */
    void setRodata(String variable, byte[] value) {
        Pointer rodata = mapPointer(".rodata");
        NativeLongByReference size = new NativeLongByReference();
        Pointer data = libs.checkPointer(libs.bpf.bpf_map__initial_value(rodata, size),
                "the BPF object's .rodata has no initial value");
        Pointer btf = libs.checkPointer(libs.bpf.bpf_object__btf(obj), "the BPF object has no BTF");
        int sec = libs.check(libs.bpf.btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC),
                "the BPF object's BTF has no .rodata section");
        Pointer type = libs.bpf.btf__type_by_id(btf, sec);
        int vlen = type.getInt(4) & 0xffff;
        for (int i = 0; i < vlen; i++) {
            long at = BTF_TYPE_SIZE + (long) i * BTF_SECINFO_SIZE;
            Pointer var = libs.bpf.btf__type_by_id(btf, type.getInt(at));
            if (variable.equals(libs.bpf.btf__name_by_offset(btf, var.getInt(0)))) {
                int offset = type.getInt(at + 4);
                int varSize = type.getInt(at + 8);
                if (varSize != value.length || offset + varSize > size.longValue()) {
                    throw new BpfException("BPF config " + variable + " is " + varSize
                            + " bytes, not " + value.length);
                }
                data.put(offset, value, 0, value.length);
                return;
            }
        }
        throw new BpfException("the BPF object has no config variable " + variable);
    }

    void load() {
        libs.clearWarning();
        try {
            libs.check(libs.bpf.bpf_object__load(obj), "failed to load the BPF object into the kernel");
        } finally {
            freeImage(); // a load is done with the ELF whether it succeeded or not, and there is only one
        }
    }

    private void freeImage() {
        if (image != null) {
            libs.free(image);
            image = null;
        }
    }

    BpfMap map(String name) {
        int fd = libs.check(libs.bpf.bpf_map__fd(mapPointer(name)), "map " + name + " has no fd");
        return new BpfMap(libs, name, fd);
    }

    /** Before load: leaves a program out of the load. */
    void setAutoload(String program, boolean autoload) {
        Pointer prog = libs.checkPointer(libs.bpf.bpf_object__find_program_by_name(obj, program),
                "the BPF object has no program " + program);
        libs.check(libs.bpf.bpf_program__set_autoload(prog, autoload), "failed to set autoload of " + program);
    }

    /** Every program in the object, by name, with the section that says how it attaches. */
    Map<String, String> programSections() {
        Map<String, String> sections = new LinkedHashMap<>();
        for (Pointer p = libs.bpf.bpf_object__next_program(obj, null); p != null && p.address() != 0;
                p = libs.bpf.bpf_object__next_program(obj, p)) {
            sections.put(libs.bpf.bpf_program__name(p), libs.bpf.bpf_program__section_name(p));
        }
        return sections;
    }

    /** Attaches one program as its SEC() says; keeps the link until {@link #close()}. */
    void attach(String program) {
        Pointer prog = libs.checkPointer(libs.bpf.bpf_object__find_program_by_name(obj, program),
                "the BPF object has no program " + program);
        libs.clearWarning();
        Pointer link = libs.checkPointer(libs.bpf.bpf_program__attach(prog), "failed to attach " + program);
        links.put(program, link);
    }

    /** Detaches every program, then unloads the object (its maps go with their last fd). */
    @Override
    public void close() {
        for (Pointer link : links.values()) {
            libs.bpf.bpf_link__destroy(link);
        }
        links.clear();
        if (obj != null) {
            libs.bpf.bpf_object__close(obj);
            obj = null;
        }
        freeImage(); // if load was never called
    }
}
