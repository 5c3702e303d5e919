/* SPDX-License-Identifier: MIT */
#ifndef HUSK_CLONE_H
#define HUSK_CLONE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Clone a child that runs @fn(@arg) and exits with its value, as clone(2)
 * does; -1 and errno on failure.  @flags are clone(2)'s, exit signal
 * included.  @stack NULL: fork-like, the child runs on a copy of our
 * stack; else the child runs on @stack (@stack_size bytes, CLONE_VM).
 *
 * @cgroup_fd >= 0, a cgroup2 dir: the child is born in it
 * (CLONE_INTO_CGROUP), so nobody pays for moving it there later.  Before
 * each attempt *@in_cgroup says whether that one asks for it: it is false
 * where the kernel (before 5.7) or this architecture has no clone3 for it,
 * and is written before the child exists, so the child may read it.
 */
pid_t husk_clone(unsigned long flags, void *stack, size_t stack_size,
		 int cgroup_fd, int (*fn)(void *), void *arg, bool *in_cgroup);

#endif
