/* SPDX-License-Identifier: MIT */
/* A stats snapshot for diag/: whatever the host's hierarchies provide. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* v1 reports "no limit" as a page-rounded LONG_MAX. */
static uint64_t v1_limit(uint64_t v)
{
	return v >= 0x7ffffffffffff000ULL ? HUSK_CG_UNLIMITED : v;
}

static void cpu_stats(const struct husk_cgroup *cg,
		      struct husk_cgroup_stats *st)
{
	const struct cg_dir *d = cg_dir_for(cg, CG_CPUACCT);
	uint64_t v;
	long hz;

	if (!d && (d = cg_v2_dir(cg))) {
		if (!cg_read_key(d->fd, "cpu.stat", "usage_usec", &v))
			st->cpu_usage_ns = v * 1000;
		if (!cg_read_key(d->fd, "cpu.stat", "user_usec", &v))
			st->cpu_user_ns = v * 1000;
		if (!cg_read_key(d->fd, "cpu.stat", "system_usec", &v))
			st->cpu_system_ns = v * 1000;
		return;
	}
	if (!d)
		return;
	cg_read_u64(d->fd, "cpuacct.usage", &st->cpu_usage_ns);
	if (!cg_read_u64(d->fd, "cpuacct.usage_user", &st->cpu_user_ns) &&
	    !cg_read_u64(d->fd, "cpuacct.usage_sys", &st->cpu_system_ns))
		return;
	hz = sysconf(_SC_CLK_TCK); /* cpuacct.stat counts USER_HZ ticks */
	if (hz <= 0)
		return;
	if (!cg_read_key(d->fd, "cpuacct.stat", "user", &v))
		st->cpu_user_ns = v * (1000000000ULL / (uint64_t)hz);
	if (!cg_read_key(d->fd, "cpuacct.stat", "system", &v))
		st->cpu_system_ns = v * (1000000000ULL / (uint64_t)hz);
}

static void memory_stats(const struct husk_cgroup *cg,
			 struct husk_cgroup_stats *st)
{
	const struct cg_dir *d = cg_dir_for(cg, CG_MEMORY);

	if (!d)
		return;
	if (cg_dir_is_v2(cg, d)) {
		cg_read_u64(d->fd, "memory.current", &st->mem_usage);
		cg_read_u64(d->fd, "memory.max", &st->mem_limit);
		cg_read_u64(d->fd, "memory.peak", &st->mem_max_usage);
		cg_read_key(d->fd, "memory.events", "oom", &st->oom);
		cg_read_key(d->fd, "memory.events", "oom_kill", &st->oom_kill);
		return;
	}
	cg_read_u64(d->fd, "memory.usage_in_bytes", &st->mem_usage);
	if (!cg_read_u64(d->fd, "memory.limit_in_bytes", &st->mem_limit))
		st->mem_limit = v1_limit(st->mem_limit);
	cg_read_u64(d->fd, "memory.max_usage_in_bytes", &st->mem_max_usage);
	cg_read_key(d->fd, "memory.oom_control", "oom_kill", &st->oom_kill);
	st->oom = st->oom_kill;
}

static void pids_stats(const struct husk_cgroup *cg,
		       struct husk_cgroup_stats *st)
{
	const struct cg_dir *d = cg_dir_for(cg, CG_PIDS);

	if (!d)
		return;
	cg_read_u64(d->fd, "pids.current", &st->pids_current);
	cg_read_u64(d->fd, "pids.max", &st->pids_limit);
}

static void hugetlb_one(const struct cg_dir *d, bool v2, const char *size,
			struct husk_cgroup_hugetlb_stat *h)
{
	char file[96];

	snprintf(h->page_size, sizeof(h->page_size), "%s", size);
	snprintf(file, sizeof(file), "hugetlb.%s.%s", size,
		 v2 ? "current" : "usage_in_bytes");
	cg_read_u64(d->fd, file, &h->usage);
	snprintf(file, sizeof(file), "hugetlb.%s.%s", size,
		 v2 ? "max" : "limit_in_bytes");
	if (!cg_read_u64(d->fd, file, &h->limit) && !v2)
		h->limit = v1_limit(h->limit);
	if (v2) {
		snprintf(file, sizeof(file), "hugetlb.%s.events", size);
		cg_read_key(d->fd, file, "max", &h->failcnt);
	} else {
		snprintf(file, sizeof(file), "hugetlb.%s.failcnt", size);
		cg_read_u64(d->fd, file, &h->failcnt);
	}
}

/* One entry per "hugetlb.<size>.max" (v2) / ".limit_in_bytes" (v1). */
static void hugetlb_stats(const struct husk_cgroup *cg,
			  struct husk_cgroup_stats *st)
{
	const struct cg_dir *d = cg_dir_for(cg, CG_HUGETLB);
	bool v2;
	DIR *dir;
	struct dirent *de;

	if (!d)
		return;
	v2 = cg_dir_is_v2(cg, d);
	dir = fdopendir(openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	while (dir && (de = readdir(dir)) &&
	       st->n_hugetlb < HUSK_CG_MAX_HUGEPAGE_SIZES) {
		const char *suffix = v2 ? ".max" : ".limit_in_bytes";
		char size[16];
		size_t len;

		if (strncmp(de->d_name, "hugetlb.", 8))
			continue;
		len = strcspn(de->d_name + 8, ".");
		if (len >= sizeof(size) || strcmp(de->d_name + 8 + len, suffix))
			continue;
		snprintf(size, sizeof(size), "%.*s", (int)len, de->d_name + 8);
		hugetlb_one(d, v2, size, &st->hugetlb[st->n_hugetlb++]);
	}
	if (dir)
		closedir(dir);
}

/* "some avg10=1.23 avg60=... total=N\nfull avg10=..." */
static int read_psi(int dfd, const char *file, struct husk_cgroup_psi *p)
{
	char buf[512], *l;
	int r = cg_read(dfd, file, buf, sizeof(buf));

	if (r < 0)
		return r;
	if ((l = strstr(buf, "some avg10=")))
		p->some_avg10 = strtod(l + 11, NULL);
	if ((l = strstr(buf, "full avg10=")))
		p->full_avg10 = strtod(l + 11, NULL);
	return 0;
}

static void psi_stats(const struct husk_cgroup *cg,
		      struct husk_cgroup_stats *st)
{
	const struct cg_dir *d = cg_v2_dir(cg);
	int ok = 0;

	if (!d)
		return;
	ok += read_psi(d->fd, "cpu.pressure", &st->psi_cpu) == 0;
	ok += read_psi(d->fd, "memory.pressure", &st->psi_memory) == 0;
	ok += read_psi(d->fd, "io.pressure", &st->psi_io) == 0;
	st->has_psi = ok > 0;
}

int husk_cgroup_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st,
		      struct husk_err *err)
{
	size_t open = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < cg->lay->n; i++)
		open += cg->d[i].fd >= 0;
	if (!open)
		return husk_fail(err, ENOENT, "stats of cgroup %s", cg->path);
	cpu_stats(cg, st);
	memory_stats(cg, st);
	pids_stats(cg, st);
	hugetlb_stats(cg, st);
	psi_stats(cg, st);
	return 0;
}
