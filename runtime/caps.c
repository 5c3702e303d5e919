/* SPDX-License-Identifier: MIT */
/*
 * Capabilities: check the requested sets against what this host can give,
 * drop the bounding set, then set the remaining sets with libcap.
 */
#include "security.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/*
 * libcap's constructor has already probed the kernel for the number of
 * capabilities it knows (PR_CAPBSET_READ); reading cap_last_cap again
 * would cost an open, a read and a close.
 */
int husk_cap_last(void)
{
	int last = (int)cap_max_bits() - 1;

	return last >= 0 && last <= 63 ? last : CAP_LAST_CAP;
}

const char *husk_cap_string(int cap, char *buf, size_t len)
{
	char *name = cap_to_name((cap_value_t)cap);
	size_t i;

	if (!name || strncmp(name, "cap_", 4) != 0)
		snprintf(buf, len, "CAP_%d", cap);
	else
		snprintf(buf, len, "%s", name);
	for (i = 0; buf[i]; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	cap_free(name);
	return buf;
}

/* The sets the kernel can know about; others are ignored like runc does. */
static uint64_t known_mask(void)
{
	int last = husk_cap_last();

	return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

/*
 * Which of @want the bounding set this process started with lacks.  Only
 * the requested capabilities are asked about, one PR_CAPBSET_READ each (a
 * default spec asks for 3 to 14), and each answer is kept: create checks
 * in the parent and again in the container's init, which inherits them.
 * Nothing checks after husk_caps_drop_bounding().
 */
static uint64_t missing_from_bounding(uint64_t want)
{
	static uint64_t asked, missing;

	for (int cap = 0; cap <= husk_cap_last(); cap++) {
		uint64_t bit = 1ULL << cap;

		if (!(want & bit) || (asked & bit))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
			missing |= bit;
		asked |= bit;
	}
	return missing & want;
}

static int first_cap(uint64_t mask)
{
	return mask ? __builtin_ctzll(mask) : -1;
}

/* Fail for the first capability in @mask, naming the spec field. */
static int fail_cap(uint64_t mask, const char *set, const char *why,
		    struct husk_err *err)
{
	char name[64];

	husk_cap_string(first_cap(mask), name, sizeof(name));
	return husk_fail(err, 0,
			 "capabilities: %s %s (requested in "
			 "process.capabilities.%s)",
			 name, why, set);
}

int husk_caps_check(const struct husk_caps *caps, struct husk_err *err)
{
	uint64_t known = known_mask();
	/* Most specific set first: that is where capset() would fail. */
	const struct {
		const char *name;
		uint64_t mask;
	} sets[] = {
	    {"permitted", caps->permitted},	{"effective", caps->effective},
	    {"inheritable", caps->inheritable}, {"ambient", caps->ambient},
	    {"bounding", caps->bounding},
	};

	if (!caps->set)
		return 0;
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(sets); i++) {
		uint64_t missing = missing_from_bounding(sets[i].mask & known);

		if (missing)
			return fail_cap(missing, sets[i].name,
					"is not in the host's bounding set",
					err);
	}
	/* The kernel refuses these with a bare EPERM; say why instead. */
	if (caps->effective & known & ~caps->permitted)
		return fail_cap(caps->effective & known & ~caps->permitted,
				"effective", "is not also in permitted", err);
	return 0;
}

int husk_caps_drop_bounding(const struct husk_caps *caps, struct husk_err *err)
{
	char name[64];

	if (!caps->set)
		return 0;
	for (int cap = 0; cap <= husk_cap_last(); cap++) {
		if (caps->bounding & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return husk_fail(
			    err, errno,
			    "capabilities: drop %s from the "
			    "bounding set",
			    husk_cap_string(cap, name, sizeof(name)));
	}
	return 0;
}

static int set_flags(cap_t c, cap_flag_t flag, uint64_t mask)
{
	for (int cap = 0; cap <= husk_cap_last(); cap++) {
		cap_value_t v = cap;

		if ((mask & (1ULL << cap)) &&
		    cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

static int apply_ambient(uint64_t ambient, struct husk_err *err)
{
	char name[64];

	/* Start from nothing: an inherited ambient set must not survive. */
	/* One prctl; libcap's cap_reset_ambient() makes one per capability. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return husk_fail(err, errno, "capabilities: clear ambient set");
	for (int cap = 0; cap <= husk_cap_last(); cap++) {
		if (!(ambient & (1ULL << cap)))
			continue;
		if (cap_set_ambient((cap_value_t)cap, CAP_SET) < 0)
			return husk_fail(
			    err, errno, "capabilities: raise ambient %s",
			    husk_cap_string(cap, name, sizeof(name)));
	}
	return 0;
}

int husk_caps_apply(const struct husk_caps *caps, struct husk_err *err)
{
	uint64_t known = known_mask();
	cap_t c;
	int r;

	if (!caps->set)
		return 0;
	c = cap_init();
	if (!c)
		return husk_fail(err, errno, "capabilities: cap_init");
	r = set_flags(c, CAP_EFFECTIVE, caps->effective & known);
	if (r == 0)
		r = set_flags(c, CAP_PERMITTED, caps->permitted & known);
	if (r == 0)
		r = set_flags(c, CAP_INHERITABLE, caps->inheritable & known);
	if (r == 0)
		r = cap_set_proc(c);
	if (r < 0) {
		r = husk_fail(err, errno,
			      "capabilities: set effective, "
			      "permitted and inheritable sets");
		cap_free(c);
		return r;
	}
	cap_free(c);
	/*
	 * The kernel only raises ambient caps that are both permitted and
	 * inheritable.  `runc spec` itself lists ambient caps without
	 * inheritable ones, and runc skips what it cannot raise: so do we.
	 */
	return apply_ambient(caps->ambient & caps->permitted &
				     caps->inheritable & known,
			     err);
}
