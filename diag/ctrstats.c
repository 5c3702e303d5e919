/* SPDX-License-Identifier: MIT */
/*
 * One container's cgroup counters, named as runc's `events --stats` names
 * them.  Paths come from the cgroup module (which knows the host's layout);
 * whether a hierarchy is cgroup2 is asked of the filesystem itself, so the
 * same code reads v1, v2 and hybrid hosts.  Anything the kernel does not
 * provide stays HUSK_DIAG_NONE.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "diag.h"
#include "util.h"

/* One controller's directory of the container's cgroup. */
struct ctr_dir {
	bool present;
	bool v2;
	char path[PATH_MAX];
};

/* Every cgroup2 directory has cgroup.controllers; no v1 directory does. */
static void ctr_dir_find(struct husk_cgroup *cg, const char *ctrl,
			 struct ctr_dir *d)
{
	char probe[PATH_MAX + 32];

	d->present = husk_cgroup_file_path(cg, ctrl, "", d->path,
					   sizeof(d->path)) == 0 &&
		     access(d->path, F_OK) == 0;
	snprintf(probe, sizeof(probe), "%scgroup.controllers", d->path);
	d->v2 = d->present && access(probe, F_OK) == 0;
}

/*
 * "<dir>/<file>".  A NULL @file (a counter this cgroup version lacks), a
 * missing directory or a name that does not fit read as absent.
 */
static const char *ctr_file(const struct ctr_dir *d, const char *file,
			    char *buf, size_t len)
{
	if (!d->present || !file ||
	    snprintf(buf, len, "%s%s", d->path, file) >= (int)len)
		return "/nonexistent/husk-absent"; /* ENOENT: absent */
	return buf;
}

static int read_value(const struct ctr_dir *d, const char *file, int64_t *v,
		      struct husk_err *err)
{
	char path[PATH_MAX];

	return diag_read_u64_file(ctr_file(d, file, path, sizeof(path)), v,
				  err);
}

/* A limit file: a number, or cgroup2's "max". */
static int read_limit(const struct ctr_dir *d, const char *file, int64_t *v,
		      struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX], line[64];
	bool truncated;
	uint64_t u;
	int r;

	*v = HUSK_DIAG_NONE;
	r = diag_open_optional(ctr_file(d, file, path, sizeof(path)), &f, err);
	if (r < 0 || !f)
		return r;
	if (!diag_read_line(f, line, sizeof(line), &truncated) || truncated)
		return husk_fail(err, EINVAL, "%s: not a limit", path);
	if (strcmp(line, "max") == 0)
		*v = HUSK_DIAG_UNLIMITED;
	else if (diag_parse_u64(line, &u))
		*v = u > INT64_MAX ? HUSK_DIAG_UNLIMITED : (int64_t)u;
	else
		return husk_fail(err, EINVAL, "%s: not a limit", path);
	return 0;
}

static int read_keys(const struct ctr_dir *d, const char *file,
		     const struct diag_key *keys, size_t n,
		     struct husk_err *err)
{
	char path[PATH_MAX];
	bool found;

	return diag_read_keys(ctr_file(d, file, path, sizeof(path)), keys, n,
			      &found, err);
}

static int64_t mul(int64_t v, int64_t by)
{
	return v == HUSK_DIAG_NONE ? HUSK_DIAG_NONE : v * by;
}

static int cpu_v2(const struct ctr_dir *d, struct husk_ctr_stats *st,
		  struct husk_err *err)
{
	const struct diag_key keys[] = {
	    {"usage_usec", &st->cpu_total},
	    {"user_usec", &st->cpu_user},
	    {"system_usec", &st->cpu_kernel},
	    {"nr_periods", &st->periods},
	    {"nr_throttled", &st->throttled_periods},
	    {"throttled_usec", &st->throttled_time},
	};
	int r = read_keys(d, "cpu.stat", keys, HUSK_ARRAY_SIZE(keys), err);

	st->cpu_total = mul(st->cpu_total, 1000);
	st->cpu_user = mul(st->cpu_user, 1000);
	st->cpu_kernel = mul(st->cpu_kernel, 1000);
	st->throttled_time = mul(st->throttled_time, 1000);
	return r;
}

static int read_percpu(const struct ctr_dir *d, struct husk_ctr_stats *st,
		       struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX];
	uint64_t v;
	int r = diag_open_optional(
	    ctr_file(d, "cpuacct.usage_percpu", path, sizeof(path)), &f, err);

	/* One line of numbers; a CPU count bounds it. */
	while (r == 0 && f && st->n_percpu < 65536 &&
	       fscanf(f, "%" SCNu64, &v) == 1) {
		int64_t *n = realloc(st->percpu,
				     (st->n_percpu + 1) * sizeof(*st->percpu));

		if (!n)
			return husk_fail(err, ENOMEM, "percpu usage");
		st->percpu = n;
		st->percpu[st->n_percpu++] =
		    v > INT64_MAX ? INT64_MAX : (int64_t)v;
	}
	return r;
}

/* v1: usage in cpuacct, throttling in cpu (separate mounts on some hosts). */
static int cpu_v1(const struct ctr_dir *acct, const struct ctr_dir *cpu,
		  struct husk_ctr_stats *st, struct husk_err *err)
{
	const struct diag_key thr[] = {
	    {"nr_periods", &st->periods},
	    {"nr_throttled", &st->throttled_periods},
	    {"throttled_time", &st->throttled_time},
	};
	int64_t user_ticks, sys_ticks;
	const struct diag_key ticks[] = {
	    {"user", &user_ticks},
	    {"system", &sys_ticks},
	};
	long hz = sysconf(_SC_CLK_TCK);
	int r = read_value(acct, "cpuacct.usage", &st->cpu_total, err);

	if (r == 0)
		r = read_value(acct, "cpuacct.usage_user", &st->cpu_user, err);
	if (r == 0)
		r = read_value(acct, "cpuacct.usage_sys", &st->cpu_kernel, err);
	if (r == 0 && st->cpu_user == HUSK_DIAG_NONE && hz > 0) {
		/* older kernels: only USER_HZ ticks in cpuacct.stat */
		r = read_keys(acct, "cpuacct.stat", ticks, 2, err);
		st->cpu_user = mul(user_ticks, 1000000000 / hz);
		st->cpu_kernel = mul(sys_ticks, 1000000000 / hz);
	}
	if (r == 0)
		r = read_percpu(acct, st, err);
	if (r == 0)
		r = read_keys(cpu, "cpu.stat", thr, HUSK_ARRAY_SIZE(thr), err);
	return r;
}

static int cpu_stats(struct husk_cgroup *cg, struct husk_ctr_stats *st,
		     struct husk_err *err)
{
	struct ctr_dir acct, cpu;

	ctr_dir_find(cg, "cpu", &cpu);
	if (cpu.v2)
		return cpu_v2(&cpu, st, err);
	ctr_dir_find(cg, "cpuacct", &acct);
	return cpu_v1(&acct, &cpu, st, err);
}

static int read_mem(const struct ctr_dir *d, const char *const files[4],
		    struct husk_ctr_mem *m, struct husk_err *err)
{
	int r = read_value(d, files[0], &m->usage, err);

	if (r == 0)
		r = read_limit(d, files[1], &m->limit, err);
	if (r == 0)
		r = read_value(d, files[2], &m->max, err);
	if (r == 0)
		r = read_value(d, files[3], &m->failcnt, err);
	/* v1 says "no limit" with a page-rounded LONG_MAX */
	if (m->limit >= 0x7ffffffffffff000LL)
		m->limit = HUSK_DIAG_UNLIMITED;
	return r;
}

static int64_t sum(int64_t a, int64_t b)
{
	if (a == HUSK_DIAG_NONE || b == HUSK_DIAG_NONE)
		return HUSK_DIAG_NONE;
	if (a == HUSK_DIAG_UNLIMITED || b == HUSK_DIAG_UNLIMITED)
		return HUSK_DIAG_UNLIMITED;
	return a + b;
}

static int memory_v2(const struct ctr_dir *d, struct husk_ctr_stats *st,
		     struct husk_err *err)
{
	static const char *const mem[4] = {"memory.current", "memory.max",
					   "memory.peak", NULL};
	static const char *const swap[4] = {
	    "memory.swap.current", "memory.swap.max", "memory.swap.peak", NULL};
	const struct diag_key events[] = {
	    {"max", &st->mem.failcnt},
	    {"oom_kill", &st->oom_kill},
	};
	struct husk_ctr_mem sw = {0};
	int r = read_mem(d, mem, &st->mem, err);

	if (r == 0)
		r = read_keys(d, "memory.events", events, 2, err);
	if (r == 0)
		r = read_mem(d, swap, &sw, err);
	/* runc reports cgroup2 swap as memory+swap, like v1's memsw */
	st->swap = (struct husk_ctr_mem){
	    .usage = sum(st->mem.usage, sw.usage),
	    .limit = sum(st->mem.limit, sw.limit),
	    .max = HUSK_DIAG_NONE,
	    .failcnt = HUSK_DIAG_NONE,
	};
	return r;
}

static int memory_v1(const struct ctr_dir *d, struct husk_ctr_stats *st,
		     struct husk_err *err)
{
	static const char *const files[3][4] = {
	    {"memory.usage_in_bytes", "memory.limit_in_bytes",
	     "memory.max_usage_in_bytes", "memory.failcnt"},
	    {"memory.memsw.usage_in_bytes", "memory.memsw.limit_in_bytes",
	     "memory.memsw.max_usage_in_bytes", "memory.memsw.failcnt"},
	    {"memory.kmem.usage_in_bytes", "memory.kmem.limit_in_bytes",
	     "memory.kmem.max_usage_in_bytes", "memory.kmem.failcnt"},
	};
	const struct diag_key oom[] = {{"oom_kill", &st->oom_kill}};
	int r = read_mem(d, files[0], &st->mem, err);

	if (r == 0)
		r = read_mem(d, files[1], &st->swap, err);
	if (r == 0)
		r = read_mem(d, files[2], &st->kernel, err);
	if (r == 0)
		r = read_keys(d, "memory.oom_control", oom, 1, err);
	return r;
}

static int add_raw(struct husk_ctr_stats *st, const char *key, uint64_t v,
		   struct husk_err *err)
{
	struct husk_ctr_kv *n;

	if (strlen(key) >= sizeof(n->key) || v > INT64_MAX)
		return 0;
	n = realloc(st->raw, (st->n_raw + 1) * sizeof(*st->raw));
	if (!n)
		return husk_fail(err, ENOMEM, "memory.stat");
	st->raw = n;
	snprintf(n[st->n_raw].key, sizeof(n->key), "%s", key);
	n[st->n_raw++].value = (int64_t)v;
	return 0;
}

/* Every "key value" line of memory.stat (a few dozen; bounded anyway). */
static int read_raw(const struct ctr_dir *d, struct husk_ctr_stats *st,
		    struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[PATH_MAX], line[DIAG_LINE_MAX], *save, *key, *val;
	bool truncated;
	uint64_t v;
	int r = diag_open_optional(
	    ctr_file(d, "memory.stat", path, sizeof(path)), &f, err);

	while (r == 0 && f && st->n_raw < 512 &&
	       diag_read_line(f, line, sizeof(line), &truncated)) {
		save = NULL;
		key = strtok_r(line, " ", &save);
		val = strtok_r(NULL, " ", &save);
		if (!truncated && key && val && diag_parse_u64(val, &v))
			r = add_raw(st, key, v, err);
	}
	return r;
}

static int memory_stats(struct husk_cgroup *cg, struct husk_ctr_stats *st,
			struct husk_err *err)
{
	struct ctr_dir d;
	int r;

	ctr_dir_find(cg, "memory", &d);
	r = d.v2 ? memory_v2(&d, st, err) : memory_v1(&d, st, err);
	if (r == 0)
		r = read_raw(&d, st, err);
	for (size_t i = 0; i < st->n_raw; i++)
		if (!strcmp(st->raw[i].key, d.v2 ? "file" : "cache"))
			st->cache = st->raw[i].value;
	return r;
}

static int pids_stats(struct husk_cgroup *cg, struct husk_ctr_stats *st,
		      struct husk_err *err)
{
	struct ctr_dir d;
	int r;

	ctr_dir_find(cg, "pids", &d);
	r = read_value(&d, "pids.current", &st->pids_current, err);
	if (r == 0)
		r = read_limit(&d, "pids.max", &st->pids_limit, err);
	return r;
}

static int hugetlb_one(const struct ctr_dir *d, struct husk_ctr_hugetlb *h,
		       struct husk_err *err)
{
	static const char *const v1[4] = {"usage_in_bytes", "limit_in_bytes",
					  "max_usage_in_bytes", "failcnt"};
	static const char *const v2[4] = {"current", "max", NULL, NULL};
	char files[4][64];
	const char *names[4] = {NULL};
	struct husk_ctr_mem m;
	int64_t failcnt = HUSK_DIAG_NONE;
	const struct diag_key ev[] = {{"max", &failcnt}};
	int r;

	for (int i = 0; i < 4; i++) {
		const char *kind = (d->v2 ? v2 : v1)[i];

		if (!kind)
			continue;
		snprintf(files[i], sizeof(files[i]), "hugetlb.%s.%s", h->size,
			 kind);
		names[i] = files[i];
	}
	r = read_mem(d, names, &m, err);
	if (r == 0 && d->v2) {
		snprintf(files[0], sizeof(files[0]), "hugetlb.%s.events",
			 h->size);
		r = read_keys(d, files[0], ev, 1, err);
		m.failcnt = failcnt;
	}
	h->usage = m.usage;
	h->limit = m.limit;
	h->max = m.max;
	h->failcnt = m.failcnt;
	return r;
}

static int cmp_hugetlb(const void *a, const void *b)
{
	return strcmp(((const struct husk_ctr_hugetlb *)a)->size,
		      ((const struct husk_ctr_hugetlb *)b)->size);
}

/* A page size per "hugetlb.<size>.limit_in_bytes" (v1) or ".max" (v2). */
static int hugetlb_sizes(const struct ctr_dir *d, struct husk_ctr_stats *st,
			 struct husk_err *err)
{
	const char *suffix = d->v2 ? ".max" : ".limit_in_bytes";
	DIR *dir = opendir(d->path);
	struct dirent *de;
	int r = 0;

	if (!dir)
		return 0; /* gone or never there: absent */
	while (r == 0 && (de = readdir(dir)) && st->n_hugetlb < 16) {
		const char *size = de->d_name + 8;
		size_t len = strcspn(size, ".");
		struct husk_ctr_hugetlb *n;

		if (strncmp(de->d_name, "hugetlb.", 8) ||
		    len >= sizeof(n->size) || strcmp(size + len, suffix))
			continue;
		n = realloc(st->hugetlb,
			    (st->n_hugetlb + 1) * sizeof(*st->hugetlb));
		if (!n) {
			r = husk_fail(err, ENOMEM, "hugetlb stats");
			break;
		}
		st->hugetlb = n;
		snprintf(n[st->n_hugetlb].size, sizeof(n->size), "%.*s",
			 (int)len, size);
		r = hugetlb_one(d, &n[st->n_hugetlb++], err);
	}
	closedir(dir);
	if (st->n_hugetlb > 1)
		qsort(st->hugetlb, st->n_hugetlb, sizeof(*st->hugetlb),
		      cmp_hugetlb);
	return r;
}

static int hugetlb_stats(struct husk_cgroup *cg, struct husk_ctr_stats *st,
			 struct husk_err *err)
{
	struct ctr_dir d;

	ctr_dir_find(cg, "hugetlb", &d);
	return d.present ? hugetlb_sizes(&d, st, err) : 0;
}

static int psi_stats(struct husk_cgroup *cg, struct husk_ctr_stats *st,
		     struct husk_err *err)
{
	struct ctr_dir d;
	char file[32], path[PATH_MAX];
	int r = 0;

	ctr_dir_find(cg, NULL, &d); /* the cgroup2 hierarchy, if any */
	for (int i = 0; i < HUSK_PSI_NRES && r == 0; i++) {
		snprintf(file, sizeof(file), "%s.pressure",
			 husk_psi_resource_names[i]);
		if (d.v2)
			r = husk_psi_read_file(
			    ctr_file(&d, file, path, sizeof(path)), &st->psi[i],
			    err);
	}
	return r;
}

static void stats_init(struct husk_ctr_stats *st)
{
	static const struct husk_ctr_mem none = {
	    HUSK_DIAG_NONE, HUSK_DIAG_NONE, HUSK_DIAG_NONE, HUSK_DIAG_NONE};

	memset(st, 0, sizeof(*st));
	st->cpu_total = st->cpu_kernel = st->cpu_user = HUSK_DIAG_NONE;
	st->periods = st->throttled_periods = HUSK_DIAG_NONE;
	st->throttled_time = HUSK_DIAG_NONE;
	st->mem = st->swap = st->kernel = none;
	st->cache = st->oom_kill = HUSK_DIAG_NONE;
	st->pids_current = st->pids_limit = HUSK_DIAG_NONE;
}

int husk_ctr_oom_watch_open(struct husk_cgroup *cg, struct husk_oom_watch **w,
			    struct husk_err *err)
{
	char path[PATH_MAX];
	struct ctr_dir d;

	*w = NULL;
	ctr_dir_find(cg, "memory", &d);
	if (!d.present)
		return 0;
	return husk_oom_watch_open(
	    ctr_file(&d, d.v2 ? "memory.events" : "memory.oom_control", path,
		     sizeof(path)),
	    d.v2, w, err);
}

int husk_ctr_stats_read(struct husk_cgroup *cg, struct husk_ctr_stats *st,
			struct husk_err *err)
{
	int r;

	stats_init(st);
	r = cpu_stats(cg, st, err);
	if (r == 0)
		r = memory_stats(cg, st, err);
	if (r == 0)
		r = pids_stats(cg, st, err);
	if (r == 0)
		r = hugetlb_stats(cg, st, err);
	if (r == 0)
		r = psi_stats(cg, st, err);
	if (r < 0) {
		husk_ctr_stats_free(st);
		husk_err_prefix(err, "stats of cgroup %s",
				husk_cgroup_path(cg));
	}
	return r;
}

void husk_ctr_stats_free(struct husk_ctr_stats *st)
{
	free(st->percpu);
	free(st->raw);
	free(st->hugetlb);
	st->percpu = NULL;
	st->raw = NULL;
	st->hugetlb = NULL;
	st->n_percpu = st->n_raw = st->n_hugetlb = 0;
}
