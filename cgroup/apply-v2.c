/* SPDX-License-Identifier: MIT */
/* The cgroup2 backend: one dir, controllers enabled from the ancestors. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* cpu.shares (2..262144) to cpu.weight (1..10000), as runc and crun do. */
uint64_t husk_cgroup_shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* blkio.weight (10..1000) to io.weight (1..10000). */
static uint64_t blkio_to_io_weight(uint64_t w)
{
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + ((w - 10) * 9999) / 990;
}

static void limit_str(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
}

/*
 * cpu.max is "$QUOTA $PERIOD"; a lone quota keeps the period.  With only a
 * period given, keep the quota that is there.
 */
static int cpu_max_v2(struct husk_cgroup *cg, const struct cg_dir *d,
		      const struct husk_resources *r, struct husk_err *err)
{
	char quota[32] = "max", val[80], cur[80];
	bool has_quota = cg_set_p(r->cpu_quota) && r->cpu_quota != 0;

	if (!has_quota && !cg_set_p(r->cpu_period))
		return 0;
	if (has_quota)
		limit_str(quota, sizeof(quota), r->cpu_quota);
	else if (cg_read(d->fd, "cpu.max", cur, sizeof(cur)) == 0)
		snprintf(quota, sizeof(quota), "%.*s", (int)strcspn(cur, " "),
			 cur);
	if (cg_set_p(r->cpu_period))
		snprintf(val, sizeof(val), "%s %" PRId64, quota, r->cpu_period);
	else
		snprintf(val, sizeof(val), "%s", quota);
	return cg_set(cg, d, "cpu", "cpu.max", val, err);
}

static int cpu_v2(struct husk_cgroup *cg, const struct cg_dir *d,
		  const struct husk_resources *r, struct husk_err *err)
{
	int ret = 0;

	if (cg_set_p(r->cpu_shares) && r->cpu_shares != 0)
		ret = cg_set_i64(cg, d, "cpu", "cpu.weight",
				 (int64_t)husk_cgroup_shares_to_weight(
				     (uint64_t)r->cpu_shares),
				 err);
	/* cgroup2 has no RT group scheduling: realtime is ignored */
	return ret ? ret : cpu_max_v2(cg, d, r, err);
}

/* memory.swap.max counts swap alone, OCI's swap counts memory+swap. */
static int swap_v2(struct husk_cgroup *cg, const struct cg_dir *d,
		   const struct husk_resources *r, struct husk_err *err)
{
	if (r->mem_swap == -1)
		return cg_set(cg, d, "memory", "memory.swap.max", "max", err);
	if (!cg_set_p(r->mem_limit) || r->mem_limit < 0)
		return husk_fail(err, EINVAL,
				 "memory: swap %" PRId64
				 " needs a memory limit on cgroup v2",
				 r->mem_swap);
	return cg_set_i64(cg, d, "memory", "memory.swap.max",
			  r->mem_swap - r->mem_limit, err);
}

static int memory_v2(struct husk_cgroup *cg, const struct cg_dir *d,
		     const struct husk_resources *r, struct husk_err *err)
{
	char val[32];
	int ret = 0;

	if (cg_set_p(r->mem_limit)) {
		limit_str(val, sizeof(val), r->mem_limit);
		ret = cg_set(cg, d, "memory", "memory.max", val, err);
	}
	if (!ret && cg_set_p(r->mem_reservation)) {
		limit_str(val, sizeof(val), r->mem_reservation);
		ret = cg_set(cg, d, "memory", "memory.low", val, err);
	}
	if (!ret && cg_set_p(r->mem_swap))
		ret = swap_v2(cg, d, r, err);
	/* no swappiness and no way to disable the OOM killer on cgroup2 */
	return ret;
}

static int io_v2(struct husk_cgroup *cg, const struct cg_dir *d,
		 const struct husk_resources *r, struct husk_err *err)
{
	if (cg_exists(d->fd, "io.bfq.weight"))
		return cg_set_i64(cg, d, "io", "io.bfq.weight", r->blkio_weight,
				  err);
	if (cg_exists(d->fd, "io.weight"))
		return cg_set_i64(
		    cg, d, "io", "io.weight",
		    (int64_t)blkio_to_io_weight((uint64_t)r->blkio_weight),
		    err);
	return 0;
}

int cg_apply_v2(struct husk_cgroup *cg, const struct cg_dir *d,
		const struct husk_resources *res, enum cg_ctrl c,
		struct husk_err *err)
{
	switch (c) {
	case CG_CPUSET:
		return cg_apply_cpuset(cg, d, res, true, err);
	case CG_CPU:
		return cpu_v2(cg, d, res, err);
	case CG_MEMORY:
		return memory_v2(cg, d, res, err);
	case CG_PIDS:
		return cg_apply_pids(cg, d, res, err);
	case CG_HUGETLB:
		return cg_apply_hugetlb(cg, d, res, "max", err);
	case CG_BLKIO:
		return io_v2(cg, d, res, err);
	case CG_DEVICES:
		return cg_bpf_devices(d->fd, res->devices, res->n_devices, err);
	default:
		return 0;
	}
}
