/* SPDX-License-Identifier: MIT */
/*
 * husk_process_finalize and its steps.  Everything that changes process
 * state runs in a forked child, which reports /proc/self/status back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/security.h"
#include "test_security.h"
#include "unit.h"

int sec_run_child(void (*fn)(int fd, const void *arg), const void *arg,
		  char *out, size_t len)
{
	int p[2], status = -1;
	size_t got = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		alarm(10);
		fn(p[1], arg);
		_exit(0);
	}
	close(p[1]);
	while (got + 1 < len) {
		ssize_t n = read(p[0], out + got, len - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return status;
}

const char *sec_status_field(const char *text, const char *key, char *buf,
			     size_t len)
{
	size_t klen = strlen(key);
	const char *line = text;

	buf[0] = '\0';
	while (line && *line) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;
			size_t n;

			v += strspn(v, " \t");
			n = strcspn(v, "\n");
			snprintf(buf, len, "%.*s", (int)n, v);
			return buf;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return buf;
}

void sec_drop_sys_resource(void)
{
	cap_t c = cap_get_proc();
	cap_value_t v = CAP_SYS_RESOURCE;

	cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
	cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_CLEAR);
	cap_set_proc(c);
	cap_free(c);
	prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0);
}

/* Write @s to @fd, ignoring short writes: the parent reads a pipe. */
static void put(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		_exit(3);
}

static void put_status(int fd)
{
	char buf[8192];
	int sfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = sfd < 0 ? -1 : read(sfd, buf, sizeof(buf) - 1);

	if (n < 0)
		_exit(4);
	buf[n] = '\0';
	put(fd, buf);
	close(sfd);
}

/* Finalize @arg (a husk_process) and report /proc/self/status. */
static void finalize_child(int fd, const void *arg)
{
	struct husk_err err = {0};

	if (husk_process_finalize(arg, NULL, &err) < 0) {
		put(fd, "ERR ");
		put(fd, err.msg);
		_exit(1);
	}
	put_status(fd);
}

static void init_proc(struct husk_process *p)
{
	memset(p, 0, sizeof(*p));
	p->umask = HUSK_UNSET;
	p->oom_score_adj = HUSK_UNSET;
}

#define BIT(c) (1ULL << (c))

/* Finalize @p in a child, which must succeed; its /proc/self/status to @out. */
static void finalize_in_child(const struct husk_process *p, char *out,
			      size_t len)
{
	int st = sec_run_child(finalize_child, p, out, len);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Field @key of the status text @status is @want (a macro: keeps the line). */
#define CHECK_FIELD(status, key, want)                                    \
	do {                                                              \
		char field_[128];                                         \
		CHECK_STR(sec_status_field(status, key, field_,           \
					   sizeof(field_)),               \
			  want);                                          \
	} while (0)

TEST(security_caps_root_narrowed)
{
	struct husk_process p;
	uint64_t set =
	    BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	char out[8192];

	init_proc(&p);
	p.caps = (struct husk_caps){
	    .set = true, .bounding = set, .effective = set, .permitted = set};
	p.no_new_privileges = true;
	finalize_in_child(&p, out, sizeof(out));
	CHECK_FIELD(out, "CapEff", "0000000000000421");
	CHECK_FIELD(out, "CapPrm", "0000000000000421");
	CHECK_FIELD(out, "CapBnd", "0000000000000421");
	CHECK_FIELD(out, "CapInh", "0000000000000000");
	CHECK_FIELD(out, "CapAmb", "0000000000000000");
	CHECK_FIELD(out, "NoNewPrivs", "1");
}

TEST(security_caps_nonroot_ambient)
{
	static gid_t gids[] = {10, 20};
	struct husk_process p;
	uint64_t nbs = BIT(CAP_NET_BIND_SERVICE);
	char out[8192];

	init_proc(&p);
	p.uid = 1000;
	p.gid = 1001;
	p.additional_gids = gids;
	p.n_additional_gids = 2;
	p.umask = 077;
	p.caps = (struct husk_caps){.set = true,
				    .bounding = nbs,
				    .effective = nbs,
				    .permitted = nbs,
				    .inheritable = nbs,
				    .ambient = nbs};
	finalize_in_child(&p, out, sizeof(out));
	CHECK_FIELD(out, "Uid", "1000\t1000\t1000\t1000");
	CHECK_FIELD(out, "Gid", "1001\t1001\t1001\t1001");
	CHECK_FIELD(out, "Groups", "10 20 ");
	CHECK_FIELD(out, "Umask", "0077");
	CHECK_FIELD(out, "CapEff", "0000000000000400");
	CHECK_FIELD(out, "CapAmb", "0000000000000400");
	CHECK_FIELD(out, "CapBnd", "0000000000000400");
	CHECK_FIELD(out, "NoNewPrivs", "0");
}

TEST(security_caps_absent_keeps_root_defaults)
{
	struct husk_process p;
	char out[8192], mine[8192], w[128];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = read(fd, mine, sizeof(mine) - 1);

	close(fd);
	mine[n > 0 ? n : 0] = '\0';
	init_proc(&p);
	finalize_in_child(&p, out, sizeof(out));
	CHECK_FIELD(out, "CapEff",
		    sec_status_field(mine, "CapEff", w, sizeof(w)));
	CHECK_FIELD(out, "CapBnd",
		    sec_status_field(mine, "CapBnd", w, sizeof(w)));
	CHECK_FIELD(out, "Umask", "0022");
}

static void check_caps_child(int fd, const void *arg)
{
	struct husk_err err = {0};

	sec_drop_sys_resource();
	if (husk_caps_check(arg, &err) < 0)
		put(fd, err.msg);
}

TEST(security_caps_host_lacks_sys_resource)
{
	struct husk_caps caps = {.set = true};
	char out[1024];

	caps.permitted = caps.effective = caps.bounding =
	    BIT(CAP_CHOWN) | BIT(CAP_SYS_RESOURCE);
	sec_run_child(check_caps_child, &caps, out, sizeof(out));
	CHECK_STR(out, "capabilities: CAP_SYS_RESOURCE is not in the host's "
		       "bounding set (requested in "
		       "process.capabilities.permitted)");
	/* Only in bounding: still named, with the set it came from. */
	caps.permitted = caps.effective = BIT(CAP_CHOWN);
	sec_run_child(check_caps_child, &caps, out, sizeof(out));
	CHECK_STR(out, "capabilities: CAP_SYS_RESOURCE is not in the host's "
		       "bounding set (requested in "
		       "process.capabilities.bounding)");
}

TEST(security_caps_inconsistent_sets)
{
	struct husk_caps caps = {.set = true};
	struct husk_err err = {0};

	caps.effective = BIT(CAP_KILL);
	CHECK(husk_caps_check(&caps, &err) < 0);
	CHECK_STR(err.msg, "capabilities: CAP_KILL is not also in permitted "
			   "(requested in process.capabilities.effective)");
	caps.permitted = caps.bounding = BIT(CAP_KILL);
	caps.ambient = BIT(CAP_KILL);
	/* Ambient without inheritable is what `runc spec` writes: skipped. */
	CHECK_INT(husk_caps_check(&caps, &err), 0);
	caps.inheritable = BIT(CAP_KILL);
	CHECK_INT(husk_caps_check(&caps, &err), 0);
	/* Above cap_last_cap: unknown to this kernel, ignored like runc. */
	caps.permitted |= BIT(63);
	CHECK_INT(husk_caps_check(&caps, &err), 0);
}

TEST(security_cap_name)
{
	char buf[64];

	CHECK_STR(husk_cap_string(CAP_SYS_ADMIN, buf, sizeof(buf)),
		  "CAP_SYS_ADMIN");
	CHECK_STR(husk_cap_string(CAP_NET_BIND_SERVICE, buf, sizeof(buf)),
		  "CAP_NET_BIND_SERVICE");
}

static void rlimit_child(int fd, const void *arg)
{
	struct rlimit low = {1000, 1000};
	struct husk_err err = {0};

	(void)arg;
	sec_drop_sys_resource();
	setrlimit(RLIMIT_NOFILE, &low);
	struct husk_rlimit ok = {RLIMIT_NOFILE, 500, 800};
	struct husk_rlimit big = {RLIMIT_NOFILE, 30000, 30000};

	if (husk_rlimits_apply(&ok, 1, &err) < 0 ||
	    getrlimit(RLIMIT_NOFILE, &low) < 0 || low.rlim_cur != 500 ||
	    low.rlim_max != 800)
		put(fd, "lowering failed; ");
	if (husk_rlimits_apply(&big, 1, &err) < 0)
		put(fd, err.msg);
}

TEST(security_rlimit_above_hard_limit)
{
	char out[1024];

	sec_run_child(rlimit_child, NULL, out, sizeof(out));
	CHECK_STR(out, "rlimit RLIMIT_NOFILE 30000/30000: Operation not "
		       "permitted (hard limit here is 800)");
	CHECK_STR(husk_rlimit_name(RLIMIT_MEMLOCK), "RLIMIT_MEMLOCK");
}

static void oom_child(int fd, const void *arg)
{
	struct husk_err err = {0};
	char buf[32] = "";
	int sfd;

	(void)arg;
	sec_drop_sys_resource();
	if (husk_oom_score_adj_apply(500, &err) < 0) {
		put(fd, err.msg);
		return;
	}
	sfd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	if (read(sfd, buf, sizeof(buf) - 1) < 0)
		_exit(5);
	close(sfd);
	put(fd, buf);
	if (husk_oom_score_adj_apply(-500, &err) < 0)
		put(fd, err.msg);
}

TEST(security_oom_score_adj)
{
	char out[1024];
	struct husk_err err = {0};

	sec_run_child(oom_child, NULL, out, sizeof(out));
	CHECK_STR(out, "500\nwrite -500 to /proc/self/oom_score_adj (lowering "
		       "it needs CAP_SYS_RESOURCE): Permission denied");
	CHECK(husk_oom_score_adj_apply(1001, &err) < 0);
	CHECK_INT(husk_oom_score_adj_apply(HUSK_UNSET, &err), 0);
}

static bool is_cloexec(int fd)
{
	int f = fcntl(fd, F_GETFD);

	return f >= 0 && (f & FD_CLOEXEC);
}

static void fds_child(int fd, const void *arg)
{
	const bool walk = *(const bool *)arg;
	struct husk_err err = {0};
	int keep[] = {41, 40, 41}; /* unsorted, with a duplicate */
	int r;

	for (int i = 40; i <= 43; i++)
		dup2(STDERR_FILENO, i); /* dup2: no CLOEXEC on the new fd */
	r = walk ? husk_cloexec_fds_walk(41, keep, 3, &err)
		 : husk_close_fds_from(41, keep, 3, &err);
	if (r < 0) {
		put(fd, err.msg);
		return;
	}
	put(fd, is_cloexec(40) ? "40:x " : "40:- ");
	put(fd, is_cloexec(41) ? "41:x " : "41:- ");
	put(fd, is_cloexec(42) ? "42:x " : "42:- ");
	put(fd, is_cloexec(43) ? "43:x " : "43:- ");
	put(fd, is_cloexec(STDERR_FILENO) ? "2:x" : "2:-");
}

TEST(security_close_fds_from)
{
	bool walk = false;
	char out[256];

	sec_run_child(fds_child, &walk, out, sizeof(out));
	CHECK_STR(out, "40:- 41:- 42:x 43:x 2:-");
	walk = true;
	sec_run_child(fds_child, &walk, out, sizeof(out));
	CHECK_STR(out, "40:- 41:- 42:x 43:x 2:-");
}

static int sysctl_one(const char *key, bool net, bool ipc, bool uts,
		      struct husk_err *err)
{
	struct husk_kv kv = {(char *)key, (char *)"1"};
	struct husk_kvv kvv = {&kv, 1};

	return husk_sysctl_check(&kvv, net, ipc, uts, err);
}

TEST(security_sysctl_classification)
{
	struct husk_err err = {0};

	CHECK_INT(sysctl_one("net.ipv4.ip_forward", true, false, false, &err),
		  0);
	CHECK_INT(sysctl_one("net/ipv4/conf/eth0.1/forwarding", true, false,
			     false, &err),
		  0);
	CHECK_INT(sysctl_one("kernel.shmmax", false, true, false, &err), 0);
	CHECK_INT(sysctl_one("kernel.msgmnb", false, true, false, &err), 0);
	CHECK_INT(sysctl_one("kernel.sem", false, true, false, &err), 0);
	CHECK_INT(sysctl_one("fs.mqueue.msg_max", false, true, false, &err), 0);
	CHECK_INT(sysctl_one("kernel.domainname", false, false, true, &err), 0);
	CHECK(sysctl_one("vm.swappiness", true, true, true, &err) < 0);
	CHECK_STR(err.msg, "linux.sysctl: \"vm.swappiness\" is not namespaced; "
			   "refusing to set it");
	CHECK(sysctl_one("net.ipv4.ip_forward", false, true, true, &err) < 0);
	CHECK_STR(err.msg, "linux.sysctl: \"net.ipv4.ip_forward\" needs a new "
			   "network namespace");
	CHECK(sysctl_one("kernel.shmall", true, false, true, &err) < 0);
	CHECK_STR(err.msg, "linux.sysctl: \"kernel.shmall\" needs a new ipc "
			   "namespace");
	CHECK(sysctl_one("kernel.hostname", true, true, false, &err) < 0);
	CHECK(sysctl_one("kernel.pid_max", true, true, true, &err) < 0);
	CHECK(sysctl_one("net..ipv4", true, true, true, &err) < 0);
	CHECK_STR(err.msg, "linux.sysctl: \"net..ipv4\" is not a valid key");
	CHECK(sysctl_one("net/../../etc", true, true, true, &err) < 0);
}

TEST(security_lsm_check)
{
	struct husk_process p;
	struct husk_err err = {0};

	init_proc(&p);
	CHECK_INT(husk_lsm_check(&p, NULL, &err), 0);
	p.apparmor_profile = (char *)"husk-default";
	if (!husk_apparmor_enabled()) {
		CHECK(husk_lsm_check(&p, NULL, &err) < 0);
		CHECK_STR(err.msg, "process.apparmorProfile: AppArmor is not "
				   "enabled on this host");
	}
	p.apparmor_profile = NULL;
	if (!husk_selinux_enabled()) {
		CHECK(husk_lsm_check(&p, "system_u:object_r:foo:s0", &err) < 0);
		CHECK_STR(err.msg, "linux.mountLabel: SELinux is not enabled "
				   "on this host");
	}
}
