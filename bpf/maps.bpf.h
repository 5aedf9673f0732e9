/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __SNOOP_MAPS_BPF_H
#define __SNOOP_MAPS_BPF_H

/*
 * Config set before load, the maps, and the per-CPU scratch the events and
 * the loops' state are built in. After program_set.bpf.h and syscalls.bpf.h.
 */

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

#endif /* __SNOOP_MAPS_BPF_H */
