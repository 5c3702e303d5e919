/* SPDX-License-Identifier: MIT */
/*
 * Applying linux.resources: validate, then hand each controller's part to
 * the backend of the hierarchy that holds the controller (so a hybrid host
 * writes memory on v1 and hugetlb on cgroup2 in one call).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static bool wants(const struct husk_resources *r, enum cg_ctrl c)
{
	switch (c) {
	case CG_CPUSET:
		return r->cpus || r->mems;
	case CG_CPU:
		return (cg_set_p(r->cpu_shares) && r->cpu_shares != 0) ||
		       cg_set_p(r->cpu_quota) || cg_set_p(r->cpu_period) ||
		       cg_set_p(r->cpu_rt_runtime) ||
		       cg_set_p(r->cpu_rt_period);
	case CG_MEMORY:
		return cg_set_p(r->mem_limit) || cg_set_p(r->mem_reservation) ||
		       cg_set_p(r->mem_swap) || cg_set_p(r->mem_swappiness) ||
		       r->disable_oom_killer;
	case CG_PIDS:
		return cg_set_p(r->pids_limit) && r->pids_limit != 0;
	case CG_HUGETLB:
		return r->n_hugepages > 0;
	case CG_BLKIO:
		return cg_set_p(r->blkio_weight) && r->blkio_weight != 0;
	case CG_DEVICES:
		return r->n_devices > 0;
	default:
		return false;
	}
}

bool cg_valid_page_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	return digits > 0 && s[digits] && strchr("KMG", s[digits]) &&
	       !strcmp(s + digits + 1, "B");
}

static int validate(const struct husk_resources *r, struct husk_err *err)
{
	if (cg_set_p(r->cpu_quota) && r->cpu_quota < -1)
		return husk_fail(err, EINVAL,
				 "cpu: quota %" PRId64
				 " is negative (only -1 means unlimited)",
				 r->cpu_quota);
	if (cg_set_p(r->cpu_period) && r->cpu_period <= 0)
		return husk_fail(err, EINVAL,
				 "cpu: period %" PRId64 " must be positive",
				 r->cpu_period);
	if (cg_set_p(r->mem_swap) && r->mem_swap != -1 &&
	    cg_set_p(r->mem_limit) && r->mem_limit >= 0 &&
	    r->mem_swap < r->mem_limit)
		return husk_fail(err, EINVAL,
				 "memory: swap %" PRId64
				 " (memory+swap) is below the limit %" PRId64,
				 r->mem_swap, r->mem_limit);
	if (cg_set_p(r->mem_swappiness) && r->mem_swappiness > 100)
		return husk_fail(err, EINVAL,
				 "memory: swappiness %" PRId64 " is above 100",
				 r->mem_swappiness);
	for (size_t i = 0; i < r->n_hugepages; i++)
		if (!cg_valid_page_size(r->hugepages[i].page_size))
			return husk_fail(err, EINVAL,
					 "hugetlb: page size \"%s\" (want e.g. "
					 "2MB or 1GB)",
					 r->hugepages[i].page_size);
	for (size_t i = 0; i < r->unified.n; i++) {
		const char *k = r->unified.v[i].key;

		if (!k[0] || k[0] == '.' || strchr(k, '/'))
			return husk_fail(
			    err, EINVAL,
			    "unified: \"%s\" is not a cgroup file name", k);
	}
	return 0;
}

/* Where controller @c's limits go: its hierarchy, or built into cgroup2. */
static const struct cg_dir *dir_for_apply(const struct husk_cgroup *cg,
					  enum cg_ctrl c)
{
	const struct cg_dir *d = cg_dir_for(cg, c);

	if (!d && c == CG_DEVICES)
		d = cg_v2_dir(cg); /* eBPF device program */
	return d;
}

static int apply_unified(struct husk_cgroup *cg, const struct husk_resources *r,
			 struct husk_err *err)
{
	const struct cg_dir *d = cg_v2_dir(cg);

	if (!r->unified.n)
		return 0;
	if (!d)
		return husk_fail(err, EOPNOTSUPP,
				 "unified: linux.resources.unified needs "
				 "cgroup v2, this host is %s",
				 husk_cgroup_layout());
	for (size_t i = 0; i < r->unified.n; i++) {
		int ret = cg_set(cg, d, "unified", r->unified.v[i].key,
				 r->unified.v[i].value, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int husk_cgroup_apply(struct husk_cgroup *cg, const struct husk_resources *res,
		      struct husk_err *err)
{
	/* cpuset before anything that could move tasks; devices last */
	static const enum cg_ctrl order[] = {CG_CPUSET, CG_CPU,	    CG_MEMORY,
					     CG_PIDS,	CG_HUGETLB, CG_BLKIO,
					     CG_DEVICES};
	int r = validate(res, err);

	if (r == 0)
		r = cg_check_live(cg, res, err);
	for (size_t i = 0; r == 0 && i < HUSK_ARRAY_SIZE(order); i++) {
		enum cg_ctrl c = order[i];
		const struct cg_dir *d = dir_for_apply(cg, c);

		if (!wants(res, c))
			continue;
		if (!d && c == CG_BLKIO)
			continue; /* best effort: not every host has it */
		if (!d)
			return husk_fail(err, EOPNOTSUPP,
					 "%s: limits set but no %s controller "
					 "on this host (%s)",
					 cg_ctrl_v1_name(c), cg_ctrl_v1_name(c),
					 husk_cgroup_layout());
		r = cg_dir_is_v2(cg, d) ? cg_apply_v2(cg, d, res, c, err)
					: cg_apply_v1(cg, d, res, c, err);
	}
	if (r == 0)
		r = apply_unified(cg, res, err);
	return r;
}

/* ---- pieces both backends share ---- */

/* The kernel only says EINVAL/ERANGE; say what the parent has to give. */
static void cpuset_hint(const struct cg_dir *d, const char *effective,
			struct husk_err *err)
{
	_cleanup_close_ int parent =
	    openat(d->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char allowed[256];
	size_t len = strlen(err->msg);

	if (parent < 0 || cg_read(parent, effective, allowed, sizeof(allowed)))
		return;
	snprintf(err->msg + len, sizeof(err->msg) - len, " (parent has %s)",
		 allowed[0] ? allowed : "none");
}

int cg_apply_cpuset(struct husk_cgroup *cg, const struct cg_dir *d,
		    const struct husk_resources *res, bool v2,
		    struct husk_err *err)
{
	const char *file[2] = {"cpuset.cpus", "cpuset.mems"};
	const char *eff[2] = {
	    v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus",
	    v2 ? "cpuset.mems.effective" : "cpuset.effective_mems"};
	const char *val[2] = {res->cpus, res->mems};

	for (int i = 0; i < 2; i++) {
		int r;

		if (!val[i])
			continue;
		r = cg_set(cg, d, "cpuset", file[i], val[i], err);
		if (r == -EINVAL || r == -ERANGE)
			cpuset_hint(d, eff[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_apply_pids(struct husk_cgroup *cg, const struct cg_dir *d,
		  const struct husk_resources *res, struct husk_err *err)
{
	if (res->pids_limit < 0)
		return cg_set(cg, d, "pids", "pids.max", "max", err);
	return cg_set_i64(cg, d, "pids", "pids.max", res->pids_limit, err);
}

int cg_apply_hugetlb(struct husk_cgroup *cg, const struct cg_dir *d,
		     const struct husk_resources *res, const char *suffix,
		     struct husk_err *err)
{
	char file[64], val[32];

	for (size_t i = 0; i < res->n_hugepages; i++) {
		const struct husk_hugepage_limit *h = &res->hugepages[i];
		int r;

		snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size,
			 suffix);
		snprintf(val, sizeof(val), "%" PRIu64, h->limit);
		r = cg_set(cg, d, "hugetlb", file, val, err);
		if (r == -ENOENT)
			husk_err_prefix(err, "page size %s not on this host",
					h->page_size);
		if (r < 0)
			return r;
	}
	return 0;
}
