/* SPDX-License-Identifier: MIT */
/*
 * Shared between the files of cgroup/: the detected layout, the cgroup
 * object and the dirfd-relative file helpers.
 */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

#include <limits.h>

#include "cgroup.h"

enum cg_ctrl {
	CG_CPU,
	CG_CPUACCT,
	CG_CPUSET,
	CG_MEMORY,
	CG_DEVICES,
	CG_FREEZER,
	CG_BLKIO,
	CG_PIDS,
	CG_HUGETLB,
	CG_NET_CLS,
	CG_NET_PRIO,
	CG_PERF_EVENT,
	CG_RDMA,
	CG_MISC,
	CG_NCTRL
};

#define CG_MAX_HIER 24

enum cg_kind { CG_LAYOUT_NONE, CG_LAYOUT_V1, CG_LAYOUT_V2, CG_LAYOUT_HYBRID };

/*
 * The two paths are allocated (strdup): PATH_MAX arrays would make the
 * layout ~200 KiB, each page of it a fault and resident in every husk call.
 */
struct cg_hier {
	bool v2;
	char *mnt;	 /* host path of the mount point (with test root) */
	char name[64];	 /* basename of the mount point: "cpu", "unified" */
	char dev[32];	 /* "0:28": st_dev of the superblock */
	char tag[64];	 /* "name=systemd" for named v1 hierarchies */
	char *self;	 /* husk's own cgroup in it ("/" when unknown) */
	uint32_t ctrls; /* bit (1 << enum cg_ctrl) per controller */
};

struct cg_layout {
	enum cg_kind kind;
	struct cg_hier h[CG_MAX_HIER];
	size_t n;
	int ctrl_hier[CG_NCTRL]; /* index into h, -1: not available */
	int v2;			 /* index of the cgroup2 hierarchy, -1: none */
	bool fake;		 /* a test root is set */
};

struct cg_dir {
	char *path; /* host path of the container's dir, NULL before open */
	int fd;	    /* O_DIRECTORY fd on it, -1 when gone */
};

struct husk_cgroup {
	const struct cg_layout *lay;
	char *path;
	struct cg_dir d[]; /* parallel to lay->h, lay->n of them */
};

/* layout.c */
int cg_layout_get(const struct cg_layout **lay, struct husk_err *err);
const char *cg_ctrl_v1_name(enum cg_ctrl c);
const char *cg_ctrl_v2_name(enum cg_ctrl c);
int cg_ctrl_by_name(const char *name); /* v1 or v2 name, -1: unknown */

/* The container's dir holding controller @c, or NULL. */
const struct cg_dir *cg_dir_for(const struct husk_cgroup *cg, enum cg_ctrl c);
static inline bool cg_dir_is_v2(const struct husk_cgroup *cg,
				const struct cg_dir *d)
{
	return cg->lay->h[d - cg->d].v2;
}

/* file.c: all reads and writes are relative to a dir fd. */
/* @file of the dir @dfd opened for writing: the fd, or -errno. */
int cg_open_write(const struct husk_cgroup *cg, int dfd, const char *file);
int cg_write_fd(int fd, const char *val); /* one write(): -errno or 0 */
int cg_write(const struct husk_cgroup *cg, int dfd, const char *file,
	     const char *val);
/* Write and, on failure, fill @err: "<what>: <file>=<val>: <reason>". */
int cg_set(const struct husk_cgroup *cg, const struct cg_dir *d,
	   const char *what, const char *file, const char *val,
	   struct husk_err *err);
/* cg_set()'s message for a failure -@r of writing @val to @file. */
int cg_set_failed(int r, const char *what, const char *file, const char *val,
		  struct husk_err *err);
int cg_set_i64(const struct husk_cgroup *cg, const struct cg_dir *d,
	       const char *what, const char *file, int64_t v,
	       struct husk_err *err);
/* Read a whole (small) file into @buf, NUL-terminated, trailing \n cut. */
int cg_read(int dfd, const char *file, char *buf, size_t len);
int cg_read_u64(int dfd, const char *file, uint64_t *v); /* "max": UNLIMITED */
/* Value of "key N" line in a flat-keyed file (cpu.stat, memory.events). */
int cg_read_key(int dfd, const char *file, const char *key, uint64_t *v);
bool cg_exists(int dfd, const char *file);

/* The container's cgroup2 dir (pure v2 or hybrid), or NULL. */
const struct cg_dir *cg_v2_dir(const struct husk_cgroup *cg);

/*
 * Backends: write the limits of @res that belong to controller @c into
 * @d, which lives on a v1 (apply-v1.c) or cgroup2 (apply-v2.c) hierarchy.
 */
int cg_apply_v1(struct husk_cgroup *cg, const struct cg_dir *d,
		const struct husk_resources *res, enum cg_ctrl c,
		struct husk_err *err);
int cg_apply_v2(struct husk_cgroup *cg, const struct cg_dir *d,
		const struct husk_resources *res, enum cg_ctrl c,
		struct husk_err *err);

/* "2MB" -> true: page sizes as the kernel names hugetlb files. */
bool cg_valid_page_size(const char *s);

/* apply.c: pieces that read the same on both versions. */
int cg_apply_cpuset(struct husk_cgroup *cg, const struct cg_dir *d,
		    const struct husk_resources *res, bool v2,
		    struct husk_err *err);
int cg_apply_pids(struct husk_cgroup *cg, const struct cg_dir *d,
		  const struct husk_resources *res, struct husk_err *err);
/* hugetlb.<size>.<suffix> for every page size */
int cg_apply_hugetlb(struct husk_cgroup *cg, const struct cg_dir *d,
		     const struct husk_resources *res, const char *suffix,
		     struct husk_err *err);
static inline bool cg_set_p(int64_t v)
{
	return v != HUSK_UNSET;
}

/*
 * check.c: refuse what the live cgroup cannot take (CPUs the parent lacks,
 * a memory limit below the usage) before anything is written.
 */
int cg_check_live(const struct husk_cgroup *cg,
		  const struct husk_resources *r, struct husk_err *err);

/* devices-bpf.c: replace the v2 device program of @cgfd with @rules. */
struct bpf_insn;
/* The program for @rules (caller frees *insns); load gives a prog fd. */
int cg_bpf_devices_build(const struct husk_device_rule *rules, size_t n,
			 struct bpf_insn **insns, size_t *n_insns);
int cg_bpf_devices_load(const struct bpf_insn *insns, size_t n);
int cg_bpf_devices(int cgfd, const struct husk_device_rule *rules, size_t n,
		   struct husk_err *err);

#endif
