/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __SNOOP_CGROUP_BPF_H
#define __SNOOP_CGROUP_BPF_H

/*
 * Which traced container, if any, the current task belongs to: the verdict
 * per leaf cgroup (cached per program and CPU, then in an LRU), the
 * container's name sent on its first verdict, and the runtime's set-up
 * stages left out.
 */

#if SNOOP_LEGACY
/*
 * bpf_get_current_ancestor_cgroup_id() is callable from tracing programs only
 * since 5.14 (5.7 added it for networking ones): 5.10's verifier rejects it.
 * The same id read from the task's cgroup: 5.10-5.19 keep the ancestors' ids
 * in cgroup.ancestor_ids[level], 6.0+ the ancestors in cgroup.ancestors[level].
 */
struct cgroup___ids {
	__u64 ancestor_ids[0];
} __attribute__((preserve_access_index));

struct cgroup___ptrs {
	struct cgroup *ancestors[0];
} __attribute__((preserve_access_index));

static __always_inline __u64 ancestor_cgroup_id(__u32 level)
{
	struct cgroup *cg = BPF_CORE_READ(current_task(), cgroups, dfl_cgrp), *ancestor = NULL;
	__u64 id = 0;

	if (!cg || level > (__u32)BPF_CORE_READ(cg, level))
		return 0; /* past the leaf, as the helper */
	if (bpf_core_field_exists(struct cgroup___ids, ancestor_ids)) {
		bpf_probe_read_kernel(&id, sizeof(id), (void *)cg + bpf_core_field_offset(struct cgroup___ids, ancestor_ids)
				      + level * sizeof(__u64));
		return id;
	}
	bpf_probe_read_kernel(&ancestor, sizeof(ancestor), (void *)cg + bpf_core_field_offset(struct cgroup___ptrs, ancestors)
			      + level * sizeof(ancestor));
	return ancestor ? BPF_CORE_READ(ancestor, kn, id) : 0;
}
#else
#define ancestor_cgroup_id(level) bpf_get_current_ancestor_cgroup_id(level)
#endif

/* level i of the current task's cgroup ancestry; stops past the leaf */
STEP_FN verdict_step(__u32 i, struct verdict_ctx *c)
{
	__u64 id = ancestor_cgroup_id(i);
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
			__u64 child = ancestor_cgroup_id(i + 1);

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

#endif /* __SNOOP_CGROUP_BPF_H */
