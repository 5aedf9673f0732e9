/*
 * The end-to-end workload: touches files through every syscall `snoop record` traces, with
 * absolute, cwd-relative and dirfd-relative names, "..", a symlink and a long path, from two
 * threads; then runs a #! script and a dynamic binary. Built statically by the test, so the only
 * loader activity in a report comes from the dynamic binary it executes.
 *
 * usage: touch_files WORKDIR LONGPATH SCRIPT DYNAMIC_BINARY
 * Every file named below exists under WORKDIR (the test creates them, WORKDIR/true-at too);
 * prints "done" at the end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char work[4096];

static void must(int ok, const char *what) {
	if (!ok) {
		perror(what);
		exit(2);
	}
}

static const char *at(const char *name) {
	static char buf[8192];
	snprintf(buf, sizeof buf, "%s/%s", work, name);
	return buf;
}

static void *second_thread(void *arg) {
	(void)arg;
	int fd = open(at("thread.txt"), O_RDONLY);
	must(fd >= 0, "thread open");
	close(fd);
	return NULL;
}

static void run(char *const argv[]) {
	pid_t pid = fork();
	must(pid >= 0, "fork");
	if (pid == 0) {
		execv(argv[0], argv);
		perror("execv");
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	must(WIFEXITED(status) && WEXITSTATUS(status) == 0, argv[0]);
}

int main(int argc, char **argv) {
	must(argc == 5, "usage: touch_files WORKDIR LONGPATH SCRIPT DYNAMIC_BINARY");
	snprintf(work, sizeof work, "%s", argv[1]);
	struct stat st;
	char buf[256];
	int fd;

	/* open family, absolute */
	fd = syscall(SYS_open, at("open.txt"), O_RDONLY);
	must(fd >= 0, "open");
	close(fd);
	fd = openat(AT_FDCWD, at("openat.txt"), O_RDONLY);
	must(fd >= 0, "openat");
	close(fd);
	struct open_how how = {.flags = O_RDONLY};
	fd = syscall(SYS_openat2, AT_FDCWD, at("openat2.txt"), &how, sizeof how);
	must(fd >= 0, "openat2");
	close(fd);
	fd = syscall(SYS_creat, at("created.txt"), 0644);
	must(fd >= 0, "creat");
	close(fd);

	/* metadata-only */
	must(syscall(SYS_stat, at("stat.txt"), &st) == 0, "stat");
	must(syscall(SYS_lstat, at("link-to-target"), &st) == 0, "lstat");
	must(syscall(SYS_access, at("access.txt"), R_OK) == 0, "access");
	must(syscall(SYS_readlink, at("link-to-target"), buf, sizeof buf) > 0, "readlink");
	must(syscall(SYS_newfstatat, AT_FDCWD, at("newfstatat.txt"), &st, 0) == 0, "newfstatat");
	must(syscall(SYS_statx, AT_FDCWD, at("statx.txt"), 0, 0x7ff, buf) == 0, "statx");
	must(syscall(SYS_faccessat, AT_FDCWD, at("faccessat.txt"), R_OK) == 0, "faccessat");
	must(syscall(SYS_faccessat2, AT_FDCWD, at("faccessat2.txt"), R_OK, 0) == 0, "faccessat2");

	/* through a symlink: the name used is what is recorded */
	fd = open(at("link-to-target"), O_RDONLY);
	must(fd >= 0, "open symlink");
	close(fd);

	/* directory open, and dirfd-relative names */
	int dir = open(at("sub"), O_RDONLY | O_DIRECTORY);
	must(dir >= 0, "open dir");
	fd = openat(dir, "dirfd.txt", O_RDONLY);
	must(fd >= 0, "openat dirfd");
	close(fd);
	must(syscall(SYS_newfstatat, dir, "dirfd-stat.txt", &st, 0) == 0, "newfstatat dirfd");
	must(syscall(SYS_readlinkat, dir, "dirfd-link", buf, sizeof buf) > 0, "readlinkat dirfd");
	close(dir);

	/* cwd-relative names and ".." */
	must(chdir(at("sub/deeper")) == 0, "chdir");
	fd = open("relative.txt", O_RDONLY);
	must(fd >= 0, "open relative");
	close(fd);
	fd = open("../../dotdot.txt", O_RDONLY);
	must(fd >= 0, "open ..");
	close(fd);
	must(chdir("/") == 0, "chdir /");

	/* a path close to PATH_MAX */
	fd = open(argv[2], O_RDONLY);
	must(fd >= 0, "open long path");
	close(fd);

	/* a failed open of a missing file is not a file the program needs */
	must(open(at("missing.txt"), O_RDONLY) < 0, "missing file exists");

	pthread_t thread;
	must(pthread_create(&thread, NULL, second_thread, NULL) == 0, "pthread_create");
	pthread_join(thread, NULL);

	char *script[] = {argv[3], NULL};
	run(script);
	char *dynamic[] = {argv[4], NULL};
	run(dynamic);

	/* execveat relative to a directory fd: the kernel names it /dev/fd/N/..., the file is reported */
	pid_t pid = fork();
	must(pid >= 0, "fork");
	if (pid == 0) {
		int wd = open(work, O_RDONLY | O_DIRECTORY);
		char *args[] = {"true-at", NULL};
		char *env[] = {NULL};
		syscall(SYS_execveat, wd, "true-at", args, env, 0);
		perror("execveat");
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	must(WIFEXITED(status) && WEXITSTATUS(status) == 0, "execveat");
	puts("done");
	return 0;
}
