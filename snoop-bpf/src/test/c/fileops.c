// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test helper for BpfRecorderTest: performs file syscalls named on the command
 * line, in order, with raw syscall numbers so the test knows each event's kind.
 *
 *   open PATH        open(PATH, O_RDONLY)
 *   cd DIR           chdir(DIR)
 *   dirfd DIR        keep open(DIR, O_DIRECTORY) for the next openat
 *   openat NAME      openat(dirfd or AT_FDCWD, NAME, O_RDONLY)
 *   stat PATH        stat(PATH)
 *   access PATH      access(PATH, F_OK)
 *   readlink PATH    readlink(PATH)
 *   repeat N PATH    open(PATH) N times
 *   flood N PREFIX   open PREFIX0 .. PREFIX<N-1> (distinct names), prints ns per open
 *   time N PATH      open(PATH) N times, prints ns per open
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int dirfd_ = AT_FDCWD;

static void open_close(const char *path)
{
	long fd = syscall(SYS_open, path, O_RDONLY);

	if (fd >= 0)
		close(fd);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *op = argv[i];

		if (i + 1 >= argc) {
			fprintf(stderr, "fileops: %s needs an argument\n", op);
			return 2;
		}
		if (!strcmp(op, "open")) {
			open_close(argv[++i]);
		} else if (!strcmp(op, "cd")) {
			if (chdir(argv[++i])) {
				perror("chdir");
				return 1;
			}
		} else if (!strcmp(op, "dirfd")) {
			dirfd_ = syscall(SYS_open, argv[++i], O_RDONLY | O_DIRECTORY);
		} else if (!strcmp(op, "openat")) {
			long fd = syscall(SYS_openat, dirfd_, argv[++i], O_RDONLY);

			if (fd >= 0)
				close(fd);
		} else if (!strcmp(op, "stat")) {
			struct stat st;

			syscall(SYS_stat, argv[++i], &st);
		} else if (!strcmp(op, "access")) {
			syscall(SYS_access, argv[++i], F_OK);
		} else if (!strcmp(op, "readlink")) {
			char buf[4096];

			syscall(SYS_readlink, argv[++i], buf, sizeof(buf));
		} else if (!strcmp(op, "repeat") || !strcmp(op, "time") || !strcmp(op, "flood")) {
			long n;
			const char *arg;
			char path[4096];
			double t0;

			if (i + 2 >= argc) {
				fprintf(stderr, "fileops: %s needs N and a path\n", op);
				return 2;
			}
			n = atol(argv[++i]);
			arg = argv[++i];
			t0 = now_ns();
			for (long k = 0; k < n; k++) {
				if (op[0] == 'f') {
					snprintf(path, sizeof(path), "%s%ld", arg, k);
					open_close(path);
				} else {
					open_close(arg);
				}
			}
			if (op[0] != 'r')
				printf("%.1f\n", (now_ns() - t0) / n);
		} else {
			fprintf(stderr, "fileops: unknown operation %s\n", op);
			return 2;
		}
	}
	return 0;
}
