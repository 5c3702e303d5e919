/* SPDX-License-Identifier: MIT */
/*
 * cgroup/ against the real kernel (root; this VM is hybrid).  Skipped
 * unless HUSK_CGROUP_REAL=1, because it creates cgroups, OOM-kills a child
 * and attaches an eBPF program.  Everything lives under /husk-cgroup-test.
 *
 *   HUSK_CGROUP_REAL=1 build/unit-tests cgroup_real
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../cgroup/cgroup.h"
#include "../../cgroup/internal.h"
#include "test_cgroup.h"
#include "unit.h"

#define TOP "/husk-cgroup-test"

static bool real_enabled(void)
{
	const char *e = getenv("HUSK_CGROUP_REAL");

	if (!e || strcmp(e, "1") || geteuid() != 0) {
		printf("  (skipped: needs root and HUSK_CGROUP_REAL=1)\n");
		return false;
	}
	husk_cgroup_set_root(NULL, NULL, NULL, NULL);
	return true;
}

static const char *read_cg(struct husk_cgroup *cg, const char *ctrl,
			   const char *file)
{
	static char buf[256];
	char path[PATH_MAX];
	FILE *f;
	size_t n = 0;

	buf[0] = '\0';
	if (husk_cgroup_file_path(cg, ctrl, file, path, sizeof(path)) < 0)
		return "(no such controller)";
	f = fopen(path, "re");
	if (!f)
		return "(missing)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

__attribute__((noinline)) static const char *msg(const struct husk_err *e)
{
	return e->msg;
}

/* Fork a child that waits on a pipe until it is in @cg, then runs @fn. */
static pid_t spawn_in(struct husk_cgroup *cg, int (*fn)(void *), void *arg)
{
	struct husk_err err = {0};
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(99);
		_exit(fn(arg));
	}
	close(p[0]);
	if (husk_cgroup_enter(cg, pid, &err) < 0)
		fprintf(stderr, "  enter: %s\n", err.msg);
	if (write(p[1], "x", 1) != 1)
		kill(pid, SIGKILL);
	close(p[1]);
	return pid;
}

static int alloc_64m(void *arg)
{
	size_t len = 64u << 20;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (m == MAP_FAILED)
		return 2;
	for (size_t i = 0; i < len; i += 4096)
		m[i] = 1;
	return 0; /* survived: the limit did not work */
}

static int touch_8m_and_sleep(void *arg)
{
	static char m[8u << 20];

	(void)arg;
	memset(m, 1, sizeof(m));
	pause();
	return 0;
}

static int spin(void *arg)
{
	volatile unsigned long *counter = arg;

	for (;;)
		(*counter)++;
	return 0;
}

static int fork_many(void *arg)
{
	int ok = 0;

	(void)arg;
	for (int i = 0; i < 40; i++) {
		pid_t c = fork();

		if (c == 0) {
			pause();
			_exit(0);
		}
		ok += c > 0;
	}
	return ok; /* the exit status says how many forks worked */
}

static int open_dev(void *arg)
{
	int fd = open(arg, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == EPERM ? 1 : 2;
	close(fd);
	return 0;
}

static int wait_status(pid_t pid)
{
	int st = 0;

	waitpid(pid, &st, 0);
	return st;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void destroy_top(void)
{
	struct husk_cgroup *top;
	struct husk_err err = {0};

	if (husk_cgroup_open(TOP, false, &top, &err) == 0) {
		CHECK_INT(husk_cgroup_destroy(top, &err), 0);
		husk_cgroup_free(top);
	}
}

TEST(cgroup_real_limits_and_errors)
{
	struct husk_hugepage_limit hp = {.page_size = "2MB", .limit = 0};
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg = NULL;
	pid_t pid;

	if (!real_enabled())
		return;
	printf("  layout: %s\n", husk_cgroup_layout());
	CHECK_INT(husk_cgroup_open(TOP "/x", true, &cg, &err), 0);
	if (!cg)
		return;
	cg_res_init(&r);
	r.mem_limit = 32 << 20;
	r.mem_swap = 32 << 20;
	r.cpu_quota = 20000;
	r.cpu_period = 100000;
	r.cpu_shares = 512;
	r.pids_limit = 16;
	r.cpus = "0";
	r.hugepages = &hp;
	r.n_hugepages = 1;
	if (husk_cgroup_apply(cg, &r, &err) < 0)
		fprintf(stderr, "  apply: %s\n", err.msg);
	CHECK_STR(read_cg(cg, "memory", "memory.limit_in_bytes"), "33554432");
	CHECK_STR(read_cg(cg, "memory", "memory.memsw.limit_in_bytes"),
		  "33554432");
	CHECK_STR(read_cg(cg, "cpu", "cpu.cfs_quota_us"), "20000");
	CHECK_STR(read_cg(cg, "cpu", "cpu.shares"), "512");
	CHECK_STR(read_cg(cg, "pids", "pids.max"), "16");
	CHECK_STR(read_cg(cg, "cpuset", "cpuset.cpus"), "0");
	CHECK_STR(read_cg(cg, "hugetlb", "hugetlb.2MB.max"), "0");
	printf("  hugetlb file: %s\n",
	       husk_cgroup_file_path(cg, "hugetlb", "hugetlb.2MB.max",
				     (char[PATH_MAX]){0}, PATH_MAX) == 0
		   ? "under unified"
		   : "missing");

	/* refusals come back naming resource, value, reason; nothing written */
	pid = spawn_in(cg, touch_8m_and_sleep, NULL);
	sleep_ms(300);
	cg_res_init(&r);
	r.mem_limit = 1 << 20;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EBUSY);
	CHECK(strstr(msg(&err), "memory: limit 1048576 is below the current "
				"usage "));
	CHECK_STR(read_cg(cg, "memory", "memory.limit_in_bytes"), "33554432");
	cg_res_init(&r);
	r.cpus = "7";
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	printf("  cpuset error: %s\n", err.msg);
	CHECK(strstr(err.msg, "cpuset: cpus \"7\": CPU 7 does not exist"));
	CHECK(strstr(err.msg, "(available: "));
	CHECK_STR(read_cg(cg, "cpuset", "cpuset.cpus"), "0");
	cg_res_init(&r);
	r.cpu_quota = -5;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), -EINVAL);
	kill(pid, SIGKILL);
	wait_status(pid);

	/* 64 MiB in a 32 MiB cgroup: the OOM killer takes the child */
	pid = spawn_in(cg, alloc_64m, NULL);
	{
		int st = wait_status(pid);
		struct husk_cgroup_stats s;

		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		CHECK_INT(husk_cgroup_stats(cg, &s, &err), 0);
		CHECK(s.oom_kill >= 1);
		CHECK_INT(s.mem_limit, 32 << 20);
		printf("  oom: killed by %d, oom_kill=%llu\n",
		       WIFSIGNALED(st) ? WTERMSIG(st) : -1,
		       (unsigned long long)s.oom_kill);
	}

	/* pids.max = 16: forking 40 must hit the limit */
	pid = spawn_in(cg, fork_many, NULL);
	{
		int st = wait_status(pid);
		pid_t *pids = NULL;
		size_t n = 0;

		CHECK(WIFEXITED(st) && WEXITSTATUS(st) < 16);
		printf("  pids: %d forks worked\n", WEXITSTATUS(st));
		CHECK_INT(husk_cgroup_pids(cg, &pids, &n, &err), 0);
		CHECK(n >= 10);
		free(pids);
		CHECK_INT(husk_cgroup_kill(cg, SIGKILL, &err), 0);
		CHECK_INT(husk_cgroup_pids(cg, &pids, &n, &err), 0);
		CHECK_INT(n, 0);
		free(pids);
	}
	CHECK_INT(husk_cgroup_destroy(cg, &err), 0);
	CHECK(access("/sys/fs/cgroup/memory" TOP "/x", F_OK) < 0);
	CHECK(access("/sys/fs/cgroup/unified" TOP "/x", F_OK) < 0);
	CHECK_INT(husk_cgroup_destroy(cg, &err), 0);
	husk_cgroup_free(cg);
	destroy_top();
}

TEST(cgroup_real_cpu_freeze_kill)
{
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup_stats s;
	struct husk_cgroup *cg = NULL;
	volatile unsigned long *counter;
	unsigned long a, b;
	bool frozen = false;
	pid_t pid;
	long t0;

	if (!real_enabled())
		return;
	CHECK_INT(husk_cgroup_open(TOP "/f", true, &cg, &err), 0);
	if (!cg)
		return;
	cg_res_init(&r);
	r.cpu_quota = 20000;
	r.cpu_period = 100000;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid = spawn_in(cg, spin, (void *)counter);
	t0 = now_ms();
	sleep_ms(1000);
	CHECK_INT(husk_cgroup_stats(cg, &s, &err), 0);
	/* 20% quota: about 0.2 s of CPU in 1 s of wall time */
	printf("  cpu: %.2f s used in %.2f s\n", s.cpu_usage_ns / 1e9,
	       (now_ms() - t0) / 1e3);
	CHECK(s.cpu_usage_ns < 400000000ULL);
	CHECK(s.cpu_usage_ns > 50000000ULL);

	CHECK_INT(husk_cgroup_freeze(cg, true, &err), 0);
	CHECK_INT(husk_cgroup_is_frozen(cg, &frozen, &err), 0);
	CHECK(frozen);
	a = *counter;
	sleep_ms(200);
	b = *counter;
	CHECK(a == b);
	CHECK_INT(husk_cgroup_freeze(cg, false, &err), 0);
	CHECK_INT(husk_cgroup_is_frozen(cg, &frozen, &err), 0);
	CHECK(!frozen);
	sleep_ms(300);
	CHECK(*counter != b);

	/* SIGKILL reaches a frozen cgroup too */
	CHECK_INT(husk_cgroup_freeze(cg, true, &err), 0);
	CHECK_INT(husk_cgroup_kill(cg, SIGKILL, &err), 0);
	{
		int st = wait_status(pid);

		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
	CHECK_INT(husk_cgroup_destroy(cg, &err), 0);
	husk_cgroup_free(cg);
	munmap((void *)counter, 4096);
	destroy_top();
}

TEST(cgroup_real_devices)
{
	struct husk_device_rule v1rules[] = { DEV_DENY_ALL, DEV_ALLOW_NULL };
	struct husk_device_rule deny_zero = DEV_RULE(false, 'c', 1, 5, "rwm");
	struct husk_resources r;
	struct husk_err err = {0};
	struct husk_cgroup *cg = NULL;
	const struct cg_dir *v2;

	if (!real_enabled())
		return;
	CHECK_INT(husk_cgroup_open(TOP "/dev", true, &cg, &err), 0);
	if (!cg)
		return;
	cg_res_init(&r);
	r.devices = v1rules;
	r.n_devices = 2;
	CHECK_INT(husk_cgroup_apply(cg, &r, &err), 0);
	CHECK_INT(WEXITSTATUS(wait_status(spawn_in(cg, open_dev, "/dev/null"))),
		  0);
	CHECK_INT(WEXITSTATUS(wait_status(spawn_in(cg, open_dev, "/dev/zero"))),
		  1);
	CHECK_INT(husk_cgroup_destroy(cg, &err), 0);
	husk_cgroup_free(cg);

	/* the cgroup2 device program, on the hybrid host's unified dir */
	CHECK_INT(husk_cgroup_open(TOP "/bpf", true, &cg, &err), 0);
	v2 = cg ? cg_v2_dir(cg) : NULL;
	if (v2) {
		CHECK_INT(cg_bpf_devices(v2->fd, &deny_zero, 1, &err), 0);
		CHECK_INT(WEXITSTATUS(
			      wait_status(spawn_in(cg, open_dev, "/dev/zero"))),
			  1);
		CHECK_INT(WEXITSTATUS(
			      wait_status(spawn_in(cg, open_dev, "/dev/null"))),
			  0);
		/* replacing drops the old program */
		CHECK_INT(cg_bpf_devices(v2->fd, NULL, 0, &err), 0);
		CHECK_INT(WEXITSTATUS(
			      wait_status(spawn_in(cg, open_dev, "/dev/zero"))),
			  0);
	}
	if (cg) {
		CHECK_INT(husk_cgroup_destroy(cg, &err), 0);
		husk_cgroup_free(cg);
	}
	destroy_top();
}

/* In a private mount namespace: the container's view of its cgroups. */
static int mount_view(void *arg)
{
	struct husk_cgroup *cg = arg;
	struct husk_err err = {0};
	char dir[] = "/tmp/husk-cgroup-mnt-XXXXXX";
	int fd;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    !mkdtemp(dir))
		return 10;
	if (husk_cgroup_mount(cg, dir, false, &err) < 0) {
		fprintf(stderr, "  mount: %s\n", err.msg);
		return 11;
	}
	if (chdir(dir) < 0 || access("memory/memory.limit_in_bytes", F_OK) ||
	    access("cpu/cpu.shares", F_OK) ||
	    access("unified/cgroup.procs", F_OK))
		return 12;
	fd = open("pids/pids.max", O_WRONLY | O_CLOEXEC);
	if (fd >= 0 || errno != EROFS)
		return 13;
	if (mkdir("extra", 0755) == 0 || errno != EROFS)
		return 14;
	if (chdir("/") < 0 || umount2(dir, MNT_DETACH) < 0 || rmdir(dir) < 0)
		return 15;
	return 0;
}

TEST(cgroup_real_mount_view)
{
	struct husk_err err = {0};
	struct husk_cgroup *cg = NULL;
	int st;

	if (!real_enabled())
		return;
	CHECK_INT(husk_cgroup_open(TOP "/m", true, &cg, &err), 0);
	if (!cg)
		return;
	st = wait_status(spawn_in(cg, mount_view, cg));
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
	CHECK_INT(husk_cgroup_destroy(cg, &err), 0);
	husk_cgroup_free(cg);
	destroy_top();
}
