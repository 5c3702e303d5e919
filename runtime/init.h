/* SPDX-License-Identifier: MIT */
/* The container init: what the cloned child does until execve. */
#ifndef HUSK_INIT_H
#define HUSK_INIT_H

#include <stdbool.h>

#include "spec.h"

struct husk_cgroup;

/*
 * What the init is given.  An init cloned with CLONE_VM (husk run: see
 * spawn_init in create.c) reads this struct once, at its start; the spec
 * and strings it points to must stay untouched until the init has exec'd.
 */
struct husk_init_args {
	const struct husk_spec *spec;
	const char *root; /* husk's --root: hooks read the state there */
	const char *id;
	const char *state_dir;
	struct husk_cgroup *cg;
	int sync_fd;	  /* our end of the sync socketpair */
	int parent_fds[2]; /* the parent's lock and sync end: closed at once */
	int fifo_fd;	  /* O_PATH fd of exec.fifo; -1: husk run sends START */
	int console_fd;	  /* connected console socket, or -1 */
	int preserve_fds; /* extra fds after stdio handed to the process */
	bool userns;	  /* a new user namespace was made */
	bool in_cgroup2;  /* born in its cgroup2 dir (husk_clone) */
	bool straight;	  /* husk run, no hooks: no MOUNTED, READY, START */
};

/*
 * The init's entry point, a clone() callback taking a struct
 * husk_init_args *.  Never returns: execs the process, or reports the
 * failure and exits.
 */
int husk_init_main(void *args);

/*
 * Find @file the way execvp would, using PATH from @env; the message of a
 * failure is what podman maps to exit codes 126/127.
 */
int husk_find_executable(const char *file, char *const env[], char *out,
			 size_t len, struct husk_err *err);

#endif
