/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for runtime/spec*.c: resources, seccomp, hooks, the
 * standalone Process/LinuxResources documents, to_json and defaults.
 */
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/capability.h>

#include "../../runtime/security.h"
#include "../../runtime/spec.h"
#include "unit.h"

static int load_full(struct husk_spec *s, struct husk_err *err)
{
	char dir[4096];

	if (!realpath(unit_fixture("spec/full"), dir))
		return -ENOENT;
	return husk_spec_load(dir, s, err);
}

/* Compare a message; a named helper keeps the harness' buffers small. */
static void check_msg(const struct husk_err *err, const char *want, int line)
{
	if (strcmp(err->msg, want) != 0) {
		char m[1200];

		snprintf(m, sizeof(m), "\"%.500s\" != \"%.500s\"", err->msg,
			 want);
		unit_fail(__FILE__, line, m);
	}
}

static void spec_err(const char *json, const char *want, int line)
{
	struct husk_spec s;
	struct husk_err err;
	int r = husk_spec_parse(json, strlen(json), "/b", &s, &err);

	if (r == 0) {
		husk_spec_free(&s);
		unit_fail(__FILE__, line, "parse succeeded");
		return;
	}
	if (r != -EINVAL)
		unit_fail(__FILE__, line, "r != -EINVAL");
	check_msg(&err, want, line);
}
#define SPEC_ERR(json, msg) spec_err(json, msg, __LINE__)

static void res_err(const char *json, const char *want, int line)
{
	struct husk_resources r;
	struct husk_err err;

	if (husk_resources_parse(json, strlen(json), &r, &err) == 0) {
		husk_resources_free(&r);
		unit_fail(__FILE__, line, "parse succeeded");
		return;
	}
	check_msg(&err, want, line);
}
#define RES_ERR(json, msg) res_err(json, msg, __LINE__)

static void proc_err(const char *json, const char *want, int line)
{
	struct husk_process p;
	struct husk_err err;

	if (husk_process_parse(json, strlen(json), &p, &err) == 0) {
		husk_process_free(&p);
		unit_fail(__FILE__, line, "parse succeeded");
		return;
	}
	check_msg(&err, want, line);
}
#define PROC_ERR(json, msg) proc_err(json, msg, __LINE__)

#define MIN "\"ociVersion\":\"1.0.2\""
#define LINUX(x) "{" MIN ",\"linux\":{" x "}}"

TEST(spec_full_resources)
{
	struct husk_spec s;
	struct husk_err err;
	const struct husk_resources *r = &s.resources;

	CHECK_INT(load_full(&s, &err), 0);
	CHECK(s.has_resources);
	CHECK_INT(r->mem_limit, 536870912);
	CHECK_INT(r->mem_reservation, 268435456);
	CHECK_INT(r->mem_swap, -1);
	CHECK_INT(r->mem_swappiness, 10);
	CHECK(r->disable_oom_killer);
	CHECK_INT(r->cpu_shares, 512);
	CHECK_INT(r->cpu_quota, 50000);
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_rt_runtime, 950000);
	CHECK_INT(r->cpu_rt_period, 1000000);
	CHECK_STR(r->cpus, "0-1");
	CHECK_STR(r->mems, "0");
	CHECK_INT(r->pids_limit, 64);
	CHECK_INT(r->blkio_weight, 500);
	CHECK_INT(r->n_hugepages, 1);
	CHECK_STR(r->hugepages[0].page_size, "2MB");
	CHECK_INT(r->hugepages[0].limit, 209715200);
	CHECK_INT(r->n_devices, 3);
	CHECK(!r->devices[0].allow);
	CHECK_INT(r->devices[0].type, 'a');
	CHECK_INT(r->devices[0].major, -1);
	CHECK_INT(r->devices[0].minor, -1);
	CHECK_STR(r->devices[0].access, "rwm");
	CHECK(r->devices[1].allow);
	CHECK_INT(r->devices[1].type, 'c');
	CHECK_INT(r->devices[1].major, 1);
	CHECK_INT(r->devices[1].minor, 3);
	CHECK_STR(r->devices[1].access, "rw");
	CHECK_INT(r->devices[2].type, 'b');
	CHECK_INT(r->devices[2].minor, -1);
	CHECK_STR(r->devices[2].access, "rwm");
	CHECK_INT(r->unified.n, 1);
	CHECK_STR(r->unified.v[0].key, "memory.high");
	CHECK_STR(r->unified.v[0].value, "400M");
	husk_spec_free(&s);
}

TEST(spec_full_hooks)
{
	struct husk_spec s;
	struct husk_err err;
	const struct husk_hooks *h = &s.hooks;

	CHECK_INT(load_full(&s, &err), 0);
	CHECK_INT(h->n[HUSK_HOOK_PRESTART], 1);
	CHECK_STR(h->v[HUSK_HOOK_PRESTART][0].path, "/bin/pre");
	CHECK_INT(h->v[HUSK_HOOK_PRESTART][0].args.n, 2);
	CHECK_STR(h->v[HUSK_HOOK_PRESTART][0].args.v[1], "x");
	CHECK_STR(h->v[HUSK_HOOK_PRESTART][0].env.v[0], "A=1");
	CHECK_INT(h->v[HUSK_HOOK_PRESTART][0].timeout, 5);
	CHECK_INT(h->n[HUSK_HOOK_CREATE_RUNTIME], 2);
	CHECK_STR(h->v[HUSK_HOOK_CREATE_RUNTIME][1].path, "/bin/cr2");
	CHECK_INT(h->v[HUSK_HOOK_CREATE_RUNTIME][1].timeout, HUSK_UNSET);
	CHECK_INT(h->v[HUSK_HOOK_CREATE_RUNTIME][1].args.n, 0);
	CHECK_STR(h->v[HUSK_HOOK_CREATE_CONTAINER][0].path, "/bin/cc");
	CHECK_STR(h->v[HUSK_HOOK_START_CONTAINER][0].path, "/bin/sc");
	CHECK_STR(h->v[HUSK_HOOK_POSTSTART][0].path, "/bin/ps");
	CHECK_STR(h->v[HUSK_HOOK_POSTSTOP][0].path, "/bin/pst");
	husk_spec_free(&s);
}

TEST(spec_full_seccomp)
{
	struct husk_spec s;
	struct husk_err err;
	const struct husk_seccomp *sc;

	CHECK_INT(load_full(&s, &err), 0);
	sc = s.seccomp;
	CHECK(sc != NULL);
	if (!sc) {
		husk_spec_free(&s);
		return;
	}
	CHECK_INT(sc->default_action, SCMP_ACT_ERRNO(0));
	CHECK_INT(sc->default_errno_ret, 1);
	CHECK_INT(sc->architectures.n, 2);
	CHECK_STR(sc->architectures.v[0], "SCMP_ARCH_X86_64");
	CHECK_STR(sc->flags.v[0], "SECCOMP_FILTER_FLAG_LOG");
	CHECK_INT(sc->n_rules, 4);
	CHECK_INT(sc->rules[0].names.n, 2);
	CHECK_STR(sc->rules[0].names.v[1], "write");
	CHECK_INT(sc->rules[0].action, SCMP_ACT_ALLOW);
	CHECK_INT(sc->rules[0].errno_ret, HUSK_UNSET);
	CHECK_INT(sc->rules[1].n_args, 2);
	CHECK_INT(sc->rules[1].args[0].index, 0);
	CHECK_INT(sc->rules[1].args[0].value, 8);
	CHECK_INT(sc->rules[1].args[0].op, HUSK_SCMP_EQ);
	CHECK_INT(sc->rules[1].args[1].index, 1);
	CHECK_INT(sc->rules[1].args[1].value, 255);
	CHECK_INT(sc->rules[1].args[1].value_two, 8);
	CHECK_INT(sc->rules[1].args[1].op, HUSK_SCMP_MASKED_EQ);
	CHECK_INT(sc->rules[2].action, SCMP_ACT_ERRNO(0));
	CHECK_INT(sc->rules[2].errno_ret, 38);
	CHECK_INT(sc->rules[3].action, SCMP_ACT_KILL_PROCESS);
	husk_spec_free(&s);
}

TEST(spec_seccomp_actions_and_ops)
{
	static const struct {
		const char *name;
		uint32_t val;
	} acts[] = {
		{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
		{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
		{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
		{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
		{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
		{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
		{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
		{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
		{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
	};
	static const char *const ops[] = { "", "SCMP_CMP_NE", "SCMP_CMP_LT",
					   "SCMP_CMP_LE", "SCMP_CMP_EQ",
					   "SCMP_CMP_GE", "SCMP_CMP_GT",
					   "SCMP_CMP_MASKED_EQ" };

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		char json[256];
		struct husk_spec s;
		struct husk_err err;

		snprintf(json, sizeof(json),
			 LINUX("\"seccomp\":{\"defaultAction\":\"%s\"}"),
			 acts[i].name);
		CHECK_INT(husk_spec_parse(json, strlen(json), "/b", &s, &err),
			  0);
		if (s.seccomp)
			CHECK_INT(s.seccomp->default_action, acts[i].val);
		CHECK_INT(s.seccomp ? s.seccomp->default_errno_ret : 0,
			  HUSK_UNSET);
		husk_spec_free(&s);
	}
	for (int op = HUSK_SCMP_NE; op <= HUSK_SCMP_MASKED_EQ; op++) {
		char json[512];
		struct husk_spec s;
		struct husk_err err;

		snprintf(json, sizeof(json),
			 LINUX("\"seccomp\":{\"defaultAction\":"
			       "\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
			       "[\"x\"],\"action\":\"SCMP_ACT_LOG\",\"args\":"
			       "[{\"index\":5,\"value\":1,\"op\":\"%s\"}]}]}"),
			 ops[op]);
		CHECK_INT(husk_spec_parse(json, strlen(json), "/b", &s, &err),
			  0);
		if (s.seccomp && s.seccomp->n_rules == 1) {
			CHECK_INT(s.seccomp->rules[0].args[0].op, op);
			CHECK_INT(s.seccomp->rules[0].args[0].index, 5);
		}
		husk_spec_free(&s);
	}
}

TEST(spec_errors_seccomp)
{
	SPEC_ERR(LINUX("\"seccomp\":{}"),
		 "config.json: linux.seccomp.defaultAction: required");
	SPEC_ERR(LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\"}"),
		 "config.json: linux.seccomp.defaultAction: unknown seccomp "
		 "action \"SCMP_ACT_NOPE\"");
	SPEC_ERR(LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"syscalls\":[{\"action\":\"SCMP_ACT_LOG\"}]}"),
		 "config.json: linux.seccomp.syscalls[0].names: required");
	SPEC_ERR(LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"syscalls\":[{\"names\":[\"a\"]}]}"),
		 "config.json: linux.seccomp.syscalls[0].action: required");
	SPEC_ERR(LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"syscalls\":[{\"names\":[\"a\"],\"action\":"
		       "\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1,"
		       "\"op\":\"SCMP_CMP_XX\"}]}]}"),
		 "config.json: linux.seccomp.syscalls[0].args[0].op: unknown "
		 "seccomp operator \"SCMP_CMP_XX\"");
	SPEC_ERR(LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"syscalls\":[{\"names\":[\"a\"],\"action\":"
		       "\"SCMP_ACT_LOG\",\"args\":[{\"index\":6,\"value\":1,"
		       "\"op\":\"SCMP_CMP_EQ\"}]}]}"),
		 "config.json: linux.seccomp.syscalls[0].args[0].index: 6 out "
		 "of range [0, 5]");
	SPEC_ERR(LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"architectures\":\"x\"}"),
		 "config.json: linux.seccomp.architectures: expected array of "
		 "strings");
}

TEST(spec_errors_resources_and_hooks)
{
	SPEC_ERR(LINUX("\"resources\":{\"memory\":{\"limit\":\"1G\"}}"),
		 "config.json: linux.resources.memory.limit: expected "
		 "integer");
	SPEC_ERR(LINUX("\"resources\":{\"pids\":{}}"),
		 "config.json: linux.resources.pids.limit: required");
	SPEC_ERR(LINUX("\"resources\":{\"devices\":[{\"access\":\"r\"}]}"),
		 "config.json: linux.resources.devices[0].allow: required");
	SPEC_ERR(LINUX("\"resources\":{\"devices\":[{\"allow\":true,"
		       "\"access\":\"rx\"}]}"),
		 "config.json: linux.resources.devices[0].access: invalid "
		 "access \"rx\"");
	SPEC_ERR(LINUX("\"resources\":{\"devices\":[{\"allow\":true,"
		       "\"type\":\"p\"}]}"),
		 "config.json: linux.resources.devices[0].type: unknown device "
		 "type \"p\"");
	SPEC_ERR(LINUX("\"resources\":{\"hugepageLimits\":[{\"limit\":1}]}"),
		 "config.json: linux.resources.hugepageLimits[0].pageSize: "
		 "required");
	SPEC_ERR(LINUX("\"resources\":{\"blockIO\":{\"weight\":1001}}"),
		 "config.json: linux.resources.blockIO.weight: 1001 out of "
		 "range [0, 1000]");
	SPEC_ERR(LINUX("\"resources\":{\"unified\":{\"a\":1}}"),
		 "config.json: linux.resources.unified: expected object of "
		 "strings");
	SPEC_ERR("{" MIN ",\"hooks\":{\"poststop\":[{\"path\":\"/x\"},"
		 "{\"args\":[]}]}}",
		 "config.json: hooks.poststop[1].path: required");
	SPEC_ERR("{" MIN ",\"hooks\":{\"prestart\":[{\"path\":\"x\"}]}}",
		 "config.json: hooks.prestart[0].path: must be an absolute "
		 "path");
	SPEC_ERR("{" MIN ",\"hooks\":{\"createRuntime\":[{\"path\":\"/x\","
		 "\"timeout\":0}]}}",
		 "config.json: hooks.createRuntime[0].timeout: 0 out of range "
		 "[1, 2147483647]");
	SPEC_ERR("{" MIN ",\"hooks\":{\"startContainer\":{}}}",
		 "config.json: hooks.startContainer: expected array");
}

/* As podman's `update --resources` writes it. */
TEST(spec_resources_parse)
{
	static const char json[] =
		"{\"memory\":{\"limit\":268435456,\"swap\":536870912},"
		"\"cpu\":{\"quota\":20000,\"period\":100000,\"shares\":null},"
		"\"pids\":{\"limit\":100},\"blockIO\":{},"
		"\"unified\":{\"cpu.idle\":\"0\"}}";
	struct husk_resources r;
	struct husk_err err;

	CHECK_INT(husk_resources_parse(json, strlen(json), &r, &err), 0);
	CHECK_INT(r.mem_limit, 268435456);
	CHECK_INT(r.mem_swap, 536870912);
	CHECK_INT(r.mem_reservation, HUSK_UNSET);
	CHECK_INT(r.cpu_quota, 20000);
	CHECK_INT(r.cpu_period, 100000);
	CHECK_INT(r.cpu_shares, HUSK_UNSET);
	CHECK_INT(r.pids_limit, 100);
	CHECK_INT(r.blkio_weight, HUSK_UNSET);
	CHECK(r.cpus == NULL);
	CHECK_STR(r.unified.v[0].value, "0");
	husk_resources_free(&r);

	RES_ERR("{\"cpu\":{\"quota\":\"x\"}}",
		"resources: cpu.quota: expected integer");
	RES_ERR("{\"memory\":[]}", "resources: memory: expected object");
	RES_ERR("[]", "resources: expected object");
	RES_ERR("{", "resources: invalid JSON at line 1 column 1: string or "
		     "'}' expected near end of file");
}

TEST(spec_process_parse)
{
	static const char json[] =
		"{\"terminal\":true,\"user\":{\"uid\":5,\"gid\":6},"
		"\"args\":[\"ls\",\"-l\"],\"env\":[\"A=b\"],\"cwd\":\"/tmp\","
		"\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},"
		"\"rlimits\":[{\"type\":\"RLIMIT_NPROC\",\"soft\":10,"
		"\"hard\":20}],\"noNewPrivileges\":true}";
	struct husk_process p;
	struct husk_err err;

	CHECK_INT(husk_process_parse(json, strlen(json), &p, &err), 0);
	CHECK(p.terminal);
	CHECK_INT(p.uid, 5);
	CHECK_INT(p.gid, 6);
	CHECK_INT(p.args.n, 2);
	CHECK_STR(p.args.v[1], "-l");
	CHECK_STR(p.cwd, "/tmp");
	CHECK(p.caps.set);
	CHECK_INT(p.caps.bounding, 1ULL << CAP_KILL);
	CHECK_INT(p.rlimits[0].resource, RLIMIT_NPROC);
	CHECK_INT(p.rlimits[0].hard, 20);
	CHECK(p.no_new_privileges);
	CHECK_INT(p.umask, HUSK_UNSET);
	husk_process_free(&p);

	PROC_ERR("{\"cwd\":\"/\"}", "process: args: required");
	PROC_ERR("{\"args\":[\"a\"],\"cwd\":\"rel\"}",
		 "process: cwd: must be an absolute path");
	PROC_ERR("{\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":"
		 "\"RLIMIT_NOPE\",\"soft\":1,\"hard\":1}]}",
		 "process: rlimits[0].type: unknown rlimit \"RLIMIT_NOPE\"");
	PROC_ERR("5", "process: invalid JSON at line 1 column 1: '[' or '{' "
		      "expected near '5'");
}

TEST(spec_rlimit_infinity)
{
	static const char json[] =
		"{\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":"
		"\"RLIMIT_CORE\",\"soft\":-1,\"hard\":-1}]}";
	struct husk_process p;
	struct husk_err err;

	CHECK_INT(husk_process_parse(json, strlen(json), &p, &err), 0);
	CHECK(p.rlimits[0].soft == RLIM_INFINITY);
	husk_process_free(&p);
}

/* to_json -> parse gives the same struct, and to_json is a fixed point. */
static void check_round_trip(const struct husk_spec *a, const char *bundle)
{
	struct husk_spec b;
	struct husk_err err;
	char *j1, *j2;

	husk_err_clear(&err);
	j1 = husk_spec_to_json(a, &err);
	CHECK(j1 != NULL);
	if (!j1)
		return;
	CHECK_INT(husk_spec_parse(j1, strlen(j1), bundle, &b, &err), 0);
	if (err.code)
		unit_fail(__FILE__, __LINE__, err.msg);
	j2 = husk_spec_to_json(&b, &err);
	CHECK(j2 != NULL);
	if (j2 && strcmp(j1, j2) != 0)
		unit_fail(__FILE__, __LINE__, "to_json not a fixed point");
	if (a->root_path)
		CHECK_STR(b.root_path, a->root_path);
	husk_spec_free(&b);
	free(j1);
	free(j2);
}

TEST(spec_round_trip_full)
{
	struct husk_spec a, b;
	struct husk_err err;
	char *j;
	char dir[4096];

	CHECK(realpath(unit_fixture("spec/full"), dir) != NULL);
	CHECK_INT(husk_spec_load(dir, &a, &err), 0);
	check_round_trip(&a, dir);

	j = husk_spec_to_json(&a, &err);
	CHECK(j != NULL);
	/* The rootfs stays relative to the bundle. */
	CHECK(j && strstr(j, "\"path\": \"rootfs\"") != NULL);
	CHECK_INT(husk_spec_parse(j, strlen(j), dir, &b, &err), 0);
	CHECK_INT(b.n_mounts, a.n_mounts);
	for (size_t i = 0; i < a.n_mounts && i < b.n_mounts; i++) {
		CHECK_STR(b.mounts[i].destination, a.mounts[i].destination);
		CHECK_INT(b.mounts[i].flags, a.mounts[i].flags);
		CHECK_INT(b.mounts[i].clear_flags, a.mounts[i].clear_flags);
		CHECK_INT(b.mounts[i].propagation, a.mounts[i].propagation);
		CHECK_INT(b.mounts[i].bind, a.mounts[i].bind);
		CHECK_INT(b.mounts[i].recursive, a.mounts[i].recursive);
		CHECK((!a.mounts[i].data && !b.mounts[i].data) ||
		      (a.mounts[i].data && b.mounts[i].data &&
		       !strcmp(a.mounts[i].data, b.mounts[i].data)));
	}
	CHECK_INT(b.process.caps.bounding, a.process.caps.bounding);
	CHECK_INT(b.process.caps.ambient, a.process.caps.ambient);
	CHECK_INT(b.process.umask, a.process.umask);
	CHECK_INT(b.resources.mem_swap, -1);
	CHECK_INT(b.resources.devices[0].major, -1);
	CHECK_INT(b.seccomp->rules[1].args[1].value_two, 8);
	CHECK_INT(b.seccomp->default_errno_ret, 1);
	CHECK_INT(b.hooks.n[HUSK_HOOK_CREATE_RUNTIME], 2);
	CHECK_INT(b.rootfs_propagation, MS_REC | MS_SLAVE);
	CHECK_INT(b.overlay.lowers.n, 3);
	CHECK_INT(b.n_namespaces, 7);
	CHECK_STR(b.namespaces[1].path, "/var/run/netns/x");
	CHECK_INT(b.devices[1].major, HUSK_UNSET);
	husk_spec_free(&b);
	free(j);
	husk_spec_free(&a);
}

/* The front door fills overlay/net directly; to_json carries them. */
TEST(spec_round_trip_front_door)
{
	struct husk_spec a, b;
	struct husk_err err;
	char *j;

	husk_spec_init(&a);
	a.root_path = strdup("/var/lib/r");
	husk_strv_push(&a.process.args, "true");
	a.process.cwd = strdup("/");
	husk_strv_push(&a.overlay.lowers, "/lo1");
	husk_strv_push(&a.overlay.lowers, "/lo2");
	a.overlay.readonly = true;
	a.net.network = strdup("none");
	husk_strv_push(&a.net.publish, "1:2");
	husk_strv_push(&a.net.publish, "3:4/udp");
	j = husk_spec_to_json(&a, &err);
	CHECK(j != NULL);
	CHECK_INT(husk_spec_parse(j, strlen(j), "/elsewhere", &b, &err), 0);
	CHECK_STR(b.root_path, "/var/lib/r");
	CHECK_STR(b.oci_version, "1.1.0");
	CHECK_INT(b.overlay.lowers.n, 2);
	CHECK_STR(b.overlay.lowers.v[1], "/lo2");
	CHECK(b.overlay.readonly);
	CHECK_STR(b.net.network, "none");
	CHECK_INT(b.net.publish.n, 2);
	CHECK_STR(b.net.publish.v[1], "3:4/udp");
	CHECK_STR(husk_spec_annotation(&b, "husk.publish"), "1:2,3:4/udp");
	husk_spec_free(&b);
	free(j);
	husk_spec_free(&a);
}

TEST(spec_default_values)
{
	static const int caps[] = {
		CAP_CHOWN,	      CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER,
		CAP_MKNOD,	      CAP_NET_RAW,	CAP_SETGID, CAP_SETUID,
		CAP_SETFCAP,	      CAP_SETPCAP,	CAP_NET_BIND_SERVICE,
		CAP_SYS_CHROOT,	      CAP_KILL,		CAP_AUDIT_WRITE,
	};
	struct husk_spec s;
	struct husk_err err;
	uint64_t mask = 0;
	const struct husk_seccomp_rule *rule;
	bool has_kexec = false, has_ptrace = false;

	CHECK_INT(husk_spec_default(&s, &err), 0);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		mask |= 1ULL << caps[i];
	CHECK_STR(s.root_path, "rootfs");
	CHECK(s.bundle == NULL);
	CHECK_INT(s.process.args.n, 1);
	CHECK_STR(s.process.args.v[0], "sh");
	CHECK(!s.process.terminal);
	CHECK_STR(s.process.cwd, "/");
	CHECK_INT(s.process.env.n, 2);
	CHECK(strncmp(s.process.env.v[0], "PATH=", 5) == 0);
	CHECK_STR(s.process.env.v[1], "TERM=xterm");
	CHECK(s.process.caps.set);
	CHECK_INT(s.process.caps.bounding, mask);
	CHECK_INT(s.process.caps.effective, mask);
	CHECK_INT(s.process.caps.permitted, mask);
	CHECK_INT(s.process.caps.inheritable, 0);
	CHECK_INT(s.process.caps.ambient, 0);
	CHECK(s.process.no_new_privileges);
	CHECK_INT(s.process.n_rlimits, 1);
	CHECK_INT(s.process.rlimits[0].resource, RLIMIT_NOFILE);
	CHECK_INT(s.process.rlimits[0].soft, 1024);
	CHECK_INT(s.process.rlimits[0].hard, 1024);
	CHECK_INT(s.n_namespaces, 6);
	CHECK(husk_spec_ns(&s, HUSK_NS_PID) && husk_spec_ns(&s, HUSK_NS_NET) &&
	      husk_spec_ns(&s, HUSK_NS_IPC) && husk_spec_ns(&s, HUSK_NS_UTS) &&
	      husk_spec_ns(&s, HUSK_NS_MOUNT) &&
	      husk_spec_ns(&s, HUSK_NS_CGROUP));
	CHECK(!husk_spec_ns(&s, HUSK_NS_USER));
	CHECK_INT(s.n_mounts, 7);
	CHECK_STR(s.mounts[1].destination, "/dev");
	CHECK_INT(s.mounts[1].flags, MS_NOSUID | MS_STRICTATIME);
	CHECK_STR(s.mounts[1].data, "mode=755,size=65536k");
	CHECK_STR(s.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	CHECK_STR(s.mounts[5].destination, "/sys");
	CHECK(s.mounts[5].flags & MS_RDONLY);
	CHECK_STR(s.mounts[6].type, "cgroup");
	CHECK(s.mounts[6].flags & MS_RDONLY);
	CHECK_INT(s.masked_paths.n, 11);
	CHECK_STR(s.masked_paths.v[10], "/sys/devices/virtual/powercap");
	CHECK_INT(s.readonly_paths.n, 5);
	CHECK_STR(s.readonly_paths.v[4], "/proc/sysrq-trigger");
	CHECK(s.seccomp != NULL);
	if (s.seccomp) {
		CHECK_INT(s.seccomp->default_action, SCMP_ACT_ALLOW);
#ifdef __x86_64__
		CHECK_INT(s.seccomp->architectures.n, 3);
		CHECK_STR(s.seccomp->architectures.v[2], "SCMP_ARCH_X32");
#endif
		CHECK_INT(s.seccomp->n_rules, 1);
		rule = &s.seccomp->rules[0];
		CHECK_INT(rule->action, SCMP_ACT_ERRNO(0));
		CHECK_INT(rule->errno_ret, EPERM);
		for (size_t i = 0; i < rule->names.n; i++) {
			has_kexec |= !strcmp(rule->names.v[i], "kexec_load");
			has_ptrace |= !strcmp(rule->names.v[i], "ptrace");
		}
		CHECK(has_kexec);
		CHECK(!has_ptrace);
	}
	check_round_trip(&s, NULL);
	husk_spec_free(&s);
}

TEST(spec_to_json_minimal)
{
	struct husk_spec s;
	struct husk_err err;
	char *j;

	husk_spec_init(&s);
	j = husk_spec_to_json(&s, &err);
	CHECK(j != NULL);
	CHECK(j && strstr(j, "\"ociVersion\"") != NULL);
	CHECK(j && strstr(j, "\"process\"") == NULL);
	CHECK(j && strstr(j, "\"linux\"") == NULL);
	free(j);
	husk_spec_free(&s);
}

/* The default profile must build with libseccomp on this architecture. */
TEST(spec_default_seccomp_builds)
{
	struct husk_spec s;
	struct husk_err err;

	CHECK_INT(husk_spec_default(&s, &err), 0);
	husk_err_clear(&err);
	CHECK_INT(husk_seccomp_validate(s.seccomp, &err), 0);
	if (err.code)
		unit_fail(__FILE__, __LINE__, err.msg);
	husk_spec_free(&s);
}
