/* SPDX-License-Identifier: MIT */
/*
 * `exec`: run another process in a running container.  It joins the
 * container's cgroup and every namespace of its init (user first), then
 * becomes the process exactly as the init did: terminal, cwd, fd hygiene
 * and husk_process_finalize() with the container's seccomp profile.
 */
#ifndef HUSK_EXEC_H
#define HUSK_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"

struct husk_exec_opts {
	const char *root; /* state root (--root) */
	const char *id;
	/*
	 * What to run; NULL: the container's own process (its config.json),
	 * as the base the exec flags modify (as runc does), changed by
	 * @adjust once the container is open.
	 */
	const struct husk_process *proc;
	int (*adjust)(struct husk_process *p, const void *arg,
		      struct husk_err *err);
	const void *adjust_arg;
	const char *console_socket; /* NULL: none */
	/* proc->terminal without a console socket: our end of a socketpair
	 * the pty master comes back on (foreground proxy); else -1. */
	int console_fd;
	int preserve_fds; /* fds 3..3+N-1 are passed to the process */
	const char *pid_file; /* NULL: none; gets the process's host pid */
};

/*
 * Start @o->proc in container @o->id.  On success *@pid is its host pid,
 * a child of the caller (for waitpid), and it has already execve()d;
 * every failure before that (a missing binary, a refused capability) is
 * reported here.  A stopped, paused or still-creating container is
 * refused: "cannot exec in container X: it is paused".  On a failure,
 * *@start_failed tells whether it came from starting the process (joining
 * the container, the exec) rather than from finding the container: runc
 * and crun exit 255 for the former.
 */
int husk_container_exec(const struct husk_exec_opts *o, pid_t *pid,
			bool *start_failed, struct husk_err *err);

#endif
