/* SPDX-License-Identifier: MIT */
/*
 * cli/: argv parsing (getopt_long), printing, exit codes.  The only place
 * that prints errors and exits.  Each command is one function
 * `int cmd_NAME(const struct husk_global *g, int argc, char **argv)` that
 * returns the process exit code; argv[0] is the command name.
 */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../runtime/err.h"

struct husk_global {
	const char *root; /* --root, default /run/husk */
	bool debug;
};

/* Print "husk: <msg>" to stderr and to the --log file (text or json). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cli_error(err->msg); returns 1 (the generic failure exit code). */
int cli_fail(const struct husk_err *err);

/* Block the signals a foreground process gets relayed (util.c). */
void cli_block_relayed(sigset_t *set);
/* Proxy the user's terminal to pty @master until @pid exits; closes it. */
void cli_proxy_tty(int master, pid_t pid);

#endif
