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
 * A relative @path is placed under the parent of husk's own cgroup in each
 * hierarchy (from /proc/self/cgroup).  Opening without @create a cgroup
 * that is gone gives -ENOENT.  With @create, ancestors are created, v1
 * cpuset dirs get their parent's cpus/mems, and on cgroup2 every available
 * controller is enabled in cgroup.subtree_control of each ancestor.
 */
int husk_cgroup_open(const char *path, bool create, struct husk_cgroup **cg,
		     struct husk_err *err);
void husk_cgroup_free(struct husk_cgroup *cg);

/*
 * Write every set limit of @res (also used by `update`).  Errors read like
 * "memory: memory.limit_in_bytes=1048576: Device or resource busy".
 * v2 device rules become an eBPF cgroup device program (replacing the one
 * attached before); `unified` is refused on a host without cgroup2.
 */
int husk_cgroup_apply(struct husk_cgroup *cg, const struct husk_resources *res,
		      struct husk_err *err);
int husk_cgroup_enter(struct husk_cgroup *cg, pid_t pid, struct husk_err *err);
/*
 * Moving another process into a cgroup (cgroup.procs) takes the kernel's
 * global threadgroup lock for writing, which waits for an RCU grace
 * period: 4 to 13 ms on a virtualised host, most of a `husk run`.  Two
 * ways skip it: a child born in its cgroup2 dir (clone3 with
 * CLONE_INTO_CGROUP and husk_cgroup_clone_fd()), and a thread moving
 * itself through a v1 `tasks` file.
 *
 * husk_cgroup_enter_self() moves the calling process, which must have one
 * thread, into every hierarchy: v1 through `tasks`; cgroup2, unless @in_v2
 * says it was born there, through cgroup.procs, as cgroup2 allows no
 * single-thread move across domains.
 */
int husk_cgroup_clone_fd(const struct husk_cgroup *cg); /* -1: no cgroup2 */
int husk_cgroup_enter_self(struct husk_cgroup *cg, bool in_v2,
			   struct husk_err *err);
/* Freeze (or thaw) and wait, bounded, until the kernel says FROZEN. */
int husk_cgroup_freeze(struct husk_cgroup *cg, bool frozen,
		       struct husk_err *err);
int husk_cgroup_is_frozen(struct husk_cgroup *cg, bool *frozen,
			  struct husk_err *err);
/*
 * Whether the cgroup at @path is frozen, opening only the hierarchy that
 * tells (status checks: state, list, start).  A missing cgroup is thawed.
 */
int husk_cgroup_path_frozen(const char *path, bool *frozen,
			    struct husk_err *err);
/*
 * Signal every process in the cgroup and its descendants.  SIGKILL uses
 * cgroup.kill where present and repeats until empty (bounded wait).
 */
int husk_cgroup_kill(struct husk_cgroup *cg, int sig, struct husk_err *err);
/* Host PIDs of every process in the cgroup (caller frees *pids). */
int husk_cgroup_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n,
		     struct husk_err *err);
/*
 * Kill what is left, wait until empty, remove the directories (also the
 * container's own child cgroups) in every hierarchy.  Already gone is fine.
 */
int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_err *err);
/*
 * rmdir the cgroup at @path in every hierarchy, opening nothing (a
 * container whose processes are all gone): true when none is left, false
 * when one stays (processes or child cgroups in it): husk_cgroup_destroy()
 * then.
 */
bool husk_cgroup_remove_empty(const char *path);

/*
 * Inside the container's mount namespace, before pivot_root: mount a view
 * of the container's own cgroup(s) at @dest (an absolute host path under
 * the new root), read-only unless @rw.  v2: a fresh cgroup2 mount when the
 * caller is in a cgroup namespace rooted at the container's cgroup, else a
 * bind mount of the cgroup dir.  v1/hybrid: a tmpfs with one bind mount per
 * hierarchy named like the host's (cpu, memory, ..., unified).
 */
int husk_cgroup_mount(struct husk_cgroup *cg, const char *dest, bool rw,
		      struct husk_err *err);

/* "v1", "v2" or "hybrid" for this host ("none" when nothing is mounted). */
const char *husk_cgroup_layout(void);

/*
 * The host path of @file in the hierarchy holding @controller ("memory",
 * "cpu", "pids", ...; NULL or "" for the v2 hierarchy, or the first one on
 * v1), e.g. for watching memory.oom_control or memory.events.
 * -ENOENT when no hierarchy has that controller, -ENAMETOOLONG.
 */
int husk_cgroup_file_path(struct husk_cgroup *cg, const char *controller,
			  const char *file, char *buf, size_t len);

/* cpu.shares to cgroup2 cpu.weight: 1 + ((shares - 2) * 9999) / 262142. */
uint64_t husk_cgroup_shares_to_weight(uint64_t shares);

/* The path the cgroup was opened with (absolute or relative). */
const char *husk_cgroup_path(const struct husk_cgroup *cg);

#define HUSK_CG_MAX_HUGEPAGE_SIZES 8
#define HUSK_CG_UNLIMITED UINT64_MAX

struct husk_cgroup_psi {
	double some_avg10, full_avg10; /* percent */
};

struct husk_cgroup_hugetlb_stat {
	char page_size[16]; /* "2MB" */
	uint64_t usage, limit,
	    failcnt; /* v2: failcnt = hugetlb.<s>.events max */
};

/*
 * A snapshot for diagnostics.  Values a host does not provide are 0;
 * "no limit" is HUSK_CG_UNLIMITED.  On v1 `oom` is the oom_kill count
 * (memory.oom_control has no separate OOM-event counter).
 */
struct husk_cgroup_stats {
	uint64_t cpu_usage_ns, cpu_user_ns, cpu_system_ns;
	uint64_t mem_usage, mem_limit, mem_max_usage;
	uint64_t oom, oom_kill;
	uint64_t pids_current, pids_limit;
	struct husk_cgroup_hugetlb_stat hugetlb[HUSK_CG_MAX_HUGEPAGE_SIZES];
	size_t n_hugetlb;
	bool has_psi; /* a cgroup2 hierarchy with cpu/memory/io.pressure */
	struct husk_cgroup_psi psi_cpu, psi_memory, psi_io;
};

int husk_cgroup_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st,
		      struct husk_err *err);

/*
 * Test hook: read the mount table, /proc/cgroups and /proc/self/cgroup from
 * the given files and prefix every cgroupfs mount point with @root, so the
 * backends can run against a fake tree in a temp dir.  NULL arguments mean
 * the real files; all NULL restores the host.  The same can be set with the
 * environment variables HUSK_CGROUP_ROOT, HUSK_MOUNTINFO, HUSK_PROC_CGROUPS
 * and HUSK_SELF_CGROUP (read once, at first use).  With a root set, writes
 * create missing files and destroy removes plain files, as cgroupfs would.
 */
void husk_cgroup_set_root(const char *root, const char *mountinfo,
			  const char *proc_cgroups, const char *self_cgroup);

#endif
