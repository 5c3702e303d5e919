/* SPDX-License-Identifier: MIT */
/* overlay/: the pure parts — validation, layout, option strings, claims. */
#include <errno.h>
#include <string.h>

#include "../../overlay/ovl-internal.h"
#include "unit.h"

static struct husk_overlay_spec spec_of(char **lowers, size_t n,
					const char *upper, bool readonly)
{
	struct husk_overlay_spec ov = {.lowers = {.v = lowers, .n = n},
				       .upper = (char *)upper,
				       .readonly = readonly};
	return ov;
}

TEST(overlay_validate_accepts_plain_stacks)
{
	char *lowers[] = {"/l/top", "/l/bottom", NULL};
	struct husk_overlay_spec none = spec_of(NULL, 0, NULL, false);
	struct husk_overlay_spec ov = spec_of(lowers, 2, NULL, false);
	struct husk_overlay_spec ro = spec_of(lowers, 1, NULL, true);
	struct husk_overlay_spec up = spec_of(lowers, 2, "/data/up", false);
	struct husk_err err = {0};

	CHECK_INT(husk_ovl_validate(&none, &err), 0);
	CHECK_INT(husk_ovl_validate(&ov, &err), 0);
	CHECK_INT(husk_ovl_validate(&ro, &err), 0);
	CHECK_INT(husk_ovl_validate(&up, &err), 0);
}

TEST(overlay_validate_rejects_bad_specs)
{
	char *rel[] = {"/ok", "layer", NULL};
	char *abs[] = {"/ok", NULL};
	struct husk_overlay_spec ov;
	struct husk_err err = {0};

	ov = spec_of(rel, 2, NULL, false);
	CHECK_INT(husk_ovl_validate(&ov, &err), -EINVAL);
	CHECK_STR(err.msg, "overlay lower \"layer\": not an absolute path");

	ov = spec_of(abs, 1, "/up", true);
	CHECK_INT(husk_ovl_validate(&ov, &err), -EINVAL);
	CHECK(strstr(err.msg, "exclude each other") != NULL);

	ov = spec_of(abs, 1, "up", false);
	CHECK_INT(husk_ovl_validate(&ov, &err), -EINVAL);
	CHECK(strstr(err.msg, "\"up\": not an absolute path") != NULL);

	ov = spec_of(NULL, 0, "/up", false);
	CHECK_INT(husk_ovl_validate(&ov, &err), -EINVAL);
	CHECK(strstr(err.msg, HUSK_ANN_OVERLAY_LOWER) != NULL);

	ov = spec_of(abs, HUSK_OVL_MAX_LAYERS + 1, NULL, false);
	CHECK_INT(husk_ovl_validate(&ov, &err), -EINVAL);
	CHECK(strstr(err.msg, "at most 500") != NULL);
}

TEST(overlay_layout_ephemeral)
{
	char *lowers[] = {"/l", NULL};
	struct husk_overlay_spec ov = spec_of(lowers, 1, NULL, false);
	struct husk_ovl_layout l;
	struct husk_err err = {0};

	CHECK_INT(husk_ovl_layout(&ov, "/run/husk/c1", &l, &err), 0);
	CHECK_STR(l.dir, "/run/husk/c1/overlay");
	CHECK_STR(l.upper, "/run/husk/c1/overlay/upper");
	CHECK_STR(l.work, "/run/husk/c1/overlay/work");
	CHECK_STR(l.lock, "");
	CHECK(!l.persistent);
}

TEST(overlay_layout_persistent_siblings)
{
	char *lowers[] = {"/l", NULL};
	struct husk_overlay_spec ov =
	    spec_of(lowers, 1, "/srv/data/c1-up//", false);
	struct husk_ovl_layout l;
	struct husk_err err = {0};

	CHECK_INT(husk_ovl_layout(&ov, "/run/husk/c1", &l, &err), 0);
	CHECK_STR(l.upper, "/srv/data/c1-up");
	CHECK_STR(l.work, "/srv/data/.c1-up.husk-work");
	CHECK_STR(l.lock, "/srv/data/.c1-up.husk-lock");
	CHECK(l.persistent);

	ov.upper = "/top";
	CHECK_INT(husk_ovl_layout(&ov, "/s", &l, &err), 0);
	CHECK_STR(l.work, "/.top.husk-work");

	ov.upper = "//";
	CHECK_INT(husk_ovl_layout(&ov, "/s", &l, &err), -EINVAL);
}

TEST(overlay_layout_readonly_has_no_upper)
{
	char *lowers[] = {"/a", "/b", NULL};
	struct husk_overlay_spec ov = spec_of(lowers, 2, NULL, true);
	struct husk_ovl_layout l;
	struct husk_err err = {0};

	CHECK_INT(husk_ovl_layout(&ov, "/s", &l, &err), 0);
	CHECK_STR(l.upper, "");
	CHECK_STR(l.work, "");
}

TEST(overlay_layout_too_long)
{
	char *lowers[] = {"/a", NULL};
	struct husk_overlay_spec ov = spec_of(lowers, 1, NULL, false);
	struct husk_ovl_layout l;
	struct husk_err err = {0};
	char sd[PATH_MAX + 8];

	memset(sd, 'x', sizeof(sd) - 1);
	sd[0] = '/';
	sd[sizeof(sd) - 1] = '\0';
	CHECK_INT(husk_ovl_layout(&ov, sd, &l, &err), -ENAMETOOLONG);
}

static const char *common(char *const *paths, size_t n)
{
	static char out[PATH_MAX];

	if (husk_ovl_common_dir(paths, n, out, sizeof(out)) < 0)
		return NULL;
	return out;
}

TEST(overlay_common_dir)
{
	char *same_parent[] = {"/var/lib/l/aaa", "/var/lib/l/aab",
			       "/var/lib/l/b"};
	char *prefix_not_dir[] = {"/x/layer1", "/x/layer10"};
	char *disjoint[] = {"/a/b", "/c/d"};
	char *nested[] = {"/x/y", "/x/y/z"};
	char *one[] = {"/only/dir/"};

	CHECK_STR(common(same_parent, 3), "/var/lib/l");
	CHECK_STR(common(prefix_not_dir, 2), "/x");
	CHECK_STR(common(disjoint, 2), "/");
	CHECK_STR(common(nested, 2), "/x/y");
	CHECK_STR(common(one, 1), "/only/dir");
	CHECK_STR(common(NULL, 0), "/");
}

TEST(overlay_relative)
{
	CHECK_STR(husk_ovl_relative("/var/lib/l/aaa", "/var/lib/l"), "aaa");
	CHECK_STR(husk_ovl_relative("/x/y", "/x/y"), ".");
	CHECK_STR(husk_ovl_relative("/x/y/", "/x/y"), ".");
	CHECK_STR(husk_ovl_relative("/a/b", "/"), "a/b");
	CHECK_STR(husk_ovl_relative("/", "/"), ".");
}

TEST(overlay_legacy_opts_relative_and_escaped)
{
	char *lowers[] = {"/s/l/top", "/s/l/we:ird,name\\x"};
	char buf[256];

	CHECK_INT(husk_ovl_legacy_opts(lowers, 2, "/s/l", "/st/up", "/st/w,k",
				       buf, sizeof(buf)),
		  0);
	CHECK_STR(buf, "lowerdir=top:we\\:ird\\,name\\\\x,upperdir=/st/up,"
		       "workdir=/st/w\\,k");
	CHECK_INT(husk_ovl_legacy_opts(lowers, 1, "/s/l", NULL, NULL, buf,
				       sizeof(buf)),
		  0);
	CHECK_STR(buf, "lowerdir=top");
}

TEST(overlay_legacy_opts_page_limit)
{
	char *lowers[] = {"/l/abcdefgh", "/l/ijklmnop"};
	char buf[24];

	/* "lowerdir=abcdefgh:ijklmnop" is 26 bytes + NUL */
	CHECK_INT(
	    husk_ovl_legacy_opts(lowers, 2, "/l", NULL, NULL, buf, sizeof(buf)),
	    -E2BIG);
	/* "lowerdir=abcdefgh" is 17 bytes + NUL */
	CHECK_INT(husk_ovl_legacy_opts(lowers, 1, "/l", NULL, NULL, buf, 18),
		  0);
	CHECK_INT(husk_ovl_legacy_opts(lowers, 1, "/l", NULL, NULL, buf, 17),
		  -E2BIG);
}

TEST(overlay_owner_roundtrip)
{
	struct husk_ovl_owner o = {.pid = 4242, .start = 987654321ULL};
	struct husk_ovl_owner back;
	char buf[PATH_MAX + 512];

	snprintf(o.id, sizeof(o.id), "web-1");
	snprintf(o.state_dir, sizeof(o.state_dir), "/run/husk/web 1");
	CHECK_INT(husk_ovl_owner_format(&o, buf, sizeof(buf)), 0);
	CHECK_INT(husk_ovl_owner_parse(buf, &back), 0);
	CHECK_STR(back.id, "web-1");
	CHECK_STR(back.state_dir, "/run/husk/web 1");
	CHECK_INT(back.pid, 4242);
	CHECK(back.start == 987654321ULL);

	snprintf(o.id, sizeof(o.id), "bad\nid");
	CHECK_INT(husk_ovl_owner_format(&o, buf, sizeof(buf)), -EINVAL);
}

TEST(overlay_owner_parse_rejects_garbage)
{
	struct husk_ovl_owner o;

	CHECK_INT(husk_ovl_owner_parse("", &o), -EINVAL);
	CHECK_INT(husk_ovl_owner_parse("hello\n", &o), -EINVAL);
	CHECK_INT(husk_ovl_owner_parse("husk-overlay-claim 1\nid a\npid x\n"
				       "start 1\nstate /s\n",
				       &o),
		  -EINVAL);
	CHECK_INT(husk_ovl_owner_parse("husk-overlay-claim 1\nid a\npid 0\n"
				       "start 1\nstate /s\n",
				       &o),
		  -EINVAL);
	CHECK_INT(husk_ovl_owner_parse("husk-overlay-claim 1\nid a\npid 5\n"
				       "state /s\n",
				       &o),
		  -EINVAL);
}
