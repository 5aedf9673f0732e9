/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __SNOOP_PROGRAM_SET_BPF_H
#define __SNOOP_PROGRAM_SET_BPF_H

/*
 * The two program sets from one source (README.md): what differs between
 * the modern set and -DSNOOP_LEGACY=1 (5.10/5.15), as macros the rest
 * uses. Part of snoop.bpf.c's one compilation unit, like every *.bpf.h.
 */

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

#endif /* __SNOOP_PROGRAM_SET_BPF_H */
