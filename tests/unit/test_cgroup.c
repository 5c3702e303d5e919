/* SPDX-License-Identifier: MIT */
/*
 * cgroup/ against fake cgroupfs trees in a temp dir: the layout comes from
 * fixture mountinfo files, every limit is checked by the file it lands in.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../cgroup/cgroup.h"
#include "../../cgroup/internal.h"
#include "test_cgroup.h"
#include "unit.h"

static char root[64];

static void put(const char *rel, const char *content)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(path, "we");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

/* Content of @rel in the fake tree without the trailing newline. */
static const char *get(const char *rel)
{
	static char buf[4][512];
	static int slot;
	char path[PATH_MAX];
	char *b = buf[slot++ % 4];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "re");
	if (!f)
		return "(missing)";
	n = fread(b, 1, 511, f);
	fclose(f);
	b[n] = '\0';
	while (n && b[n - 1] == '\n')
		b[--n] = '\0';
	return b;
}

static bool exists(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

static void fake_host(const char *kind)
{
	char dir[PATH_MAX], mi[PATH_MAX + 32], cgs[PATH_MAX + 32],
	    self[PATH_MAX + 32];

	snprintf(root, sizeof(root), "/tmp/husk-cgroup-unit-XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(dir, sizeof(dir), "%s", unit_fixture("cgroup/"));
	snprintf(mi, sizeof(mi), "%s%s/mountinfo", dir, kind);
	snprintf(cgs, sizeof(cgs), "%s%s/cgroups", dir, kind);
	snprintf(self, sizeof(self), "%s%s/self-cgroup", dir, kind);
	husk_cgroup_set_root(root, mi, cgs, self);
	if (!strcmp(kind, "v2")) {
		put("sys/fs/cgroup/cgroup.controllers",
		    "cpuset cpu io memory hugetlb pids rdma misc\n");
	} else {
		static const char *const dirs[] = {"cpu",
						   "cpuacct",
						   "cpuset",
						   "memory",
						   "devices",
						   "freezer",
						   "blkio",
						   "pids",
						   "systemd",
						   "hugetlb",
						   "net_cls,net_prio",
						   "unified"};
		char rel[128];

		for (size_t i = 0; i < HUSK_ARRAY_SIZE(dirs); i++) {
			snprintf(rel, sizeof(rel),
				 "sys/fs/cgroup/%s/cgroup.procs", dirs[i]);
			put(rel, "");
		}
		put("sys/fs/cgroup/cpuset/cpuset.cpus", "0-3\n");
		put("sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
		put("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
	}
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void fake_host_done(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	husk_cgroup_set_root(NULL, NULL, NULL, NULL);
}

void cg_res_init(struct husk_resources *r)
{
	memset(r, 0, sizeof(*r));
	r->mem_limit = r->mem_reservation = r->mem_swap = HUSK_UNSET;
	r->mem_swappiness = r->cpu_shares = r->cpu_quota = HUSK_UNSET;
	r->cpu_period = r->cpu_rt_runtime = r->cpu_rt_period = HUSK_UNSET;
	r->pids_limit = r->blkio_weight = HUSK_UNSET;
}

/* (unit.h's CHECK_STR would warn about the size of err.msg) */
__attribute__((noinline)) static const char *msg(const struct husk_err *e)
{
	return e->msg;
}

static struct husk_cgroup *make(const char *path)
{
	struct husk_cgroup *cg = NULL;
	struct husk_err err = {0};
	int r = husk_cgroup_open(path, true, &cg, &err);

	if (r < 0)
		fprintf(stderr, "  open: %s\n", err.msg);
	CHECK_INT(r, 0);
	return cg;
}

TEST(cgroup_layout_names)
{
	char buf[PATH_MAX];
	struct husk_cgroup *cg;

	fake_host("v2");
	CHECK_STR(husk_cgroup_layout(), "v2");
	fake_host_done();
	fake_host("v1");
	CHECK_STR(husk_cgroup_layout(), "v1");
	fake_host_done();
	fake_host("hybrid");
	CHECK_STR(husk_cgroup_layout(), "hybrid");
	cg = make("/husk/lay");
	CHECK_INT(husk_cgroup_file_path(cg, "memory", "memory.oom_control", buf,
					sizeof(buf)),
		  0);
	CHECK(strstr(buf, "/sys/fs/cgroup/memory/husk/lay/memory.oom_control"));
	CHECK_INT(husk_cgroup_file_path(cg, "hugetlb", "x", buf, sizeof(buf)),
		  0);
	CHECK(strstr(buf, "/sys/fs/cgroup/unified/husk/lay/x"));
	CHECK_INT(husk_cgroup_file_path(cg, "rdma", "x", buf, sizeof(buf)),
		  -ENOENT);
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_v2_limits)
{
	struct husk_hugepage_limit hp = {.page_size = "2MB", .limit = 4194304};
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v2");
	cg = make("/husk/c1");
	CHECK_STR(get("sys/fs/cgroup/cgroup.subtree_control"),
		  "+cpu +cpuset +memory +io +pids +hugetlb +rdma +misc");
	CHECK_STR(get("sys/fs/cgroup/husk/cgroup.subtree_control"),
		  "+cpu +cpuset +memory +io +pids +hugetlb +rdma +misc");
	CHECK(!exists("sys/fs/cgroup/husk/c1/cgroup.subtree_control"));
	cg_res_init(&r);
	r.mem_limit = 33554432;
	r.mem_reservation = 16777216;
	r.mem_swap = 67108864;
	r.mem_swappiness = 60; /* no such file on v2: ignored */
	r.cpu_shares = 1024;
	r.cpu_quota = 20000;
	r.cpu_period = 100000;
	r.cpus = "0-1";
	r.mems = "0";
	r.pids_limit = 100;
	r.hugepages = &hp;
	r.n_hugepages = 1;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/husk/c1/memory.max"), "33554432");
	CHECK_STR(get("sys/fs/cgroup/husk/c1/memory.low"), "16777216");
	CHECK_STR(get("sys/fs/cgroup/husk/c1/memory.swap.max"), "33554432");
	CHECK(!exists("sys/fs/cgroup/husk/c1/memory.swappiness"));
	CHECK(!exists("sys/fs/cgroup/husk/c1/memory.oom.group"));
	CHECK_STR(get("sys/fs/cgroup/husk/c1/cpu.weight"), "39");
	CHECK_STR(get("sys/fs/cgroup/husk/c1/cpu.max"), "20000 100000");
	CHECK_STR(get("sys/fs/cgroup/husk/c1/cpuset.cpus"), "0-1");
	CHECK_STR(get("sys/fs/cgroup/husk/c1/cpuset.mems"), "0");
	CHECK_STR(get("sys/fs/cgroup/husk/c1/pids.max"), "100");
	CHECK_STR(get("sys/fs/cgroup/husk/c1/hugetlb.2MB.max"), "4194304");
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_v2_unlimited_and_updates)
{
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v2");
	cg = make("/husk/c2");
	cg_res_init(&r);
	r.mem_limit = -1;
	r.mem_swap = -1;
	r.cpu_quota = -1;
	r.cpu_period = 50000;
	r.pids_limit = -1;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/husk/c2/memory.max"), "max");
	CHECK_STR(get("sys/fs/cgroup/husk/c2/memory.swap.max"), "max");
	CHECK_STR(get("sys/fs/cgroup/husk/c2/cpu.max"), "max 50000");
	CHECK_STR(get("sys/fs/cgroup/husk/c2/pids.max"), "max");
	/* update: a lone quota keeps the period, a lone period the quota */
	cg_res_init(&r);
	r.cpu_quota = 30000;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/husk/c2/cpu.max"), "30000");
	put("sys/fs/cgroup/husk/c2/cpu.max", "30000 100000\n");
	cg_res_init(&r);
	r.cpu_period = 200000;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/husk/c2/cpu.max"), "30000 200000");
	/* swap needs a limit to subtract on v2 */
	cg_res_init(&r);
	r.mem_swap = 1000000;
	CHECK(husk_cgroup_apply(cg, &r, &err) < 0);
	CHECK(strstr(err.msg, "needs a memory limit"));
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_v2_unified_and_io)
{
	struct husk_kv kv[] = {{"memory.high", "1000000"}, {"cpu.idle", "1"}};
	struct husk_kv bad = {"../../etc/x", "1"};
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v2");
	cg = make("/husk/c3");
	put("sys/fs/cgroup/husk/c3/io.weight", "default 100\n");
	cg_res_init(&r);
	r.unified.v = kv;
	r.unified.n = 2;
	r.blkio_weight = 500;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/husk/c3/memory.high"), "1000000");
	CHECK_STR(get("sys/fs/cgroup/husk/c3/cpu.idle"), "1");
	CHECK_STR(get("sys/fs/cgroup/husk/c3/io.weight"), "4950");
	r.unified.v = &bad;
	r.unified.n = 1;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	CHECK(strstr(err.msg, "not a cgroup file name"));
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_v1_limits)
{
	struct husk_hugepage_limit hp = {.page_size = "2MB", .limit = 2097152};
	struct husk_device_rule dev[] = {
		DEV_DENY_ALL,
		DEV_ALLOW_NULL,
		DEV_RULE(true, 'c', 136, -1, "rw"),
	};
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v1");
	cg = make("/husk/v1c");
	/* a fresh v1 cpuset must inherit cpus/mems to accept tasks */
	CHECK_STR(get("sys/fs/cgroup/cpuset/husk/cpuset.cpus"), "0-3");
	CHECK_STR(get("sys/fs/cgroup/cpuset/husk/v1c/cpuset.mems"), "0");
	CHECK(exists("sys/fs/cgroup/systemd/husk/v1c"));
	CHECK(exists("sys/fs/cgroup/net_cls,net_prio/husk/v1c"));
	CHECK(!exists("mnt/memory-again/husk"));
	cg_res_init(&r);
	r.mem_limit = 33554432;
	r.mem_swap = 67108864;
	r.mem_reservation = 1048576;
	r.mem_swappiness = 0;
	r.disable_oom_killer = true;
	r.cpu_shares = 512;
	r.cpu_quota = 20000;
	r.cpu_period = 100000;
	r.cpus = "1";
	r.pids_limit = 64;
	r.hugepages = &hp;
	r.n_hugepages = 1;
	r.devices = dev;
	r.n_devices = 3;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/memory/husk/v1c/memory.limit_in_bytes"),
		  "33554432");
	CHECK_STR(
	    get("sys/fs/cgroup/memory/husk/v1c/memory.memsw.limit_in_bytes"),
	    "67108864");
	CHECK_STR(
	    get("sys/fs/cgroup/memory/husk/v1c/memory.soft_limit_in_bytes"),
	    "1048576");
	CHECK_STR(get("sys/fs/cgroup/memory/husk/v1c/memory.swappiness"), "0");
	CHECK_STR(get("sys/fs/cgroup/memory/husk/v1c/memory.oom_control"), "1");
	CHECK_STR(get("sys/fs/cgroup/cpu/husk/v1c/cpu.shares"), "512");
	CHECK_STR(get("sys/fs/cgroup/cpu/husk/v1c/cpu.cfs_quota_us"), "20000");
	CHECK_STR(get("sys/fs/cgroup/cpu/husk/v1c/cpu.cfs_period_us"),
		  "100000");
	CHECK(!exists("sys/fs/cgroup/cpu/husk/v1c/cpu.weight"));
	CHECK_STR(get("sys/fs/cgroup/cpuset/husk/v1c/cpuset.cpus"), "1");
	CHECK_STR(get("sys/fs/cgroup/pids/husk/v1c/pids.max"), "64");
	CHECK_STR(
	    get("sys/fs/cgroup/hugetlb/husk/v1c/hugetlb.2MB.limit_in_bytes"),
	    "2097152");
	CHECK_STR(get("sys/fs/cgroup/devices/husk/v1c/devices.deny"), "a");
	/* one open for every allow rule: the fake file holds them all */
	CHECK_STR(get("sys/fs/cgroup/devices/husk/v1c/devices.allow"),
		  "c 1:3 rwmc 136:* rw");
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_v1_refuses_unified)
{
	struct husk_kv kv = {"memory.high", "1"};
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v1");
	cg = make("/husk/u");
	cg_res_init(&r);
	r.unified.v = &kv;
	r.unified.n = 1;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EOPNOTSUPP);
	CHECK_STR(msg(&err),
		  "unified: linux.resources.unified needs cgroup v2, "
		  "this host is v1: Operation not supported");
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_validation_errors)
{
	struct husk_hugepage_limit hp = {.page_size = "2M", .limit = 1};
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v1");
	cg = make("/husk/val");
	cg_res_init(&r);
	r.cpu_quota = -5;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	CHECK_STR(msg(&err), "cpu: quota -5 is negative (only -1 means "
			     "unlimited): Invalid argument");
	cg_res_init(&r);
	r.mem_limit = 2000;
	r.mem_swap = 1000;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	CHECK(
	    strstr(err.msg, "swap 1000 (memory+swap) is below the limit 2000"));
	cg_res_init(&r);
	r.hugepages = &hp;
	r.n_hugepages = 1;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	CHECK(strstr(err.msg, "page size \"2M\""));
	/* a write the kernel refuses names resource, file, value, reason */
	mkdir(strcat(strcpy((char[PATH_MAX]){0}, root),
		     "/sys/fs/cgroup/memory/husk/val/memory.limit_in_bytes"),
	      0755);
	cg_res_init(&r);
	r.mem_limit = 1048576;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EISDIR);
	CHECK_STR(msg(&err),
		  "memory: memory.limit_in_bytes=1048576: Is a directory");
	husk_cgroup_free(cg);
	CHECK_INT(husk_cgroup_open("/husk/../etc", true, &cg, &err), -EINVAL);
	fake_host_done();
}

/* Checks against the live cgroup run before any write. */
TEST(cgroup_live_checks)
{
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v1");
	put("sys/fs/cgroup/cpuset/husk/cpuset.effective_cpus", "0-3\n");
	put("sys/fs/cgroup/cpuset/husk/cpuset.effective_mems", "0\n");
	cg = make("/husk/live");
	put("sys/fs/cgroup/memory/husk/live/memory.usage_in_bytes",
	    "8388608\n");
	cg_res_init(&r);
	r.cpus = "1,3-5";
	r.mem_limit = 1048576;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	CHECK_STR(msg(&err), "cpuset: cpus \"1,3-5\": CPU 4 does not exist "
			     "or is not available (available: 0-3): Invalid "
			     "argument");
	CHECK(!exists("sys/fs/cgroup/memory/husk/live/memory.limit_in_bytes"));
	r.cpus = "3-1";
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	CHECK(strstr(err.msg, "cpus \"3-1\" is not a list"));
	r.cpus = NULL;
	r.mems = "1";
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	CHECK(strstr(err.msg, "memory node 1 does not exist"));
	r.mems = "0";
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EBUSY);
	CHECK_STR(msg(&err), "memory: limit 1048576 is below the current usage "
			     "8388608: Device or resource busy");
	CHECK(!exists("sys/fs/cgroup/memory/husk/live/memory.limit_in_bytes"));
	r.cpus = "0-1,3";
	r.mem_limit = 16777216;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/cpuset/husk/live/cpuset.cpus"), "0-1,3");
	CHECK_STR(get("sys/fs/cgroup/memory/husk/live/memory.limit_in_bytes"),
		  "16777216");
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_hybrid_split)
{
	struct husk_hugepage_limit hp = {.page_size = "2MB", .limit = 0};
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("hybrid");
	cg = make("/husk/h");
	CHECK_STR(get("sys/fs/cgroup/unified/cgroup.subtree_control"),
		  "+hugetlb");
	CHECK_STR(get("sys/fs/cgroup/unified/husk/cgroup.subtree_control"),
		  "+hugetlb");
	cg_res_init(&r);
	r.mem_limit = 1 << 25;
	r.hugepages = &hp;
	r.n_hugepages = 1;
	r.cpu_shares = 2;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/memory/husk/h/memory.limit_in_bytes"),
		  "33554432");
	CHECK(!exists("sys/fs/cgroup/unified/husk/h/memory.max"));
	CHECK_STR(get("sys/fs/cgroup/unified/husk/h/hugetlb.2MB.max"), "0");
	CHECK_STR(get("sys/fs/cgroup/cpu/husk/h/cpu.shares"), "2");
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_relative_path)
{
	struct husk_cgroup *cg;

	fake_host("v2");
	cg = make("ctr");
	CHECK(exists("sys/fs/cgroup/user.slice/user-1000.slice/ctr"));
	husk_cgroup_free(cg);
	fake_host_done();
	fake_host("v1");
	cg = make("a/b");
	CHECK(exists("sys/fs/cgroup/memory/system.slice/a/b"));
	CHECK(exists("sys/fs/cgroup/systemd/system.slice/a/b"));
	CHECK(exists("sys/fs/cgroup/cpu/a/b"));
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_freeze_fake)
{
	struct husk_err err = {0};
	struct husk_cgroup *cg;
	bool frozen = false;

	fake_host("v2");
	cg = make("/husk/f");
	put("sys/fs/cgroup/husk/f/cgroup.events", "populated 1\nfrozen 1\n");
	CHECK_INT(husk_cgroup_freeze(cg, true, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/husk/f/cgroup.freeze"), "1");
	CHECK_INT(husk_cgroup_is_frozen(cg, &frozen, &err), 0);
	CHECK(frozen);
	put("sys/fs/cgroup/husk/f/cgroup.events", "populated 1\nfrozen 0\n");
	CHECK_INT(husk_cgroup_freeze(cg, false, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/husk/f/cgroup.freeze"), "0");
	husk_cgroup_free(cg);
	fake_host_done();
	fake_host("v1");
	cg = make("/husk/f");
	CHECK_INT(husk_cgroup_freeze(cg, true, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/freezer/husk/f/freezer.state"), "FROZEN");
	CHECK_INT(husk_cgroup_is_frozen(cg, &frozen, &err), 0);
	CHECK(frozen);
	CHECK_INT(husk_cgroup_freeze(cg, false, &err), 0);
	CHECK_STR(get("sys/fs/cgroup/freezer/husk/f/freezer.state"), "THAWED");
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_pids_and_destroy)
{
	struct husk_err err = {0};
	struct husk_cgroup *cg;
	pid_t *pids = NULL;
	size_t n = 0;

	fake_host("v2");
	cg = make("/husk/d");
	/* listed only, never signalled: these pids are not ours */
	put("sys/fs/cgroup/husk/d/cgroup.procs", "4000000\n3999999\n");
	put("sys/fs/cgroup/husk/d/inner/cgroup.procs", "3999998\n4000000\n");
	CHECK_INT(husk_cgroup_pids(cg, &pids, &n, &err), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(pids[0], 3999998);
		CHECK_INT(pids[2], 4000000);
	}
	free(pids);
	put("sys/fs/cgroup/husk/d/cgroup.procs", "");
	put("sys/fs/cgroup/husk/d/inner/cgroup.procs", "");
	CHECK_INT(husk_cgroup_destroy(cg, &err), 0);
	CHECK(!exists("sys/fs/cgroup/husk/d"));
	CHECK(exists("sys/fs/cgroup/husk"));
	CHECK_INT(husk_cgroup_destroy(cg, &err), 0); /* idempotent */
	husk_cgroup_free(cg);
	CHECK_INT(husk_cgroup_open("/husk/d", false, &cg, &err), -ENOENT);
	fake_host_done();
}

TEST(cgroup_stats_v2)
{
	struct husk_cgroup_stats st;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v2");
	cg = make("/husk/s");
	put("sys/fs/cgroup/husk/s/cpu.stat",
	    "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
	put("sys/fs/cgroup/husk/s/memory.current", "4096\n");
	put("sys/fs/cgroup/husk/s/memory.max", "max\n");
	put("sys/fs/cgroup/husk/s/memory.peak", "8192\n");
	put("sys/fs/cgroup/husk/s/memory.events",
	    "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\noom_group_kill 0\n");
	put("sys/fs/cgroup/husk/s/pids.current", "3\n");
	put("sys/fs/cgroup/husk/s/pids.max", "100\n");
	put("sys/fs/cgroup/husk/s/hugetlb.2MB.max", "4194304\n");
	put("sys/fs/cgroup/husk/s/hugetlb.2MB.current", "2097152\n");
	put("sys/fs/cgroup/husk/s/hugetlb.2MB.events", "max 7\n");
	put("sys/fs/cgroup/husk/s/hugetlb.2MB.rsvd.max", "max\n");
	put("sys/fs/cgroup/husk/s/memory.pressure",
	    "some avg10=1.50 avg60=0.00 avg300=0.00 total=1\n"
	    "full avg10=0.25 avg60=0.00 avg300=0.00 total=1\n");
	CHECK_INT(husk_cgroup_stats(cg, &st, &err), 0);
	CHECK_INT(st.cpu_usage_ns, 1500000);
	CHECK_INT(st.cpu_user_ns, 1000000);
	CHECK_INT(st.cpu_system_ns, 500000);
	CHECK_INT(st.mem_usage, 4096);
	CHECK(st.mem_limit == HUSK_CG_UNLIMITED);
	CHECK_INT(st.mem_max_usage, 8192);
	CHECK_INT(st.oom, 2);
	CHECK_INT(st.oom_kill, 1);
	CHECK_INT(st.pids_current, 3);
	CHECK_INT(st.pids_limit, 100);
	CHECK_INT(st.n_hugetlb, 1);
	CHECK_STR(st.hugetlb[0].page_size, "2MB");
	CHECK_INT(st.hugetlb[0].usage, 2097152);
	CHECK_INT(st.hugetlb[0].limit, 4194304);
	CHECK_INT(st.hugetlb[0].failcnt, 7);
	CHECK(st.has_psi);
	CHECK(st.psi_memory.some_avg10 > 1.49 &&
	      st.psi_memory.some_avg10 < 1.51);
	CHECK(st.psi_memory.full_avg10 > 0.24 &&
	      st.psi_memory.full_avg10 < 0.26);
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_stats_v1)
{
	struct husk_cgroup_stats st;
	struct husk_err err = {0};
	struct husk_cgroup *cg;

	fake_host("v1");
	cg = make("/husk/s");
	put("sys/fs/cgroup/cpuacct/husk/s/cpuacct.usage", "123456789\n");
	put("sys/fs/cgroup/cpuacct/husk/s/cpuacct.usage_user", "100000000\n");
	put("sys/fs/cgroup/cpuacct/husk/s/cpuacct.usage_sys", "23456789\n");
	put("sys/fs/cgroup/memory/husk/s/memory.usage_in_bytes", "65536\n");
	put("sys/fs/cgroup/memory/husk/s/memory.limit_in_bytes",
	    "9223372036854771712\n");
	put("sys/fs/cgroup/memory/husk/s/memory.max_usage_in_bytes", "70000\n");
	put("sys/fs/cgroup/memory/husk/s/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	put("sys/fs/cgroup/hugetlb/husk/s/hugetlb.1GB.limit_in_bytes", "0\n");
	put("sys/fs/cgroup/hugetlb/husk/s/hugetlb.1GB.failcnt", "2\n");
	CHECK_INT(husk_cgroup_stats(cg, &st, &err), 0);
	CHECK_INT(st.cpu_usage_ns, 123456789);
	CHECK_INT(st.cpu_user_ns, 100000000);
	CHECK_INT(st.cpu_system_ns, 23456789);
	CHECK_INT(st.mem_usage, 65536);
	CHECK(st.mem_limit == HUSK_CG_UNLIMITED);
	CHECK_INT(st.mem_max_usage, 70000);
	CHECK_INT(st.oom_kill, 3);
	CHECK_INT(st.n_hugetlb, 1);
	CHECK_STR(st.hugetlb[0].page_size, "1GB");
	CHECK_INT(st.hugetlb[0].failcnt, 2);
	CHECK(!st.has_psi);
	husk_cgroup_free(cg);
	fake_host_done();
}

TEST(cgroup_shares_to_weight)
{
	CHECK_INT(husk_cgroup_shares_to_weight(2), 1);
	CHECK_INT(husk_cgroup_shares_to_weight(1024), 39);
	CHECK_INT(husk_cgroup_shares_to_weight(262144), 10000);
	CHECK_INT(husk_cgroup_shares_to_weight(1), 1);
	CHECK(cg_valid_page_size("2MB"));
	CHECK(cg_valid_page_size("64KB"));
	CHECK(cg_valid_page_size("1GB"));
	CHECK(!cg_valid_page_size("2M"));
	CHECK(!cg_valid_page_size("MB"));
	CHECK(!cg_valid_page_size("2MB/../x"));
}

TEST(cgroup_bpf_device_program)
{
	struct husk_device_rule rules[] = {
		DEV_DENY_ALL,
		DEV_ALLOW_NULL,
		DEV_RULE(true, 'c', 5, -1, "rw"),
		DEV_RULE(false, 'b', 8, 0, "w"),
	};
	struct bpf_insn *insns = NULL;
	size_t n = 0;
	int fd;

	CHECK_INT(cg_bpf_devices_build(rules, 4, &insns, &n), 0);
	/* prologue 6, the rules last first (8, 7, 5, 2); the catch-all
	 * deny leaves no default */
	CHECK_INT(n, 6 + 8 + 7 + 5 + 2);
	if (insns && n > 7) {
		CHECK_INT(insns[6].code, BPF_JMP | BPF_JNE | BPF_K);
		CHECK_INT(insns[6].imm, BPF_DEVCG_DEV_BLOCK);
		CHECK_INT(insns[6].off, 7); /* to the next rule */
		CHECK_INT(insns[n - 1].code, BPF_JMP | BPF_EXIT);
	}
	/* the kernel verifier must accept it (needs CAP_BPF or root) */
	fd = cg_bpf_devices_load(insns, n);
	if (fd < 0 && fd != -EPERM)
		fprintf(stderr, "  load: %s\n", strerror(-fd));
	CHECK(fd >= 0 || fd == -EPERM);
	if (fd >= 0)
		close(fd);
	free(insns);
	CHECK_INT(cg_bpf_devices_build(rules, 100000, &insns, &n), -E2BIG);
}
