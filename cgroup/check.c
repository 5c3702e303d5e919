/* SPDX-License-Identifier: MIT */
/*
 * Checks of linux.resources against the live cgroup, done before anything
 * is written so that a refused `update` changes nothing: the kernel would
 * only say EINVAL (cpuset) or, worse, OOM-kill the container (memory.max
 * below the usage on cgroup2).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CG_MAX_CPUS 8192

struct cpu_set {
	uint64_t bits[CG_MAX_CPUS / 64];
};

/* "0-3,5" into @set; -EINVAL when it is not such a list. */
static int parse_list(const char *s, struct cpu_set *set)
{
	memset(set, 0, sizeof(*set));
	while (*s) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s || *s == '-' || *s == '+')
			return -EINVAL;
		s = end;
		if (*s == '-') {
			hi = strtoul(s + 1, &end, 10);
			if (end == s + 1 || s[1] == '-' || s[1] == '+')
				return -EINVAL;
			s = end;
		}
		if (hi < lo || hi >= CG_MAX_CPUS)
			return -EINVAL;
		for (unsigned long i = lo; i <= hi; i++)
			set->bits[i / 64] |= 1ull << (i % 64);
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
		else
			break;
	}
	return 0;
}

/* The first member of @want missing from @have, or -1. */
static long first_missing(const struct cpu_set *want,
			  const struct cpu_set *have)
{
	for (size_t w = 0; w < HUSK_ARRAY_SIZE(want->bits); w++) {
		uint64_t miss = want->bits[w] & ~have->bits[w];

		if (miss)
			return (long)(w * 64 + (size_t)__builtin_ctzll(miss));
	}
	return -1;
}

/*
 * @val may only name CPUs (memory nodes) the parent cgroup has: compare
 * with its effective list.  Without that file (old kernel, fake tree) the
 * kernel's own check is all there is.
 */
static int check_cpuset_list(const struct cg_dir *d, bool v2, bool cpus,
			     const char *val, struct husk_err *err)
{
	const char *what = cpus ? "cpus" : "mems";
	const char *unit = cpus ? "CPU" : "memory node";
	const char *eff =
	    cpus ? (v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus")
		 : (v2 ? "cpuset.mems.effective" : "cpuset.effective_mems");
	_cleanup_close_ int parent =
	    openat(d->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct cpu_set want, have;
	char allowed[4096];
	long miss;

	if (!val[0])
		return 0; /* empty: inherit */
	if (parse_list(val, &want) < 0)
		return husk_fail(err, EINVAL,
				 "cpuset: %s \"%s\" is not a list like 0-3,5",
				 what, val);
	if (parent < 0 || cg_read(parent, eff, allowed, sizeof(allowed)) < 0 ||
	    parse_list(allowed, &have) < 0)
		return 0;
	miss = first_missing(&want, &have);
	if (miss >= 0)
		return husk_fail(err, EINVAL,
				 "cpuset: %s \"%s\": %s %ld does not exist or "
				 "is not available (available: %s)",
				 what, val, unit, miss,
				 allowed[0] ? allowed : "none");
	return 0;
}

/*
 * A limit below what the cgroup already uses: v1 fails with EBUSY after
 * reclaiming what it can, cgroup2 OOM-kills.  Refuse up front instead.
 */
static int check_memory(const struct husk_cgroup *cg,
			const struct husk_resources *r, struct husk_err *err)
{
	const struct cg_dir *d = cg_dir_for(cg, CG_MEMORY);
	uint64_t usage;

	if (!d || !cg_set_p(r->mem_limit) || r->mem_limit < 0)
		return 0;
	if (cg_read_u64(d->fd,
			cg_dir_is_v2(cg, d) ? "memory.current"
					    : "memory.usage_in_bytes",
			&usage) < 0)
		return 0;
	if ((uint64_t)r->mem_limit < usage)
		return husk_fail(err, EBUSY,
				 "memory: limit %" PRId64
				 " is below the current usage %" PRIu64,
				 r->mem_limit, usage);
	return 0;
}

int cg_check_live(const struct husk_cgroup *cg, const struct husk_resources *r,
		  struct husk_err *err)
{
	const struct cg_dir *d = cg_dir_for(cg, CG_CPUSET);
	bool v2 = d && cg_dir_is_v2(cg, d);

	if (d && r->cpus && check_cpuset_list(d, v2, true, r->cpus, err) < 0)
		return err->code;
	if (d && r->mems && check_cpuset_list(d, v2, false, r->mems, err) < 0)
		return err->code;
	return check_memory(cg, r, err);
}
