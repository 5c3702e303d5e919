/* SPDX-License-Identifier: MIT */
/*
 * Container stats against fake cgroup trees (the cgroup module's test
 * root): every value comes from the file it is named after, and a file
 * that is not there reads as absent, never as 0.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../cgroup/cgroup.h"
#include "../../diag/diag.h"
#include "unit.h"

static char fake_root[64];

static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0 || !(f = fopen(path, "we")))
		abort();
	fputs(text, f);
	fclose(f);
}

/* The mount points the v1 fixture's mountinfo names. */
static void put_v1_hierarchies(void)
{
	static const char *const dirs[] = {
	    "cpu",     "cpuacct", "cpuset",	     "memory",
	    "devices", "freezer", "blkio",	     "pids",
	    "systemd", "hugetlb", "net_cls,net_prio"};
	char rel[128];

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(dirs); i++) {
		snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/cgroup.procs",
			 dirs[i]);
		put(rel, "");
	}
	put("sys/fs/cgroup/cpuset/cpuset.cpus", "0-1\n");
	put("sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
}

static struct husk_cgroup *fake_open(const char *kind)
{
	char mi[PATH_MAX], cgs[PATH_MAX], self[PATH_MAX];
	struct husk_cgroup *cg = NULL;
	struct husk_err err = {0};

	snprintf(fake_root, sizeof(fake_root), "/tmp/husk-diag-ctr-XXXXXX");
	if (!mkdtemp(fake_root))
		abort();
	snprintf(mi, sizeof(mi), "%s/mountinfo", unit_fixture(kind));
	snprintf(cgs, sizeof(cgs), "%s/cgroups", unit_fixture(kind));
	snprintf(self, sizeof(self), "%s/self-cgroup", unit_fixture(kind));
	husk_cgroup_set_root(fake_root, mi, cgs, self);
	if (!strcmp(kind, "cgroup/v2"))
		put("sys/fs/cgroup/cgroup.controllers",
		    "cpu memory pids hugetlb\n");
	else
		put_v1_hierarchies();
	if (husk_cgroup_open("/husk/c1", true, &cg, &err) < 0)
		fprintf(stderr, "fake_open: %s\n", err.msg);
	return cg;
}

static void fake_done(struct husk_cgroup *cg)
{
	char cmd[128];

	husk_cgroup_free(cg);
	husk_cgroup_set_root(NULL, NULL, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_root);
	if (system(cmd) != 0)
		abort();
}

TEST(diag_ctr_stats_v1_files_and_absent_ones)
{
	struct husk_cgroup *cg = fake_open("cgroup/v1");
	struct husk_ctr_stats st;
	struct husk_err err = {0};
	const char *m = "sys/fs/cgroup/memory/husk/c1/";
	char rel[128];

	CHECK(cg != NULL);
	if (!cg)
		return;
#define PUT(dir, file, text) \
	(snprintf(rel, sizeof(rel), "%s%s", dir, file), put(rel, text))
	PUT(m, "memory.usage_in_bytes", "1048576\n");
	PUT(m, "memory.limit_in_bytes", "16777216\n");
	PUT(m, "memory.max_usage_in_bytes", "2097152\n");
	PUT(m, "memory.failcnt", "7\n");
	PUT(m, "memory.kmem.limit_in_bytes", "9223372036854771712\n");
	PUT(m, "memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	PUT(m, "memory.stat", "cache 4096\nrss 8192\n");
	PUT("sys/fs/cgroup/cpuacct/husk/c1/", "cpuacct.usage", "5000\n");
	PUT("sys/fs/cgroup/cpuacct/husk/c1/", "cpuacct.usage_percpu",
	    "3000 2000 \n");
	PUT("sys/fs/cgroup/pids/husk/c1/", "pids.current", "2\n");
	PUT("sys/fs/cgroup/pids/husk/c1/", "pids.max", "max\n");
	CHECK_INT(husk_ctr_stats_read(cg, &st, &err), 0);
	CHECK_INT(st.mem.usage, 1048576);
	CHECK_INT(st.mem.limit, 16777216);
	CHECK_INT(st.mem.max, 2097152);
	CHECK_INT(st.mem.failcnt, 7);
	CHECK_INT(st.kernel.limit, HUSK_DIAG_UNLIMITED);
	CHECK_INT(st.kernel.usage, HUSK_DIAG_NONE);
	CHECK_INT(st.swap.usage, HUSK_DIAG_NONE); /* no memsw: absent */
	CHECK_INT(st.oom_kill, 3);
	CHECK_INT(st.cache, 4096);
	CHECK_INT(st.n_raw, 2);
	CHECK_INT(st.cpu_total, 5000);
	CHECK_INT(st.n_percpu, 2);
	CHECK_INT(st.n_percpu == 2 ? st.percpu[1] : -2, 2000);
	CHECK_INT(st.throttled_periods, HUSK_DIAG_NONE);
	CHECK_INT(st.pids_current, 2);
	CHECK_INT(st.pids_limit, HUSK_DIAG_UNLIMITED);
	CHECK_INT(st.n_hugetlb, 0);
	CHECK(!st.psi[HUSK_PSI_CPU].present);
	husk_ctr_stats_free(&st);
	fake_done(cg);
}

TEST(diag_ctr_stats_v2_names_and_units)
{
	struct husk_cgroup *cg = fake_open("cgroup/v2");
	struct husk_ctr_stats st;
	struct husk_err err = {0};
	const char *d = "sys/fs/cgroup/husk/c1/";
	char rel[128];

	CHECK(cg != NULL);
	if (!cg)
		return;
	PUT(d, "cgroup.controllers", "cpu memory pids hugetlb\n");
	PUT(d, "cpu.stat",
	    "usage_usec 10\nuser_usec 6\nsystem_usec 4\nnr_periods 5\n"
	    "nr_throttled 1\nthrottled_usec 2\n");
	PUT(d, "memory.current", "4096\n");
	PUT(d, "memory.max", "max\n");
	PUT(d, "memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\n");
	PUT(d, "memory.swap.current", "0\n");
	PUT(d, "memory.swap.max", "8192\n");
	PUT(d, "hugetlb.2MB.current", "4194304\n");
	PUT(d, "hugetlb.2MB.max", "8388608\n");
	PUT(d, "hugetlb.2MB.events", "max 1\n");
	PUT(d, "cpu.pressure",
	    "some avg10=1.50 avg60=0.00 avg300=0.00 "
	    "total=12\nfull avg10=0.00 avg60=0.00 "
	    "avg300=0.00 total=3\n");
	CHECK_INT(husk_ctr_stats_read(cg, &st, &err), 0);
	CHECK_INT(st.cpu_total, 10000);
	CHECK_INT(st.cpu_user, 6000);
	CHECK_INT(st.cpu_kernel, 4000);
	CHECK_INT(st.throttled_time, 2000);
	CHECK_INT(st.n_percpu, 0);
	CHECK_INT(st.mem.usage, 4096);
	CHECK_INT(st.mem.limit, HUSK_DIAG_UNLIMITED);
	CHECK_INT(st.mem.max, HUSK_DIAG_NONE); /* no memory.peak here */
	CHECK_INT(st.mem.failcnt, 9);
	CHECK_INT(st.oom_kill, 2);
	CHECK_INT(st.swap.usage, 4096); /* memory + swap, as runc */
	CHECK_INT(st.swap.limit, HUSK_DIAG_UNLIMITED);
	CHECK_INT(st.n_hugetlb, 1);
	if (st.n_hugetlb == 1) {
		CHECK_STR(st.hugetlb[0].size, "2MB");
		CHECK_INT(st.hugetlb[0].usage, 4194304);
		CHECK_INT(st.hugetlb[0].limit, 8388608);
		CHECK_INT(st.hugetlb[0].failcnt, 1);
		CHECK_INT(st.hugetlb[0].max, HUSK_DIAG_NONE);
	}
	CHECK(st.psi[HUSK_PSI_CPU].present);
	CHECK(st.psi[HUSK_PSI_CPU].some.avg10 > 1.4);
	CHECK(!st.psi[HUSK_PSI_IO].present);
	CHECK_INT(st.pids_current, HUSK_DIAG_NONE);
	husk_ctr_stats_free(&st);
	fake_done(cg);
}
