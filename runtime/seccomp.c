/* SPDX-License-Identifier: MIT */
/*
 * linux.seccomp -> a libseccomp filter.  One builder serves both the
 * parent's early validation and the container's load, so a profile that
 * validates is exactly the profile that gets loaded.
 */
#include "security.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <string.h>

#define ACTION_BASE(a) ((a)&0xffff0000U)

/* The spec's action plus its errnoRet -> the libseccomp action. */
static int resolve_action(uint32_t action, int64_t errno_ret, uint32_t *out,
			  struct husk_err *err)
{
	/* Like runc, ERRNO and TRACE without errnoRet return EPERM. */
	uint32_t ret = errno_ret == HUSK_UNSET ? EPERM : (uint32_t)errno_ret;

	*out = SCMP_ACT_KILL_PROCESS; /* fail closed, even if misused */
	if (errno_ret != HUSK_UNSET && (errno_ret < 0 || errno_ret > 0xffff))
		return husk_fail(err, 0,
				 "seccomp: errnoRet %lld is out of range",
				 (long long)errno_ret);
	switch (ACTION_BASE(action)) {
	case ACTION_BASE(SCMP_ACT_ERRNO(0)):
		*out = SCMP_ACT_ERRNO(ret);
		return 0;
	case ACTION_BASE(SCMP_ACT_TRACE(0)):
		*out = SCMP_ACT_TRACE(ret);
		return 0;
	case SCMP_ACT_KILL_THREAD:
	case SCMP_ACT_KILL_PROCESS:
	case SCMP_ACT_TRAP:
	case SCMP_ACT_LOG:
	case SCMP_ACT_ALLOW:
		*out = ACTION_BASE(action);
		return 0;
	case SCMP_ACT_NOTIFY:
		return husk_fail(err, 0,
				 "seccomp: SCMP_ACT_NOTIFY needs a "
				 "listener, which husk does not support");
	default:
		return husk_fail(err, 0, "seccomp: unknown action 0x%x",
				 action);
	}
}

static int add_arch(scmp_filter_ctx ctx, const char *spec_name,
		    struct husk_err *err)
{
	const char *p = spec_name;
	char name[32];
	uint32_t arch;
	size_t i;
	int r;

	if (strncmp(p, "SCMP_ARCH_", 10) == 0)
		p += 10;
	for (i = 0; i < sizeof(name) - 1 && p[i]; i++)
		name[i] = (char)tolower((unsigned char)p[i]);
	name[i] = '\0';
	arch = seccomp_arch_resolve_name(name);
	if (arch == 0)
		return husk_fail(err, 0, "seccomp: unknown architecture \"%s\"",
				 spec_name);
	r = seccomp_arch_add(ctx, arch);
	if (r < 0 && r != -EEXIST) /* the native arch is already there */
		return husk_fail(err, -r, "seccomp: add architecture %s",
				 spec_name);
	return 0;
}

static const struct {
	const char *name;
	enum scmp_filter_attr attr;
} filter_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SCMP_FLTATR_CTL_WAITKILL},
#endif
};

static int set_flag(scmp_filter_ctx ctx, const char *flag, struct husk_err *err)
{
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(filter_flags); i++) {
		int r;

		if (strcmp(filter_flags[i].name, flag) != 0)
			continue;
		r = seccomp_attr_set(ctx, filter_flags[i].attr, 1);
		if (r < 0)
			return husk_fail(err, -r, "seccomp: flag %s", flag);
		return 0;
	}
	return husk_fail(err, 0, "seccomp: unsupported flag \"%s\"", flag);
}

static const enum scmp_compare ops[] = {
    [HUSK_SCMP_NE] = SCMP_CMP_NE,
    [HUSK_SCMP_LT] = SCMP_CMP_LT,
    [HUSK_SCMP_LE] = SCMP_CMP_LE,
    [HUSK_SCMP_EQ] = SCMP_CMP_EQ,
    [HUSK_SCMP_GE] = SCMP_CMP_GE,
    [HUSK_SCMP_GT] = SCMP_CMP_GT,
    [HUSK_SCMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static int to_cmp(const struct husk_seccomp_arg *a, struct scmp_arg_cmp *c,
		  struct husk_err *err)
{
	if (a->index >= 6)
		return husk_fail(err, 0,
				 "seccomp: argument index %u is out "
				 "of range (0-5)",
				 a->index);
	if (a->op < HUSK_SCMP_NE || a->op > HUSK_SCMP_MASKED_EQ)
		return husk_fail(err, 0, "seccomp: unknown operator %d",
				 (int)a->op);
	/* For SCMP_CMP_MASKED_EQ datum_a is the mask, datum_b the value. */
	*c = (struct scmp_arg_cmp){.arg = a->index,
				   .op = ops[a->op],
				   .datum_a = a->value,
				   .datum_b = a->value_two};
	return 0;
}

/* Does some argument index appear more than once in @rule? */
static bool repeats_an_index(const struct husk_seccomp_rule *rule)
{
	unsigned seen = 0;

	for (size_t i = 0; i < rule->n_args; i++) {
		if (seen & (1U << rule->args[i].index))
			return true;
		seen |= 1U << rule->args[i].index;
	}
	return false;
}

static int add_rule_for(scmp_filter_ctx ctx, int nr, uint32_t action,
			const struct husk_seccomp_rule *rule, const char *name,
			struct husk_err *err)
{
	struct scmp_arg_cmp cmp[6];
	int r = 0;

	if (rule->n_args > 6)
		return husk_fail(err, 0, "seccomp: %s: more than 6 arguments",
				 name);
	for (size_t i = 0; i < rule->n_args; i++) {
		r = to_cmp(&rule->args[i], &cmp[i], err);
		if (r < 0)
			return husk_err_prefix(err, "syscall %s", name);
	}
	/*
	 * Conditions on distinct arguments are ANDed in one rule.  Several
	 * conditions on the same argument cannot all hold at once, so (as
	 * runc does, and Docker's profile relies on) each becomes its own
	 * rule and they are ORed.
	 */
	if (repeats_an_index(rule)) {
		for (size_t i = 0; i < rule->n_args; i++) {
			r = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
			if (r < 0)
				break;
		}
	} else {
		r = seccomp_rule_add_array(ctx, action, nr,
					   (unsigned)rule->n_args, cmp);
	}
	if (r < 0)
		return husk_fail(err, -r, "seccomp: add rule for %s", name);
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t default_action,
		    const struct husk_seccomp_rule *rule, struct husk_err *err)
{
	const struct scmp_version *v = seccomp_version();
	uint32_t action;
	int r;

	r = resolve_action(rule->action, rule->errno_ret, &action, err);
	if (r < 0)
		return r;
	/* libseccomp refuses rules that repeat the default; they're no-ops. */
	if (action == default_action)
		return 0;
	for (size_t i = 0; i < rule->names.n; i++) {
		const char *name = rule->names.v[i];
		/*
		 * Negative (pseudo) numbers are names libseccomp knows for
		 * other architectures: it adds them only where they exist,
		 * which is runc's "skip silently".  __NR_SCMP_ERROR means no
		 * architecture has such a name: a typo, or a syscall newer
		 * than this libseccomp.
		 */
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR)
			return husk_fail(err, 0,
					 "seccomp: unknown syscall "
					 "\"%s\" (libseccomp %u.%u.%u knows "
					 "no such name on any architecture)",
					 name, v ? v->major : 0,
					 v ? v->minor : 0, v ? v->micro : 0);
		r = add_rule_for(ctx, nr, action, rule, name, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int build(const struct husk_seccomp *sc, scmp_filter_ctx *out,
		 struct husk_err *err)
{
	uint32_t def;
	scmp_filter_ctx ctx;
	int r;

	r = resolve_action(sc->default_action, sc->default_errno_ret, &def,
			   err);
	if (r < 0) {
		husk_err_prefix(err, "defaultAction");
		return r;
	}
	ctx = seccomp_init(def);
	if (!ctx)
		return husk_fail(err, ENOMEM, "seccomp: init filter");
	/*
	 * libseccomp sets no_new_privs on load by default; whether the
	 * process gets it is process.noNewPrivileges' decision alone.
	 */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		r = husk_fail(err, -r, "seccomp: clear the NNP attribute");
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
	/* The kernel's errno from seccomp_load(), not a generic ECANCELED. */
	if (r == 0 && seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1) < 0)
		r = husk_fail(err, EINVAL, "seccomp: set SYSRAWRC");
#endif
	for (size_t i = 0; r == 0 && i < sc->architectures.n; i++)
		r = add_arch(ctx, sc->architectures.v[i], err);
	for (size_t i = 0; r == 0 && i < sc->flags.n; i++)
		r = set_flag(ctx, sc->flags.v[i], err);
	for (size_t i = 0; r == 0 && i < sc->n_rules; i++)
		r = add_rule(ctx, def, &sc->rules[i], err);
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

/* scmp_filter_ctx is libseccomp's opaque pointer; callers never see it. */
int husk_seccomp_build(const struct husk_seccomp *seccomp,
		       struct husk_seccomp_filter **out, struct husk_err *err)
{
	scmp_filter_ctx ctx = NULL;
	int r;

	*out = NULL;
	if (!seccomp)
		return 0;
	r = build(seccomp, &ctx, err);
	if (r < 0)
		return r;
	*out = (struct husk_seccomp_filter *)ctx;
	return 0;
}

void husk_seccomp_filter_free(struct husk_seccomp_filter *filter)
{
	if (filter)
		seccomp_release((scmp_filter_ctx)filter);
}

static void free_filter(struct husk_seccomp_filter **filter)
{
	husk_seccomp_filter_free(*filter);
}
#define _cleanup_filter_ __attribute__((cleanup(free_filter)))

int husk_seccomp_validate(const struct husk_seccomp *seccomp,
			  struct husk_err *err)
{
	_cleanup_filter_ struct husk_seccomp_filter *filter = NULL;

	return husk_seccomp_build(seccomp, &filter, err);
}

int husk_seccomp_load_filter(struct husk_seccomp_filter *filter,
			     struct husk_err *err)
{
	int r;

	if (!filter)
		return 0;
	r = seccomp_load((scmp_filter_ctx)filter);
	if (r == -EACCES || r == -EPERM)
		return husk_fail(err, -r,
				 "seccomp: load filter (without "
				 "noNewPrivileges this needs CAP_SYS_ADMIN)");
	if (r < 0)
		return husk_fail(err, -r, "seccomp: load filter");
	return 0;
}

int husk_seccomp_load(const struct husk_seccomp *seccomp, struct husk_err *err)
{
	_cleanup_filter_ struct husk_seccomp_filter *filter = NULL;
	int r;

	r = husk_seccomp_build(seccomp, &filter, err);
	if (r < 0)
		return r;
	return husk_seccomp_load_filter(filter, err);
}
