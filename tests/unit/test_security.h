/* SPDX-License-Identifier: MIT */
/* Helpers shared by the security, seccomp and tty unit tests. */
#ifndef HUSK_TEST_SECURITY_H
#define HUSK_TEST_SECURITY_H

#include <stddef.h>

/*
 * Run @fn(@fd, @arg) in a forked child (killed by SIGALRM after 10 s) and
 * collect what it writes to @fd into @out (NUL-terminated).  Returns the
 * child's wait status, or -1 if it could not be run.
 */
int sec_run_child(void (*fn)(int fd, const void *arg), const void *arg,
		  char *out, size_t len);
/* The value of "Key:" in /proc/self/status-like @text, into @buf. */
const char *sec_status_field(const char *text, const char *key, char *buf,
			     size_t len);
/* Drop CAP_SYS_RESOURCE from the effective set, as this VM's host has. */
void sec_drop_sys_resource(void);

#endif
