/* SPDX-License-Identifier: MIT */
/*
 * config.json -> struct husk_spec.  Every field husk uses is validated here,
 * once, so the rest of the runtime can trust the typed struct.  Unknown
 * fields are ignored, as the OCI runtime-spec asks.
 */
#include "spec_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static int nomem(struct jctx *c)
{
	return husk_fail(c->err, ENOMEM, "%s", c->doc);
}

/* ---- process ---- */

static int parse_console(struct jctx *c, json_t *obj, struct husk_process *p)
{
	json_t *cs = NULL;
	uint32_t h = 0, w = 0;
	size_t mark;
	int r = jget_obj(c, obj, "consoleSize", false, &cs);

	if (r < 0 || !cs)
		return r;
	mark = jpush(c, "consoleSize");
	r = jget_u32(c, cs, "height", true, &h);
	if (r == 0)
		r = jget_u32(c, cs, "width", true, &w);
	jpop(c, mark);
	p->console_height = h;
	p->console_width = w;
	return r;
}

static int parse_user(struct jctx *c, json_t *obj, struct husk_process *p)
{
	json_t *u = NULL, *gids = NULL, *e;
	size_t mark, i;
	int r = jget_obj(c, obj, "user", false, &u);

	if (r < 0 || !u)
		return r;
	mark = jpush(c, "user");
	if ((r = jget_u32(c, u, "uid", false, &p->uid)) < 0 ||
	    (r = jget_u32(c, u, "gid", false, &p->gid)) < 0 ||
	    (r = jget_i64(c, u, "umask", false, 0, 07777, &p->umask)) < 0 ||
	    (r = jget_arr(c, u, "additionalGids", false, &gids)) < 0)
		goto out;
	if (gids) {
		p->additional_gids = calloc(json_array_size(gids) + 1,
					    sizeof(gid_t));
		if (!p->additional_gids) {
			r = nomem(c);
			goto out;
		}
		json_array_foreach(gids, i, e) {
			json_int_t g = json_integer_value(e);

			if (!json_is_integer(e) || g < 0 || g > UINT32_MAX) {
				r = jfail_at(c, "additionalGids",
					     "expected array of gids");
				goto out;
			}
			p->additional_gids[p->n_additional_gids++] = (gid_t)g;
		}
	}
out:
	jpop(c, mark);
	return r;
}

static int parse_cap_set(struct jctx *c, json_t *caps, const char *key,
			 uint64_t *mask)
{
	struct husk_strv names = { 0 };
	int r = jget_strv(c, caps, key, &names);

	for (size_t i = 0; r == 0 && i < names.n; i++) {
		int cap;

		if (husk_cap_from_name(names.v[i], &cap) < 0)
			r = jfail_at(c, key, "unknown capability \"%s\"",
				     names.v[i]);
		else
			*mask |= 1ULL << cap;
	}
	husk_strv_free(&names);
	return r;
}

static int parse_caps(struct jctx *c, json_t *obj, struct husk_caps *caps)
{
	json_t *o = NULL;
	size_t mark;
	int r = jget_obj(c, obj, "capabilities", false, &o);

	if (r < 0 || !o)
		return r;
	caps->set = true;
	mark = jpush(c, "capabilities");
	if ((r = parse_cap_set(c, o, "bounding", &caps->bounding)) == 0 &&
	    (r = parse_cap_set(c, o, "effective", &caps->effective)) == 0 &&
	    (r = parse_cap_set(c, o, "inheritable", &caps->inheritable)) == 0 &&
	    (r = parse_cap_set(c, o, "permitted", &caps->permitted)) == 0)
		r = parse_cap_set(c, o, "ambient", &caps->ambient);
	jpop(c, mark);
	return r;
}

static int parse_rlimit(struct jctx *c, json_t *o, void *elem)
{
	struct husk_rlimit *rl = elem;
	char *type = NULL;
	unsigned long res;
	int r = jget_str(c, o, "type", true, &type);

	if (r == 0 && !husk_name_lookup(husk_rlimit_names, type, &res))
		r = jfail_at(c, "type", "unknown rlimit \"%s\"", type);
	if (r == 0)
		rl->resource = (int)res;
	if (r == 0)
		r = jget_u64(c, o, "soft", true, &rl->soft);
	if (r == 0)
		r = jget_u64(c, o, "hard", true, &rl->hard);
	if (r == 0 && rl->soft > rl->hard)
		r = jfail(c, "soft limit exceeds hard limit");
	free(type);
	return r;
}

static int parse_args_cwd(struct jctx *c, json_t *obj, struct husk_process *p)
{
	int r;

	if (!json_object_get(obj, "args") ||
	    json_is_null(json_object_get(obj, "args")))
		return jfail_at(c, "args", "required");
	r = jget_strv(c, obj, "args", &p->args);
	if (r == 0 && p->args.n == 0)
		r = jfail_at(c, "args", "must not be empty");
	if (r == 0)
		r = jget_str(c, obj, "cwd", true, &p->cwd);
	if (r == 0 && p->cwd[0] != '/')
		r = jfail_at(c, "cwd", "must be an absolute path");
	return r;
}

/* @obj is the Process object at the current path. */
int husk_parse_process(struct jctx *c, json_t *obj, struct husk_process *p)
{
	int r = jexpect_obj(c, obj);

	if (r == 0)
		r = jget_bool(c, obj, "terminal", &p->terminal);
	if (r == 0)
		r = parse_console(c, obj, p);
	if (r == 0)
		r = parse_user(c, obj, p);
	if (r == 0)
		r = parse_args_cwd(c, obj, p);
	if (r == 0)
		r = jget_strv(c, obj, "env", &p->env);
	if (r == 0)
		r = parse_caps(c, obj, &p->caps);
	if (r == 0)
		r = jeach(c, obj, "rlimits", &p->rlimits, &p->n_rlimits,
			  sizeof(*p->rlimits), parse_rlimit);
	if (r == 0)
		r = jget_bool(c, obj, "noNewPrivileges", &p->no_new_privileges);
	if (r == 0)
		r = jget_i64(c, obj, "oomScoreAdj", false, -1000, 1000,
			     &p->oom_score_adj);
	if (r == 0)
		r = jget_str(c, obj, "apparmorProfile", false,
			     &p->apparmor_profile);
	if (r == 0)
		r = jget_str(c, obj, "selinuxLabel", false, &p->selinux_label);
	return r;
}

/* ---- mounts ---- */

static int parse_mount(struct jctx *c, json_t *o, void *elem)
{
	struct husk_mount *m = elem;
	struct husk_strv opts = { 0 };
	int r = jget_str(c, o, "destination", true, &m->destination);

	if (r == 0 && m->destination[0] != '/')
		r = jfail_at(c, "destination", "must be an absolute path");
	if (r == 0)
		r = jget_str(c, o, "type", false, &m->type);
	if (r == 0)
		r = jget_str(c, o, "source", false, &m->source);
	if (r == 0)
		r = jget_strv(c, o, "options", &opts);
	for (size_t i = 0; r == 0 && i < opts.n; i++) {
		if (husk_mount_apply_opt(m, opts.v[i]) < 0)
			r = nomem(c);
	}
	if (r == 0 && m->type && strcmp(m->type, "bind") == 0)
		m->bind = true;
	husk_strv_free(&opts);
	return r;
}

/* ---- linux ---- */

static int parse_namespace(struct jctx *c, json_t *o, struct husk_spec *spec)
{
	struct husk_namespace *ns = &spec->namespaces[spec->n_namespaces];
	char *type = NULL;
	int t, r = jexpect_obj(c, o);

	if (r == 0)
		r = jget_str(c, o, "type", true, &type);
	for (t = 0; r == 0 && t < HUSK_NS_COUNT; t++) {
		if (strcmp(type, husk_ns_name(t)) == 0)
			break;
	}
	if (r == 0 && t == HUSK_NS_COUNT)
		r = jfail_at(c, "type", "unknown namespace type \"%s\"", type);
	if (r == 0 && husk_spec_ns(spec, t))
		r = jfail_at(c, "type", "duplicate namespace type \"%s\"",
			     type);
	free(type);
	if (r < 0)
		return r;
	ns->type = t;
	spec->n_namespaces++;
	r = jget_str(c, o, "path", false, &ns->path);
	if (r == 0 && ns->path && ns->path[0] != '/')
		r = jfail_at(c, "path", "must be an absolute path");
	return r;
}

static int parse_namespaces(struct jctx *c, json_t *lx, struct husk_spec *spec)
{
	json_t *a = NULL, *e;
	size_t i, mark;
	int r = jget_arr(c, lx, "namespaces", false, &a);

	if (r < 0 || !a)
		return r;
	json_array_foreach(a, i, e) {
		mark = jpush(c, "namespaces");
		jpush_idx(c, i);
		/* More entries than types means a duplicate: caught above. */
		r = parse_namespace(c, e, spec);
		jpop(c, mark);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_idmap(struct jctx *c, json_t *o, void *elem)
{
	struct husk_idmap *m = elem;
	int r = jget_u32(c, o, "containerID", true, &m->container_id);

	if (r == 0)
		r = jget_u32(c, o, "hostID", true, &m->host_id);
	if (r == 0)
		r = jget_u32(c, o, "size", true, &m->size);
	return r;
}

static int parse_device(struct jctx *c, json_t *o, void *elem)
{
	struct husk_device *d = elem;
	char *type = NULL;
	bool needs_numbers;
	int r;

	d->major = d->minor = HUSK_UNSET;
	d->file_mode = d->uid = d->gid = HUSK_UNSET;
	r = jget_str(c, o, "path", true, &d->path);
	if (r == 0 && d->path[0] != '/')
		r = jfail_at(c, "path", "must be an absolute path");
	if (r == 0)
		r = jget_str(c, o, "type", true, &type);
	if (r == 0 && (strlen(type) != 1 || !strchr("cbup", type[0])))
		r = jfail_at(c, "type", "unknown device type \"%s\"", type);
	if (r == 0)
		d->type = type[0];
	free(type);
	needs_numbers = r == 0 && d->type != 'p';
	if (r == 0)
		r = jget_i64(c, o, "major", needs_numbers, 0, UINT32_MAX,
			     &d->major);
	if (r == 0)
		r = jget_i64(c, o, "minor", needs_numbers, 0, UINT32_MAX,
			     &d->minor);
	if (r == 0)
		r = jget_i64(c, o, "fileMode", false, 0, 07777, &d->file_mode);
	if (r == 0)
		r = jget_i64(c, o, "uid", false, 0, UINT32_MAX, &d->uid);
	if (r == 0)
		r = jget_i64(c, o, "gid", false, 0, UINT32_MAX, &d->gid);
	return r;
}

static int parse_propagation(struct jctx *c, json_t *lx, unsigned long *out)
{
	char *s = NULL;
	int r = jget_str(c, lx, "rootfsPropagation", false, &s);

	if (r == 0 && s && !husk_name_lookup(husk_propagation_names, s, out))
		r = jfail_at(c, "rootfsPropagation",
			     "unknown propagation \"%s\"", s);
	free(s);
	return r;
}

static int parse_linux_resources(struct jctx *c, json_t *lx,
				 struct husk_spec *spec)
{
	json_t *o = NULL;
	size_t mark;
	int r = jget_obj(c, lx, "resources", false, &o);

	if (r < 0 || !o)
		return r;
	spec->has_resources = true;
	mark = jpush(c, "resources");
	r = husk_parse_resources(c, o, &spec->resources);
	jpop(c, mark);
	return r;
}

static int parse_linux_seccomp(struct jctx *c, json_t *lx,
			       struct husk_spec *spec)
{
	json_t *o = NULL;
	size_t mark;
	int r = jget_obj(c, lx, "seccomp", false, &o);

	if (r < 0 || !o)
		return r;
	spec->seccomp = calloc(1, sizeof(*spec->seccomp));
	if (!spec->seccomp)
		return nomem(c);
	mark = jpush(c, "seccomp");
	r = husk_parse_seccomp(c, o, spec->seccomp);
	jpop(c, mark);
	return r;
}

static int parse_linux(struct jctx *c, json_t *root, struct husk_spec *spec)
{
	json_t *lx = NULL;
	size_t mark;
	int r = jget_obj(c, root, "linux", false, &lx);

	if (r < 0 || !lx)
		return r;
	mark = jpush(c, "linux");
	if ((r = parse_namespaces(c, lx, spec)) < 0 ||
	    (r = jeach(c, lx, "uidMappings", &spec->uid_mappings,
		       &spec->n_uid_mappings, sizeof(*spec->uid_mappings),
		       parse_idmap)) < 0 ||
	    (r = jeach(c, lx, "gidMappings", &spec->gid_mappings,
		       &spec->n_gid_mappings, sizeof(*spec->gid_mappings),
		       parse_idmap)) < 0 ||
	    (r = jeach(c, lx, "devices", &spec->devices, &spec->n_devices,
		       sizeof(*spec->devices), parse_device)) < 0 ||
	    (r = jget_str(c, lx, "cgroupsPath", false,
			  &spec->cgroups_path)) < 0 ||
	    (r = parse_linux_resources(c, lx, spec)) < 0 ||
	    (r = jget_kvv(c, lx, "sysctl", &spec->sysctl)) < 0 ||
	    (r = parse_linux_seccomp(c, lx, spec)) < 0 ||
	    (r = parse_propagation(c, lx, &spec->rootfs_propagation)) < 0 ||
	    (r = jget_strv(c, lx, "maskedPaths", &spec->masked_paths)) < 0 ||
	    (r = jget_strv(c, lx, "readonlyPaths", &spec->readonly_paths)) < 0)
		goto out;
	r = jget_str(c, lx, "mountLabel", false, &spec->mount_label);
out:
	jpop(c, mark);
	return r;
}

/* ---- root, annotations, top level ---- */

static int parse_root(struct jctx *c, json_t *root, struct husk_spec *spec)
{
	json_t *o = NULL;
	char *path = NULL;
	size_t mark;
	int r = jget_obj(c, root, "root", false, &o);

	if (r < 0 || !o)
		return r;
	mark = jpush(c, "root");
	r = jget_str(c, o, "path", true, &path);
	if (r == 0 && !path[0])
		r = jfail_at(c, "path", "must not be empty");
	if (r == 0)
		r = jget_bool(c, o, "readonly", &spec->root_readonly);
	jpop(c, mark);
	if (r == 0 && path[0] != '/' && spec->bundle) {
		if (asprintf(&spec->root_path, "%s/%s", spec->bundle, path) < 0)
			spec->root_path = NULL, r = nomem(c);
	} else if (r == 0) {
		spec->root_path = husk_steal_ptr(path);
	}
	free(path);
	return r;
}

/* Split @s at @sep into @sv, skipping empty pieces. */
static int split_into(struct husk_strv *sv, const char *s, char sep)
{
	while (*s) {
		const char *end = strchrnul(s, sep);

		if (end > s) {
			char *piece = strndup(s, (size_t)(end - s));
			int r = piece ? husk_strv_push(sv, piece) : -ENOMEM;

			free(piece);
			if (r < 0)
				return r;
		}
		s = *end ? end + 1 : end;
	}
	return 0;
}

/*
 * husk.network=host means the host's network: no network namespace.  It
 * is dropped here, so every consumer (clone flags, sysctl checks, exec)
 * agrees on it.
 */
static int drop_net_namespace(struct jctx *c, struct husk_spec *spec)
{
	struct husk_namespace *ns =
	    (struct husk_namespace *)husk_spec_ns(spec, HUSK_NS_NET);
	size_t i;

	if (!ns)
		return 0;
	if (ns->path)
		return jfail(c, "annotations.%s=host: linux.namespaces joins "
				"network namespace %s instead",
			     HUSK_ANN_NETWORK, ns->path);
	i = (size_t)(ns - spec->namespaces);
	memmove(ns, ns + 1, (spec->n_namespaces - i - 1) * sizeof(*ns));
	spec->n_namespaces--;
	return 0;
}

static int parse_husk_annotations(struct jctx *c, struct husk_spec *spec)
{
	const char *lower = husk_spec_annotation(spec, HUSK_ANN_OVERLAY_LOWER);
	const char *upper = husk_spec_annotation(spec, HUSK_ANN_OVERLAY_UPPER);
	const char *ro = husk_spec_annotation(spec, HUSK_ANN_OVERLAY_READONLY);
	const char *net = husk_spec_annotation(spec, HUSK_ANN_NETWORK);
	const char *pub = husk_spec_annotation(spec, HUSK_ANN_PUBLISH);
	int r;

	if (ro && strcmp(ro, "true") != 0 && strcmp(ro, "false") != 0)
		return jfail(c, "annotations.%s: expected \"true\" or \"false\"",
			     HUSK_ANN_OVERLAY_READONLY);
	spec->overlay.readonly = ro && strcmp(ro, "true") == 0;
	if (lower && split_into(&spec->overlay.lowers, lower, ':') < 0)
		return nomem(c);
	if (upper && !(spec->overlay.upper = strdup(upper)))
		return nomem(c);
	r = net && !strcmp(net, "host") ? drop_net_namespace(c, spec) : 0;
	if (r < 0)
		return r;
	if (net && !(spec->net.network = strdup(net)))
		return nomem(c);
	if (pub && split_into(&spec->net.publish, pub, ',') < 0)
		return nomem(c);
	return 0;
}

static int parse_top(struct jctx *c, json_t *root, struct husk_spec *spec)
{
	json_t *proc = NULL;
	size_t mark;
	int r;

	if ((r = jget_str(c, root, "ociVersion", true, &spec->oci_version)) ||
	    (r = parse_root(c, root, spec)) ||
	    (r = jget_obj(c, root, "process", false, &proc)))
		return r;
	if (proc) {
		mark = jpush(c, "process");
		r = husk_parse_process(c, proc, &spec->process);
		jpop(c, mark);
		if (r < 0)
			return r;
	}
	if ((r = jget_str(c, root, "hostname", false, &spec->hostname)) ||
	    (r = jget_str(c, root, "domainname", false, &spec->domainname)) ||
	    (r = jeach(c, root, "mounts", &spec->mounts, &spec->n_mounts,
		       sizeof(*spec->mounts), parse_mount)) ||
	    (r = husk_parse_hooks(c, root, &spec->hooks)) ||
	    (r = jget_kvv(c, root, "annotations", &spec->annotations)) ||
	    (r = parse_linux(c, root, spec)))
		return r;
	return parse_husk_annotations(c, spec);
}

int husk_spec_parse(const char *json, size_t len, const char *bundle,
		    struct husk_spec *spec, struct husk_err *err)
{
	struct jctx c;
	json_t *root;
	int r;

	husk_spec_init(spec);
	jctx_init(&c, "config.json", err);
	if (bundle) {
		spec->bundle = strdup(bundle);
		if (!spec->bundle)
			return nomem(&c);
	}
	r = jload(&c, json, len, &root);
	if (r < 0) {
		husk_spec_free(spec);
		return r;
	}
	r = parse_top(&c, root, spec);
	json_decref(root);
	if (r < 0)
		husk_spec_free(spec);
	return r;
}

static int read_file(const char *path, char **out, size_t *len,
		     struct husk_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, n = 0;

	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 16384);

			if (!nb)
				return husk_fail(err, ENOMEM, "read %s", path);
			buf = nb;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return husk_fail(err, errno, "read %s", path);
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*out = husk_steal_ptr(buf);
	*len = n;
	return 0;
}

int husk_spec_load(const char *bundle, struct husk_spec *spec,
		   struct husk_err *err)
{
	_cleanup_free_ char *path = NULL, *json = NULL;
	size_t len = 0;
	int r;

	husk_spec_init(spec);
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return husk_fail(err, ENOMEM, "load spec");
	r = read_file(path, &json, &len, err);
	if (r < 0)
		return r;
	return husk_spec_parse(json, len, bundle, spec, err);
}

/* ---- standalone documents ---- */

int husk_process_parse(const char *json, size_t len,
		       struct husk_process *proc, struct husk_err *err)
{
	struct jctx c;
	json_t *root;
	int r;

	husk_process_init(proc);
	jctx_init(&c, "process", err);
	r = jload(&c, json, len, &root);
	if (r < 0)
		return r;
	r = husk_parse_process(&c, root, proc);
	json_decref(root);
	if (r < 0)
		husk_process_free(proc);
	return r;
}

int husk_resources_parse(const char *json, size_t len,
			 struct husk_resources *res, struct husk_err *err)
{
	struct jctx c;
	json_t *root;
	int r;

	husk_resources_init(res);
	jctx_init(&c, "resources", err);
	r = jload(&c, json, len, &root);
	if (r < 0)
		return r;
	r = husk_parse_resources(&c, root, res);
	json_decref(root);
	if (r < 0)
		husk_resources_free(res);
	return r;
}
