// SPDX-License-Identifier: Apache-2.0
/*
 * The workloads of bench/record/run.sh, one small program so every contender runs the same code.
 *
 *   fileloop open N FILE          open(O_RDONLY)+close FILE N times; prints ns per open+close
 *   fileloop getppid N            getppid() N times (a syscall no file tracer wants); prints ns per call
 *   fileloop mktree DIR N         creates N empty files DIR/dNNNN/fNNNNNN, 1000 per directory
 *   fileloop stat DIR FIRST N     stat()s files FIRST..FIRST+N-1 of the tree once each, as fast
 *                                 as possible; prints the count, elapsed ns and stats per second
 *   fileloop paced DIR RATE SECS MODE [FIRST]
 *                                 RATE stat()s per second for SECS seconds, in 10 bursts a second;
 *                                 MODE distinct: new files every second (file FIRST+k*RATE.. of the
 *                                 tree), MODE same: the same RATE files (FIRST..) every second
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PER_DIR 1000

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void file_name(char *buf, size_t len, const char *dir, long i)
{
	snprintf(buf, len, "%s/d%04ld/f%06ld", dir, i / PER_DIR, i);
}

static int do_open(long n, const char *file)
{
	/* one untimed call: the first one faults in the page and, under snoop, emits the event */
	int fd = open(file, O_RDONLY);
	if (fd < 0) {
		perror(file);
		return 1;
	}
	close(fd);
	long long t0 = now_ns();
	for (long i = 0; i < n; i++) {
		fd = open(file, O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	long long dt = now_ns() - t0;
	printf("%.1f\n", (double)dt / n);
	return 0;
}

static int do_getppid(long n)
{
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid); /* not the libc wrapper: never cached */
	long long dt = now_ns() - t0;
	printf("%.1f\n", (double)dt / n);
	return 0;
}

static int do_mktree(const char *dir, long n)
{
	char path[4096];
	for (long i = 0; i < n; i++) {
		if (i % PER_DIR == 0) {
			snprintf(path, sizeof path, "%s/d%04ld", dir, i / PER_DIR);
			if (mkdir(path, 0755) && errno != EEXIST) {
				perror(path);
				return 1;
			}
		}
		file_name(path, sizeof path, dir, i);
		int fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	return 0;
}

static int do_stat(const char *dir, long first, long n)
{
	char path[4096];
	struct stat st;
	long missing = 0;
	long long t0 = now_ns();
	for (long i = first; i < first + n; i++) {
		file_name(path, sizeof path, dir, i);
		if (stat(path, &st))
			missing++;
	}
	long long dt = now_ns() - t0;
	printf("%ld %lld %.0f\n", n - missing, dt, n * 1e9 / dt);
	return missing ? 1 : 0;
}

static int do_paced(const char *dir, long rate, long secs, int distinct, long first)
{
	char path[4096];
	struct stat st;
	long burst = rate / 10;
	long long start = now_ns();
	for (long s = 0; s < secs; s++) {
		for (int b = 0; b < 10; b++) {
			for (long j = 0; j < burst; j++) {
				long i = first + (distinct ? s * rate : 0) + b * burst + j;
				file_name(path, sizeof path, dir, i);
				stat(path, &st);
			}
			long long next = start + (s * 10 + b + 1) * 100000000LL;
			long long wait = next - now_ns();
			if (wait > 0) {
				struct timespec ts = { wait / 1000000000LL, wait % 1000000000LL };
				nanosleep(&ts, NULL);
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "open"))
		return do_open(atol(argv[2]), argv[3]);
	if (argc == 3 && !strcmp(argv[1], "getppid"))
		return do_getppid(atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "mktree"))
		return do_mktree(argv[2], atol(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "stat"))
		return do_stat(argv[2], atol(argv[3]), atol(argv[4]));
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "paced"))
		return do_paced(argv[2], atol(argv[3]), atol(argv[4]), !strcmp(argv[5], "distinct"),
				argc == 7 ? atol(argv[6]) : 0);
	fprintf(stderr, "usage: fileloop open N FILE | getppid N | mktree DIR N | stat DIR FIRST N | paced DIR RATE SECS distinct|same [FIRST]\n");
	return 2;
}
