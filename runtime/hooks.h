/* SPDX-License-Identifier: MIT */
/*
 * OCI hooks: run a hook program with the container's state on stdin.
 *
 * Which failures abort is the runtime's decision, per the OCI spec:
 *   prestart, createRuntime, createContainer, startContainer: a failing
 *     hook aborts the operation (the runtime tears the container down and
 *     reports the error); use husk_hooks_run(), which stops at the first
 *     failure.
 *   poststart, poststop: a failure is only a warning; call husk_hook_run()
 *     for each hook, warn about each failure and carry on.
 * createRuntime runs in the runtime's namespaces after they are created;
 * createContainer and startContainer run in the container's namespaces
 * (the runtime calls them from the container's init), so their path and
 * state are resolved there.  prestart (deprecated) runs like createRuntime.
 * husk_hook_kind_aborts() encodes the table above.
 */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "spec.h"

/*
 * Run one hook: fork, execve(path, args, env) (args[0] is argv[0]; no args:
 * argv is just path; no env: an empty environment), with @state_json on
 * stdin and its stdout/stderr captured.  Waits at most hook->timeout
 * seconds, then SIGKILLs the hook's process group: "hook <path> timed out
 * after N s".  A non-zero exit: "hook <path> exited with status N: <first
 * line of its stderr>".  Background children the hook leaves behind are
 * not waited for.
 */
int husk_hook_run(const struct husk_hook *hook, const char *state_json,
		  struct husk_err *err);

/* Run @n hooks in order, stopping at the first failure. */
int husk_hooks_run(const struct husk_hook *hooks, size_t n,
		   const char *state_json, struct husk_err *err);

/* Does a failure of this kind of hook abort the operation? */
bool husk_hook_kind_aborts(enum husk_hook_kind kind);
/* "prestart", "createRuntime", ... (the config.json names). */
const char *husk_hook_kind_name(enum husk_hook_kind kind);

#endif
