/* SPDX-License-Identifier: MIT */
/*
 * overlay/: the container's root from read-only layers plus a writable upper.
 *
 * Configured by annotations (HUSK_ANN_OVERLAY_*), parsed into
 * struct husk_overlay_spec: lowers (top first), an optional persistent upper
 * and a read-only switch.  ov->lowers.n == 0 means "no overlay": every
 * function below is then a no-op returning 0.
 *
 * On-disk layout
 *   ephemeral upper:  <state_dir>/overlay/upper, <state_dir>/overlay/work
 *   persistent upper: <upper> as named (created if missing, never removed);
 *                     work dir  <dirname>/.<basename>.husk-work (a sibling,
 *                     so it is on the upper's filesystem; kept, like upper);
 *                     claim     <dirname>/.<basename>.husk-lock
 *                     back-ref  <state_dir>/overlay/claimed-upper (symlink)
 *   read-only:        nothing on disk; 2+ lowers: an upper-less overlay
 *                     mounted MOUNT_ATTR_RDONLY; 1 lower: a read-only bind.
 *
 * "Upper in use" (persistent uppers only; an ephemeral upper lives in the
 * container's own state dir and cannot be shared).  A lock fd held for the
 * container's lifetime would have to live in the container's init (no
 * runtime process outlives `create`), where the container could see it.  So
 * the claim is a record instead: the lock file holds the owner's container
 * id, host pid, the pid's start time (from /proc/<pid>/stat, so a recycled
 * pid is not mistaken for the owner) and its state dir.  flock() on that file
 * only serializes the read-check-write.  A claim is live while its pid lives;
 * a dead owner (a `create` killed half way, a stopped container) is stale and
 * is taken over.  Ownership is by state dir: claiming again from the same
 * state dir just updates the pid.
 *
 * Runtime call order for `create`:
 *   parent:  husk_overlay_check()                   early, clear errors
 *            husk_overlay_claim(..., getpid())      before clone
 *            clone; husk_overlay_claim(..., child)  hand the claim to init
 *   child:   husk_overlay_mount(..., spec->root_path) after making /
 *            rslave/private, before pivot_root
 *   any failure after the claim, and `delete` (also `delete --force` of a
 *   half-created container): husk_overlay_cleanup(state_dir).
 */
#ifndef HUSK_OVERLAY_H
#define HUSK_OVERLAY_H

#include <sys/types.h>

#include "../runtime/err.h"
#include "../runtime/spec.h"

/* overlayfs refuses more lower layers than this (OVL_MAX_STACK). */
#define HUSK_OVL_MAX_LAYERS 500

/*
 * Validate without changing anything, so the parent can fail before clone:
 * lowers absolute, existing directories; readonly and upper not both set;
 * the upper's filesystem (or the nearest existing ancestor's) is not
 * overlayfs and supports trusted.* xattrs (needed for opaque dirs).
 * Errors name the path and the reason: "overlay lower /x: No such file or
 * directory", "overlay upper /y: on an overlay filesystem, which cannot hold
 * an upper dir".
 */
int husk_overlay_check(const struct husk_overlay_spec *ov,
		       const char *state_dir, struct husk_err *err);

/*
 * Claim a persistent upper for container @id whose init is (or will be)
 * host pid @pid; see "Upper in use" above.  Fails with -EBUSY and
 * "overlay upper <path>: in use by container <other>" when a live
 * container from another state dir holds it; then nothing is left behind.
 */
int husk_overlay_claim(const struct husk_overlay_spec *ov,
		       const char *state_dir, const char *id, pid_t pid,
		       struct husk_err *err);

/*
 * Called in the container's mount namespace before pivot_root: mount the
 * overlay described by @ov on @target.  Ephemeral upper/work dirs live in
 * @state_dir (the container's state directory).  Runs husk_overlay_check()
 * first.  On failure nothing is mounted and every dir it created is removed.
 */
int husk_overlay_mount(const struct husk_overlay_spec *ov,
		       const char *state_dir, const char *target,
		       struct husk_err *err);

/*
 * On delete: release a persistent upper's claim (if this state dir holds it)
 * and remove <state_dir>/overlay with the ephemeral upper/work dirs.  Never
 * touches a persistent upper or its work dir.  Idempotent.
 */
int husk_overlay_cleanup(const char *state_dir, struct husk_err *err);

/* Which kernel interface husk_overlay_mount_api() uses (tests force one). */
enum husk_ovl_api {
	HUSK_OVL_API_AUTO,   /* fsopen + "lowerdir+" per layer, else legacy */
	HUSK_OVL_API_LEGACY, /* mount(2), one option page, relative lowers */
};

int husk_overlay_mount_api(const struct husk_overlay_spec *ov,
			   const char *state_dir, const char *target,
			   enum husk_ovl_api api, struct husk_err *err);

#endif
