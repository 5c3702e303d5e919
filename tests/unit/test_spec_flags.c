/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/spec_flags.c: the front door's flags -> spec. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/spec_flags.h"
#include "../../runtime/fsutil.h"
#include "unit.h"

TEST(spec_flags_size)
{
	int64_t b = 0;

	CHECK_INT(husk_parse_size("64m", &b), 0);
	CHECK_INT(b, 64LL << 20);
	CHECK_INT(husk_parse_size("512K", &b), 0);
	CHECK_INT(b, 512LL << 10);
	CHECK_INT(husk_parse_size("1gb", &b), 0);
	CHECK_INT(b, 1LL << 30);
	CHECK_INT(husk_parse_size("4096", &b), 0);
	CHECK_INT(b, 4096);
	CHECK_INT(husk_parse_size("", &b), -EINVAL);
	CHECK_INT(husk_parse_size("-1m", &b), -EINVAL);
	CHECK_INT(husk_parse_size("0", &b), -EINVAL);
	CHECK_INT(husk_parse_size("64x", &b), -EINVAL);
	CHECK_INT(husk_parse_size("64mm", &b), -EINVAL);
	CHECK_INT(husk_parse_size("99999999999999g", &b), -EINVAL);
}

TEST(spec_flags_cpus)
{
	int64_t q = 0, p = 0;

	CHECK_INT(husk_parse_cpus("0.5", &q, &p), 0);
	CHECK_INT(q, 50000);
	CHECK_INT(p, 100000);
	CHECK_INT(husk_parse_cpus("0.3", &q, &p), 0);
	CHECK_INT(q, 30000);
	CHECK_INT(husk_parse_cpus("2", &q, &p), 0);
	CHECK_INT(q, 200000);
	CHECK_INT(husk_parse_cpus("1.25", &q, &p), 0);
	CHECK_INT(q, 125000);
	CHECK_INT(husk_parse_cpus("0", &q, &p), -EINVAL);
	CHECK_INT(husk_parse_cpus("0.001", &q, &p), -EINVAL);
	CHECK_INT(husk_parse_cpus("0.000001", &q, &p), -EINVAL);
	CHECK_INT(husk_parse_cpus("half", &q, &p), -EINVAL);
	CHECK_INT(husk_parse_cpus("1.5x", &q, &p), -EINVAL);
}

/* A throwaway rootfs with an /etc/passwd and /etc/group. */
static const char *made;

/* Leave nothing in /tmp once the unit tests are done. */
__attribute__((destructor)) static void remove_fake_rootfs(void)
{
	struct husk_err err = { 0 };

	if (made)
		husk_rmtree(made, &err);
}

static const char *fake_rootfs(void)
{
	static char dir[] = "/tmp/husk-unit-flags-XXXXXX";
	char path[128];
	FILE *f;

	/* Made once: mkdtemp's random suffix may itself end in 'X'. */
	if (made)
		return dir;
	if (!mkdtemp(dir))
		return NULL;
	made = dir;
	snprintf(path, sizeof(path), "%s/etc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/passwd", dir);
	f = fopen(path, "we");
	fputs("root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/:/bin/sh\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/etc/group", dir);
	f = fopen(path, "we");
	fputs("root:x:0:\nstaff:x:50:\n", f);
	fclose(f);
	return dir;
}

static int build(struct husk_spec_flags *f, struct husk_spec *s,
		 struct husk_err *err)
{
	husk_spec_init(s);
	husk_err_clear(err);
	return husk_spec_from_flags(f, s, err);
}

TEST(spec_flags_full)
{
	char *args[] = { "/bin/echo", "hi" };
	struct husk_spec_flags f = { .rootfs = fake_rootfs(), .overlay = true,
				     .memory = "64m", .cpus = "0.5",
				     .pids = "20", .hostname = "h1",
				     .workdir = "/srv", .user = "app:staff",
				     .net = "host", .tty = true,
				     .args = args, .n_args = 2 };
	struct husk_spec s;
	struct husk_err err;

	husk_strv_push(&f.env, "PATH=/x");
	husk_strv_push(&f.env, "A=b=c");
	husk_strv_push(&f.volumes, "/tmp:/mnt/t:ro");
	CHECK_INT(build(&f, &s, &err), 0);
	CHECK_STR(s.root_path, f.rootfs);
	CHECK_INT(s.overlay.lowers.n, 1);
	CHECK_STR(s.overlay.lowers.v[0], f.rootfs);
	CHECK(s.overlay.upper == NULL);
	CHECK(s.has_resources);
	CHECK_INT(s.resources.mem_limit, 64 << 20);
	CHECK_INT(s.resources.cpu_quota, 50000);
	CHECK_INT(s.resources.cpu_period, 100000);
	CHECK_INT(s.resources.pids_limit, 20);
	CHECK_STR(s.hostname, "h1");
	CHECK_STR(s.process.cwd, "/srv");
	CHECK_INT(s.process.uid, 1000);
	CHECK_INT(s.process.gid, 50);
	CHECK(s.process.terminal);
	CHECK_STR(s.process.env.v[0], "PATH=/x"); /* replaced in place */
	CHECK_STR(s.process.env.v[s.process.env.n - 1], "A=b=c");
	CHECK_STR(s.process.args.v[0], "/bin/echo");
	CHECK_INT(s.process.args.n, 2);
	CHECK_STR(s.net.network, "host");
	CHECK(husk_spec_ns(&s, HUSK_NS_NET) == NULL);
	CHECK(husk_spec_ns(&s, HUSK_NS_PID) != NULL);
	CHECK_STR(s.mounts[s.n_mounts - 1].destination, "/mnt/t");
	CHECK(s.mounts[s.n_mounts - 1].bind);
	CHECK(s.mounts[s.n_mounts - 1].flags & MS_RDONLY);
	husk_spec_free(&s);
	husk_spec_flags_free(&f);
}

TEST(spec_flags_defaults)
{
	struct husk_spec_flags f = { .rootfs = fake_rootfs(),
				     .overlay_upper = "rel/up", .user = "app" };
	struct husk_spec s;
	struct husk_err err;
	char cwd[4096], want[4200];

	CHECK_INT(build(&f, &s, &err), 0);
	CHECK(!s.has_resources);
	CHECK_STR(s.net.network, "husk");
	CHECK(husk_spec_ns(&s, HUSK_NS_NET) != NULL);
	CHECK_STR(s.process.args.v[0], "sh");
	CHECK_INT(s.process.uid, 1000);
	CHECK_INT(s.process.gid, 1001);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(want, sizeof(want), "%s/rel/up", cwd);
	CHECK_STR(s.overlay.upper, want);
	CHECK_INT(s.overlay.lowers.n, 1);
	husk_spec_free(&s);
}

/* Each bad flag fails with a message naming it. */
static void expect_bad(struct husk_spec_flags *f, const char *msg, int line)
{
	struct husk_spec s;
	struct husk_err err;
	char what[1200];

	if (build(f, &s, &err) == 0 || !strstr(err.msg, msg)) {
		snprintf(what, sizeof(what), "error \"%s\", wanted \"%s\"",
			 err.msg, msg);
		unit_fail(__FILE__, line, what);
	}
	husk_spec_free(&s);
	husk_spec_flags_free(f);
}

TEST(spec_flags_bad)
{
	const char *r = fake_rootfs();

	expect_bad(&(struct husk_spec_flags){ 0 }, "--rootfs DIR: required",
		   __LINE__);
	expect_bad(&(struct husk_spec_flags){ .rootfs = "/nonexistent-husk" },
		   "--rootfs /nonexistent-husk: No such file", __LINE__);
	expect_bad(&(struct husk_spec_flags){ .rootfs = r, .memory = "lots" },
		   "--memory \"lots\"", __LINE__);
	expect_bad(&(struct husk_spec_flags){ .rootfs = r, .cpus = "-1" },
		   "--cpus \"-1\"", __LINE__);
	expect_bad(&(struct husk_spec_flags){ .rootfs = r, .pids = "0" },
		   "--pids \"0\"", __LINE__);
	expect_bad(&(struct husk_spec_flags){ .rootfs = r, .workdir = "x" },
		   "--workdir \"x\": not an absolute", __LINE__);
	expect_bad(&(struct husk_spec_flags){ .rootfs = r, .user = "bob" },
		   "no user \"bob\"", __LINE__);
	expect_bad(&(struct husk_spec_flags){ .rootfs = r, .user = "0:wheel" },
		   "no group \"wheel\"", __LINE__);

	struct husk_spec_flags env = { .rootfs = r };
	husk_strv_push(&env.env, "NOEQUALS");
	expect_bad(&env, "--env \"NOEQUALS\": want K=V", __LINE__);

	struct husk_spec_flags vol = { .rootfs = r };
	husk_strv_push(&vol.volumes, "/tmp:rel");
	expect_bad(&vol, "want SRC:/DST", __LINE__);
	husk_strv_push(&vol.volumes, "/tmp:/x:rx");
	expect_bad(&vol, "mode \"rx\"", __LINE__);
	husk_strv_push(&vol.volumes, "/nonexistent-husk:/x");
	expect_bad(&vol, "--volume /nonexistent-husk: No such", __LINE__);

	struct husk_spec_flags pub = { .rootfs = r, .net = "none" };
	husk_strv_push(&pub.publish, "80:80");
	expect_bad(&pub, "--publish needs a network", __LINE__);
	struct husk_spec_flags pub2 = { .rootfs = r };
	husk_strv_push(&pub2.publish, "eighty:80");
	expect_bad(&pub2, "--publish", __LINE__);
}

/* What `husk spec --rootfs` writes parses back to the same spec. */
TEST(spec_flags_roundtrip)
{
	struct husk_spec_flags f = { .rootfs = fake_rootfs(), .overlay = true,
				     .memory = "1g", .cpus = "1.5",
				     .net = "none" };
	struct husk_spec s, back;
	struct husk_err err;
	char *json;

	husk_strv_push(&f.volumes, "/tmp:/mnt/t:ro");
	husk_strv_push(&f.env, "K=V");
	CHECK_INT(build(&f, &s, &err), 0);
	json = husk_spec_to_json(&s, &err);
	CHECK(json != NULL);
	CHECK_INT(husk_spec_parse(json, strlen(json), "/b", &back, &err), 0);
	CHECK_STR(back.root_path, f.rootfs);
	CHECK_STR(back.overlay.lowers.v[0], f.rootfs);
	CHECK_INT(back.resources.mem_limit, 1LL << 30);
	CHECK_INT(back.resources.cpu_quota, 150000);
	CHECK_STR(back.net.network, "none");
	CHECK_INT(back.n_mounts, s.n_mounts);
	CHECK(back.mounts[back.n_mounts - 1].flags & MS_RDONLY);
	CHECK_STR(back.process.env.v[back.process.env.n - 1], "K=V");
	free(json);
	husk_spec_free(&s);
	husk_spec_free(&back);
	husk_spec_flags_free(&f);
}
