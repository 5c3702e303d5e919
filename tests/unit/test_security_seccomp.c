/* SPDX-License-Identifier: MIT */
/*
 * Seccomp: validation messages in-process; loading in forked children,
 * through husk_process_finalize so both no_new_privs orders are covered.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/security.h"
#include "test_security.h"
#include "unit.h"

static char *getcwd_names[] = {(char *)"getcwd", NULL};
static char *prio_names[] = {(char *)"getpriority", NULL};
static char *ppid_names[] = {(char *)"getppid", NULL};

static void init_filter(struct husk_seccomp *sc, struct husk_seccomp_rule *r,
			size_t n)
{
	memset(sc, 0, sizeof(*sc));
	sc->default_action = SCMP_ACT_ALLOW;
	sc->default_errno_ret = HUSK_UNSET;
	sc->rules = r;
	sc->n_rules = n;
}

struct load_case {
	const struct husk_seccomp *sc;
	bool nnp;
	const struct husk_process *proc; /* NULL: root, all caps */
};

/* Result of a raw syscall as "rc/errno ". */
static void report(int fd, long rc)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld/%d ", rc, rc < 0 ? errno : 0);

	if (write(fd, buf, (size_t)n) < 0)
		_exit(3);
}

static void load_child(int fd, const void *arg)
{
	const struct load_case *lc = arg;
	struct husk_process p = {.umask = HUSK_UNSET,
				 .oom_score_adj = HUSK_UNSET,
				 .no_new_privileges = lc->nnp};
	struct husk_err err = {0};
	char cwd[256], status[8192], v[16];
	int sfd;
	ssize_t n;

	if (husk_process_finalize(lc->proc ? lc->proc : &p, lc->sc, &err) < 0) {
		if (write(fd, err.msg, strlen(err.msg)) < 0)
			_exit(3);
		_exit(1);
	}
	report(fd, syscall(SYS_getcwd, cwd, sizeof(cwd)) < 0 ? -1 : 0);
	errno = 0;
	report(fd, syscall(SYS_getpriority, PRIO_PROCESS, 12345));
	report(fd, syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0 ? -1 : 0);
	report(fd, syscall(SYS_getpriority, PRIO_PROCESS, 222));
	report(fd, syscall(SYS_getpriority, PRIO_PGRP, 0x1234));
	sfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	n = sfd < 0 ? -1 : read(sfd, status, sizeof(status) - 1);
	status[n > 0 ? n : 0] = '\0';
	sec_status_field(status, "Seccomp", v, sizeof(v));
	dprintf(fd, "seccomp=%s ", v);
	sec_status_field(status, "NoNewPrivs", v, sizeof(v));
	dprintf(fd, "nnp=%s", v);
	syscall(SYS_getppid);
}

TEST(seccomp_load_errno_and_args)
{
	/* getpriority(0, 12345) ANDs two args; 111 | 222 on one arg ORs. */
	static struct husk_seccomp_arg and_args[] = {
	    {.index = 0, .value = PRIO_PROCESS, .op = HUSK_SCMP_EQ},
	    {.index = 1, .value = 12345, .op = HUSK_SCMP_EQ},
	};
	static struct husk_seccomp_arg or_args[] = {
	    {.index = 1, .value = 111, .op = HUSK_SCMP_EQ},
	    {.index = 1, .value = 222, .op = HUSK_SCMP_EQ},
	};
	static struct husk_seccomp_arg masked[] = {
	    {.index = 0,
	     .value = 0xff,
	     .value_two = PRIO_PGRP,
	     .op = HUSK_SCMP_MASKED_EQ},
	    {.index = 1,
	     .value = 0xff00,
	     .value_two = 0x1200,
	     .op = HUSK_SCMP_MASKED_EQ},
	};
	struct husk_seccomp_rule rules[] = {
	    {.names = {getcwd_names, 1},
	     .action = SCMP_ACT_ERRNO(0),
	     .errno_ret = 38},
	    {.names = {prio_names, 1},
	     .action = SCMP_ACT_ERRNO(0),
	     .errno_ret = 40,
	     .args = and_args,
	     .n_args = 2},
	    {.names = {prio_names, 1},
	     .action = SCMP_ACT_ERRNO(0),
	     .errno_ret = 41,
	     .args = or_args,
	     .n_args = 2},
	    {.names = {prio_names, 1},
	     .action = SCMP_ACT_ERRNO(0),
	     .errno_ret = HUSK_UNSET,
	     .args = masked,
	     .n_args = 2},
	};
	struct husk_seccomp sc;
	struct load_case lc = {&sc, true, NULL};
	char out[512];
	int st;

	init_filter(&sc, rules, HUSK_ARRAY_SIZE(rules));
	st = sec_run_child(load_child, &lc, out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_STR(out, "-1/38 -1/40 0/0 -1/41 -1/1 seccomp=2 nnp=1");
	/* Without no_new_privs: loaded while CAP_SYS_ADMIN is effective. */
	lc.nnp = false;
	st = sec_run_child(load_child, &lc, out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_STR(out, "-1/38 -1/40 0/0 -1/41 -1/1 seccomp=2 nnp=0");
}

TEST(seccomp_kill_process)
{
	struct husk_seccomp_rule rule = {.names = {ppid_names, 1},
					 .action = SCMP_ACT_KILL_PROCESS,
					 .errno_ret = HUSK_UNSET};
	struct husk_seccomp sc;
	struct load_case lc = {&sc, true, NULL};
	char out[512];
	int st;

	init_filter(&sc, &rule, 1);
	st = sec_run_child(load_child, &lc, out, sizeof(out));
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

TEST(seccomp_default_errno)
{
	static char *allow[] = {(char *)"getcwd", NULL};
	struct husk_seccomp_rule rule = {.names = {allow, 1},
					 .action = SCMP_ACT_ALLOW,
					 .errno_ret = HUSK_UNSET};
	struct husk_seccomp sc;
	struct husk_err err = {0};

	init_filter(&sc, &rule, 1);
	sc.default_action = SCMP_ACT_ERRNO(0);
	sc.default_errno_ret = 38;
	CHECK_INT(husk_seccomp_validate(&sc, &err), 0);
	sc.default_errno_ret = 70000;
	CHECK(husk_seccomp_validate(&sc, &err) < 0);
	CHECK_STR(err.msg, "defaultAction: seccomp: errnoRet 70000 is out of "
			   "range");
}

static int validate_names(char **names, size_t n, struct husk_strv archs,
			  struct husk_err *err)
{
	struct husk_seccomp_rule rule = {.names = {names, n},
					 .action = SCMP_ACT_ERRNO(0),
					 .errno_ret = HUSK_UNSET};
	struct husk_seccomp sc;

	init_filter(&sc, &rule, 1);
	sc.architectures = archs;
	return husk_seccomp_validate(&sc, err);
}

TEST(seccomp_validate_names_and_archs)
{
	static char *archs[] = {(char *)"SCMP_ARCH_X86_64",
				(char *)"SCMP_ARCH_X86",
				(char *)"SCMP_ARCH_X32", NULL};
	static char *bad_arch[] = {(char *)"SCMP_ARCH_PDP11", NULL};
	/* socketcall: x86 only; arm_fadvise64_64: on no listed arch. */
	static char *other_arch[] = {(char *)"socketcall",
				     (char *)"arm_fadvise64_64", NULL};
	static char *typo[] = {(char *)"getcwd", (char *)"nonsense_foo", NULL};
	struct husk_strv none = {NULL, 0};
	struct husk_err err = {0};

	CHECK_INT(validate_names(other_arch, 2, none, &err), 0);
	CHECK_INT(
	    validate_names(other_arch, 2, (struct husk_strv){archs, 3}, &err),
	    0);
	CHECK(validate_names(typo, 2, none, &err) < 0);
	CHECK(strncmp(err.msg,
		      "seccomp: unknown syscall \"nonsense_foo\" "
		      "(libseccomp ",
		      51) == 0);
	CHECK(validate_names(typo, 1, (struct husk_strv){bad_arch, 1}, &err) <
	      0);
	CHECK_STR(err.msg, "seccomp: unknown architecture \"SCMP_ARCH_PDP11\"");
}

TEST(seccomp_validate_flags_actions_args)
{
	static char *flags[] = {(char *)"SECCOMP_FILTER_FLAG_LOG",
				(char *)"SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
	static char *bad_flag[] = {(char *)"SECCOMP_FILTER_FLAG_BOGUS", NULL};
	struct husk_seccomp_arg arg = {.index = 6, .op = HUSK_SCMP_EQ};
	struct husk_seccomp_rule rule = {.names = {getcwd_names, 1},
					 .action = SCMP_ACT_LOG,
					 .errno_ret = HUSK_UNSET};
	struct husk_seccomp sc;
	struct husk_err err = {0};

	init_filter(&sc, &rule, 1);
	sc.flags = (struct husk_strv){flags, 2};
	CHECK_INT(husk_seccomp_validate(&sc, &err), 0);
	sc.flags = (struct husk_strv){bad_flag, 1};
	CHECK(husk_seccomp_validate(&sc, &err) < 0);
	CHECK_STR(err.msg, "seccomp: unsupported flag "
			   "\"SECCOMP_FILTER_FLAG_BOGUS\"");
	sc.flags = (struct husk_strv){NULL, 0};
	/* A rule equal to the default action is dropped, not an error. */
	rule.action = SCMP_ACT_ALLOW;
	CHECK_INT(husk_seccomp_validate(&sc, &err), 0);
	rule.action = SCMP_ACT_NOTIFY;
	CHECK(husk_seccomp_validate(&sc, &err) < 0);
	CHECK(strstr(err.msg, "SCMP_ACT_NOTIFY") != NULL);
	rule.action = SCMP_ACT_TRAP;
	rule.args = &arg;
	rule.n_args = 1;
	CHECK(husk_seccomp_validate(&sc, &err) < 0);
	CHECK_STR(err.msg, "syscall getcwd: seccomp: argument index 6 is out "
			   "of range (0-5)");
	CHECK_INT(husk_seccomp_validate(NULL, &err), 0);
}

/* The init's split: no profile builds to no filter, which loads as a no-op;
 * a bad one fails at build, leaving nothing to free. */
TEST(seccomp_build_then_load_filter)
{
	static char *bad[] = {(char *)"no_such_syscall", NULL};
	struct husk_seccomp_rule rule = {.names = {bad, 1},
					 .action = SCMP_ACT_ERRNO(0),
					 .errno_ret = HUSK_UNSET};
	struct husk_seccomp_filter *filter = (void *)1;
	struct husk_seccomp sc;
	struct husk_err err = {0};

	CHECK_INT(husk_seccomp_build(NULL, &filter, &err), 0);
	CHECK(filter == NULL);
	CHECK_INT(husk_seccomp_load_filter(NULL, &err), 0);
	init_filter(&sc, &rule, 1);
	CHECK(husk_seccomp_build(&sc, &filter, &err) < 0);
	CHECK(filter == NULL);
	CHECK(strstr(err.msg, "unknown syscall \"no_such_syscall\"") != NULL);
	rule.names.v[0] = (char *)"getcwd";
	CHECK_INT(husk_seccomp_build(&sc, &filter, &err), 0);
	CHECK(filter != NULL);
	husk_seccomp_filter_free(filter);
}

TEST(seccomp_without_nnp_for_unprivileged_user)
{
	struct husk_seccomp_rule rule = {.names = {getcwd_names, 1},
					 .action = SCMP_ACT_ERRNO(0),
					 .errno_ret = 38};
	struct husk_process p = {.uid = 1000,
				 .gid = 1000,
				 .umask = HUSK_UNSET,
				 .oom_score_adj = HUSK_UNSET};
	struct husk_seccomp sc;
	struct load_case lc = {&sc, false, &p};
	char out[512];
	int st;

	/* The final process has no CAP_SYS_ADMIN and no no_new_privs: the
	 * filter must have gone in before the caps were dropped. */
	p.caps = (struct husk_caps){.set = true,
				    .bounding = 1ULL << 10,
				    .permitted = 1ULL << 10,
				    .effective = 1ULL << 10};
	init_filter(&sc, &rule, 1);
	st = sec_run_child(load_child, &lc, out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(strncmp(out, "-1/38 ", 6) == 0);
	CHECK(strstr(out, "seccomp=2 nnp=0") != NULL);
}

static void unprivileged_load_child(int fd, const void *arg)
{
	struct husk_err err = {0};

	if (setresuid(1000, 1000, 1000) < 0)
		_exit(2);
	if (husk_seccomp_load(arg, &err) < 0)
		dprintf(fd, "%s", err.msg);
	else
		dprintf(fd, "loaded");
}

TEST(seccomp_load_needs_cap_sys_admin_without_nnp)
{
	struct husk_seccomp_rule rule = {.names = {getcwd_names, 1},
					 .action = SCMP_ACT_ERRNO(0),
					 .errno_ret = 38};
	struct husk_seccomp sc;
	char out[512];

	init_filter(&sc, &rule, 1);
	sec_run_child(unprivileged_load_child, &sc, out, sizeof(out));
	CHECK(strncmp(out,
		      "seccomp: load filter (without noNewPrivileges "
		      "this needs CAP_SYS_ADMIN): ",
		      70) == 0);
}

TEST(seccomp_validate_parsed_spec)
{
	struct husk_spec s;
	struct husk_err err = {0};
	char bundle[4096];

	/* The spec parser's full fixture, through the real parser. */
	snprintf(bundle, sizeof(bundle), "%s", unit_fixture("spec/full"));
	husk_spec_init(&s);
	CHECK_INT(husk_spec_load(bundle, &s, &err), 0);
	CHECK(s.seccomp != NULL);
	CHECK_INT(husk_seccomp_validate(s.seccomp, &err), 0);
	CHECK_STR(err.msg, "");
	/* Its ambient CAP_SYS_ADMIN can't be raised: skipped, as runc does. */
	CHECK_INT(husk_caps_check(&s.process.caps, &err), 0);
	husk_spec_free(&s);
}
