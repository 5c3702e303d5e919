/* SPDX-License-Identifier: MIT */
/*
 * struct husk_spec -> config.json.  The output parses back (husk_spec_parse)
 * into an equal struct; optional values that are unset are left out.
 */
#include "hooks.h"
#include "spec_priv.h"
#include "security.h"

#include <errno.h>
#include <string.h>

/*
 * Builders return NULL only on allocation failure.  jansson's *_new()
 * setters steal their argument and accept NULL (failing), so a failure
 * anywhere below surfaces as a failed set at the top.
 */
static int put(json_t *obj, const char *key, json_t *v)
{
	return json_object_set_new(obj, key, v);
}

static int put_str(json_t *obj, const char *key, const char *s)
{
	return s ? put(obj, key, json_string(s)) : 0;
}

static int put_i64(json_t *obj, const char *key, int64_t v)
{
	return v != HUSK_UNSET ? put(obj, key, json_integer(v)) : 0;
}

static json_t *strv_json(const struct husk_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sv->n; i++) {
		if (json_array_append_new(a, json_string(sv->v[i])) < 0)
			return json_decref(a), NULL;
	}
	return a;
}

static int put_strv(json_t *obj, const char *key, const struct husk_strv *sv)
{
	return sv->n ? put(obj, key, strv_json(sv)) : 0;
}

static int put_kvv(json_t *obj, const char *key, const struct husk_kvv *kv)
{
	json_t *o;

	if (!kv->n)
		return 0;
	o = json_object();
	for (size_t i = 0; o && i < kv->n; i++) {
		if (put(o, kv->v[i].key, json_string(kv->v[i].value)) < 0)
			return json_decref(o), -1;
	}
	return put(obj, key, o);
}

/* Push a new object onto array @a and return it (borrowed). */
static json_t *append_obj(json_t *a)
{
	json_t *o = json_object();

	return json_array_append_new(a, o) == 0 ? o : NULL;
}

/* ---- process ---- */

static json_t *caps_json(uint64_t mask)
{
	json_t *a = json_array();

	for (int cap = 0; a && cap < 64; cap++) {
		char name[64];

		if (!(mask & (1ULL << cap)))
			continue;
		husk_cap_string(cap, name, sizeof(name));
		if (json_array_append_new(a, json_string(name)) < 0)
			json_decref(a), a = NULL;
	}
	return a;
}

static int put_caps(json_t *p, const struct husk_caps *c)
{
	json_t *o;

	if (!c->set)
		return 0;
	o = json_object();
	if (!o || put(o, "bounding", caps_json(c->bounding)) ||
	    put(o, "effective", caps_json(c->effective)) ||
	    put(o, "inheritable", caps_json(c->inheritable)) ||
	    put(o, "permitted", caps_json(c->permitted)) ||
	    put(o, "ambient", caps_json(c->ambient)))
		return json_decref(o), -1;
	return put(p, "capabilities", o);
}

static int put_user(json_t *p, const struct husk_process *proc)
{
	json_t *u = json_object(), *gids;

	if (!u || put(u, "uid", json_integer(proc->uid)) ||
	    put(u, "gid", json_integer(proc->gid)) ||
	    put_i64(u, "umask", proc->umask))
		return json_decref(u), -1;
	if (proc->n_additional_gids) {
		gids = json_array();
		for (size_t i = 0; gids && i < proc->n_additional_gids; i++)
			json_array_append_new(
				gids, json_integer(proc->additional_gids[i]));
		if (put(u, "additionalGids", gids))
			return json_decref(u), -1;
	}
	return put(p, "user", u);
}

static int put_rlimits(json_t *p, const struct husk_process *proc)
{
	json_t *a, *o;

	if (!proc->n_rlimits)
		return 0;
	a = json_array();
	for (size_t i = 0; a && i < proc->n_rlimits; i++) {
		const struct husk_rlimit *rl = &proc->rlimits[i];

		o = append_obj(a);
		if (!o ||
		    put_str(o, "type", husk_name_of(husk_rlimit_names,
						     (unsigned long)rl->resource)) ||
		    put(o, "soft", json_integer((json_int_t)rl->soft)) ||
		    put(o, "hard", json_integer((json_int_t)rl->hard)))
			return json_decref(a), -1;
	}
	return put(p, "rlimits", a);
}

static json_t *process_json(const struct husk_process *proc)
{
	json_t *p = json_object(), *cs;

	if (!p || put(p, "terminal", json_boolean(proc->terminal)))
		goto fail;
	if (proc->console_height || proc->console_width) {
		cs = json_pack("{s:I,s:I}", "height",
			       (json_int_t)proc->console_height, "width",
			       (json_int_t)proc->console_width);
		if (put(p, "consoleSize", cs))
			goto fail;
	}
	if (put_user(p, proc) || put(p, "args", strv_json(&proc->args)) ||
	    put_strv(p, "env", &proc->env) || put_str(p, "cwd", proc->cwd) ||
	    put_caps(p, &proc->caps) || put_rlimits(p, proc) ||
	    put(p, "noNewPrivileges", json_boolean(proc->no_new_privileges)) ||
	    put_i64(p, "oomScoreAdj", proc->oom_score_adj) ||
	    put_str(p, "apparmorProfile", proc->apparmor_profile) ||
	    put_str(p, "selinuxLabel", proc->selinux_label))
		goto fail;
	return p;
fail:
	json_decref(p);
	return NULL;
}

/* ---- mounts ---- */

static int append_str(json_t *a, const char *s)
{
	return json_array_append_new(a, json_string(s));
}

/* The inverse of husk_mount_apply_opt(). */
static json_t *mount_options(const struct husk_mount *m)
{
	json_t *a = json_array();
	const char *prop = husk_name_of(husk_propagation_names, m->propagation);
	_cleanup_free_ char *data = m->data ? strdup(m->data) : NULL;
	char *save = NULL;

	if (!a || (m->data && !data))
		return json_decref(a), NULL;
	if (m->bind && append_str(a, m->recursive ? "rbind" : "bind"))
		return json_decref(a), NULL;
	for (const struct husk_mount_opt *o = husk_mount_opts; o->name; o++) {
		bool on = (o->set && (m->flags & o->set) == o->set) ||
			  (o->clear && (m->clear_flags & o->clear) == o->clear);

		if (on && append_str(a, o->name))
			return json_decref(a), NULL;
	}
	if (prop && append_str(a, prop))
		return json_decref(a), NULL;
	for (char *t = data ? strtok_r(data, ",", &save) : NULL; t;
	     t = strtok_r(NULL, ",", &save)) {
		if (append_str(a, t))
			return json_decref(a), NULL;
	}
	return a;
}

static int put_mounts(json_t *root, const struct husk_spec *spec)
{
	json_t *a, *o, *opts;

	if (!spec->n_mounts)
		return 0;
	a = json_array();
	for (size_t i = 0; a && i < spec->n_mounts; i++) {
		const struct husk_mount *m = &spec->mounts[i];

		o = append_obj(a);
		if (!o || put_str(o, "destination", m->destination) ||
		    put_str(o, "type", m->type) ||
		    put_str(o, "source", m->source))
			return json_decref(a), -1;
		opts = mount_options(m);
		if (!opts || (json_array_size(opts) == 0 ?
				      (json_decref(opts), 0) :
				      put(o, "options", opts)))
			return json_decref(a), -1;
	}
	return put(root, "mounts", a);
}

/* ---- hooks ---- */

static int put_hooks(json_t *root, const struct husk_hooks *h)
{
	json_t *hooks = json_object(), *a, *o;

	for (int k = 0; hooks && k < HUSK_HOOK_COUNT; k++) {
		if (!h->n[k])
			continue;
		a = json_array();
		if (put(hooks, husk_hook_kind_name(k), a))
			return json_decref(hooks), -1;
		for (size_t i = 0; i < h->n[k]; i++) {
			const struct husk_hook *hk = &h->v[k][i];

			o = append_obj(a);
			if (!o || put_str(o, "path", hk->path) ||
			    put_strv(o, "args", &hk->args) ||
			    put_strv(o, "env", &hk->env) ||
			    put_i64(o, "timeout", hk->timeout))
				return json_decref(hooks), -1;
		}
	}
	if (hooks && json_object_size(hooks) == 0)
		return json_decref(hooks), 0;
	return put(root, "hooks", hooks);
}

/* ---- linux ---- */

static int put_namespaces(json_t *lx, const struct husk_spec *spec)
{
	json_t *a, *o;

	if (!spec->n_namespaces)
		return 0;
	a = json_array();
	for (size_t i = 0; a && i < spec->n_namespaces; i++) {
		o = append_obj(a);
		if (!o ||
		    put_str(o, "type", husk_ns_name(spec->namespaces[i].type)) ||
		    put_str(o, "path", spec->namespaces[i].path))
			return json_decref(a), -1;
	}
	return put(lx, "namespaces", a);
}

static int put_idmaps(json_t *lx, const char *key, const struct husk_idmap *m,
		      size_t n)
{
	json_t *a;

	if (!n)
		return 0;
	a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(
			    a, json_pack("{s:I,s:I,s:I}", "containerID",
					 (json_int_t)m[i].container_id,
					 "hostID", (json_int_t)m[i].host_id,
					 "size", (json_int_t)m[i].size)))
			return json_decref(a), -1;
	}
	return put(lx, key, a);
}

static int put_devices(json_t *lx, const struct husk_spec *spec)
{
	json_t *a, *o;

	if (!spec->n_devices)
		return 0;
	a = json_array();
	for (size_t i = 0; a && i < spec->n_devices; i++) {
		const struct husk_device *d = &spec->devices[i];
		char type[2] = { d->type, '\0' };

		o = append_obj(a);
		if (!o || put_str(o, "path", d->path) ||
		    put_str(o, "type", type) || put_i64(o, "major", d->major) ||
		    put_i64(o, "minor", d->minor) ||
		    put_i64(o, "fileMode", d->file_mode) ||
		    put_i64(o, "uid", d->uid) || put_i64(o, "gid", d->gid))
			return json_decref(a), -1;
	}
	return put(lx, "devices", a);
}

/* Put the object @o under @key unless it stayed empty. */
static int put_nonempty(json_t *parent, const char *key, json_t *o)
{
	if (o && json_object_size(o) == 0)
		return json_decref(o), 0;
	return put(parent, key, o);
}

static json_t *memory_json(const struct husk_resources *r)
{
	json_t *o = json_object();

	if (!o || put_i64(o, "limit", r->mem_limit) ||
	    put_i64(o, "reservation", r->mem_reservation) ||
	    put_i64(o, "swap", r->mem_swap) ||
	    put_i64(o, "swappiness", r->mem_swappiness) ||
	    (r->disable_oom_killer &&
	     put(o, "disableOOMKiller", json_true())))
		return json_decref(o), NULL;
	return o;
}

static json_t *cpu_json(const struct husk_resources *r)
{
	json_t *o = json_object();

	if (!o || put_i64(o, "shares", r->cpu_shares) ||
	    put_i64(o, "quota", r->cpu_quota) ||
	    put_i64(o, "period", r->cpu_period) ||
	    put_i64(o, "realtimeRuntime", r->cpu_rt_runtime) ||
	    put_i64(o, "realtimePeriod", r->cpu_rt_period) ||
	    put_str(o, "cpus", r->cpus) || put_str(o, "mems", r->mems))
		return json_decref(o), NULL;
	return o;
}

static int put_dev_rules(json_t *res, const struct husk_resources *r)
{
	json_t *a, *o;

	if (!r->n_devices)
		return 0;
	a = json_array();
	for (size_t i = 0; a && i < r->n_devices; i++) {
		const struct husk_device_rule *d = &r->devices[i];
		char type[2] = { d->type, '\0' };

		o = append_obj(a);
		if (!o || put(o, "allow", json_boolean(d->allow)) ||
		    put_str(o, "type", type) ||
		    (d->major != -1 && put_i64(o, "major", d->major)) ||
		    (d->minor != -1 && put_i64(o, "minor", d->minor)) ||
		    put_str(o, "access", d->access))
			return json_decref(a), -1;
	}
	return put(res, "devices", a);
}

static json_t *resources_json(const struct husk_resources *r)
{
	json_t *o = json_object(), *a;

	if (!o || put_nonempty(o, "memory", memory_json(r)) ||
	    put_nonempty(o, "cpu", cpu_json(r)) ||
	    (r->pids_limit != HUSK_UNSET &&
	     put(o, "pids", json_pack("{s:I}", "limit",
				      (json_int_t)r->pids_limit))) ||
	    (r->blkio_weight != HUSK_UNSET &&
	     put(o, "blockIO", json_pack("{s:I}", "weight",
					 (json_int_t)r->blkio_weight))))
		return json_decref(o), NULL;
	if (r->n_hugepages) {
		a = json_array();
		for (size_t i = 0; a && i < r->n_hugepages; i++)
			json_array_append_new(
				a, json_pack("{s:s,s:I}", "pageSize",
					     r->hugepages[i].page_size, "limit",
					     (json_int_t)r->hugepages[i].limit));
		if (put(o, "hugepageLimits", a))
			return json_decref(o), NULL;
	}
	if (put_dev_rules(o, r) || put_kvv(o, "unified", &r->unified))
		return json_decref(o), NULL;
	return o;
}

static json_t *seccomp_rule_json(const struct husk_seccomp_rule *rule)
{
	json_t *o = json_object(), *args;

	if (!o || put(o, "names", strv_json(&rule->names)) ||
	    put_str(o, "action", husk_name_of(husk_seccomp_action_names,
					      rule->action)) ||
	    put_i64(o, "errnoRet", rule->errno_ret))
		return json_decref(o), NULL;
	if (!rule->n_args)
		return o;
	args = json_array();
	if (put(o, "args", args))
		return json_decref(o), NULL;
	for (size_t i = 0; i < rule->n_args; i++) {
		const struct husk_seccomp_arg *a = &rule->args[i];

		if (json_array_append_new(
			    args,
			    json_pack("{s:I,s:I,s:I,s:s}", "index",
				      (json_int_t)a->index, "value",
				      (json_int_t)a->value, "valueTwo",
				      (json_int_t)a->value_two, "op",
				      husk_name_of(husk_seccomp_op_names,
						   a->op))))
			return json_decref(o), NULL;
	}
	return o;
}

static json_t *seccomp_json(const struct husk_seccomp *s)
{
	json_t *o = json_object(), *rules;

	if (!o ||
	    put_str(o, "defaultAction", husk_name_of(husk_seccomp_action_names,
						     s->default_action)) ||
	    put_i64(o, "defaultErrnoRet", s->default_errno_ret) ||
	    put_strv(o, "architectures", &s->architectures) ||
	    put_strv(o, "flags", &s->flags))
		return json_decref(o), NULL;
	if (!s->n_rules)
		return o;
	rules = json_array();
	if (put(o, "syscalls", rules))
		return json_decref(o), NULL;
	for (size_t i = 0; i < s->n_rules; i++) {
		if (json_array_append_new(rules,
					  seccomp_rule_json(&s->rules[i])))
			return json_decref(o), NULL;
	}
	return o;
}

static int put_linux(json_t *root, const struct husk_spec *spec)
{
	json_t *lx = json_object();

	if (!lx || put_namespaces(lx, spec) ||
	    put_idmaps(lx, "uidMappings", spec->uid_mappings,
		       spec->n_uid_mappings) ||
	    put_idmaps(lx, "gidMappings", spec->gid_mappings,
		       spec->n_gid_mappings) ||
	    put_devices(lx, spec) ||
	    put_str(lx, "cgroupsPath", spec->cgroups_path) ||
	    (spec->has_resources &&
	     put(lx, "resources", resources_json(&spec->resources))) ||
	    put_kvv(lx, "sysctl", &spec->sysctl) ||
	    (spec->seccomp && put(lx, "seccomp", seccomp_json(spec->seccomp))) ||
	    put_str(lx, "rootfsPropagation",
		    husk_name_of(husk_propagation_names,
				 spec->rootfs_propagation)) ||
	    put_strv(lx, "maskedPaths", &spec->masked_paths) ||
	    put_strv(lx, "readonlyPaths", &spec->readonly_paths) ||
	    put_str(lx, "mountLabel", spec->mount_label))
		return json_decref(lx), -1;
	return put_nonempty(root, "linux", lx);
}

/* ---- root, annotations ---- */

/* Relative to the bundle when it lies inside it, so the bundle can move. */
static int put_root(json_t *root, const struct husk_spec *spec)
{
	const char *path = spec->root_path;
	size_t n = spec->bundle ? strlen(spec->bundle) : 0;

	if (!path)
		return 0;
	if (n && strncmp(path, spec->bundle, n) == 0 && path[n] == '/' &&
	    path[n + 1])
		path += n + 1;
	return put(root, "root",
		   json_pack("{s:s,s:b}", "path", path, "readonly",
			     spec->root_readonly));
}

static char *join(const struct husk_strv *sv, char sep)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) + 1;
	s = p = calloc(1, len);
	for (size_t i = 0; s && i < sv->n; i++)
		p += sprintf(p, "%s%s", i ? (char[]){ sep, '\0' } : "",
			     sv->v[i]);
	return s;
}

/* The husk.* extensions, whichever door filled them in. */
static int husk_annotations(struct husk_kvv *kv, const struct husk_spec *spec)
{
	_cleanup_free_ char *lower = NULL, *publish = NULL;

	if (spec->overlay.lowers.n) {
		lower = join(&spec->overlay.lowers, ':');
		if (!lower || husk_kvv_set(kv, HUSK_ANN_OVERLAY_LOWER, lower))
			return -1;
	}
	if (spec->overlay.upper &&
	    husk_kvv_set(kv, HUSK_ANN_OVERLAY_UPPER, spec->overlay.upper))
		return -1;
	if (spec->overlay.readonly &&
	    husk_kvv_set(kv, HUSK_ANN_OVERLAY_READONLY, "true"))
		return -1;
	if (spec->net.network &&
	    husk_kvv_set(kv, HUSK_ANN_NETWORK, spec->net.network))
		return -1;
	if (spec->net.publish.n) {
		publish = join(&spec->net.publish, ',');
		if (!publish || husk_kvv_set(kv, HUSK_ANN_PUBLISH, publish))
			return -1;
	}
	return 0;
}

static int put_annotations(json_t *root, const struct husk_spec *spec)
{
	struct husk_kvv kv = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < spec->annotations.n; i++)
		r = husk_kvv_set(&kv, spec->annotations.v[i].key,
				 spec->annotations.v[i].value);
	if (r == 0)
		r = husk_annotations(&kv, spec);
	if (r == 0)
		r = put_kvv(root, "annotations", &kv);
	husk_kvv_free(&kv);
	return r;
}

char *husk_spec_to_json(const struct husk_spec *spec, struct husk_err *err)
{
	json_t *root = json_object();
	char *out = NULL;

	if (root &&
	    !put_str(root, "ociVersion",
		     spec->oci_version ? spec->oci_version : "1.1.0") &&
	    !put_root(root, spec) &&
	    !(spec->process.args.n &&
	      put(root, "process", process_json(&spec->process))) &&
	    !put_str(root, "hostname", spec->hostname) &&
	    !put_str(root, "domainname", spec->domainname) &&
	    !put_mounts(root, spec) && !put_hooks(root, &spec->hooks) &&
	    !put_annotations(root, spec) && !put_linux(root, spec))
		out = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (!out)
		husk_fail(err, ENOMEM, "serialize spec");
	return out;
}
