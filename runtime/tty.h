/* SPDX-License-Identifier: MIT */
/*
 * Terminals for process.terminal = true.
 *
 * The pty is created inside the container (from the container's own
 * /dev/ptmx, after pivot_root), so the slave lives in the container's
 * devpts.  Its master goes out over a unix socket as one SCM_RIGHTS fd
 * with a name ("/dev/ptmx") as the data: the --console-socket protocol of
 * runc, crun, conmon and containerd.  Without --console-socket the runtime
 * passes one end of a socketpair instead, receives the master with
 * husk_recv_fd() and runs husk_tty_proxy() in the foreground.
 */
#ifndef HUSK_TTY_H
#define HUSK_TTY_H

#include <stddef.h>

#include "err.h"

/*
 * Connect to the --console-socket at @path (a host path: call this before
 * pivot_root, or in the parent and let the child inherit the fd).
 */
int husk_console_connect(const char *path, int *sock, struct husk_err *err);

/*
 * In the container, after pivot_root: open /dev/ptmx, unlock it, open the
 * slave, set the window size (@rows/@cols; 0 leaves it), make the slave
 * the controlling terminal of a new session (setsid + TIOCSCTTY) and
 * stdin/stdout/stderr, then send the master over @console_sock and close
 * the master.  @console_sock itself is left open for the caller to close.
 */
int husk_tty_setup(int console_sock, unsigned rows, unsigned cols,
		   struct husk_err *err);

/* Send @fd over the unix socket @sock with @name as the data. */
int husk_send_fd(int sock, int fd, const char *name, struct husk_err *err);
/*
 * Receive one fd (CLOEXEC) sent by husk_send_fd (or runc's protocol);
 * @name (may be NULL) gets the data, NUL-terminated.
 */
int husk_recv_fd(int sock, int *fd, char *name, size_t name_len,
		 struct husk_err *err);

/*
 * Foreground proxy between the user's terminal and a pty @master: when
 * @in is a terminal it goes raw (restored on return, on every path) and
 * its window size follows to @master, now and on each SIGWINCH.  Copies
 * @in -> @master and @master -> @out until the pty hangs up (every slave
 * fd closed) or @stop_fd (e.g. a pidfd of the container process; -1:
 * none) becomes readable, in which case pending output is drained first.
 * EOF on @in just stops reading it.
 */
int husk_tty_proxy(int master, int in, int out, int stop_fd,
		   struct husk_err *err);

#endif
