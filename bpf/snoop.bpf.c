// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * snoop: every file a traced cgroup tries to reach, deduplicated in the kernel.
 *
 * Attach type: per traced syscall, fexit or the syscalls/sys_exit_*
 * tracepoints, else tp_btf on the raw sys_enter/sys_exit tracepoints (see
 * "Attachment" below); tp_btf on sched_process_exec in every case.
 *
 * Kernel: 5.17+ (tp_btf, ring buffer, bpf_loop) with BTF. x86-64 and arm64,
 * one object each (-D__TARGET_ARCH_x86 / _arm64): the syscall numbers, the
 * syscall functions' names and the 32-bit task test differ, the rest is one.
 *
 * Two program sets from this one source (see README.md): the default build
 * ("modern") uses bpf_loop, bpf_find_vma, bpf_get_current_task_btf and
 * bpf_task_pt_regs; -DSNOOP_LEGACY=1 builds snoop-legacy.bpf.o (x86-64) for
 * kernels without them (5.10, 5.15): the loops are bounded for loops whose state
 * lives in the per-CPU scratch map value, so the old verifier sees the same state
 * at every iteration's branches and prunes them (a register or stack copy of a
 * length or a pointer differs per path and multiplies the paths instead).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "snoop.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef SNOOP_LEGACY
#define SNOOP_LEGACY 0
#endif

#if SNOOP_LEGACY
/* bpf_get_current_task_btf() is 5.11: the task as a plain pointer, read with BPF_CORE_READ */
#define current_task() ((struct task_struct *)bpf_get_current_task())
/* a field of the task (one level, no pointer followed) */
#define TASK_FIELD(task, field) BPF_CORE_READ(task, field)
/* a step of a bounded loop is inlined: the verifier walks each iteration, state in map memory */
#define STEP_FN static __always_inline long
/* the compiler must not keep loop state in registers across iterations */
#define loop_barrier() asm volatile("" ::: "memory")
#define LOOP(n, step, c)								\
	do {										\
		__u32 i_;								\
		_Pragma("clang loop unroll(disable)")					\
		for (i_ = 0; i_ < (n); i_++) {						\
			if (step(i_, c))						\
				break;							\
			loop_barrier();							\
		}									\
	} while (0)
/* the loop contexts live in struct scratch, after the event: no event pointer is stored in a map */
#define CTX_EV(c, member) (&container_of(c, struct scratch, member)->ev)
#else
#define current_task() bpf_get_current_task_btf()
/* a BTF task's field is a plain load, which the JIT guards like bpf_probe_read_kernel() */
#define TASK_FIELD(task, field) ((task)->field)
#define STEP_FN static long
#define LOOP(n, step, c) bpf_loop((n), step, (c), 0)
#define CTX_EV(c, member) ((c)->ev)
#endif

#define AT_FDCWD -100
#define AT_EMPTY_PATH 0x1000
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define S_IFMT 00170000
#define S_IFDIR 0040000
#define TS_COMPAT 0x0002

#if defined(__TARGET_ARCH_arm64)
/*
 * arm64 syscall numbers (asm-generic unistd.h). There is no open, creat, stat,
 * lstat, access or readlink: libc calls the *at forms, so those kinds never
 * occur here.
 */
#define NR_openat 56
#define NR_faccessat 48
#define NR_readlinkat 78
#define NR_newfstatat 79
#define NR_execve 221
#define NR_execveat 281
#define NR_statx 291
#define NR_openat2 437
#define NR_faccessat2 439
/* arch/arm64/include/asm/thread_info.h: an AArch32 task, whose syscall table differs */
#define TIF_32BIT 22
/* the syscall number as the kernel keeps it in the saved registers */
#define SYSCALL_NR(regs) ((regs)->syscallno)
#else
/* x86-64 syscall numbers */
#define NR_open 2
#define NR_stat 4
#define NR_lstat 6
#define NR_access 21
#define NR_execve 59
#define NR_creat 85
#define NR_readlink 89
#define NR_openat 257
#define NR_newfstatat 262
#define NR_readlinkat 267
#define NR_faccessat 269
#define NR_execveat 322
#define NR_statx 332
#define NR_openat2 437
#define NR_faccessat2 439
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#endif

/* config, set by user space before load */
const volatile bool targ_dedup = true;
const volatile bool targ_no_wakeup = true;
/* force a wakeup once this much data waits, so a burst is not dropped */
const volatile __u64 targ_wakeup_bytes = 1 << 20;

/* cgroup id -> enum snoop_root_mode; filled from Java */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} traced_roots SEC(".maps");

/* cgroup id -> 1: a subtree never traced (snoop's own cgroup) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u8);
} excluded_cgroups SEC(".maps");

/* [0]: bumped by Java after every change to the two maps above */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} config_generation SEC(".maps");

/* leaf cgroup id -> its container, so the ancestry is walked once per cgroup and generation */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct cgroup_verdict);
} cgroup_verdicts SEC(".maps");

/*
 * Which program asks for a verdict: each has its own entry of last_verdict.
 * A program never runs twice at once on one CPU (tracepoints and raw
 * tracepoints run with preemption off; a trampoline skips, and counts as a
 * miss, a run of a program already running on this CPU, prog->active), so an
 * entry is only read and written by one run at a time and is never seen
 * half-written, even where fexit programs can be preempted.
 */
#define SLOT_TRACEPOINT 0 /* + kind */
#define SLOT_FEXIT 32     /* + kind */
#define SLOT_SYS_ENTER 64
#define SLOT_EXEC 65
#define SLOT_MAX 66

/*
 * The verdict last looked up by a program on this CPU: consecutive syscalls
 * on a CPU mostly come from one cgroup, and this saves the cgroup_verdicts
 * lookup. Valid under the same rule as a cgroup_verdicts entry: while its
 * generation equals config_generation[0]. An empty entry (leaf 0) matches no
 * cgroup (their ids start at 1).
 */
struct last_verdict {
	__u64 leaf;
	__u64 container_id;
	__u32 generation;
	/* is_runtime_setup()'s verdict on the executable of the thread and mm below */
	__u32 exe_is_runtime;
	__u64 exe_mm;
	__u64 exe_start_time;
	__u32 exe_tid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOT_MAX);
	__type(key, __u32);
	__type(value, struct last_verdict);
} last_verdict SEC(".maps");

/* container cgroup id -> its matching syscalls and dropped events; created on its first event */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct container_stats);
} container_stats SEC(".maps");

struct args {
	__u64 container_id; /* decided at sys_enter */
	__u64 path;       /* user pointer, read at exit when it is faulted in */
	__u64 how;        /* openat2: user pointer to struct open_how */
	__s32 dirfd;
	__u32 kind;
	__u32 open_flags;
	__u32 at_flags;
};

/* tid -> arguments saved at sys_enter */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct args);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct dedup_key);
	__type(value, __u8);
} dedup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SNOOP_CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* the state of the loops below; for the legacy set it lives in struct scratch */
struct walk_ctx {
	struct event *ev;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 base;
	__u32 len;
	int done;          /* 1: reached the root, -1: gave up */
};

struct hash_ctx {
	struct event *ev;
	__u32 words;
	__u64 h;
};

struct verdict_ctx {
	__u64 container_id;  /* of the deepest matching root */
	int root_level;      /* -1: none */
	int excluded_level;  /* deepest excluded ancestor, -1: none */
};

struct cgroup_name_ctx {
	struct event *ev;
	struct kernfs_node *kn;
	__u64 container_id;
	__u32 len;
	int found;         /* the container's own node was reached */
	int done;          /* 1: reached the hierarchy's root, -1: gave up */
};

/* legacy: the ELF interpreter's mapping, found by walking the VMA list */
struct vma_ctx {
	__u64 vma;
	__u64 base;
	__u64 file;
};

/* the event is built here; the slack lets a name read run past the chain limit */
struct scratch {
	struct event ev;
	char slack[SNOOP_NAME_MAX + 8];
#if SNOOP_LEGACY
	struct walk_ctx walk;
	struct hash_ctx hash;
	struct verdict_ctx verdict;
	struct cgroup_name_ctx cgroup_name;
	struct vma_ctx vma;
#endif
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} heap SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		*v += 1;
}

static __always_inline __u32 kind_of(long id)
{
	switch (id) {
#ifdef NR_open
	case NR_open: return SNOOP_KIND_OPEN;
#endif
	case NR_openat: return SNOOP_KIND_OPENAT;
	case NR_openat2: return SNOOP_KIND_OPENAT2;
#ifdef NR_creat
	case NR_creat: return SNOOP_KIND_CREAT;
#endif
	case NR_execve: return SNOOP_KIND_EXECVE;
	case NR_execveat: return SNOOP_KIND_EXECVEAT;
#ifdef NR_stat
	case NR_stat: return SNOOP_KIND_STAT;
#endif
#ifdef NR_lstat
	case NR_lstat: return SNOOP_KIND_LSTAT;
#endif
	case NR_newfstatat: return SNOOP_KIND_NEWFSTATAT;
	case NR_statx: return SNOOP_KIND_STATX;
#ifdef NR_access
	case NR_access: return SNOOP_KIND_ACCESS;
#endif
	case NR_faccessat: return SNOOP_KIND_FACCESSAT;
	case NR_faccessat2: return SNOOP_KIND_FACCESSAT2;
#ifdef NR_readlink
	case NR_readlink: return SNOOP_KIND_READLINK;
#endif
	case NR_readlinkat: return SNOOP_KIND_READLINKAT;
	default: return 0;
	}
}

/* an open is keyed as an open whether it opened a directory or not: the key is known before the inode is read */
static __always_inline __u32 access_of(__u32 kind)
{
	switch (kind) {
	case SNOOP_KIND_EXECVE:
	case SNOOP_KIND_EXECVEAT:
	case SNOOP_KIND_EXEC_FILENAME:
	case SNOOP_KIND_EXEC_FILE:
	case SNOOP_KIND_EXEC_INTERP:
	case SNOOP_KIND_EXEC_ELF_INTERP:
		return SNOOP_ACCESS_EXEC;
	case SNOOP_KIND_READLINK:
	case SNOOP_KIND_READLINKAT:
		return SNOOP_ACCESS_READLINK;
	case SNOOP_KIND_OPEN:
	case SNOOP_KIND_OPENAT:
	case SNOOP_KIND_OPENAT2:
	case SNOOP_KIND_CREAT:
		return SNOOP_ACCESS_OPEN;
	default:
		return SNOOP_ACCESS_STAT;
	}
}

static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
#if SNOOP_LEGACY
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
#else
	/* a BTF task: plain loads the JIT guards, no helper call per pointer */
	struct fdtable *fdt = task->files->fdt;
#endif
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd < 0)
		return NULL;
#if SNOOP_LEGACY
	if ((unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
#else
	if ((unsigned int)fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
#endif
	/* an array of pointers is a plain number to the verifier: read through the helper */
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* one step of the walk towards the root; bpf_loop() (or state in map memory) keeps the verifier linear */
STEP_FN walk_step(__u32 i, struct walk_ctx *c)
{
	/* locals: BPF_CORE_READ() must not relocate accesses to walk_ctx itself */
	struct dentry *dentry = c->dentry, *parent, *mnt_root;
	struct vfsmount *vfsmnt = c->vfsmnt;
	struct mount *mnt = c->mnt;
	const unsigned char *name;
	__u32 nlen;
	long n;

	if (dentry == c->root_dentry && vfsmnt == c->root_mnt) {
		c->done = 1;
		return 1;
	}
	mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	parent = BPF_CORE_READ(dentry, d_parent);
	if (dentry == mnt_root || dentry == parent) {
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);

		/* the global root, or a dentry outside any mount: not under the task root */
		if (dentry != mnt_root || mnt_parent == mnt) {
			c->done = -1;
			return 1;
		}
		c->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		c->mnt = mnt_parent;
		c->vfsmnt = (void *)mnt_parent + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	nlen = BPF_CORE_READ(dentry, d_name.len);
	if (c->len + nlen + 1 > SNOOP_DIR_MAX) {
		c->done = -1;
		return 1;
	}
	name = BPF_CORE_READ(dentry, d_name.name);
	n = bpf_probe_read_kernel_str(CTX_EV(c, walk)->data + ((c->base + c->len) & (SNOOP_PATH_MAX + SNOOP_DIR_MAX - 1)),
				      SNOOP_NAME_MAX, name);
	if (n <= 0) {
		c->done = -1;
		return 1;
	}
	c->len += n;
	c->dentry = parent;
	return 0;
}

/*
 * Append the names from dentry up to the task's root to the chain after the
 * path, innermost first, each NUL-terminated; mounts are crossed as d_path()
 * does. Returns false when the walk did not reach the root whole.
 */
static __always_inline bool walk_dir(struct event *ev, struct dentry *dentry,
				     struct vfsmount *vfsmnt, struct task_struct *task)
{
#if SNOOP_LEGACY
	struct walk_ctx *c = &((struct scratch *)ev)->walk; /* ev is the start of the per-CPU scratch */
#else
	struct walk_ctx ctx = {}, *c = &ctx;

	c->ev = ev;
#endif
	c->dentry = dentry;
	c->vfsmnt = vfsmnt;
	/* container_of() with a CO-RE offset: struct mount is private to fs/ */
	c->mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	c->root_dentry = BPF_CORE_READ(task, fs, root.dentry);
	c->root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	c->base = ev->path_len & (SNOOP_PATH_MAX - 1);
	c->len = 0;
	c->done = 0;
	LOOP(SNOOP_DIR_DEPTH + 1, walk_step, c);
	if (c->done != 1)
		return false;
	ev->dir_len = c->len;
	return true;
}

static __always_inline __u64 mix(__u64 h, __u64 w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

STEP_FN hash_step(__u32 i, struct hash_ctx *c)
{
	if (i >= c->words)
		return 1;
	c->h = mix(c->h, *(__u64 *)(CTX_EV(c, hash)->data + ((i * 8) & (SNOOP_PATH_MAX + SNOOP_DIR_MAX - 8))));
	return 0;
}

/* 64-bit hash of data[0, path_len + dir_len) for the dedup key */
static __always_inline __u64 hash_data(struct event *ev)
{
	__u32 total = (ev->path_len + ev->dir_len) & (SNOOP_PATH_MAX + SNOOP_DIR_MAX - 1);
#if SNOOP_LEGACY
	struct hash_ctx *c = &((struct scratch *)ev)->hash;
#else
	struct hash_ctx ctx = {}, *c = &ctx;

	c->ev = ev;
#endif
	__u32 rem;
	__u64 w;

	c->words = total / 8;
	c->h = 0xcbf29ce484222325ULL ^ total;
	LOOP((SNOOP_PATH_MAX + SNOOP_DIR_MAX) / 8, hash_step, c);
	/* the remainder from memory again: nothing computed before the loop stays live across it */
	rem = (ev->path_len + ev->dir_len) & 7;
	if (rem) {
		w = *(__u64 *)(ev->data + ((c->words * 8) & (SNOOP_PATH_MAX + SNOOP_DIR_MAX - 8)));
		c->h = mix(c->h, w & ((1ULL << (rem * 8)) - 1));
	}
	return c->h;
}

static __always_inline struct container_stats *stats_of(__u64 container_id)
{
	struct container_stats zero = {}, *stats = bpf_map_lookup_elem(&container_stats, &container_id);

	if (stats)
		return stats;
	/* another CPU may create it meanwhile: then NOEXIST fails and the lookup finds theirs */
	bpf_map_update_elem(&container_stats, &container_id, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&container_stats, &container_id);
}

/* one matching syscall of a container: its total_events stays exact, dedup or not */
static __always_inline void count_container_event(__u64 container_id)
{
	struct container_stats *stats = stats_of(container_id);

	if (stats)
		__sync_fetch_and_add(&stats->events, 1);
}

static __always_inline void count_container_drop(__u64 container_id)
{
	struct container_stats *stats = stats_of(container_id);

	if (stats)
		__sync_fetch_and_add(&stats->dropped, 1);
}

/* the dedup key of a built event; false when it is not deduplicated (dedup off, or an incomplete path) */
static __always_inline bool dedup_key_of(struct event *ev, struct dedup_key *key)
{
	if (!targ_dedup || (ev->flags & (SNOOP_F_PATH_FAULT | SNOOP_F_PATH_TOO_LONG | SNOOP_F_DIR_UNRESOLVED)))
		return false;
	key->cgroup_id = ev->cgroup_id;
	key->path_hash = hash_data(ev);
	key->access = access_of(ev->kind) | (ev->result < 0 ? SNOOP_ACCESS_FAILED : 0);
	return true;
}

/* this container already reported the same access (counted) */
static __always_inline bool already_sent(const struct dedup_key *key)
{
	if (!bpf_map_lookup_elem(&dedup, key))
		return false;
	count(SNOOP_CTR_DEDUPED);
	return true;
}

/* the event to the ring buffer; once delivered, a dedupable access suppresses the next one */
static __always_inline void send(struct event *ev, const struct dedup_key *key, bool dedupable)
{
	__u64 size, flags;
	__u8 one = 1;

	size = SNOOP_EVENT_HEADER + ((ev->path_len + ev->dir_len) & (SNOOP_PATH_MAX + SNOOP_DIR_MAX - 1));
	if (size > sizeof(*ev))
		return;
	flags = BPF_RB_NO_WAKEUP;
	if (!targ_no_wakeup || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= targ_wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, ev, size, flags)) {
		count(SNOOP_CTR_DROPPED);
		count_container_drop(ev->cgroup_id);
		return;
	}
	count(SNOOP_CTR_EMITTED);
	if (dedupable)
		bpf_map_update_elem(&dedup, key, &one, BPF_ANY);
}

/* send the event unless this container already reported the same access */
static __always_inline void emit(struct event *ev)
{
	struct dedup_key key = {};
	bool dedupable = dedup_key_of(ev, &key);

	if (dedupable && already_sent(&key))
		return;
	send(ev, &key, dedupable);
}

static __always_inline struct event *new_event(__u64 cgroup_id, __u32 kind)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&heap, &zero);
	__u64 id = bpf_get_current_pid_tgid();

	if (!s)
		return NULL;
	s->ev.cgroup_id = cgroup_id;
	s->ev.ino = 0;
	s->ev.pid = id >> 32;
	s->ev.tid = (__u32)id;
	s->ev.kind = kind;
	s->ev.flags = 0;
	s->ev.result = 0;
	s->ev.dirfd = AT_FDCWD;
	s->ev.open_flags = 0;
	s->ev.path_len = 0;
	s->ev.dir_len = 0;
	return &s->ev;
}

/* a relative name: chain the cwd, or the dirfd's directory, in front of it */
#define SB_KERNMOUNT (1 << 22) /* include/linux/fs.h: mounted by the kernel, not in any namespace */

static __always_inline void resolve_base(struct event *ev, struct task_struct *task, bool empty)
{
	struct dentry *dentry;
	struct vfsmount *mnt;

	if (ev->dirfd == AT_FDCWD) {
		dentry = BPF_CORE_READ(task, fs, pwd.dentry);
		mnt = BPF_CORE_READ(task, fs, pwd.mnt);
	} else {
		struct file *f = fd_file(task, ev->dirfd);

		if (!f) {
			ev->flags |= SNOOP_F_DIR_UNRESOLVED;
			count(SNOOP_CTR_DIR_UNRESOLVED);
			return;
		}
		dentry = BPF_CORE_READ(f, f_path.dentry);
		mnt = BPF_CORE_READ(f, f_path.mnt);
		/* fstat() of a pipe, socket, eventfd or memfd: a kernel-internal mount, no file of the image */
		if (BPF_CORE_READ(mnt, mnt_sb, s_flags) & SB_KERNMOUNT) {
			ev->flags |= SNOOP_F_PSEUDO;
			return;
		}
	}
	ev->flags |= empty ? SNOOP_F_EMPTY_PATH : SNOOP_F_RELATIVE;
	if (!walk_dir(ev, dentry, mnt, task)) {
		ev->flags |= SNOOP_F_DIR_UNRESOLVED;
		ev->dir_len = 0;
		count(SNOOP_CTR_DIR_UNRESOLVED);
	}
}

/* copy a NUL-terminated name into data; false (flagged, counted) when not whole */
static __always_inline bool read_name(struct event *ev, const void *ptr, bool user)
{
	long n = user ? bpf_probe_read_user_str(ev->data, SNOOP_PATH_MAX + 1, ptr)
		      : bpf_probe_read_kernel_str(ev->data, SNOOP_PATH_MAX + 1, ptr);

	if (n < 0) {
		ev->flags |= SNOOP_F_PATH_FAULT;
		count(SNOOP_CTR_PATH_FAULT);
		return false;
	}
	if (n > SNOOP_PATH_MAX) {
		ev->flags |= SNOOP_F_PATH_TOO_LONG;
		count(SNOOP_CTR_PATH_TOO_LONG);
		return false;
	}
	ev->path_len = n > 0 ? n - 1 : 0;
	return true;
}

/* level i of the current task's cgroup ancestry; stops past the leaf */
STEP_FN verdict_step(__u32 i, struct verdict_ctx *c)
{
	__u64 id = bpf_get_current_ancestor_cgroup_id(i);
	__u32 *mode;

	if (!id)
		return 1;
	if (bpf_map_lookup_elem(&excluded_cgroups, &id))
		c->excluded_level = i;
	mode = bpf_map_lookup_elem(&traced_roots, &id);
	if (mode) {
		c->root_level = i;
		if (*mode == SNOOP_ROOT_PARENT) {
			/* the child one level down is the container; a task in the parent itself gets the parent */
			__u64 child = bpf_get_current_ancestor_cgroup_id(i + 1);

			c->container_id = child ? child : id;
		} else {
			c->container_id = id;
		}
	}
	return 0;
}

/*
 * kernels before 6.15 name the parent "parent", later ones "__parent"; both
 * flavors are spelled out, so the source builds against either vmlinux.h (the
 * x86 one is 6.18's, the arm64 one 6.1's)
 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* one level of the container's cgroup path, from the leaf upwards */
STEP_FN cgroup_name_step(__u32 i, struct cgroup_name_ctx *c)
{
	struct kernfs_node *kn = c->kn, *parent;
	const char *name;
	long n;

	if (!kn) {
		c->done = -1;
		return 1;
	}
	parent = kn_parent(kn);
	if (!c->found && BPF_CORE_READ(kn, id) != c->container_id) {
		c->kn = parent; /* below the container: not part of its path */
		return 0;
	}
	c->found = 1;
	if (!parent) {
		c->done = 1; /* the root of the hierarchy has no name in a path */
		return 1;
	}
	if (c->len + SNOOP_NAME_MAX > SNOOP_DIR_MAX) {
		c->done = -1;
		return 1;
	}
	name = BPF_CORE_READ(kn, name);
	n = bpf_probe_read_kernel_str(CTX_EV(c, cgroup_name)->data + (c->len & (SNOOP_DIR_MAX - 1)), SNOOP_NAME_MAX, name);
	if (n <= 0) {
		c->done = -1;
		return 1;
	}
	c->len += n;
	c->kn = parent;
	return 0;
}

/*
 * Names a container's cgroup the first time one of its cgroups is judged:
 * user space cannot look a cgroup up by id once it is gone, and a short-lived
 * container (a CI job, a crash loop) may be gone before its events are read.
 */
static __always_inline void announce_container(__u64 container_id)
{
	struct task_struct *task = current_task();
	struct event *ev = new_event(container_id, SNOOP_KIND_CGROUP);
#if SNOOP_LEGACY
	struct cgroup_name_ctx *c;

	if (!ev)
		return;
	c = &((struct scratch *)ev)->cgroup_name;
#else
	struct cgroup_name_ctx ctx = {}, *c = &ctx;

	if (!ev)
		return;
	c->ev = ev;
#endif
	c->container_id = container_id;
	c->len = 0;
	c->found = 0;
	c->done = 0;
	c->kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	LOOP(SNOOP_CGROUP_DEPTH + 1, cgroup_name_step, c);
	if (c->done != 1)
		return; /* user space falls back to looking the id up in the cgroup tree */
	ev->dir_len = c->len;
	emit(ev);
}

#if SNOOP_LEGACY
#define remember_verdict(last, leaf, v) do { } while (0)
#else
static __always_inline void remember_verdict(struct last_verdict *last, __u64 leaf,
					     const struct cgroup_verdict *v)
{
	last->leaf = leaf;
	last->container_id = v->container_id;
	last->generation = v->generation;
}
#endif

/*
 * The container the current task belongs to, 0 when it is not traced. The
 * verdict is cached per leaf cgroup: a cgroup created after a root was added
 * is matched through its ancestry on its first syscall, with no user-space
 * step. The generation is read before the maps: Java changes the maps, then
 * bumps it, so a verdict stored under the new generation saw the new maps.
 */
static __always_inline __u64 current_container(__u32 slot)
{
	__u64 leaf = bpf_get_current_cgroup_id();
	__u32 zero = 0, *gen = bpf_map_lookup_elem(&config_generation, &zero);
	struct cgroup_verdict *v, fresh = {};
#if SNOOP_LEGACY
	struct scratch *s = bpf_map_lookup_elem(&heap, &zero);
	struct verdict_ctx *c;
#else
	struct last_verdict *last = bpf_map_lookup_elem(&last_verdict, &slot);
	struct verdict_ctx ctx = {}, *c = &ctx;
#endif

	if (!gen)
		return 0;
	fresh.generation = *gen;
#if !SNOOP_LEGACY
	if (!last)
		return 0;
	if (last->leaf == leaf && last->generation == fresh.generation)
		return last->container_id;
#endif
	v = bpf_map_lookup_elem(&cgroup_verdicts, &leaf);
	if (v && v->generation == fresh.generation) {
		fresh.container_id = v->container_id;
		remember_verdict(last, leaf, &fresh);
		return fresh.container_id;
	}
#if SNOOP_LEGACY
	if (!s)
		return 0;
	c = &s->verdict;
#endif
	c->container_id = 0;
	c->root_level = -1;
	c->excluded_level = -1;
	LOOP(SNOOP_CGROUP_DEPTH, verdict_step, c);
	/* the deepest decision wins; an exclusion at the root's own level too */
	if (c->root_level >= 0 && c->excluded_level < c->root_level)
		fresh.container_id = c->container_id;
	bpf_map_update_elem(&cgroup_verdicts, &leaf, &fresh, BPF_ANY);
	remember_verdict(last, leaf, &fresh);
	if (fresh.container_id)
		announce_container(fresh.container_id);
	return fresh.container_id;
}

/*
 * runc sets up, not uses, the container. Its init stages rename themselves ("runc:[0:PARENT]",
 * "runc:[1:CHILD]", "runc:[2:INIT]"), but before that "runc init" has run as /proc/self/exe (comm
 * "exe") and as its cloned binary, loading its own libraries from the host: and runc may put it
 * into the container's cgroup already then. Those stages are told by their executable: runc
 * itself, or its clone ("runc.XXXXXX" under /run/runc, or the memfd "runc_cloned:...").
 */
static __always_inline bool runs_runtime_exe(struct task_struct *task)
{
	const unsigned char *name;
	char exe[13] = {};

#if SNOOP_LEGACY
	name = BPF_CORE_READ(task, mm, exe_file, f_path.dentry, d_name.name);
#else
	/* a kernel thread has no mm: the guarded load of NULL->exe_file yields 0 */
	name = task->mm->exe_file->f_path.dentry->d_name.name;
#endif
	if (!name || bpf_probe_read_kernel_str(exe, sizeof(exe), name) < 5)
		return false;
	if (exe[0] != 'r' || exe[1] != 'u' || exe[2] != 'n' || exe[3] != 'c')
		return false;
	/* "runc\0", "runc.", "runc_cloned:" */
	return exe[4] == '\0' || exe[4] == '.' ||
	       (exe[4] == '_' && exe[5] == 'c' && exe[6] == 'l' && exe[7] == 'o' && exe[8] == 'n' &&
		exe[9] == 'e' && exe[10] == 'd' && exe[11] == ':');
}

/*
 * A stage of the runtime's set-up: its comm, looked at on every call (prctl(PR_SET_NAME) may
 * change it any time), or its executable. The modern set remembers the executable's verdict per
 * program and CPU for the thread (tid and start time: unique for the boot) and its mm (exec
 * replaces it): the executable of an mm changes only through prctl(PR_SET_MM_EXE_FILE), which
 * checkpoint/restore tools use, not a runtime.
 */
static __always_inline bool is_runtime_setup(struct task_struct *task, __u32 slot)
{
	char comm[8] = {};
#if !SNOOP_LEGACY
	struct last_verdict *last = bpf_map_lookup_elem(&last_verdict, &slot);
	__u64 mm, start_time;
	__u32 tid;
	bool setup;
#endif

#if SNOOP_LEGACY
	bpf_get_current_comm(comm, sizeof(comm));
#else
	/* the first 8 bytes of task->comm in one load; the name may be shorter, the rest is NULs */
	*(__u64 *)comm = *(__u64 *)task->comm;
#endif
	if (comm[0] == 'r' && comm[1] == 'u' && comm[2] == 'n' && comm[3] == 'c' && comm[4] == ':' && comm[5] == '[')
		return true;
#if SNOOP_LEGACY
	return runs_runtime_exe(task);
#else
	if (!last)
		return runs_runtime_exe(task);
	mm = (__u64)task->mm;
	start_time = task->start_time;
	tid = task->pid;
	if (last->exe_mm == mm && last->exe_tid == tid && last->exe_start_time == start_time)
		return last->exe_is_runtime;
	setup = runs_runtime_exe(task);
	last->exe_mm = mm;
	last->exe_start_time = start_time;
	last->exe_tid = tid;
	last->exe_is_runtime = setup;
	return setup;
#endif
}

/*
 * The syscall's first five arguments from its saved registers, through
 * bpf_tracing.h's macros: x86-64 di, si, dx, r10, r8; arm64 x0-x4, where x0
 * holds the result once the call returns, so its first argument is orig_x0.
 */
#define SYSCALL_ARGS(regs) PT_REGS_PARM1_SYSCALL(regs), PT_REGS_PARM2_SYSCALL(regs),	\
	PT_REGS_PARM3_SYSCALL(regs), PT_REGS_PARM4_SYSCALL(regs), PT_REGS_PARM5_SYSCALL(regs)

/* the syscall's arguments in ABI order into the saved form */
static __always_inline void fill_args(struct args *a, __u32 kind, __u64 container_id,
				      __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4)
{
	a->container_id = container_id;
	a->kind = kind;
	a->dirfd = AT_FDCWD;
	switch (kind) {
	case SNOOP_KIND_OPEN:
		a->path = a0;
		a->open_flags = a1;
		break;
	case SNOOP_KIND_CREAT:
		a->path = a0;
		a->open_flags = O_CREAT | O_WRONLY | O_TRUNC;
		break;
	case SNOOP_KIND_OPENAT:
		a->dirfd = a0;
		a->path = a1;
		a->open_flags = a2;
		break;
	case SNOOP_KIND_OPENAT2:
		a->dirfd = a0;
		a->path = a1;
		a->how = a2;
		break;
	case SNOOP_KIND_EXECVEAT:
		a->dirfd = a0;
		a->path = a1;
		a->at_flags = a4;
		break;
	case SNOOP_KIND_NEWFSTATAT:
	case SNOOP_KIND_FACCESSAT2:
		a->dirfd = a0;
		a->path = a1;
		a->at_flags = a3;
		break;
	case SNOOP_KIND_STATX:
		a->dirfd = a0;
		a->path = a1;
		a->at_flags = a2;
		break;
	case SNOOP_KIND_FACCESSAT:
	case SNOOP_KIND_READLINKAT:
		a->dirfd = a0;
		a->path = a1;
		break;
	default: /* execve, stat, lstat, access, readlink */
		a->path = a0;
		break;
	}
}

/* the traced container of the current task, 0 to ignore this syscall */
static __always_inline __u64 traced_container(__u32 slot)
{
	/* a cached verdict first: no map walk for a task of an untraced cgroup */
	__u64 container_id = current_container(slot);
	struct task_struct *task;

	if (!container_id)
		return 0;
	task = current_task();
	if (is_runtime_setup(task, slot)) {
		count(SNOOP_CTR_RUNTIME_SKIPPED);
		return 0;
	}
	/* a 32-bit task uses the ia32 (arm64: AArch32) table: these numbers mean other calls there */
#if defined(__TARGET_ARCH_arm64)
	if (TASK_FIELD(task, thread_info.flags) & (1UL << TIF_32BIT))
		return 0;
#else
	if (TASK_FIELD(task, thread_info.status) & TS_COMPAT)
		return 0;
#endif
	return container_id;
}

/* a finished syscall of a traced task, its arguments in a: builds and sends the event */
/* the inode number of the file a successful open returned, and whether it is a directory */
static __always_inline void read_opened_file(struct event *ev, struct task_struct *task, int fd)
{
	struct file *f = fd_file(task, fd);
	struct inode *inode;

	if (!f)
		return;
	inode = BPF_CORE_READ(f, f_inode);
	if (!inode)
		return;
	ev->ino = BPF_CORE_READ(inode, i_ino);
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) == S_IFDIR)
		ev->flags |= SNOOP_F_DIRECTORY;
}

static __always_inline int on_exit(__u32 kind, long ret, const struct args *a)
{
	struct dedup_key key = {};
	struct task_struct *task;
	struct event *ev;
	bool dedupable;

	count(SNOOP_CTR_KIND_BASE + kind);
	count_container_event(a->container_id);
	/* a successful exec replaced the memory holding the name: sched_process_exec reports it */
	if ((kind == SNOOP_KIND_EXECVE || kind == SNOOP_KIND_EXECVEAT) && ret == 0)
		return 0;
	ev = new_event(a->container_id, kind);
	if (!ev)
		return 0;
	ev->result = ret;
	ev->dirfd = a->dirfd;
	ev->open_flags = a->open_flags;
	if (kind == SNOOP_KIND_OPENAT2) {
		__u64 how_flags = 0;

		bpf_probe_read_user(&how_flags, sizeof(how_flags), (void *)a->how);
		ev->open_flags = how_flags;
	}
	task = current_task();
	if (read_name(ev, (void *)a->path, true)) {
		bool empty = ev->path_len == 0 && (a->at_flags & AT_EMPTY_PATH);

		if (ev->path_len > 0 && ev->data[0] == '/')
			ev->dirfd = AT_FDCWD;
		else if (empty || ev->path_len > 0)
			resolve_base(ev, task, empty);
	}
	/* a repeat ends here, before the opened file is looked at: its key does not need it */
	dedupable = dedup_key_of(ev, &key);
	if (dedupable && already_sent(&key))
		return 0;
	if (ret >= 0 && (kind == SNOOP_KIND_OPEN || kind == SNOOP_KIND_OPENAT ||
			 kind == SNOOP_KIND_OPENAT2 || kind == SNOOP_KIND_CREAT))
		read_opened_file(ev, task, ret);
	send(ev, &key, dedupable);
	return 0;
}

/*
 * Attachment, one of three, chosen by user space at load (the others are
 * not loaded, bpf_program__set_autoload):
 *
 * - fexit on each traced syscall's __x64_sys_* function: nothing runs for
 *   any other syscall. Needs BTF for the functions and BPF trampolines.
 * - the syscalls/sys_exit_* tracepoints: needs tracefs for their ids; every
 *   syscall of every task then takes the kernel's slow syscall path and a
 *   bit test, but only the traced ones run a program.
 * - raw tp_btf sys_enter + sys_exit: one program pair for every syscall on
 *   the node, which filters by number.
 *
 * The first two run only at exit: the arguments are still in the task's
 * saved user registers (pt_regs) then, which a syscall does not change, and
 * the user memory the path is read from has been faulted in by the call.
 */

/* raw: the number, then the saved arguments pair enter with exit by tid */
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf__sys_enter, struct pt_regs *regs, long id)
{
	/* cheapest test first: this runs for every syscall on the machine */
	__u32 kind = kind_of(id);
	__u64 container_id;
	struct args a = {};
	__u32 tid;

	if (!kind)
		return 0;
	container_id = traced_container(SLOT_SYS_ENTER);
	if (!container_id)
		return 0;
#if SNOOP_LEGACY
	/*
	 * The kind is a constant on each of kind_of()'s 15 paths: kept live across the loops of
	 * traced_container(), it would have them verified 15 times. The number is read again
	 * instead (an unknown to the verifier), and its kind computed after them.
	 */
	id = *(volatile long *)&ctx[1];
	kind = kind_of(id);
#endif
	fill_args(&a, kind, container_id, SYSCALL_ARGS(regs));
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&start, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf__sys_exit, struct pt_regs *regs, long ret)
{
	__u32 kind = kind_of(SYSCALL_NR(regs));
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct args *a;

	if (!kind)
		return 0;
	/* only a traced task's sys_enter saved arguments */
	a = bpf_map_lookup_elem(&start, &tid);
	if (!a)
		return 0;
	if (a->kind == kind) {
#if SNOOP_LEGACY
		/* from memory: an unknown to the verifier, so on_exit() is verified once, not per kind */
		kind = *(volatile __u32 *)&a->kind;
#endif
		on_exit(kind, ret, a);
	}
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

/* per-syscall attachment: the kind is a constant, so each program keeps only its own case */
static __always_inline int on_exit_regs(__u32 slot, __u32 kind, long ret, struct pt_regs *regs)
{
	__u64 container_id = traced_container(slot);
	struct args a = {};

	if (!container_id)
		return 0;
#if !SNOOP_LEGACY
	/* a tracepoint passes NULL: the saved registers are found only for a traced task */
	if (!regs)
		regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
#endif
	fill_args(&a, kind, container_id, SYSCALL_ARGS(regs));
	return on_exit(kind, ret, &a);
}

/* the kernel's function for a syscall: __x64_sys_<name>, __arm64_sys_<name> */
#if defined(__TARGET_ARCH_arm64)
#define SNOOP_FEXIT(name)								\
SEC("fexit/__arm64_sys_" #name)								\
int BPF_PROG(fexit__arm64_sys_##name, struct pt_regs *regs, long ret)
#else
#define SNOOP_FEXIT(name)								\
SEC("fexit/__x64_sys_" #name)								\
int BPF_PROG(fexit__x64_sys_##name, struct pt_regs *regs, long ret)
#endif

#if SNOOP_LEGACY
#define THREAD_SIZE_SMALL 16384 /* x86-64 THREAD_SIZE */
#define THREAD_SIZE_KASAN 32768 /* with CONFIG_KASAN */

/*
 * task_pt_regs() without bpf_task_pt_regs() (5.15): x86-64 keeps the user registers at the top
 * of the task's kernel stack, THREAD_SIZE above task->stack. Which size this kernel has is told
 * by orig_ax, which must be the number of the syscall this tracepoint reports; when neither
 * matches nothing is guessed: the path is flagged unreadable and counted.
 */
static __always_inline int on_exit_stack_regs(__u32 kind, long id, long ret)
{
	__u64 container_id = traced_container(SLOT_TRACEPOINT + kind);
	struct task_struct *task = current_task();
	struct pt_regs *regs;
	struct args a = {};
	void *stack;

	if (!container_id)
		return 0;
	stack = BPF_CORE_READ(task, stack);
	regs = (struct pt_regs *)(stack + THREAD_SIZE_SMALL) - 1;
	if (BPF_CORE_READ(regs, orig_ax) != id) {
		regs = (struct pt_regs *)(stack + THREAD_SIZE_KASAN) - 1;
		if (BPF_CORE_READ(regs, orig_ax) != id)
			regs = NULL;
	}
	if (regs)
		fill_args(&a, kind, container_id, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si),
			  BPF_CORE_READ(regs, dx), BPF_CORE_READ(regs, r10), BPF_CORE_READ(regs, r8));
	else
		fill_args(&a, kind, container_id, 0, 0, 0, 0, 0);
	return on_exit(kind, ret, &a);
}

#define SNOOP_TRACEPOINT(name, kind)							\
SEC("tracepoint/syscalls/sys_exit_" #name)						\
int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx)	\
{											\
	return on_exit_stack_regs(kind, ctx->id, ctx->ret);				\
}
#else
#define SNOOP_TRACEPOINT(name, kind)							\
SEC("tracepoint/syscalls/sys_exit_" #name)						\
int tracepoint__syscalls__sys_exit_##name(struct trace_event_raw_sys_exit *ctx)	\
{											\
	return on_exit_regs(SLOT_TRACEPOINT + kind, kind, ctx->ret, NULL);		\
}
#endif

#define SNOOP_SYSCALL(name, kind)							\
SNOOP_TRACEPOINT(name, kind)								\
											\
											\
SNOOP_FEXIT(name)									\
{											\
	return on_exit_regs(SLOT_FEXIT + kind, kind, ret, regs);			\
}

/* the syscalls kind_of() knows, by their kernel names (stat and lstat are newstat and newlstat) */
#if defined(__TARGET_ARCH_arm64)
/* not in arm64's table: the kernel has the functions, but no syscall calls them */
#define SNOOP_X86_SYSCALL(name, kind)
#else
#define SNOOP_X86_SYSCALL SNOOP_SYSCALL
#endif
SNOOP_X86_SYSCALL(open, SNOOP_KIND_OPEN)
SNOOP_SYSCALL(openat, SNOOP_KIND_OPENAT)
SNOOP_SYSCALL(openat2, SNOOP_KIND_OPENAT2)
SNOOP_X86_SYSCALL(creat, SNOOP_KIND_CREAT)
SNOOP_SYSCALL(execve, SNOOP_KIND_EXECVE)
SNOOP_SYSCALL(execveat, SNOOP_KIND_EXECVEAT)
SNOOP_X86_SYSCALL(newstat, SNOOP_KIND_STAT)
SNOOP_X86_SYSCALL(newlstat, SNOOP_KIND_LSTAT)
SNOOP_SYSCALL(newfstatat, SNOOP_KIND_NEWFSTATAT)
SNOOP_SYSCALL(statx, SNOOP_KIND_STATX)
SNOOP_X86_SYSCALL(access, SNOOP_KIND_ACCESS)
SNOOP_SYSCALL(faccessat, SNOOP_KIND_FACCESSAT)
SNOOP_SYSCALL(faccessat2, SNOOP_KIND_FACCESSAT2)
SNOOP_X86_SYSCALL(readlink, SNOOP_KIND_READLINK)
SNOOP_SYSCALL(readlinkat, SNOOP_KIND_READLINKAT)

/* an exec name: kernel memory, relative to the cwd unless absolute */
static __always_inline void emit_exec_name(__u64 container_id, __u32 kind,
					   const char *name, struct task_struct *task)
{
	struct event *ev = new_event(container_id, kind);

	if (!ev)
		return;
	if (read_name(ev, name, false)) {
		if (ev->path_len == 0)
			return;
		if (ev->data[0] != '/')
			resolve_base(ev, task, false);
	}
	emit(ev);
}

/* a file exec loaded, named by walking its dentries up to the task's root */
static __always_inline void emit_exec_file(__u64 container_id, __u32 kind, struct file *file,
					   struct task_struct *task)
{
	struct event *ev = new_event(container_id, kind);

	if (!ev)
		return;
	ev->flags |= SNOOP_F_EMPTY_PATH;
	if (!file) {
		ev->flags |= SNOOP_F_DIR_UNRESOLVED;
		count(SNOOP_CTR_DIR_UNRESOLVED);
		emit(ev);
		return;
	}
	ev->ino = BPF_CORE_READ(file, f_inode, i_ino);
	if (!walk_dir(ev, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), task)) {
		ev->flags |= SNOOP_F_DIR_UNRESOLVED;
		ev->dir_len = 0;
		count(SNOOP_CTR_DIR_UNRESOLVED);
	}
	emit(ev);
}

#define AT_NULL 0
#define AT_BASE 7

/* AT_BASE of the new image's aux vector: where the ELF interpreter is mapped, 0 without one */
static __always_inline __u64 elf_interp_base(struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u64 pair[2];
	char *auxv;
	int i;

	if (!mm)
		return 0;
	auxv = (char *)mm + bpf_core_field_offset(struct mm_struct, saved_auxv);
	for (i = 0; i < 32; i++) {
		if (bpf_probe_read_kernel(pair, sizeof(pair), auxv + i * sizeof(pair)))
			return 0;
		if (pair[0] == AT_NULL)
			return 0;
		if (pair[0] == AT_BASE)
			return pair[1];
	}
	return 0;
}

#if SNOOP_LEGACY
/* before 6.1 the VMAs are a list from mm->mmap (then a maple tree, walked by bpf_find_vma) */
struct mm_struct___pre61 {
	struct vm_area_struct *mmap;
} __attribute__((preserve_access_index));

struct vm_area_struct___pre61 {
	struct vm_area_struct *vm_next;
} __attribute__((preserve_access_index));

/* VMAs looked at for AT_BASE: a fresh image has its own few, the interpreter's, stack, vdso */
#define SNOOP_VMA_MAX 64

STEP_FN vma_step(__u32 i, struct vma_ctx *c)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)c->vma;

	if (!vma)
		return 1;
	if (BPF_CORE_READ(vma, vm_start) <= c->base && c->base < BPF_CORE_READ(vma, vm_end)) {
		c->file = (__u64)BPF_CORE_READ(vma, vm_file);
		return 1;
	}
	c->vma = (__u64)BPF_CORE_READ((struct vm_area_struct___pre61 *)vma, vm_next);
	return 0;
}

/*
 * The ELF interpreter (PT_INTERP, e.g. ld-linux) is opened by the kernel inside exec, with no
 * syscall to see. By sched_process_exec it is mapped at AT_BASE: the file of that mapping, found
 * on the VMA list, is the interpreter. A kernel without the list (6.1+: the legacy set forced
 * there) sends nothing: user space reports the mapping as not seen (recording.not_seen) and the
 * image analysis keeps the PT_INTERP name each kept executable names.
 */
static __always_inline void emit_elf_interp(__u64 container_id, struct file *exec_file,
					    struct task_struct *task)
{
	struct mm_struct___pre61 *mm;
	__u32 zero = 0;
	struct scratch *s;
	struct vma_ctx *c;
	struct file *file;
	__u64 base;

	if (!bpf_core_field_exists(struct mm_struct___pre61, mmap))
		return;
	base = elf_interp_base(task);
	if (!base)
		return; /* static binary, or the interpreter run as the program itself */
	s = bpf_map_lookup_elem(&heap, &zero);
	if (!s)
		return;
	c = &s->vma;
	c->base = base;
	c->file = 0;
	mm = (struct mm_struct___pre61 *)BPF_CORE_READ(task, mm);
	c->vma = (__u64)BPF_CORE_READ(mm, mmap);
	LOOP(SNOOP_VMA_MAX, vma_step, c);
	file = (struct file *)c->file;
	if (file == exec_file)
		file = NULL;
	emit_exec_file(container_id, SNOOP_KIND_EXEC_ELF_INTERP, file, task);
}
#else
struct vma_file {
	struct file *file;
};

static long vma_file_of(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_file *found = data;

	found->file = BPF_CORE_READ(vma, vm_file);
	return 0;
}

/*
 * The ELF interpreter (PT_INTERP, e.g. ld-linux) is opened by the kernel
 * inside exec, with no syscall to see. By sched_process_exec it is mapped at
 * AT_BASE: the file of that mapping is the interpreter, named as the task
 * sees it. A lookup that fails is sent flagged unresolved, so the report
 * says it is incomplete rather than silently missing the loader.
 */
static __always_inline void emit_elf_interp(__u64 container_id, struct file *exec_file,
					    struct task_struct *task)
{
	struct vma_file found = {};
	__u64 base = elf_interp_base(task);

	if (!base)
		return; /* static binary, or the interpreter run as the program itself */
	if (bpf_find_vma(task, base, vma_file_of, &found, 0) || found.file == exec_file)
		found.file = NULL;
	emit_exec_file(container_id, SNOOP_KIND_EXEC_ELF_INTERP, found.file, task);
}

#endif

/*
 * Fires once the new image is set up (exec_binprm()), after the #! and
 * binfmt_misc rewrites: bprm->file is the file finally loaded (for a script,
 * its interpreter), bprm->filename the name given to execve and bprm->interp
 * the #! interpreter name (the same pointer as filename when there is none).
 * The ELF PT_INTERP interpreter is opened by the kernel without a syscall:
 * user space reads it from the loaded file.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf__sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u64 container_id = current_container(SLOT_EXEC);
	const char *filename, *interp;
	struct file *file;
	char prefix[8] = {};

	if (!container_id)
		return 0;
	/* comm is already the new image's name here: this only skips runc re-exec'ing itself */
	if (is_runtime_setup(current_task(), SLOT_EXEC)) {
		count(SNOOP_CTR_RUNTIME_SKIPPED);
		return 0;
	}
	count(SNOOP_CTR_KIND_BASE + SNOOP_KIND_EXEC_FILE);
	count_container_event(container_id);
	filename = BPF_CORE_READ(bprm, filename);
	interp = BPF_CORE_READ(bprm, interp);

	/* execveat(dirfd, name) shows as /dev/fd/N/name, its fd may be closed by now: the file below names it */
	bpf_probe_read_kernel(prefix, sizeof(prefix), filename);
	if (!(prefix[0] == '/' && prefix[1] == 'd' && prefix[2] == 'e' && prefix[3] == 'v' &&
	      prefix[4] == '/' && prefix[5] == 'f' && prefix[6] == 'd' && prefix[7] == '/'))
		emit_exec_name(container_id, SNOOP_KIND_EXEC_FILENAME, filename, p);
	if (interp != filename)
		emit_exec_name(container_id, SNOOP_KIND_EXEC_INTERP, interp, p);

	file = BPF_CORE_READ(bprm, file);
	emit_exec_file(container_id, SNOOP_KIND_EXEC_FILE, file, p);
	emit_elf_interp(container_id, file, p);
	return 0;
}
