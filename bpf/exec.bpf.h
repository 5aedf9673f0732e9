/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __SNOOP_EXEC_BPF_H
#define __SNOOP_EXEC_BPF_H

/*
 * What an exec loaded, at sched_process_exec: the names given, the file
 * loaded, and the ELF interpreter the kernel mapped.
 */

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

#endif /* __SNOOP_EXEC_BPF_H */
