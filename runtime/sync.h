/* SPDX-License-Identifier: MIT */
/*
 * Parent <-> container init synchronisation over a SOCK_SEQPACKET pair.
 * Each message is one record: a numbered step, or an error carrying the
 * child's errno and message, which the parent prints and rolls back on.
 */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stdint.h>

#include "err.h"

enum husk_sync_step {
	HUSK_SYNC_GO = 1,   /* parent -> child: ids mapped, cgroup, network done */
	HUSK_SYNC_MOUNTED,  /* child -> parent: mounts done, before pivot_root */
	HUSK_SYNC_HOOKS_DONE, /* parent -> child: createRuntime hooks ran */
	HUSK_SYNC_READY,    /* child -> parent: set up, waits to be started */
	HUSK_SYNC_START,    /* parent -> child (husk run, no exec.fifo): go on */
	HUSK_SYNC_ERROR,    /* child -> parent: failed, message follows */
};

int husk_sync_send(int fd, enum husk_sync_step step, struct husk_err *err);
/* Send @step with a number (a pid) in its code field. */
int husk_sync_send_value(int fd, enum husk_sync_step step, int32_t value,
			 struct husk_err *err);
/* Report a failure to the other side (best effort). */
void husk_sync_send_error(int fd, const struct husk_err *failure);
/*
 * Wait for @step.  An error record from the other side becomes our error;
 * EOF means the other side died.
 */
int husk_sync_wait(int fd, enum husk_sync_step step, struct husk_err *err);
/*
 * Wait until the other side execs, closing its close-on-exec end (0), or
 * reports a failure (its error).  A silent death reads as an exec too:
 * waitpid() then tells how it ended.
 */
int husk_sync_wait_exec(int fd, struct husk_err *err);
/*
 * Exec's two writers: the intermediate sends READY with the final
 * process's pid, and that process sends an error if it fails before its
 * execve.  Both write as soon as they can, so either may come first: read
 * until EOF, keeping the pid (*pid, 0 if none came) and the first error.
 */
int husk_sync_wait_spawned(int fd, int32_t *pid, struct husk_err *err);
/* Block until the other side has closed its end (exec'd or died). */
void husk_sync_wait_eof(int fd);

#endif
