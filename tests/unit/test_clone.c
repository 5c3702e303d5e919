/* SPDX-License-Identifier: MIT */
/*
 * husk_clone(): fork-like and on its own stack (CLONE_VM), without a
 * cgroup and, as root on a host with cgroup2, born in a cgroup2 dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/clone.h"
#include "unit.h"

#define STACK_SIZE (256UL << 10)

static volatile int shared_mark;

static int child_marks(void *arg)
{
	shared_mark = *(int *)arg;
	return 7;
}

static int exit_status(pid_t pid)
{
	int st = 0;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(clone_fork_like_child_has_a_copy)
{
	int v = 5;
	bool in = true;
	pid_t pid = husk_clone(SIGCHLD, NULL, 0, -1, child_marks, &v, &in);

	CHECK(pid > 0);
	CHECK(!in);
	CHECK_INT(exit_status(pid), 7);
	CHECK_INT(shared_mark, 0); /* written in the child's copy only */
}

TEST(clone_vm_child_runs_on_its_stack_in_our_memory)
{
	void *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int v = 9;
	bool in = true;
	pid_t pid;

	CHECK(stack != MAP_FAILED);
	pid = husk_clone(CLONE_VM | SIGCHLD, stack, STACK_SIZE, -1, child_marks,
			 &v, &in);
	CHECK(pid > 0);
	CHECK(!in);
	CHECK_INT(exit_status(pid), 7);
	CHECK_INT(shared_mark, 9);
	shared_mark = 0;
	munmap(stack, STACK_SIZE);
}

/* The child's own view: 0 when its cgroup2 line names @arg. */
static int child_checks_cgroup(void *arg)
{
	char line[512], want[300];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int ret = 1;

	snprintf(want, sizeof(want), "0::%s\n", (const char *)arg);
	while (f && fgets(line, sizeof(line), f))
		if (!strcmp(line, want))
			ret = 0;
	if (f)
		fclose(f);
	return ret;
}

static const char *cgroup2_mount(void)
{
	static const char *const where[] = {"/sys/fs/cgroup/unified",
					    "/sys/fs/cgroup"};
	struct statfs sf;

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (statfs(where[i], &sf) == 0 &&
		    sf.f_type == CGROUP2_SUPER_MAGIC)
			return where[i];
	return NULL;
}

TEST(clone_into_cgroup2_both_ways)
{
	const char *mnt = cgroup2_mount();
	char dir[300];
	void *stack;
	int fd;

	if (geteuid() != 0 || !mnt) {
		printf("  (skipped: needs root and a cgroup2 hierarchy)\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/husk-unit-clone-%d", mnt, getpid());
	CHECK(mkdir(dir, 0755) == 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	CHECK(stack != MAP_FAILED);
	for (int vm = 0; vm < 2; vm++) {
		bool in = false;
		pid_t pid =
		    husk_clone(SIGCHLD | (vm ? CLONE_VM : 0), vm ? stack : NULL,
			       vm ? STACK_SIZE : 0, fd, child_checks_cgroup,
			       dir + strlen(mnt), &in);

		CHECK(pid > 0);
		/* This kernel (5.7+) has CLONE_INTO_CGROUP; husk has the
		 * assembly for a child on its own stack on x86_64 only. */
#ifdef __x86_64__
		CHECK(in);
#else
		CHECK(in || vm);
#endif
		CHECK_INT(exit_status(pid), 0);
	}
	munmap(stack, STACK_SIZE);
	close(fd);
	CHECK(rmdir(dir) == 0);
}
