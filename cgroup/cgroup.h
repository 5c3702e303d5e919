/* SPDX-License-Identifier: MIT */
/*
 * cgroup/: one interface over cgroupfs on v1, v2 and hybrid hosts.
 * The layout is detected at run time from /proc/self/mountinfo; hybrid
 * hosts use each controller where it is mounted.
 */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../runtime/err.h"
#include "../runtime/spec.h"

struct husk_cgroup; /* opaque */

/*
 * Open (and with @create, make) the cgroup @path (the resolved
 * linux.cgroupsPath, e.g. "/husk/c1") in every hierarchy husk uses.
 */
int husk_cgroup_open(const char *path, bool create, struct husk_cgroup **cg,
		     struct husk_err *err);
void husk_cgroup_free(struct husk_cgroup *cg);

int husk_cgroup_apply(struct husk_cgroup *cg, const struct husk_resources *res,
		      struct husk_err *err);
int husk_cgroup_enter(struct husk_cgroup *cg, pid_t pid, struct husk_err *err);
int husk_cgroup_freeze(struct husk_cgroup *cg, bool frozen,
		       struct husk_err *err);
int husk_cgroup_is_frozen(struct husk_cgroup *cg, bool *frozen,
			  struct husk_err *err);
/* Signal every process in the cgroup. */
int husk_cgroup_kill(struct husk_cgroup *cg, int sig, struct husk_err *err);
/* Host PIDs of every process in the cgroup (caller frees *pids). */
int husk_cgroup_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n,
		     struct husk_err *err);
/* Kill what is left, wait until empty, remove the directories. */
int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_err *err);

/*
 * Inside the container's mount namespace, before pivot_root: mount a view
 * of the container's own cgroup(s) at @dest (an absolute host path under
 * the new root), read-only unless @rw.
 */
int husk_cgroup_mount(struct husk_cgroup *cg, const char *dest, bool rw,
		      struct husk_err *err);

#endif
