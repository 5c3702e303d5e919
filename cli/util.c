/* SPDX-License-Identifier: MIT */
/* Helpers more than one command needs. */
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../runtime/tty.h"
#include "cli.h"

void cli_block_relayed(sigset_t *set)
{
	static const int relayed[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP,
				       SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

	/* Block before the process exists so no signal is lost; the
	 * container's process unblocks them for itself. */
	sigemptyset(set);
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(relayed); i++)
		sigaddset(set, relayed[i]);
	sigprocmask(SIG_BLOCK, set, NULL);
}

void cli_proxy_tty(int master, pid_t pid)
{
	struct husk_err err = { 0 };
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (husk_tty_proxy(master, STDIN_FILENO, STDOUT_FILENO, pidfd,
			   &err) < 0)
		cli_fail(&err);
	close(master);
	if (pidfd >= 0)
		close(pidfd);
}
