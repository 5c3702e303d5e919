/* SPDX-License-Identifier: MIT */
/*
 * clone3(2) for CLONE_INTO_CGROUP, with clone(2) as the fallback.  glibc
 * has no clone3 wrapper.  A fork-like child returns from the syscall like
 * fork's.  A child on its own stack (CLONE_VM) must not return through C
 * frames that are not on that stack, so its side is a few instructions of
 * assembly that call fn(arg) there and exit, as glibc's clone() does.
 */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clone.h"

#if defined(__x86_64__)
#define HAVE_CLONE3_ON_STACK 1
/* The child starts with %rsp at the top of its stack, aligned for a call. */
static long clone3_on_stack(struct clone_args *args, int (*fn)(void *),
			    void *arg)
{
	register int (*r12)(void *) __asm__("r12") = fn;
	register void *r13 __asm__("r13") = arg;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[nr_exit], %%eax\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "0"((long)SYS_clone3), "D"(args), "S"(sizeof(*args)),
			   "r"(r12), "r"(r13), [nr_exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}
#else
#define HAVE_CLONE3_ON_STACK 0
static long clone3_on_stack(struct clone_args *args, int (*fn)(void *),
			    void *arg)
{
	(void)args, (void)fn, (void)arg;
	return -ENOSYS;
}
#endif

/* The child's side (fork-like) or the pid; -errno on failure. */
static long try_clone3(unsigned long flags, void *stack, size_t stack_size,
		       int cgroup_fd, int (*fn)(void *), void *arg)
{
	struct clone_args args = {
	    .flags = (flags & ~(unsigned long)CSIGNAL) | CLONE_INTO_CGROUP,
	    .exit_signal = flags & CSIGNAL,
	    .stack = (uint64_t)(uintptr_t)stack,
	    .stack_size = stack_size,
	    .cgroup = (uint64_t)cgroup_fd,
	};
	long pid;

	if (stack)
		return clone3_on_stack(&args, fn, arg);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(fn(arg));
	return pid < 0 ? -errno : pid;
}

pid_t husk_clone(unsigned long flags, void *stack, size_t stack_size,
		 int cgroup_fd, int (*fn)(void *), void *arg, bool *in_cgroup)
{
	long pid;

	*in_cgroup = cgroup_fd >= 0 && (!stack || HAVE_CLONE3_ON_STACK);
	if (*in_cgroup) {
		pid = try_clone3(flags, stack, stack_size, cgroup_fd, fn, arg);
		if (pid > 0)
			return (pid_t)pid;
		/* Kernels before 5.3 have no clone3, before 5.7 no cgroup. */
		if (pid != -ENOSYS && pid != -E2BIG && pid != -EINVAL) {
			errno = (int)-pid;
			return -1;
		}
		*in_cgroup = false;
	}
	if (stack)
		return clone(fn, (char *)stack + stack_size, (int)flags, arg);
	pid = syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid == 0)
		_exit(fn(arg));
	return (pid_t)pid;
}
