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
 *
 * One compilation unit: this file holds the programs; the *.bpf.h headers
 * below, included in this order, hold their static __always_inline parts by
 * purpose (program sets, syscalls, maps, paths, events, cgroups, exec).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "snoop.h"

char LICENSE[] SEC("license") = "GPL";

#include "program_set.bpf.h"
#include "syscalls.bpf.h"
#include "maps.bpf.h"
#include "path.bpf.h"
#include "emit.bpf.h"
#include "cgroup.bpf.h"
#include "exec.bpf.h"

/* a finished syscall of a traced task, its arguments in a: builds and sends the event */
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
