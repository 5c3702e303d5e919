/* SPDX-License-Identifier: MIT */
/* overlay/: the container's root from read-only layers plus a writable upper. */
#ifndef HUSK_OVERLAY_H
#define HUSK_OVERLAY_H

#include "../runtime/err.h"
#include "../runtime/spec.h"

/*
 * Called in the container's mount namespace before pivot_root: mount the
 * overlay described by @ov on @target.  Ephemeral upper/work dirs live in
 * @state_dir (the container's state directory).
 */
int husk_overlay_mount(const struct husk_overlay_spec *ov,
		       const char *state_dir, const char *target,
		       struct husk_err *err);
/* On delete: remove the ephemeral upper/work dirs (idempotent). */
int husk_overlay_cleanup(const char *state_dir, struct husk_err *err);

#endif
