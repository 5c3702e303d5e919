/* SPDX-License-Identifier: MIT */
/*
 * husk_process_finalize(): the one sequence, shared by container init and
 * `exec`, that turns a root process into the spec's process just before
 * execve().  The order is dictated by the privileges each step needs.
 */
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

static const char *const rlimit_names[] = {
    [RLIMIT_CPU] = "RLIMIT_CPU",
    [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
    [RLIMIT_DATA] = "RLIMIT_DATA",
    [RLIMIT_STACK] = "RLIMIT_STACK",
    [RLIMIT_CORE] = "RLIMIT_CORE",
    [RLIMIT_RSS] = "RLIMIT_RSS",
    [RLIMIT_NPROC] = "RLIMIT_NPROC",
    [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
    [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
    [RLIMIT_AS] = "RLIMIT_AS",
    [RLIMIT_LOCKS] = "RLIMIT_LOCKS",
    [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
    [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
    [RLIMIT_NICE] = "RLIMIT_NICE",
    [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
    [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

const char *husk_rlimit_name(int resource)
{
	static char buf[32];

	if (resource >= 0 && (size_t)resource < HUSK_ARRAY_SIZE(rlimit_names) &&
	    rlimit_names[resource])
		return rlimit_names[resource];
	snprintf(buf, sizeof(buf), "RLIMIT_%d", resource);
	return buf;
}

static void fmt_limit(uint64_t v, char *buf, size_t len)
{
	if (v == (uint64_t)RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static int rlimit_apply(const struct husk_rlimit *rl, struct husk_err *err)
{
	struct rlimit want = {.rlim_cur = rl->soft, .rlim_max = rl->hard};
	struct rlimit now;
	char soft[32], hard[32], cur[32];
	int e;

	if (setrlimit((__rlimit_resource_t)rl->resource, &want) == 0)
		return 0;
	e = errno;
	fmt_limit(rl->soft, soft, sizeof(soft));
	fmt_limit(rl->hard, hard, sizeof(hard));
	/* Raising a hard limit needs CAP_SYS_RESOURCE: show the ceiling. */
	if (e == EPERM &&
	    getrlimit((__rlimit_resource_t)rl->resource, &now) == 0) {
		size_t len;

		fmt_limit(now.rlim_max, cur, sizeof(cur));
		husk_fail(err, e, "rlimit %s %s/%s",
			  husk_rlimit_name(rl->resource), soft, hard);
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len,
			 " (hard limit here is %s)", cur);
		return -e;
	}
	return husk_fail(err, e, "rlimit %s %s/%s",
			 husk_rlimit_name(rl->resource), soft, hard);
}

int husk_rlimits_apply(const struct husk_rlimit *rl, size_t n,
		       struct husk_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int r = rlimit_apply(&rl[i], err);

		if (r < 0)
			return r;
	}
	return 0;
}

int husk_oom_score_adj_apply(int64_t adj, struct husk_err *err)
{
	_cleanup_close_ int fd = -1;
	char buf[32];
	int n;

	if (adj == HUSK_UNSET)
		return 0;
	if (adj < -1000 || adj > 1000)
		return husk_fail(err, 0,
				 "process.oomScoreAdj %lld is outside "
				 "-1000..1000",
				 (long long)adj);
	n = snprintf(buf, sizeof(buf), "%lld", (long long)adj);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open /proc/self/oom_score_adj");
	if (write(fd, buf, (size_t)n) != n) {
		if (errno == EACCES)
			return husk_fail(err, errno,
					 "write %s to "
					 "/proc/self/oom_score_adj (lowering "
					 "it needs CAP_SYS_RESOURCE)",
					 buf);
		return husk_fail(err, errno,
				 "write %s to /proc/self/oom_score_adj", buf);
	}
	return 0;
}

/*
 * setgroups() is refused in a user namespace whose setgroups file says
 * "deny"; dropping to no supplementary groups is then already the state.
 */
static bool setgroups_denied(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/setgroups", "re");
	char buf[16] = "";

	return f && fgets(buf, sizeof(buf), f) && strncmp(buf, "deny", 4) == 0;
}

static int switch_ids(const struct husk_process *proc, struct husk_err *err)
{
	if (setgroups(proc->n_additional_gids, proc->additional_gids) < 0 &&
	    !(errno == EPERM && proc->n_additional_gids == 0 &&
	      setgroups_denied()))
		return husk_fail(err, errno, "setgroups (%zu additionalGids)",
				 proc->n_additional_gids);
	if (setresgid(proc->gid, proc->gid, proc->gid) < 0)
		return husk_fail(err, errno, "setresgid %u", proc->gid);
	if (setresuid(proc->uid, proc->uid, proc->uid) < 0)
		return husk_fail(err, errno, "setresuid %u", proc->uid);
	return 0;
}

int husk_process_finalize(const struct husk_process *proc,
			  const struct husk_seccomp *seccomp,
			  struct husk_err *err)
{
	struct husk_seccomp_filter *filter;
	int r;

	r = husk_seccomp_build(seccomp, &filter, err);
	if (r < 0)
		return r;
	r = husk_process_finalize_built(proc, filter, err);
	husk_seccomp_filter_free(filter);
	return r;
}

int husk_process_finalize_built(const struct husk_process *proc,
				struct husk_seccomp_filter *filter,
				struct husk_err *err)
{
	bool keepcaps = proc->caps.set;
	int r;

	/* Fail before changing anything if the host can't give these caps. */
	r = husk_caps_check(&proc->caps, err);
	if (r < 0)
		return r;
	/* Raising hard limits needs CAP_SYS_RESOURCE, which may go below. */
	r = husk_rlimits_apply(proc->rlimits, proc->n_rlimits, err);
	if (r < 0)
		return r;
	/* Lowering oom_score_adj needs CAP_SYS_RESOURCE too. */
	r = husk_oom_score_adj_apply(proc->oom_score_adj, err);
	if (r < 0)
		return r;
	/* Files the runtime creates from here on (none, today) and the
	 * process's own get the spec's mode mask. */
	umask(proc->umask == HUSK_UNSET ? 0022 : (mode_t)proc->umask);
	/* Written to /proc/self/attr: must precede seccomp, which may deny
	 * it, and the uid switch, after which /proc/self may be unwritable. */
	r = husk_lsm_apply(proc, err);
	if (r < 0)
		return r;
	/* PR_CAPBSET_DROP needs CAP_SETPCAP, still effective as root. */
	r = husk_caps_drop_bounding(&proc->caps, err);
	if (r < 0)
		return r;
	/*
	 * Without no_new_privs, seccomp(2) demands CAP_SYS_ADMIN, so the
	 * filter goes in now, while we are still uid 0 with full effective
	 * caps; the uid switch below clears the effective set.  The price:
	 * the filter already sees setgroups/setresuid/capset/execve, which
	 * any sane profile allows (runc makes the same trade).
	 */
	if (!proc->no_new_privileges) {
		r = husk_seccomp_load_filter(filter, err);
		if (r < 0)
			return r;
	}
	/* Keep the permitted set across setresuid() to a non-zero uid, so
	 * capset() below can still hand the spec's caps to that user. */
	if (keepcaps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return husk_fail(err, errno, "prctl(PR_SET_KEEPCAPS)");
	/* Groups first: setgroups/setresgid need CAP_SETGID, which a
	 * non-root uid would no longer have effective. */
	r = switch_ids(proc, err);
	if (r < 0)
		return r;
	/* Permitted survived (KEEPCAPS); now narrow to exactly the spec. */
	r = husk_caps_apply(&proc->caps, err);
	if (r < 0)
		return r;
	if (keepcaps && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return husk_fail(err, errno, "prctl(PR_SET_KEEPCAPS, 0)");
	if (proc->no_new_privileges &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_fail(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	/*
	 * With no_new_privs the kernel accepts an unprivileged filter, so
	 * load it last: the fewer of our own syscalls it has to allow, the
	 * tighter a profile can be.
	 */
	if (proc->no_new_privileges) {
		r = husk_seccomp_load_filter(filter, err);
		if (r < 0)
			return r;
	}
	return 0;
}
