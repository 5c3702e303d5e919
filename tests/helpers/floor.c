/* SPDX-License-Identifier: MIT */
/*
 * floor ROOTFS [PROG [ARGS...]]: the least a container runtime must do, as a
 * yardstick for the bench.  clone() into new pid, mount, uts, ipc and net
 * namespaces, pivot_root into ROOTFS, execve PROG (default /bin/true), wait
 * for it and exit with its status.  No cgroups, no /proc, no devices, no
 * capabilities or seccomp: whatever a runtime costs above this is its own.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_FLAGS \
	(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
#define STACK_SIZE (64 * 1024)

struct child_args {
	const char *rootfs;
	char **argv;
};

static char default_prog[] = "/bin/true";
static char *default_argv[] = { default_prog, NULL };

/* The child reports its own failures: it owns the step that failed. */
static int child_fail(const char *what, const char *arg)
{
	fprintf(stderr, "floor: %s %s: %s\n", what, arg, strerror(errno));
	return 127;
}

/* pivot_root into @rootfs: it must be a mount point, so bind it first. */
static int enter_rootfs(const char *rootfs)
{
	/* Keep our mounts out of the host's mount namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return child_fail("make / private", "");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return child_fail("bind mount", rootfs);
	if (chdir(rootfs) < 0)
		return child_fail("chdir", rootfs);
	/* Stack the old root under the new one, then detach it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return child_fail("pivot_root", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return child_fail("detach old root", "");
	if (chdir("/") < 0)
		return child_fail("chdir", "/");
	return 0;
}

static int child_main(void *arg)
{
	const struct child_args *a = arg;
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int rc = enter_rootfs(a->rootfs);

	if (rc)
		return rc;
	execve(a->argv[0], a->argv, envp);
	return child_fail("execve", a->argv[0]);
}

int main(int argc, char **argv)
{
	static char stack[STACK_SIZE] __attribute__((aligned(16)));
	struct child_args a;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s ROOTFS [PROG [ARGS...]]\n", argv[0]);
		return 2;
	}
	a.rootfs = argv[1];
	a.argv = argc > 2 ? &argv[2] : default_argv;

	pid = clone(child_main, stack + sizeof(stack), NS_FLAGS | SIGCHLD, &a);
	if (pid < 0) {
		perror("floor: clone");
		return 1;
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("floor: waitpid");
		return 1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
