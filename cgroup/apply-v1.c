/* SPDX-License-Identifier: MIT */
/* The cgroup v1 backend: one hierarchy (dir) per controller. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"

static int cpu_v1(struct husk_cgroup *cg, const struct cg_dir *d,
		  const struct husk_resources *r, struct husk_err *err)
{
	int ret = 0;

	if (cg_set_p(r->cpu_shares) && r->cpu_shares != 0)
		ret =
		    cg_set_i64(cg, d, "cpu", "cpu.shares", r->cpu_shares, err);
	if (!ret && cg_set_p(r->cpu_period))
		ret = cg_set_i64(cg, d, "cpu", "cpu.cfs_period_us",
				 r->cpu_period, err);
	if (!ret && cg_set_p(r->cpu_quota) && r->cpu_quota != 0)
		ret = cg_set_i64(cg, d, "cpu", "cpu.cfs_quota_us", r->cpu_quota,
				 err);
	/* realtime only where the kernel has RT group scheduling */
	if (!ret && cg_set_p(r->cpu_rt_period) &&
	    cg_exists(d->fd, "cpu.rt_period_us"))
		ret = cg_set_i64(cg, d, "cpu", "cpu.rt_period_us",
				 r->cpu_rt_period, err);
	if (!ret && cg_set_p(r->cpu_rt_runtime) &&
	    cg_exists(d->fd, "cpu.rt_runtime_us"))
		ret = cg_set_i64(cg, d, "cpu", "cpu.rt_runtime_us",
				 r->cpu_rt_runtime, err);
	return ret;
}

/*
 * memsw (memory+swap) must stay >= the memory limit at every moment, so
 * which of the two goes first depends on whether limits grow or shrink:
 * try the limit first and, if the kernel refuses, swap first.
 */
static int memory_limits_v1(struct husk_cgroup *cg, const struct cg_dir *d,
			    const struct husk_resources *r,
			    struct husk_err *err)
{
	const char *lim = "memory.limit_in_bytes";
	const char *sw = "memory.memsw.limit_in_bytes";
	uint64_t cur;
	int ret;

	if (!cg_set_p(r->mem_limit))
		return cg_set_p(r->mem_swap)
			   ? cg_set_i64(cg, d, "memory", sw, r->mem_swap, err)
			   : 0;
	ret = cg_set_i64(cg, d, "memory", lim, r->mem_limit, err);
	if (ret == -EINVAL && !cg_set_p(r->mem_swap) &&
	    cg_read_u64(d->fd, sw, &cur) == 0 && r->mem_limit >= 0 &&
	    cur < (uint64_t)r->mem_limit)
		return husk_fail(err, EINVAL,
				 "memory: limit %" PRId64
				 " is above the memory+swap limit %" PRIu64
				 " (raise the swap limit with it)",
				 r->mem_limit, cur);
	if (ret == -EINVAL && cg_set_p(r->mem_swap)) {
		ret = cg_set_i64(cg, d, "memory", sw, r->mem_swap, err);
		return ret ? ret
			   : cg_set_i64(cg, d, "memory", lim, r->mem_limit,
					err);
	}
	if (!ret && cg_set_p(r->mem_swap))
		ret = cg_set_i64(cg, d, "memory", sw, r->mem_swap, err);
	return ret;
}

static int memory_v1(struct husk_cgroup *cg, const struct cg_dir *d,
		     const struct husk_resources *r, struct husk_err *err)
{
	int ret = memory_limits_v1(cg, d, r, err);

	if (!ret && cg_set_p(r->mem_reservation))
		ret = cg_set_i64(cg, d, "memory", "memory.soft_limit_in_bytes",
				 r->mem_reservation, err);
	if (!ret && cg_set_p(r->mem_swappiness) && r->mem_swappiness >= 0)
		ret = cg_set_i64(cg, d, "memory", "memory.swappiness",
				 r->mem_swappiness, err);
	if (!ret && r->disable_oom_killer)
		ret = cg_set(cg, d, "memory", "memory.oom_control", "1", err);
	return ret;
}

static int blkio_v1(struct husk_cgroup *cg, const struct cg_dir *d,
		    const struct husk_resources *r, struct husk_err *err)
{
	static const char *const files[] = {"blkio.weight", "blkio.bfq.weight"};

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(files); i++)
		if (cg_exists(d->fd, files[i]))
			return cg_set_i64(cg, d, "blkio", files[i],
					  r->blkio_weight, err);
	return 0; /* no proportional I/O scheduler: nothing to weigh */
}

static void dev_num(char *buf, size_t len, int64_t n)
{
	if (n < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId64, n);
}

static void device_rule_text(char *buf, size_t len,
			     const struct husk_device_rule *rule)
{
	char maj[24], min[24];

	if (rule->type == 'a') {
		snprintf(buf, len, "a");
		return;
	}
	dev_num(maj, sizeof(maj), rule->major);
	dev_num(min, sizeof(min), rule->minor);
	snprintf(buf, len, "%c %s:%s %s", rule->type, maj, min,
		 rule->access[0] ? rule->access : "rwm");
}

/*
 * "c 1:3 rwm" into devices.allow or devices.deny, in spec order.  The
 * kernel takes one rule per write(), not per open: each file is opened
 * once for all its rules (a default spec has a dozen, and a cgroupfs open
 * costs more than the write).
 */
static int devices_v1(struct husk_cgroup *cg, const struct cg_dir *d,
		      const struct husk_resources *r, struct husk_err *err)
{
	_cleanup_close_ int deny_fd = -1;
	_cleanup_close_ int allow_fd = -1;

	for (size_t i = 0; i < r->n_devices; i++) {
		const struct husk_device_rule *rule = &r->devices[i];
		const char *file =
		    rule->allow ? "devices.allow" : "devices.deny";
		int *fd = rule->allow ? &allow_fd : &deny_fd;
		char val[80];
		int ret;

		device_rule_text(val, sizeof(val), rule);
		if (*fd < 0)
			*fd = cg_open_write(cg, d->fd, file);
		ret = *fd < 0 ? *fd : cg_write_fd(*fd, val);
		if (ret < 0)
			return cg_set_failed(ret, "devices", file, val, err);
	}
	return 0;
}

int cg_apply_v1(struct husk_cgroup *cg, const struct cg_dir *d,
		const struct husk_resources *res, enum cg_ctrl c,
		struct husk_err *err)
{
	switch (c) {
	case CG_CPUSET:
		return cg_apply_cpuset(cg, d, res, false, err);
	case CG_CPU:
		return cpu_v1(cg, d, res, err);
	case CG_MEMORY:
		return memory_v1(cg, d, res, err);
	case CG_PIDS:
		return cg_apply_pids(cg, d, res, err);
	case CG_HUGETLB:
		return cg_apply_hugetlb(cg, d, res, "limit_in_bytes", err);
	case CG_BLKIO:
		return blkio_v1(cg, d, res, err);
	case CG_DEVICES:
		return devices_v1(cg, d, res, err);
	default:
		return 0;
	}
}
