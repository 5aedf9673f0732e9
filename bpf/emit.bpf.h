/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __SNOOP_EMIT_BPF_H
#define __SNOOP_EMIT_BPF_H

/*
 * Events: built in the per-CPU scratch, deduplicated in the kernel (an LRU
 * of path hashes per container and access) and sent to the ring buffer;
 * the per-container counters.
 */

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

/* words of a path hashed without the loop: paths of up to 71 bytes */
#define SHORT_PATH_WORDS 8

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
#if !SNOOP_LEGACY
	/* most paths are short: straight-line code, no loop callback per word (the same hash) */
	if (c->words <= SHORT_PATH_WORDS) {
		__u32 i;

#pragma unroll
		for (i = 0; i < SHORT_PATH_WORDS; i++) {
			if (i >= c->words)
				break;
			c->h = mix(c->h, *(__u64 *)(ev->data + i * 8));
		}
	} else
#endif
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

#endif /* __SNOOP_EMIT_BPF_H */
