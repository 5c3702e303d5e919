/* SPDX-License-Identifier: MIT */
/* Shared between the lifecycle files of runtime/ only. */
#ifndef HUSK_INTERNAL_H
#define HUSK_INTERNAL_H

#include <stdbool.h>

#include "../cgroup/cgroup.h"
#include "err.h"
#include "spec.h"
#include "state.h"

/*
 * Undo everything recorded in @st, in reverse order of creation: the
 * processes, the cgroup, the network, the overlay dirs, then the state
 * dir.  Used by a failed create and by delete; safe on a half-made
 * container and idempotent.  @poststop: run the poststop hooks.
 */
int husk_container_teardown(const char *root, struct husk_state *st,
			    bool poststop, struct husk_err *err);
/* Run the @kind hooks of @spec with the state JSON on their stdin. */
int husk_container_run_hooks(const struct husk_spec *spec,
			     const struct husk_state *st,
			     enum husk_hook_kind kind, struct husk_err *err);
/* The same for poststart and poststop: a failure is a warning (OCI). */
void husk_container_run_hooks_warn(const struct husk_spec *spec,
				   const struct husk_state *st,
				   enum husk_hook_kind kind);
/*
 * The spec's device rules, with the devices every container needs allowed
 * right after its last blanket deny, into @cg; once /dev is made.
 */
int husk_devices_apply(const struct husk_spec *s, struct husk_cgroup *cg,
		       struct husk_err *err);

#endif
