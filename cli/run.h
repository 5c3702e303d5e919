/* SPDX-License-Identifier: MIT */
/*
 * The OCI `run` machinery of cmd_lifecycle.c, shared with the front door
 * (cmd_frontdoor.c): create + start, then proxy a terminal and wait in the
 * foreground, or return for --detach.
 */
#ifndef HUSK_CLI_RUN_H
#define HUSK_CLI_RUN_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>

#include "../runtime/spec.h"
#include "cli.h"

struct create_args {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool detach;
	bool keep; /* foreground: leave the stopped container for `delete` */
	const char *id;
};

struct bundle {
	char dir[PATH_MAX]; /* absolute */
	char *json;	    /* config.json's text, kept in the state dir */
	struct husk_spec spec;
};

/* Create and start @b as a->id; returns the exit code for main(). */
int run_bundle(const struct husk_global *g, const struct create_args *a,
	       struct bundle *b, const sigset_t *set);

/* Write @spec to <@bundle>/config.json, refusing to overwrite one. */
int cli_write_spec(const char *bundle, const struct husk_spec *spec);

#endif
