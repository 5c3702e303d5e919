/* SPDX-License-Identifier: MIT */
/*
 * The typed container spec: the only representation of a container's
 * configuration below the parsers.  config.json (runtime/spec.c, the only
 * user of jansson for specs) and the CLI front door (`husk run --rootfs`)
 * both fill this struct; nothing downstream knows which door was used.
 *
 * Optional integers use HUSK_UNSET; optional strings are NULL.
 */
#ifndef HUSK_SPEC_H
#define HUSK_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define HUSK_UNSET INT64_MIN

struct husk_strv {
	char **v; /* NULL-terminated, so it can go straight to execve */
	size_t n;
};

struct husk_kv {
	char *key;
	char *value;
};

struct husk_kvv {
	struct husk_kv *v;
	size_t n;
};

struct husk_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

enum husk_ns_type {
	HUSK_NS_PID,
	HUSK_NS_MOUNT,
	HUSK_NS_UTS,
	HUSK_NS_IPC,
	HUSK_NS_NET,
	HUSK_NS_USER,
	HUSK_NS_CGROUP,
	HUSK_NS_TIME,
	HUSK_NS_COUNT
};

struct husk_namespace {
	enum husk_ns_type type;
	char *path; /* NULL: create a new one; else setns() into it */
};

struct husk_mount {
	char *destination;
	char *type; /* NULL for bind mounts without a type */
	char *source;
	unsigned long flags;	   /* MS_RDONLY, MS_NOSUID, ... (set) */
	unsigned long clear_flags; /* flags explicitly cleared ("rw", "suid") */
	unsigned long propagation; /* MS_SHARED|MS_PRIVATE|... (with MS_REC) */
	bool bind;		   /* "bind" or "rbind" */
	bool recursive;		   /* "rbind" */
	char *data;		   /* the remaining options, comma-joined */
};

struct husk_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

struct husk_device {
	char *path;
	char type; /* 'c', 'b', 'u', 'p' */
	int64_t major, minor;
	int64_t file_mode; /* HUSK_UNSET: 0666 */
	int64_t uid, gid;  /* HUSK_UNSET: 0 */
};

struct husk_device_rule {
	bool allow;
	char type;	     /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1: wildcard */
	char access[4];      /* subset of "rwm" */
};

struct husk_hugepage_limit {
	char *page_size; /* "2MB", "1GB" as in the spec */
	uint64_t limit;
};

struct husk_resources {
	/* memory */
	int64_t mem_limit, mem_reservation, mem_swap, mem_swappiness;
	bool disable_oom_killer;
	/* cpu */
	int64_t cpu_shares, cpu_quota, cpu_period;
	int64_t cpu_rt_runtime, cpu_rt_period;
	char *cpus, *mems;
	/* pids */
	int64_t pids_limit;
	/* blkio */
	int64_t blkio_weight;
	struct husk_hugepage_limit *hugepages;
	size_t n_hugepages;
	struct husk_device_rule *devices;
	size_t n_devices;
	struct husk_kvv unified; /* cgroup v2 file -> value */
};

enum husk_seccomp_op {
	HUSK_SCMP_NE = 1,
	HUSK_SCMP_LT,
	HUSK_SCMP_LE,
	HUSK_SCMP_EQ,
	HUSK_SCMP_GE,
	HUSK_SCMP_GT,
	HUSK_SCMP_MASKED_EQ
};

struct husk_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	enum husk_seccomp_op op;
};

struct husk_seccomp_rule {
	struct husk_strv names;
	uint32_t action; /* libseccomp SCMP_ACT_* without the errno part */
	int64_t errno_ret; /* HUSK_UNSET: EPERM for SCMP_ACT_ERRNO */
	struct husk_seccomp_arg *args;
	size_t n_args;
};

struct husk_seccomp {
	uint32_t default_action;
	int64_t default_errno_ret;
	struct husk_strv architectures; /* "SCMP_ARCH_X86_64", ... */
	struct husk_strv flags;		/* "SECCOMP_FILTER_FLAG_LOG", ... */
	struct husk_seccomp_rule *rules;
	size_t n_rules;
};

struct husk_hook {
	char *path;
	struct husk_strv args;
	struct husk_strv env;
	int64_t timeout; /* seconds, HUSK_UNSET: none */
};

enum husk_hook_kind {
	HUSK_HOOK_PRESTART,
	HUSK_HOOK_CREATE_RUNTIME,
	HUSK_HOOK_CREATE_CONTAINER,
	HUSK_HOOK_START_CONTAINER,
	HUSK_HOOK_POSTSTART,
	HUSK_HOOK_POSTSTOP,
	HUSK_HOOK_COUNT
};

struct husk_hooks {
	struct husk_hook *v[HUSK_HOOK_COUNT];
	size_t n[HUSK_HOOK_COUNT];
};

/* Capabilities as bit masks (bit N = capability N). */
struct husk_caps {
	bool set; /* false: process.capabilities absent */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct husk_process {
	bool terminal;
	unsigned console_height, console_width;
	uint32_t uid, gid;
	int64_t umask; /* HUSK_UNSET: 0022 */
	gid_t *additional_gids;
	size_t n_additional_gids;
	struct husk_strv args;
	struct husk_strv env;
	char *cwd;
	struct husk_caps caps;
	struct husk_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	int64_t oom_score_adj; /* HUSK_UNSET: leave as is */
	char *apparmor_profile;
	char *selinux_label;
};

/* husk extensions, read from annotations (see README "Annotations"). */
struct husk_overlay_spec {
	struct husk_strv lowers; /* top first; n == 0: no overlay */
	char *upper;		 /* NULL: ephemeral, in the state dir */
	bool readonly;		 /* no upper at all */
};

struct husk_net_spec {
	char *network; /* NULL: whatever linux.namespaces says; "none", "host", a name */
	struct husk_strv publish; /* "HOSTPORT:CTRPORT[/proto]" */
};

struct husk_spec {
	char *oci_version;
	char *bundle; /* absolute path of the bundle directory */
	char *root_path; /* absolute path of the rootfs */
	bool root_readonly;
	char *hostname;
	char *domainname;
	struct husk_process process;
	struct husk_mount *mounts;
	size_t n_mounts;
	struct husk_hooks hooks;
	struct husk_kvv annotations;

	/* linux */
	struct husk_namespace namespaces[HUSK_NS_COUNT];
	size_t n_namespaces;
	struct husk_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct husk_device *devices;
	size_t n_devices;
	char *cgroups_path; /* NULL: /husk/<id> */
	struct husk_resources resources;
	bool has_resources;
	struct husk_kvv sysctl;
	struct husk_seccomp *seccomp; /* NULL: none */
	unsigned long rootfs_propagation; /* 0: MS_REC|MS_SLAVE */
	struct husk_strv masked_paths;
	struct husk_strv readonly_paths;
	char *mount_label;

	struct husk_overlay_spec overlay;
	struct husk_net_spec net;
};

/* Annotation keys of husk's own extensions. */
#define HUSK_ANN_OVERLAY_LOWER "husk.overlay.lower"	  /* "dir1:dir2" top first */
#define HUSK_ANN_OVERLAY_UPPER "husk.overlay.upper"	  /* persistent upper dir */
#define HUSK_ANN_OVERLAY_READONLY "husk.overlay.readonly" /* "true" */
#define HUSK_ANN_NETWORK "husk.network"			  /* name | none | host */
#define HUSK_ANN_PUBLISH "husk.publish"			  /* "8080:80/tcp,53:53/udp" */

/* Parse config.json text; @bundle is the (absolute) bundle directory. */
int husk_spec_parse(const char *json, size_t len, const char *bundle,
		    struct husk_spec *spec, struct husk_err *err);
/* Read <bundle>/config.json and parse it. */
int husk_spec_load(const char *bundle, struct husk_spec *spec,
		   struct husk_err *err);
/* Parse a LinuxResources JSON object (for `update --resources`). */
int husk_resources_parse(const char *json, size_t len,
			 struct husk_resources *res, struct husk_err *err);
void husk_resources_init(struct husk_resources *res);
void husk_resources_free(struct husk_resources *res);
/* Parse an OCI Process JSON object (for `exec --process`). */
int husk_process_parse(const char *json, size_t len,
		       struct husk_process *proc, struct husk_err *err);
void husk_process_free(struct husk_process *proc);

void husk_spec_init(struct husk_spec *spec);
void husk_spec_free(struct husk_spec *spec);

/* Lookup helpers. */
const struct husk_namespace *husk_spec_ns(const struct husk_spec *spec,
					  enum husk_ns_type type);
const char *husk_spec_annotation(const struct husk_spec *spec,
				 const char *key);
const char *husk_ns_name(enum husk_ns_type type);
int husk_ns_clone_flag(enum husk_ns_type type);

/* Serialize a spec back to config.json (for `husk spec` and the front door). */
char *husk_spec_to_json(const struct husk_spec *spec, struct husk_err *err);
/* Fill @spec with husk's safe defaults (Docker's caps, masked paths, seccomp). */
int husk_spec_default(struct husk_spec *spec, struct husk_err *err);

/* strv helpers */
int husk_strv_push(struct husk_strv *sv, const char *s);
void husk_strv_free(struct husk_strv *sv);
int husk_kvv_set(struct husk_kvv *kv, const char *key, const char *value);
void husk_kvv_free(struct husk_kvv *kv);

#endif
