/* SPDX-License-Identifier: MIT */
/*
 * The container's filesystem view, built by the init in its own mount
 * namespace: propagation, overlay, spec mounts, devices, pivot_root,
 * masked and read-only paths.
 */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include <stdbool.h>

#include "err.h"
#include "spec.h"

struct husk_cgroup;

struct husk_rootfs {
	const struct husk_spec *spec;
	const char *state_dir;
	struct husk_cgroup *cg; /* for cgroup mounts; may be NULL */
	bool userns;		/* in a new user namespace: no mknod */
};

/* Everything up to (not including) pivot_root. */
int husk_rootfs_prepare(const struct husk_rootfs *r, struct husk_err *err);
/* pivot_root into the rootfs and drop the old root. */
int husk_rootfs_pivot(const struct husk_rootfs *r, struct husk_err *err);
/* After pivot_root: masked paths, read-only paths, read-only root. */
int husk_rootfs_finish(const struct husk_rootfs *r, struct husk_err *err);

#endif
