/* SPDX-License-Identifier: MIT */
/* The command table's entries, one file of cli/ per family. */
#ifndef HUSK_COMMANDS_H
#define HUSK_COMMANDS_H

#include <signal.h>
#include <sys/types.h>

#include "cli.h"

int cmd_create(const struct husk_global *g, int argc, char **argv);
int cmd_start(const struct husk_global *g, int argc, char **argv);
int cmd_run(const struct husk_global *g, int argc, char **argv);
int cmd_state(const struct husk_global *g, int argc, char **argv);
int cmd_kill(const struct husk_global *g, int argc, char **argv);
int cmd_delete(const struct husk_global *g, int argc, char **argv);
int cmd_list(const struct husk_global *g, int argc, char **argv);
int cmd_spec(const struct husk_global *g, int argc, char **argv);
int cmd_diag(const struct husk_global *g, int argc, char **argv);
int cmd_network(const struct husk_global *g, int argc, char **argv);
int cmd_exec(const struct husk_global *g, int argc, char **argv);
int cmd_events(const struct husk_global *g, int argc, char **argv);
int cmd_stats(const struct husk_global *g, int argc, char **argv);
int cmd_update(const struct husk_global *g, int argc, char **argv);
int cmd_pause(const struct husk_global *g, int argc, char **argv);
int cmd_resume(const struct husk_global *g, int argc, char **argv);
int cmd_ps(const struct husk_global *g, int argc, char **argv);
/* The front door: `run` and `spec` with --rootfs (cmd_frontdoor.c). */
bool cli_wants_frontdoor(int argc, char **argv);
int cmd_frontdoor_run(const struct husk_global *g, int argc, char **argv);
int cmd_frontdoor_spec(const struct husk_global *g, int argc, char **argv);
void cli_spec_help(void);

/* "TERM", "SIGTERM", "15" -> 15; -1 if unknown. */
int cli_parse_signal(const char *s);
/*
 * Wait for our child @pid, relaying the signals of @set (blocked by the
 * caller) to it; its exit code, or 128+N when signal N killed it.
 */
int cli_wait_child(pid_t pid, const sigset_t *set);
/* Exactly one positional ID after the flags, else usage error. */
const char *cli_one_id(int argc, char **argv, const char *usage);

#endif
