/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __SNOOP_SYSCALLS_BPF_H
#define __SNOOP_SYSCALLS_BPF_H

/*
 * The traced syscalls: their numbers per architecture, their kinds, and
 * their arguments as saved from the registers.
 */

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

struct args {
	__u64 container_id; /* decided at sys_enter */
	__u64 path;       /* user pointer, read at exit when it is faulted in */
	__u64 how;        /* openat2: user pointer to struct open_how */
	__s32 dirfd;
	__u32 kind;
	__u32 open_flags;
	__u32 at_flags;
};

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

#endif /* __SNOOP_SYSCALLS_BPF_H */
