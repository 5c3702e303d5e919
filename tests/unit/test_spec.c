/* SPDX-License-Identifier: MIT */
/* Unit tests for runtime/spec*.c: config.json parsing, errors, helpers. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/capability.h>

#include "../../runtime/spec.h"
#include "unit.h"

/* The directory holding fixtures/spec/full/config.json. */
static const char *full_bundle(void)
{
	static char buf[4096];
	const char *dir = unit_fixture("spec/full");

	if (!realpath(dir, buf))
		snprintf(buf, sizeof(buf), "%s", dir);
	return buf;
}

/* Load fixtures/spec/full into @s; it must load. */
static void load_full(struct husk_spec *s)
{
	struct husk_err err;

	CHECK_INT(husk_spec_load(full_bundle(), s, &err), 0);
}

static int parse(const char *json, struct husk_spec *spec,
		 struct husk_err *err)
{
	husk_err_clear(err);
	return husk_spec_parse(json, strlen(json), "/b", spec, err);
}

/* Parse @json, expect failure with exactly @msg. */
static void expect_err(const char *json, const char *msg, int line)
{
	struct husk_spec spec;
	struct husk_err err;
	int r = parse(json, &spec, &err);

	if (r != -EINVAL) {
		char m[128];

		snprintf(m, sizeof(m), "line %d: r == -EINVAL (%d)", line, r);
		unit_fail(__FILE__, line, m);
		if (r == 0)
			husk_spec_free(&spec);
		return;
	}
	if (strcmp(err.msg, msg) != 0) {
		char m[1200];

		snprintf(m, sizeof(m), "\"%s\" != \"%s\"", err.msg, msg);
		unit_fail(__FILE__, line, m);
	}
}
#define EXPECT_ERR(json, msg) expect_err(json, msg, __LINE__)

#define MIN "\"ociVersion\":\"1.0.2\""
#define PROC(x) MIN ",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"," x "}"

TEST(spec_minimal)
{
	struct husk_spec s;
	struct husk_err err;

	CHECK_INT(parse("{" MIN ",\"root\":{\"path\":\"rootfs\"}}", &s, &err),
		  0);
	CHECK_STR(s.oci_version, "1.0.2");
	CHECK_STR(s.bundle, "/b");
	CHECK_STR(s.root_path, "/b/rootfs");
	CHECK(!s.root_readonly);
	CHECK_INT(s.process.args.n, 0);
	CHECK_INT(s.process.umask, HUSK_UNSET);
	CHECK_INT(s.process.oom_score_adj, HUSK_UNSET);
	CHECK(!s.process.caps.set);
	CHECK(!s.has_resources);
	CHECK(s.seccomp == NULL);
	CHECK_INT(s.n_namespaces, 0);
	CHECK_INT(s.rootfs_propagation, 0);
	CHECK_INT(s.resources.mem_limit, HUSK_UNSET);
	CHECK(s.hostname == NULL);
	husk_spec_free(&s);
}

TEST(spec_root_absolute_and_absent)
{
	struct husk_spec s;
	struct husk_err err;

	CHECK_INT(parse("{" MIN ",\"root\":{\"path\":\"/srv/r\"}}", &s, &err),
		  0);
	CHECK_STR(s.root_path, "/srv/r");
	husk_spec_free(&s);
	/* root is optional for the parser; create checks root_path. */
	CHECK_INT(parse("{" MIN "}", &s, &err), 0);
	CHECK(s.root_path == NULL);
	husk_spec_free(&s);
}

TEST(spec_full_process)
{
	struct husk_spec s;
	const struct husk_process *p = &s.process;

	load_full(&s);
	CHECK_STR(s.oci_version, "1.1.0");
	CHECK(s.root_readonly);
	CHECK(p->terminal);
	CHECK_INT(p->console_height, 25);
	CHECK_INT(p->console_width, 80);
	CHECK_INT(p->uid, 1000);
	CHECK_INT(p->gid, 100);
	CHECK_INT(p->umask, 077);
	CHECK_INT(p->n_additional_gids, 2);
	CHECK_INT(p->additional_gids[0], 5);
	CHECK_INT(p->additional_gids[1], 10);
	CHECK_INT(p->args.n, 3);
	CHECK_STR(p->args.v[0], "/bin/sh");
	CHECK_STR(p->args.v[2], "echo hi");
	CHECK(p->args.v[3] == NULL);
	CHECK_INT(p->env.n, 2);
	CHECK_STR(p->env.v[1], "TERM=xterm");
	CHECK_STR(p->cwd, "/work");
	CHECK(p->caps.set);
	CHECK_INT(p->caps.bounding, (1ULL << CAP_CHOWN) | (1ULL << CAP_KILL) |
					    (1ULL << CAP_NET_BIND_SERVICE));
	CHECK_INT(p->caps.effective, 1ULL << CAP_KILL);
	CHECK_INT(p->caps.inheritable, 0);
	CHECK_INT(p->caps.permitted, (1ULL << CAP_CHOWN) | (1ULL << CAP_KILL));
	CHECK_INT(p->caps.ambient, 1ULL << CAP_SYS_ADMIN);
	CHECK_INT(p->n_rlimits, 2);
	CHECK_INT(p->rlimits[0].resource, RLIMIT_NOFILE);
	CHECK_INT(p->rlimits[0].soft, 1024);
	CHECK_INT(p->rlimits[0].hard, 4096);
	CHECK_INT(p->rlimits[1].resource, RLIMIT_CORE);
	CHECK(p->no_new_privileges);
	CHECK_INT(p->oom_score_adj, 100);
	CHECK_STR(p->apparmor_profile, "husk-default");
	CHECK_STR(p->selinux_label, "system_u:system_r:container_t:s0");
	CHECK_STR(s.hostname, "box");
	CHECK_STR(s.domainname, "example.org");
	husk_spec_free(&s);
}

TEST(spec_full_root_path)
{
	struct husk_spec s;
	char want[4200];

	load_full(&s);
	snprintf(want, sizeof(want), "%s/rootfs", full_bundle());
	CHECK_STR(s.root_path, want);
	CHECK_STR(s.bundle, full_bundle());
	husk_spec_free(&s);
}

TEST(spec_full_mounts)
{
	struct husk_spec s;
	const struct husk_mount *m;

	load_full(&s);
	CHECK_INT(s.n_mounts, 4);
	m = &s.mounts[0];
	CHECK_STR(m->destination, "/proc");
	CHECK_STR(m->type, "proc");
	CHECK_STR(m->source, "proc");
	CHECK_INT(m->flags, 0);
	CHECK(m->data == NULL);
	m = &s.mounts[1];
	CHECK_INT(m->flags, MS_NOSUID | MS_STRICTATIME);
	CHECK_STR(m->data, "mode=755,size=65536k");
	CHECK(!m->bind);
	m = &s.mounts[2];
	CHECK(m->bind);
	CHECK(m->recursive);
	CHECK_INT(m->flags, MS_RDONLY | MS_NODEV);
	CHECK_INT(m->clear_flags, 0);
	CHECK_INT(m->propagation, MS_REC | MS_PRIVATE);
	CHECK(m->data == NULL);
	m = &s.mounts[3];
	CHECK(m->type == NULL);
	CHECK(m->bind);
	CHECK(!m->recursive);
	CHECK_INT(m->flags, 0);
	CHECK_INT(m->clear_flags, MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV);
	husk_spec_free(&s);
}

TEST(spec_mount_options_table)
{
	static const struct {
		const char *opt;
		unsigned long set, clear, prop;
	} t[] = {
		{ "ro", MS_RDONLY, 0, 0 },
		{ "rw", 0, MS_RDONLY, 0 },
		{ "nosuid", MS_NOSUID, 0, 0 },
		{ "suid", 0, MS_NOSUID, 0 },
		{ "nodev", MS_NODEV, 0, 0 },
		{ "dev", 0, MS_NODEV, 0 },
		{ "noexec", MS_NOEXEC, 0, 0 },
		{ "exec", 0, MS_NOEXEC, 0 },
		{ "sync", MS_SYNCHRONOUS, 0, 0 },
		{ "async", 0, MS_SYNCHRONOUS, 0 },
		{ "dirsync", MS_DIRSYNC, 0, 0 },
		{ "remount", MS_REMOUNT, 0, 0 },
		{ "mand", MS_MANDLOCK, 0, 0 },
		{ "nomand", 0, MS_MANDLOCK, 0 },
		{ "atime", 0, MS_NOATIME, 0 },
		{ "noatime", MS_NOATIME, 0, 0 },
		{ "diratime", 0, MS_NODIRATIME, 0 },
		{ "nodiratime", MS_NODIRATIME, 0, 0 },
		{ "relatime", MS_RELATIME, 0, 0 },
		{ "norelatime", 0, MS_RELATIME, 0 },
		{ "strictatime", MS_STRICTATIME, 0, 0 },
		{ "nostrictatime", 0, MS_STRICTATIME, 0 },
		{ "private", 0, 0, MS_PRIVATE },
		{ "rprivate", 0, 0, MS_PRIVATE | MS_REC },
		{ "shared", 0, 0, MS_SHARED },
		{ "rshared", 0, 0, MS_SHARED | MS_REC },
		{ "slave", 0, 0, MS_SLAVE },
		{ "rslave", 0, 0, MS_SLAVE | MS_REC },
		{ "unbindable", 0, 0, MS_UNBINDABLE },
		{ "runbindable", 0, 0, MS_UNBINDABLE | MS_REC },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char json[256];
		struct husk_spec s;
		struct husk_err err;

		snprintf(json, sizeof(json),
			 "{" MIN ",\"mounts\":[{\"destination\":\"/x\","
			 "\"options\":[\"%s\",\"x=1\"]}]}",
			 t[i].opt);
		CHECK_INT(parse(json, &s, &err), 0);
		if (s.n_mounts != 1)
			continue;
		CHECK_INT(s.mounts[0].flags, t[i].set);
		CHECK_INT(s.mounts[0].clear_flags, t[i].clear);
		CHECK_INT(s.mounts[0].propagation, t[i].prop);
		CHECK(!s.mounts[0].bind);
		CHECK_STR(s.mounts[0].data, "x=1");
		husk_spec_free(&s);
	}
}

TEST(spec_mount_later_option_wins)
{
	struct husk_spec s;
	struct husk_err err;

	CHECK_INT(parse("{" MIN ",\"mounts\":[{\"destination\":\"/x\","
			"\"options\":[\"ro\",\"rw\",\"nosuid\",\"suid\","
			"\"nosuid\"]}]}",
			&s, &err),
		  0);
	CHECK_INT(s.mounts[0].flags, MS_NOSUID);
	CHECK_INT(s.mounts[0].clear_flags, MS_RDONLY);
	husk_spec_free(&s);
}

TEST(spec_full_linux)
{
	struct husk_spec s;
	const struct husk_namespace *ns;

	load_full(&s);
	CHECK_INT(s.n_namespaces, 7);
	CHECK_INT(s.namespaces[0].type, HUSK_NS_PID);
	CHECK(s.namespaces[0].path == NULL);
	ns = husk_spec_ns(&s, HUSK_NS_NET);
	CHECK(ns != NULL);
	if (ns)
		CHECK_STR(ns->path, "/var/run/netns/x");
	CHECK(husk_spec_ns(&s, HUSK_NS_USER) != NULL);
	CHECK(husk_spec_ns(&s, HUSK_NS_TIME) == NULL);
	CHECK_INT(s.n_uid_mappings, 1);
	CHECK_INT(s.uid_mappings[0].container_id, 0);
	CHECK_INT(s.uid_mappings[0].host_id, 100000);
	CHECK_INT(s.uid_mappings[0].size, 65536);
	CHECK_INT(s.n_gid_mappings, 2);
	CHECK_INT(s.gid_mappings[1].container_id, 1000);
	CHECK_INT(s.gid_mappings[1].host_id, 300000);
	CHECK_INT(s.gid_mappings[1].size, 1);
	CHECK_INT(s.n_devices, 2);
	CHECK_STR(s.devices[0].path, "/dev/fuse");
	CHECK_INT(s.devices[0].type, 'c');
	CHECK_INT(s.devices[0].major, 10);
	CHECK_INT(s.devices[0].minor, 229);
	CHECK_INT(s.devices[0].file_mode, 0666);
	CHECK_INT(s.devices[0].uid, 0);
	CHECK_INT(s.devices[1].type, 'p');
	CHECK_INT(s.devices[1].major, HUSK_UNSET);
	CHECK_INT(s.devices[1].file_mode, HUSK_UNSET);
	CHECK_INT(s.devices[1].gid, HUSK_UNSET);
	CHECK_STR(s.cgroups_path, "/husk/test");
	CHECK_INT(s.sysctl.n, 1);
	CHECK_STR(s.sysctl.v[0].key, "net.ipv4.ip_forward");
	CHECK_STR(s.sysctl.v[0].value, "1");
	CHECK_INT(s.rootfs_propagation, MS_REC | MS_SLAVE);
	CHECK_INT(s.masked_paths.n, 2);
	CHECK_STR(s.masked_paths.v[1], "/sys/firmware");
	CHECK_INT(s.readonly_paths.n, 1);
	CHECK_STR(s.readonly_paths.v[0], "/proc/sys");
	CHECK_STR(s.mount_label, "system_u:object_r:container_file_t:s0");
	husk_spec_free(&s);
}

TEST(spec_full_annotations)
{
	struct husk_spec s;

	load_full(&s);
	CHECK_INT(s.annotations.n, 6);
	CHECK_STR(husk_spec_annotation(&s, "org.example"), "yes");
	CHECK(husk_spec_annotation(&s, "nope") == NULL);
	CHECK_INT(s.overlay.lowers.n, 3);
	CHECK_STR(s.overlay.lowers.v[0], "/l/top");
	CHECK_STR(s.overlay.lowers.v[1], "/l/mid");
	CHECK_STR(s.overlay.lowers.v[2], "/l/base");
	CHECK_STR(s.overlay.upper, "/u");
	CHECK(!s.overlay.readonly);
	CHECK_STR(s.net.network, "bridge0");
	CHECK_INT(s.net.publish.n, 2);
	CHECK_STR(s.net.publish.v[0], "8080:80/tcp");
	CHECK_STR(s.net.publish.v[1], "53:53/udp");
	husk_spec_free(&s);
}

TEST(spec_overlay_readonly)
{
	struct husk_spec s;
	struct husk_err err;

	CHECK_INT(parse("{" MIN ",\"annotations\":{\"husk.overlay.lower\":"
			"\"/a\",\"husk.overlay.readonly\":\"true\"}}",
			&s, &err),
		  0);
	CHECK(s.overlay.readonly);
	CHECK_INT(s.overlay.lowers.n, 1);
	CHECK(s.overlay.upper == NULL);
	CHECK(s.net.network == NULL);
	CHECK_INT(s.net.publish.n, 0);
	husk_spec_free(&s);
	EXPECT_ERR("{" MIN ",\"annotations\":{\"husk.overlay.readonly\":"
		   "\"yes\"}}",
		   "config.json: annotations.husk.overlay.readonly: expected "
		   "\"true\" or \"false\"");
}

TEST(spec_capability_names)
{
	struct husk_spec s;
	struct husk_err err;

	/* The CAP_ prefix is optional and case does not matter. */
	CHECK_INT(parse("{" PROC("\"capabilities\":{\"bounding\":"
				 "[\"CAP_SYS_ADMIN\",\"chown\",\"NET_RAW\","
				 "\"cap_kill\"]}") "}",
			&s, &err),
		  0);
	CHECK(s.process.caps.set);
	CHECK_INT(s.process.caps.bounding,
		  (1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_CHOWN) |
			  (1ULL << CAP_NET_RAW) | (1ULL << CAP_KILL));
	CHECK_INT(s.process.caps.effective, 0);
	husk_spec_free(&s);
	EXPECT_ERR("{" PROC("\"capabilities\":{\"effective\":[\"CAP_FOO\"]}") "}",
		   "config.json: process.capabilities.effective: unknown "
		   "capability \"CAP_FOO\"");
	EXPECT_ERR("{" PROC("\"capabilities\":{\"effective\":[\"12\"]}") "}",
		   "config.json: process.capabilities.effective: unknown "
		   "capability \"12\"");
	EXPECT_ERR("{" PROC("\"capabilities\":{\"ambient\":\"CAP_KILL\"}") "}",
		   "config.json: process.capabilities.ambient: expected array "
		   "of strings");
}

TEST(spec_errors_json_and_file)
{
	struct husk_spec s;
	struct husk_err err;

	EXPECT_ERR("{\"ociVersion\": }",
		   "config.json: invalid JSON at line 1 column 16: "
		   "unexpected token near '}'");
	EXPECT_ERR("[]", "config.json: expected object");
	CHECK_INT(husk_spec_load("/nonexistent-husk", &s, &err), -ENOENT);
	CHECK_STR(err.msg, "open /nonexistent-husk/config.json: No such file "
			   "or directory");
}

TEST(spec_errors_required)
{
	EXPECT_ERR("{}", "config.json: ociVersion: required");
	EXPECT_ERR("{\"ociVersion\":1}",
		   "config.json: ociVersion: expected string");
	EXPECT_ERR("{" MIN ",\"root\":{}}", "config.json: root.path: required");
	EXPECT_ERR("{" MIN ",\"root\":{\"path\":\"\"}}",
		   "config.json: root.path: must not be empty");
	EXPECT_ERR("{" MIN ",\"root\":[]}", "config.json: root: expected object");
	EXPECT_ERR("{" MIN ",\"process\":{\"cwd\":\"/\"}}",
		   "config.json: process.args: required");
	EXPECT_ERR("{" MIN ",\"process\":{\"args\":[],\"cwd\":\"/\"}}",
		   "config.json: process.args: must not be empty");
	EXPECT_ERR("{" MIN ",\"process\":{\"args\":[\"sh\"]}}",
		   "config.json: process.cwd: required");
	EXPECT_ERR("{" MIN ",\"process\":{\"args\":[\"sh\"],\"cwd\":\"x\"}}",
		   "config.json: process.cwd: must be an absolute path");
	EXPECT_ERR("{" MIN ",\"mounts\":[{\"destination\":\"/a\"},"
		   "{\"type\":\"tmpfs\"}]}",
		   "config.json: mounts[1].destination: required");
	EXPECT_ERR("{" MIN ",\"mounts\":[{\"destination\":\"a\"}]}",
		   "config.json: mounts[0].destination: must be an absolute "
		   "path");
}

TEST(spec_errors_types)
{
	EXPECT_ERR("{" MIN ",\"process\":{\"args\":\"sh\",\"cwd\":\"/\"}}",
		   "config.json: process.args: expected array of strings");
	EXPECT_ERR("{" MIN ",\"process\":{\"args\":[\"sh\",1],\"cwd\":\"/\"}}",
		   "config.json: process.args: expected array of strings");
	EXPECT_ERR("{" PROC("\"terminal\":\"yes\"") "}",
		   "config.json: process.terminal: expected boolean");
	EXPECT_ERR("{" PROC("\"user\":{\"uid\":-1}") "}",
		   "config.json: process.user.uid: -1 out of range [0, "
		   "4294967295]");
	EXPECT_ERR("{" PROC("\"user\":{\"gid\":\"0\"}") "}",
		   "config.json: process.user.gid: expected integer");
	EXPECT_ERR("{" PROC("\"user\":{\"additionalGids\":[1,\"x\"]}") "}",
		   "config.json: process.user.additionalGids: expected array "
		   "of gids");
	EXPECT_ERR("{" PROC("\"consoleSize\":{\"height\":1}") "}",
		   "config.json: process.consoleSize.width: required");
	EXPECT_ERR("{" PROC("\"oomScoreAdj\":1001") "}",
		   "config.json: process.oomScoreAdj: 1001 out of range "
		   "[-1000, 1000]");
	EXPECT_ERR("{" PROC("\"env\":[1]") "}",
		   "config.json: process.env: expected array of strings");
	EXPECT_ERR("{" PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			    "\"soft\":1,\"hard\":1},{\"type\":\"RLIMIT_X\","
			    "\"soft\":1,\"hard\":1}]") "}",
		   "config.json: process.rlimits[1].type: unknown rlimit "
		   "\"RLIMIT_X\"");
	EXPECT_ERR("{" PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			    "\"soft\":1}]") "}",
		   "config.json: process.rlimits[0].hard: required");
	EXPECT_ERR("{" PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			    "\"soft\":2,\"hard\":1}]") "}",
		   "config.json: process.rlimits[0]: soft limit exceeds hard "
		   "limit");
	EXPECT_ERR("{" PROC("\"rlimits\":[3]") "}",
		   "config.json: process.rlimits[0]: expected object");
	EXPECT_ERR("{" MIN ",\"hostname\":false}",
		   "config.json: hostname: expected string");
	EXPECT_ERR("{" MIN ",\"mounts\":{}}", "config.json: mounts: expected "
					      "array");
	EXPECT_ERR("{" MIN ",\"mounts\":[{\"destination\":\"/a\","
		   "\"options\":[\"ro\",7]}]}",
		   "config.json: mounts[0].options: expected array of strings");
	EXPECT_ERR("{" MIN ",\"annotations\":{\"a\":1}}",
		   "config.json: annotations: expected object of strings");
}

TEST(spec_errors_linux)
{
	EXPECT_ERR("{" MIN ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
		   "{\"type\":\"uts\"},{\"type\":\"foo\"}]}}",
		   "config.json: linux.namespaces[2].type: unknown namespace "
		   "type \"foo\"");
	EXPECT_ERR("{" MIN ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
		   "{\"type\":\"pid\"}]}}",
		   "config.json: linux.namespaces[1].type: duplicate namespace "
		   "type \"pid\"");
	EXPECT_ERR("{" MIN ",\"linux\":{\"namespaces\":[{}]}}",
		   "config.json: linux.namespaces[0].type: required");
	EXPECT_ERR("{" MIN ",\"linux\":{\"namespaces\":[{\"type\":\"net\"}]}}",
		   "config.json: linux.namespaces[0].type: unknown namespace "
		   "type \"net\"");
	EXPECT_ERR("{" MIN ",\"linux\":{\"namespaces\":[{\"type\":\"network\","
		   "\"path\":\"x\"}]}}",
		   "config.json: linux.namespaces[0].path: must be an absolute "
		   "path");
	EXPECT_ERR("{" MIN ",\"linux\":{\"uidMappings\":[{\"containerID\":0,"
		   "\"hostID\":1}]}}",
		   "config.json: linux.uidMappings[0].size: required");
	EXPECT_ERR("{" MIN ",\"linux\":{\"devices\":[{\"path\":\"/dev/x\","
		   "\"type\":\"q\"}]}}",
		   "config.json: linux.devices[0].type: unknown device type "
		   "\"q\"");
	EXPECT_ERR("{" MIN ",\"linux\":{\"devices\":[{\"path\":\"/dev/x\","
		   "\"type\":\"c\",\"major\":1}]}}",
		   "config.json: linux.devices[0].minor: required");
	EXPECT_ERR("{" MIN ",\"linux\":{\"rootfsPropagation\":\"weird\"}}",
		   "config.json: linux.rootfsPropagation: unknown propagation "
		   "\"weird\"");
	EXPECT_ERR("{" MIN ",\"linux\":{\"sysctl\":[]}}",
		   "config.json: linux.sysctl: expected object of strings");
	EXPECT_ERR("{" MIN ",\"linux\":{\"maskedPaths\":[null]}}",
		   "config.json: linux.maskedPaths: expected array of strings");
	EXPECT_ERR("{" MIN ",\"linux\":5}", "config.json: linux: expected "
					    "object");
}

TEST(spec_null_is_absent_and_unknown_ignored)
{
	struct husk_spec s;
	struct husk_err err;

	CHECK_INT(parse("{" MIN ",\"hostname\":null,\"x-new\":[1,2],"
			"\"linux\":{\"namespaces\":null,\"future\":{}}}",
			&s, &err),
		  0);
	CHECK(s.hostname == NULL);
	CHECK_INT(s.n_namespaces, 0);
	husk_spec_free(&s);
}

TEST(spec_ns_names_and_flags)
{
	CHECK_STR(husk_ns_name(HUSK_NS_PID), "pid");
	CHECK_STR(husk_ns_name(HUSK_NS_NET), "network");
	CHECK_STR(husk_ns_name(HUSK_NS_MOUNT), "mount");
	CHECK_STR(husk_ns_name(HUSK_NS_TIME), "time");
	CHECK(husk_ns_name(HUSK_NS_COUNT) == NULL);
	CHECK_INT(husk_ns_clone_flag(HUSK_NS_MOUNT), CLONE_NEWNS);
	CHECK_INT(husk_ns_clone_flag(HUSK_NS_USER), CLONE_NEWUSER);
	CHECK_INT(husk_ns_clone_flag(HUSK_NS_CGROUP), CLONE_NEWCGROUP);
	CHECK_INT(husk_ns_clone_flag(HUSK_NS_TIME), 0x80);
	CHECK_INT(husk_ns_clone_flag(HUSK_NS_COUNT), 0);
}

TEST(spec_strv_kvv)
{
	struct husk_strv sv = { 0 };
	struct husk_kvv kv = { 0 };

	CHECK_INT(husk_strv_push(&sv, "a"), 0);
	CHECK_INT(husk_strv_push(&sv, "b"), 0);
	CHECK_INT(sv.n, 2);
	CHECK_STR(sv.v[1], "b");
	CHECK(sv.v[2] == NULL);
	husk_strv_free(&sv);
	CHECK(sv.v == NULL);
	CHECK_INT(sv.n, 0);
	husk_strv_free(&sv);

	CHECK_INT(husk_kvv_set(&kv, "k", "1"), 0);
	CHECK_INT(husk_kvv_set(&kv, "j", "2"), 0);
	CHECK_INT(husk_kvv_set(&kv, "k", "3"), 0);
	CHECK_INT(kv.n, 2);
	CHECK_STR(kv.v[0].value, "3");
	husk_kvv_free(&kv);
	CHECK_INT(kv.n, 0);
}
