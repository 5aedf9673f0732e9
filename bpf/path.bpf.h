/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __SNOOP_PATH_BPF_H
#define __SNOOP_PATH_BPF_H

/*
 * Paths: the name a syscall was given, the directory a relative one is
 * relative to (a dentry walk up to the task's root), the file an fd names.
 */

/* the file the task's fd names, NULL when none */
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

#endif /* __SNOOP_PATH_BPF_H */
