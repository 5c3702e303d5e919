/* SPDX-License-Identifier: MIT */
/* ns/: namespace clone flags, joining by path or pidfd, and id maps. */
#ifndef HUSK_NS_H
#define HUSK_NS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../runtime/err.h"
#include "../runtime/spec.h"

/* CLONE_NEW* flags of the namespaces the spec asks to create (no path). */
int husk_ns_clone_flags(const struct husk_spec *spec);
/*
 * Join the namespaces the spec names by path, user namespace first (it
 * decides what the others may do).  @skip_pid: the PID namespace is joined
 * by the parent before clone, since setns(CLONE_NEWPID) only affects
 * children.
 */
int husk_ns_join_paths(const struct husk_spec *spec, bool pid_only,
		       struct husk_err *err);
/* Write /proc/<pid>/{uid_map,gid_map} from the spec's mappings. */
int husk_ns_write_idmaps(pid_t pid, const struct husk_spec *spec,
			 struct husk_err *err);
/*
 * Join every namespace of process @pid that differs from ours (for exec):
 * user first; with a pidfd in one setns() call where the kernel allows.
 */
int husk_ns_enter_process(pid_t pid, int pidfd, struct husk_err *err);

#endif
