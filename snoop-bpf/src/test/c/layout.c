// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Prints the layout and constants of bpf/snoop.h as "NAME VALUE" lines for EventLayoutTest. */
#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include "snoop.h"

#define P(name, value) printf("%s %lld\n", name, (long long)(value))
#define OFF(field) P("offsetof(" #field ")", offsetof(struct event, field))
#define C(name) P(#name, name)

int main(void)
{
	OFF(cgroup_id); OFF(ino); OFF(pid); OFF(tid); OFF(kind); OFF(flags); OFF(result);
	OFF(dirfd); OFF(open_flags); OFF(path_len); OFF(dir_len); OFF(data);
	P("sizeof(struct event)", sizeof(struct event));
	P("sizeof(struct cgroup_verdict)", sizeof(struct cgroup_verdict));
	C(SNOOP_EVENT_HEADER); C(SNOOP_PATH_MAX); C(SNOOP_DIR_MAX); C(SNOOP_CGROUP_DEPTH);
	C(SNOOP_F_PATH_FAULT); C(SNOOP_F_PATH_TOO_LONG); C(SNOOP_F_RELATIVE);
	C(SNOOP_F_DIR_UNRESOLVED); C(SNOOP_F_DIRECTORY); C(SNOOP_F_EMPTY_PATH); C(SNOOP_F_PSEUDO);
	C(SNOOP_CTR_DROPPED); C(SNOOP_CTR_PATH_FAULT); C(SNOOP_CTR_PATH_TOO_LONG);
	C(SNOOP_CTR_DIR_UNRESOLVED); C(SNOOP_CTR_DEDUPED); C(SNOOP_CTR_EMITTED);
	C(SNOOP_CTR_RUNTIME_SKIPPED); C(SNOOP_CTR_KIND_BASE); C(SNOOP_CTR_MAX);
	C(SNOOP_ROOT_CONTAINER); C(SNOOP_ROOT_PARENT);
	C(SNOOP_KIND_OPEN); C(SNOOP_KIND_OPENAT); C(SNOOP_KIND_OPENAT2); C(SNOOP_KIND_CREAT);
	C(SNOOP_KIND_EXECVE); C(SNOOP_KIND_EXECVEAT); C(SNOOP_KIND_STAT); C(SNOOP_KIND_LSTAT);
	C(SNOOP_KIND_NEWFSTATAT); C(SNOOP_KIND_STATX); C(SNOOP_KIND_ACCESS);
	C(SNOOP_KIND_FACCESSAT); C(SNOOP_KIND_FACCESSAT2); C(SNOOP_KIND_READLINK);
	C(SNOOP_KIND_READLINKAT); C(SNOOP_KIND_EXEC_FILENAME); C(SNOOP_KIND_EXEC_FILE);
	C(SNOOP_KIND_EXEC_INTERP); C(SNOOP_KIND_EXEC_ELF_INTERP); C(SNOOP_KIND_CGROUP); C(SNOOP_KIND_MAX);
	P("offsetof(container_stats.events)", offsetof(struct container_stats, events));
	P("offsetof(container_stats.dropped)", offsetof(struct container_stats, dropped));
	P("sizeof(struct container_stats)", sizeof(struct container_stats));
	return 0;
}
