/*
 * A container that starts with a burst: opens N distinct files as fast as it can, as a starting
 * application loading its code and data does.
 *
 * usage: burst_files mktree DIR N   creates N empty files DIR/dNNNN/fNNNNNN, 1000 per directory
 *        burst_files open DIR N     open(O_RDONLY)+close of each of them once; prints
 *                                   "opened N in MS ms"
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PER_DIR 1000

static void file_name(char *buf, size_t len, const char *dir, long i)
{
	snprintf(buf, len, "%s/d%04ld/f%06ld", dir, i / PER_DIR, i);
}

int main(int argc, char **argv)
{
	char path[4096];
	long n;
	struct timespec t0, t1;

	if (argc != 4) {
		fprintf(stderr, "usage: burst_files mktree|open DIR N\n");
		return 2;
	}
	n = atol(argv[3]);
	if (strcmp(argv[1], "mktree") == 0) {
		for (long i = 0; i < n; i++) {
			if (i % PER_DIR == 0) {
				snprintf(path, sizeof(path), "%s/d%04ld", argv[2], i / PER_DIR);
				if (mkdir(path, 0755) != 0) {
					perror(path);
					return 1;
				}
			}
			file_name(path, sizeof(path), argv[2], i);
			int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
			if (fd < 0) {
				perror(path);
				return 1;
			}
			close(fd);
		}
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		file_name(path, sizeof(path), argv[2], i);
		int fd = open(path, O_RDONLY);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("opened %ld in %lld ms\n", n,
	       ((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)) / 1000000);
	return 0;
}
