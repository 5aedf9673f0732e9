/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __SNOOP_H
#define __SNOOP_H

/*
 * The one definition of what crosses from the kernel to Java.
 * dev.snoop.bpf.EventDecoder mirrors every offset below; EventLayoutTest
 * compiles this header with the system compiler and compares.
 */

/* PATH_MAX: 4095 characters plus the NUL */
#define SNOOP_PATH_MAX 4096
/* the directory chain of a relative path (components leaf to root) */
#define SNOOP_DIR_MAX 4096
/* directory levels walked before a chain is given up as unresolved */
#define SNOOP_DIR_DEPTH 128
/* longest dentry name (NAME_MAX) plus the NUL */
#define SNOOP_NAME_MAX 256

/* wire ids: never renumber, only append */
enum snoop_kind {
	SNOOP_KIND_OPEN = 1,
	SNOOP_KIND_OPENAT = 2,
	SNOOP_KIND_OPENAT2 = 3,
	SNOOP_KIND_CREAT = 4,
	SNOOP_KIND_EXECVE = 5,          /* failed execve only, success is EXEC_* */
	SNOOP_KIND_EXECVEAT = 6,        /* failed execveat only */
	SNOOP_KIND_STAT = 7,
	SNOOP_KIND_LSTAT = 8,
	SNOOP_KIND_NEWFSTATAT = 9,
	SNOOP_KIND_STATX = 10,
	SNOOP_KIND_ACCESS = 11,
	SNOOP_KIND_FACCESSAT = 12,
	SNOOP_KIND_FACCESSAT2 = 13,
	SNOOP_KIND_READLINK = 14,
	SNOOP_KIND_READLINKAT = 15,
	SNOOP_KIND_EXEC_FILENAME = 16,  /* sched_process_exec: the name given to exec */
	SNOOP_KIND_EXEC_FILE = 17,      /* sched_process_exec: the file loaded (a script's interpreter) */
	SNOOP_KIND_EXEC_INTERP = 18,    /* sched_process_exec: the #! interpreter name */
	SNOOP_KIND_EXEC_ELF_INTERP = 19, /* sched_process_exec: the ELF interpreter (PT_INTERP) mapped */
	SNOOP_KIND_CGROUP = 20,         /* not a file: names the container's cgroup (chain of cgroup names) */
	SNOOP_KIND_MAX = 21,
};

/* event flags */
#define SNOOP_F_PATH_FAULT   (1U << 0) /* the user path could not be read: path_len is 0 */
#define SNOOP_F_PATH_TOO_LONG (1U << 1) /* longer than PATH_MAX: path_len is 0 */
#define SNOOP_F_RELATIVE     (1U << 2) /* path is relative to the directory in the chain */
#define SNOOP_F_DIR_UNRESOLVED (1U << 3) /* the base directory could not be walked */
#define SNOOP_F_DIRECTORY    (1U << 4) /* the opened file is a directory */
#define SNOOP_F_EMPTY_PATH   (1U << 5) /* AT_EMPTY_PATH: the chain names the file itself */
#define SNOOP_F_PSEUDO       (1U << 6) /* the fd is on a kernel-internal mount (pipe, socket, memfd): no path */

/* indexes into the per-CPU counters array: never renumber */
#define SNOOP_CTR_DROPPED 0         /* ring buffer reservation failures */
#define SNOOP_CTR_PATH_FAULT 1      /* user paths that could not be read */
#define SNOOP_CTR_PATH_TOO_LONG 2   /* user paths longer than PATH_MAX */
#define SNOOP_CTR_DIR_UNRESOLVED 3  /* relative paths whose directory was not walked */
#define SNOOP_CTR_DEDUPED 4         /* accesses suppressed by the LRU */
#define SNOOP_CTR_EMITTED 5         /* events written to the ring buffer */
#define SNOOP_CTR_RUNTIME_SKIPPED 6 /* syscalls of the container runtime's set-up (comm "runc:[") */
#define SNOOP_CTR_KIND_BASE 32      /* + enum snoop_kind: matching syscalls per kind */
#define SNOOP_CTR_MAX (SNOOP_CTR_KIND_BASE + SNOOP_KIND_MAX)

/* cgroup ancestry levels examined for a verdict (the root cgroup is level 0) */
#define SNOOP_CGROUP_DEPTH 32

/* traced_roots values: how a traced cgroup maps to containers */
enum snoop_root_mode {
	SNOOP_ROOT_CONTAINER = 1, /* the cgroup is itself a container: its subtree carries its id */
	SNOOP_ROOT_PARENT = 2,    /* each child is a container: its subtree carries the child's id */
};

/*
 * cgroup_verdicts value, keyed by a task's own (leaf) cgroup id: the container
 * the cgroup belongs to (0: not traced), valid while generation equals
 * config_generation[0], which user space bumps after each change to
 * traced_roots or excluded_cgroups.
 */
struct cgroup_verdict {
	__u32 generation;
	__u32 pad;
	__u64 container_id;
};

/*
 * An event is emitted at its real length: the fixed header, then
 * path_len bytes of path (no NUL), then dir_len bytes of directory
 * chain: NUL-terminated names from the innermost directory up to the
 * task's root (empty chain: the root itself).
 */
struct event {
	__u64 cgroup_id;  /* the container's cgroup id (see enum snoop_root_mode), not the task's own */
	__u64 ino;        /* inode of the opened file, 0 when unknown */
	__u32 pid;        /* tgid */
	__u32 tid;
	__u32 kind;       /* enum snoop_kind */
	__u32 flags;      /* SNOOP_F_* */
	__s32 result;     /* syscall return: fd, 0 or -errno */
	__s32 dirfd;      /* dirfd argument, AT_FDCWD (-100) when none */
	__u32 open_flags; /* O_* flags of open calls, 0 otherwise */
	__u16 path_len;
	__u16 dir_len;
	char data[SNOOP_PATH_MAX + SNOOP_DIR_MAX];
};

#define SNOOP_EVENT_HEADER 48

#ifndef __cplusplus
_Static_assert(__builtin_offsetof(struct event, cgroup_id) == 0, "cgroup_id");
_Static_assert(__builtin_offsetof(struct event, ino) == 8, "ino");
_Static_assert(__builtin_offsetof(struct event, pid) == 16, "pid");
_Static_assert(__builtin_offsetof(struct event, tid) == 20, "tid");
_Static_assert(__builtin_offsetof(struct event, kind) == 24, "kind");
_Static_assert(__builtin_offsetof(struct event, flags) == 28, "flags");
_Static_assert(__builtin_offsetof(struct event, result) == 32, "result");
_Static_assert(__builtin_offsetof(struct event, dirfd) == 36, "dirfd");
_Static_assert(__builtin_offsetof(struct event, open_flags) == 40, "open_flags");
_Static_assert(__builtin_offsetof(struct event, path_len) == 44, "path_len");
_Static_assert(__builtin_offsetof(struct event, dir_len) == 46, "dir_len");
_Static_assert(__builtin_offsetof(struct event, data) == SNOOP_EVENT_HEADER, "data");
#endif

/* per-container counters, map container_stats: container cgroup id -> this */
struct container_stats {
	__u64 events;   /* matching syscalls and execs, before deduplication */
	__u64 dropped;  /* events lost to a full ring buffer */
};

/* dedup key: one event per (container, path, access class, success) */
struct dedup_key {
	__u64 cgroup_id;  /* container cgroup id, as in struct event */
	__u64 path_hash;
	__u32 access;     /* enum snoop_access | SNOOP_ACCESS_FAILED */
	__u32 pad;
};

enum snoop_access {
	SNOOP_ACCESS_OPEN = 1,
	SNOOP_ACCESS_EXEC = 2,
	SNOOP_ACCESS_STAT = 3,
	SNOOP_ACCESS_READLINK = 4,
	SNOOP_ACCESS_DIRECTORY = 5, /* no longer in keys: an open of a directory is keyed as an open */
};
#define SNOOP_ACCESS_FAILED (1U << 8)

#endif /* __SNOOP_H */
