/* SPDX-License-Identifier: MIT */
/*
 * Spec helpers that do not touch JSON: string vectors, name tables shared
 * by the parser and the serializer, init/free, and lookups.
 */
#include "spec_priv.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>

void *husk_array_grow(void *arr, size_t *n, size_t elem)
{
	char *p = realloc(arr, (*n + 1) * elem);

	if (!p)
		return NULL;
	memset(p + *n * elem, 0, elem);
	(*n)++;
	return p;
}

int husk_strv_push(struct husk_strv *sv, const char *s)
{
	char **v = realloc(sv->v, (sv->n + 2) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	sv->v = v;
	v[sv->n] = strdup(s);
	if (!v[sv->n]) {
		v[sv->n] = NULL;
		return -ENOMEM;
	}
	v[++sv->n] = NULL;
	return 0;
}

void husk_strv_free(struct husk_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* Replace the value of an existing key, else append. */
int husk_kvv_set(struct husk_kvv *kv, const char *key, const char *value)
{
	char *val = strdup(value), *k;
	struct husk_kv *v;

	if (!val)
		return -ENOMEM;
	for (size_t i = 0; i < kv->n; i++) {
		if (strcmp(kv->v[i].key, key) == 0) {
			free(kv->v[i].value);
			kv->v[i].value = val;
			return 0;
		}
	}
	k = strdup(key);
	v = k ? realloc(kv->v, (kv->n + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(k);
		free(val);
		return -ENOMEM;
	}
	kv->v = v;
	v[kv->n].key = k;
	v[kv->n].value = val;
	kv->n++;
	return 0;
}

void husk_kvv_free(struct husk_kvv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].value);
	}
	free(kv->v);
	kv->v = NULL;
	kv->n = 0;
}

/* ---- name tables ---- */

const struct husk_name_val husk_rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ NULL, 0 },
};

const struct husk_name_val husk_propagation_names[] = {
	{ "rprivate", MS_REC | MS_PRIVATE },
	{ "private", MS_PRIVATE },
	{ "rslave", MS_REC | MS_SLAVE },
	{ "slave", MS_SLAVE },
	{ "rshared", MS_REC | MS_SHARED },
	{ "shared", MS_SHARED },
	{ "runbindable", MS_REC | MS_UNBINDABLE },
	{ "unbindable", MS_UNBINDABLE },
	{ NULL, 0 },
};

/* Values without the errno/trace data part (see struct husk_seccomp_rule). */
const struct husk_name_val husk_seccomp_action_names[] = {
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
	{ NULL, 0 },
};

const struct husk_name_val husk_seccomp_op_names[] = {
	{ "SCMP_CMP_NE", HUSK_SCMP_NE },
	{ "SCMP_CMP_LT", HUSK_SCMP_LT },
	{ "SCMP_CMP_LE", HUSK_SCMP_LE },
	{ "SCMP_CMP_EQ", HUSK_SCMP_EQ },
	{ "SCMP_CMP_GE", HUSK_SCMP_GE },
	{ "SCMP_CMP_GT", HUSK_SCMP_GT },
	{ "SCMP_CMP_MASKED_EQ", HUSK_SCMP_MASKED_EQ },
	{ NULL, 0 },
};

bool husk_name_lookup(const struct husk_name_val *t, const char *name,
		      unsigned long *val)
{
	for (; t->name; t++) {
		if (strcmp(t->name, name) == 0) {
			*val = t->val;
			return true;
		}
	}
	return false;
}

const char *husk_name_of(const struct husk_name_val *t, unsigned long val)
{
	for (; t->name; t++) {
		if (t->val == val)
			return t->name;
	}
	return NULL;
}

/*
 * Mount options as runc and crun understand them.  Propagation options go
 * to m->propagation, bind/rbind to m->bind/m->recursive; everything not
 * listed here is filesystem data.
 */
const struct husk_mount_opt husk_mount_opts[] = {
	{ "ro", MS_RDONLY, 0, 0, false, false },
	{ "rw", 0, MS_RDONLY, 0, false, false },
	{ "nosuid", MS_NOSUID, 0, 0, false, false },
	{ "suid", 0, MS_NOSUID, 0, false, false },
	{ "nodev", MS_NODEV, 0, 0, false, false },
	{ "dev", 0, MS_NODEV, 0, false, false },
	{ "noexec", MS_NOEXEC, 0, 0, false, false },
	{ "exec", 0, MS_NOEXEC, 0, false, false },
	{ "sync", MS_SYNCHRONOUS, 0, 0, false, false },
	{ "async", 0, MS_SYNCHRONOUS, 0, false, false },
	{ "dirsync", MS_DIRSYNC, 0, 0, false, false },
	{ "remount", MS_REMOUNT, 0, 0, false, false },
	{ "mand", MS_MANDLOCK, 0, 0, false, false },
	{ "nomand", 0, MS_MANDLOCK, 0, false, false },
	{ "atime", 0, MS_NOATIME, 0, false, false },
	{ "noatime", MS_NOATIME, 0, 0, false, false },
	{ "diratime", 0, MS_NODIRATIME, 0, false, false },
	{ "nodiratime", MS_NODIRATIME, 0, 0, false, false },
	{ "relatime", MS_RELATIME, 0, 0, false, false },
	{ "norelatime", 0, MS_RELATIME, 0, false, false },
	{ "strictatime", MS_STRICTATIME, 0, 0, false, false },
	{ "nostrictatime", 0, MS_STRICTATIME, 0, false, false },
	{ "bind", 0, 0, 0, true, false },
	{ "rbind", 0, 0, 0, true, true },
	{ "private", 0, 0, MS_PRIVATE, false, false },
	{ "rprivate", 0, 0, MS_REC | MS_PRIVATE, false, false },
	{ "shared", 0, 0, MS_SHARED, false, false },
	{ "rshared", 0, 0, MS_REC | MS_SHARED, false, false },
	{ "slave", 0, 0, MS_SLAVE, false, false },
	{ "rslave", 0, 0, MS_REC | MS_SLAVE, false, false },
	{ "unbindable", 0, 0, MS_UNBINDABLE, false, false },
	{ "runbindable", 0, 0, MS_REC | MS_UNBINDABLE, false, false },
	{ NULL, 0, 0, 0, false, false },
};

static int mount_append_data(struct husk_mount *m, const char *opt)
{
	size_t old = m->data ? strlen(m->data) : 0;
	char *d = realloc(m->data, old + strlen(opt) + 2);

	if (!d)
		return -ENOMEM;
	if (old)
		d[old++] = ',';
	strcpy(d + old, opt);
	m->data = d;
	return 0;
}

/* Later options win over earlier ones, as with mount(8). */
int husk_mount_apply_opt(struct husk_mount *m, const char *opt)
{
	for (const struct husk_mount_opt *o = husk_mount_opts; o->name; o++) {
		if (strcmp(o->name, opt) != 0)
			continue;
		m->flags = (m->flags & ~o->clear) | o->set;
		m->clear_flags = (m->clear_flags & ~o->set) | o->clear;
		m->propagation |= o->propagation;
		m->bind |= o->bind;
		m->recursive |= o->recursive;
		return 0;
	}
	return mount_append_data(m, opt);
}

/* ---- capabilities ---- */

int husk_cap_from_name(const char *name, int *cap)
{
	char buf[64];
	cap_value_t v;
	const char *p = name;

	if (strncasecmp(p, "CAP_", 4) != 0) {
		snprintf(buf, sizeof(buf), "CAP_%s", name);
		p = buf;
	}
	/* libcap also takes numbers; a spec must name capabilities. */
	if (!isalpha((unsigned char)p[4]))
		return -EINVAL;
	if (cap_from_name(p, &v) < 0 || v < 0 || v > 63)
		return -EINVAL;
	*cap = v;
	return 0;
}

/* ---- namespaces ---- */

static const struct {
	const char *name;
	int flag;
} ns_table[HUSK_NS_COUNT] = {
	[HUSK_NS_PID] = { "pid", CLONE_NEWPID },
	[HUSK_NS_MOUNT] = { "mount", CLONE_NEWNS },
	[HUSK_NS_UTS] = { "uts", CLONE_NEWUTS },
	[HUSK_NS_IPC] = { "ipc", CLONE_NEWIPC },
	[HUSK_NS_NET] = { "network", CLONE_NEWNET },
	[HUSK_NS_USER] = { "user", CLONE_NEWUSER },
	[HUSK_NS_CGROUP] = { "cgroup", CLONE_NEWCGROUP },
	[HUSK_NS_TIME] = { "time", 0x80 /* CLONE_NEWTIME */ },
};

const char *husk_ns_name(enum husk_ns_type type)
{
	return (unsigned)type < HUSK_NS_COUNT ? ns_table[type].name : NULL;
}

int husk_ns_clone_flag(enum husk_ns_type type)
{
	return (unsigned)type < HUSK_NS_COUNT ? ns_table[type].flag : 0;
}

const struct husk_namespace *husk_spec_ns(const struct husk_spec *spec,
					  enum husk_ns_type type)
{
	for (size_t i = 0; i < spec->n_namespaces; i++) {
		if (spec->namespaces[i].type == type)
			return &spec->namespaces[i];
	}
	return NULL;
}

const char *husk_spec_annotation(const struct husk_spec *spec,
				 const char *key)
{
	for (size_t i = 0; i < spec->annotations.n; i++) {
		if (strcmp(spec->annotations.v[i].key, key) == 0)
			return spec->annotations.v[i].value;
	}
	return NULL;
}

/* ---- init / free ---- */

void husk_resources_init(struct husk_resources *r)
{
	memset(r, 0, sizeof(*r));
	r->mem_limit = r->mem_reservation = r->mem_swap = HUSK_UNSET;
	r->mem_swappiness = HUSK_UNSET;
	r->cpu_shares = r->cpu_quota = r->cpu_period = HUSK_UNSET;
	r->cpu_rt_runtime = r->cpu_rt_period = HUSK_UNSET;
	r->pids_limit = r->blkio_weight = HUSK_UNSET;
}

void husk_resources_free(struct husk_resources *r)
{
	free(r->cpus);
	free(r->mems);
	for (size_t i = 0; i < r->n_hugepages; i++)
		free(r->hugepages[i].page_size);
	free(r->hugepages);
	free(r->devices);
	husk_kvv_free(&r->unified);
	husk_resources_init(r);
}

void husk_process_init(struct husk_process *p)
{
	memset(p, 0, sizeof(*p));
	p->umask = HUSK_UNSET;
	p->oom_score_adj = HUSK_UNSET;
}

void husk_process_free(struct husk_process *p)
{
	free(p->additional_gids);
	husk_strv_free(&p->args);
	husk_strv_free(&p->env);
	free(p->cwd);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	husk_process_init(p);
}

void husk_seccomp_free(struct husk_seccomp *s)
{
	if (!s)
		return;
	husk_strv_free(&s->architectures);
	husk_strv_free(&s->flags);
	for (size_t i = 0; i < s->n_rules; i++) {
		husk_strv_free(&s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s);
}

void husk_hooks_free(struct husk_hooks *h)
{
	for (int k = 0; k < HUSK_HOOK_COUNT; k++) {
		for (size_t i = 0; i < h->n[k]; i++) {
			free(h->v[k][i].path);
			husk_strv_free(&h->v[k][i].args);
			husk_strv_free(&h->v[k][i].env);
		}
		free(h->v[k]);
		h->v[k] = NULL;
		h->n[k] = 0;
	}
}

void husk_spec_init(struct husk_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	husk_process_init(&spec->process);
	husk_resources_init(&spec->resources);
}

static void mounts_free(struct husk_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].destination);
		free(m[i].type);
		free(m[i].source);
		free(m[i].data);
	}
	free(m);
}

void husk_spec_free(struct husk_spec *spec)
{
	free(spec->oci_version);
	free(spec->bundle);
	free(spec->root_path);
	free(spec->hostname);
	free(spec->domainname);
	husk_process_free(&spec->process);
	mounts_free(spec->mounts, spec->n_mounts);
	husk_hooks_free(&spec->hooks);
	husk_kvv_free(&spec->annotations);
	for (size_t i = 0; i < spec->n_namespaces; i++)
		free(spec->namespaces[i].path);
	free(spec->uid_mappings);
	free(spec->gid_mappings);
	for (size_t i = 0; i < spec->n_devices; i++)
		free(spec->devices[i].path);
	free(spec->devices);
	free(spec->cgroups_path);
	husk_resources_free(&spec->resources);
	husk_kvv_free(&spec->sysctl);
	husk_seccomp_free(spec->seccomp);
	husk_strv_free(&spec->masked_paths);
	husk_strv_free(&spec->readonly_paths);
	free(spec->mount_label);
	husk_strv_free(&spec->overlay.lowers);
	free(spec->overlay.upper);
	free(spec->net.network);
	husk_strv_free(&spec->net.publish);
	husk_spec_init(spec);
}
