/* SPDX-License-Identifier: MIT */
/* The front door's flags -> struct husk_spec (see spec_flags.h). */
#include "spec_flags.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../net/net.h"

#define CPU_PERIOD 100000

int husk_parse_size(const char *s, int64_t *bytes)
{
	static const char units[] = "kmg";
	char *end;
	unsigned long long n;
	const char *u;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		for (long i = 0; i <= u - units; i++) {
			if (n > (unsigned long long)INT64_MAX / 1024)
				return -EINVAL;
			n *= 1024;
		}
		end++;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || n == 0 || n > (unsigned long long)INT64_MAX)
		return -EINVAL;
	*bytes = (int64_t)n;
	return 0;
}

/* Decimal arithmetic, so "0.3" is exactly 30000 and not 29999. */
int husk_parse_cpus(const char *s, int64_t *quota, int64_t *period)
{
	int64_t whole = 0, frac = 0, scale = CPU_PERIOD;
	const char *p = s;

	if (!isdigit((unsigned char)*p) && *p != '.')
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 1000000)
			return -EINVAL;
	}
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++) {
			if (scale == 1)
				return -EINVAL;
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	if (*p || whole * CPU_PERIOD + frac < 1000) /* the kernel's minimum */
		return -EINVAL;
	*quota = whole * CPU_PERIOD + frac;
	*period = CPU_PERIOD;
	return 0;
}

static int set_str(char **dst, const char *s, struct husk_err *err)
{
	char *copy = strdup(s);

	if (!copy)
		return husk_fail(err, ENOMEM, "spec");
	free(*dst);
	*dst = copy;
	return 0;
}

/* A relative path is taken from the current directory; it need not exist. */
static int absolute(const char *flag, const char *path, char **out,
		    struct husk_err *err)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return set_str(out, path, err);
	if (!getcwd(cwd, sizeof(cwd)))
		return husk_fail(err, errno, "%s %s: getcwd", flag, path);
	free(*out);
	if (asprintf(out, "%s/%s", cwd, path) < 0)
		return *out = NULL, husk_fail(err, ENOMEM, "%s", flag);
	return 0;
}

static int apply_rootfs(const struct husk_spec_flags *f, struct husk_spec *s,
			struct husk_err *err)
{
	char real[PATH_MAX];
	struct stat st;

	if (!f->rootfs || !*f->rootfs)
		return husk_fail(err, 0, "--rootfs DIR: required");
	if (!realpath(f->rootfs, real) || stat(real, &st) < 0)
		return husk_fail(err, errno, "--rootfs %s", f->rootfs);
	if (!S_ISDIR(st.st_mode))
		return husk_fail(err, ENOTDIR, "--rootfs %s", f->rootfs);
	if (set_str(&s->root_path, real, err) < 0)
		return err->code;
	s->root_readonly = false;
	if (!f->overlay && !f->overlay_upper)
		return 0;
	/* The overlay is mounted on the rootfs itself, in the container's
	 * mount namespace only: the host keeps seeing the plain directory. */
	if (husk_strv_push(&s->overlay.lowers, real) < 0)
		return husk_fail(err, ENOMEM, "--overlay");
	if (f->overlay_upper)
		return absolute("--overlay-upper", f->overlay_upper,
				&s->overlay.upper, err);
	return 0;
}

static int apply_resources(const struct husk_spec_flags *f,
			   struct husk_spec *s, struct husk_err *err)
{
	struct husk_resources *r = &s->resources;
	char *end;

	if (f->memory && husk_parse_size(f->memory, &r->mem_limit) < 0)
		return husk_fail(err, 0, "--memory \"%s\": want a size like "
				 "64m, 512k or 1g", f->memory);
	if (f->cpus &&
	    husk_parse_cpus(f->cpus, &r->cpu_quota, &r->cpu_period) < 0)
		return husk_fail(err, 0, "--cpus \"%s\": want a number of "
				 "CPUs like 0.5 (at least 0.01)", f->cpus);
	if (f->pids) {
		errno = 0;
		r->pids_limit = strtoll(f->pids, &end, 10);
		if (errno || !*f->pids || *end || r->pids_limit <= 0)
			return husk_fail(err, 0, "--pids \"%s\": want a "
					 "positive number", f->pids);
	}
	if (f->memory || f->cpus || f->pids)
		s->has_resources = true;
	return 0;
}

/* Replace K's value if the default env has it, else append. */
static int apply_env(const struct husk_strv *env, struct husk_process *p,
		     struct husk_err *err)
{
	for (size_t i = 0; i < env->n; i++) {
		const char *kv = env->v[i], *eq = strchr(kv, '=');
		size_t klen = eq ? (size_t)(eq - kv) : 0;
		size_t j;

		if (!eq || klen == 0)
			return husk_fail(err, 0, "--env \"%s\": want K=V", kv);
		for (j = 0; j < p->env.n; j++)
			if (!strncmp(p->env.v[j], kv, klen + 1))
				break;
		if (j < p->env.n) {
			if (set_str(&p->env.v[j], kv, err) < 0)
				return err->code;
		} else if (husk_strv_push(&p->env, kv) < 0) {
			return husk_fail(err, ENOMEM, "--env");
		}
	}
	return 0;
}

static int add_volume(struct husk_spec *s, const char *src, const char *dst,
		      bool ro, struct husk_err *err)
{
	struct husk_mount *v = realloc(s->mounts, (s->n_mounts + 1) * sizeof(*v));
	struct husk_mount *m;

	if (!v)
		return husk_fail(err, ENOMEM, "--volume");
	s->mounts = v;
	m = &v[s->n_mounts];
	*m = (struct husk_mount){ .bind = true, .recursive = true,
				  .flags = ro ? MS_RDONLY : 0,
				  .clear_flags = ro ? 0 : MS_RDONLY };
	m->destination = strdup(dst);
	m->source = strdup(src);
	m->type = strdup("bind");
	s->n_mounts++;
	if (!m->destination || !m->source || !m->type)
		return husk_fail(err, ENOMEM, "--volume");
	return 0;
}

/* "SRC:DST[:ro|rw]": SRC must exist on the host, DST is absolute.
 * Validate the shape on VOL itself, then split a copy of it. */
static int apply_volume(const char *vol, struct husk_spec *s,
			struct husk_err *err)
{
	const char *colon = strchr(vol, ':'), *mode;
	_cleanup_free_ char *copy = NULL;
	char real[PATH_MAX];

	if (!colon || colon == vol || colon[1] != '/')
		return husk_fail(err, 0, "--volume \"%s\": want "
				 "SRC:/DST[:ro]", vol);
	mode = strchr(colon + 1, ':');
	if (mode && strcmp(mode + 1, "ro") && strcmp(mode + 1, "rw"))
		return husk_fail(err, 0, "--volume \"%s\": mode \"%s\": "
				 "want ro or rw", vol, mode + 1);
	copy = strdup(vol);
	if (!copy)
		return husk_fail(err, ENOMEM, "--volume");
	copy[colon - vol] = '\0';
	if (mode)
		copy[mode - vol] = '\0';
	if (!realpath(copy, real))
		return husk_fail(err, errno, "--volume %s", copy);
	return add_volume(s, real, copy + (colon - vol) + 1,
			  mode && !strcmp(mode + 1, "ro"), err);
}

/* One /etc/passwd or /etc/group entry of the rootfs, by name or by id. */
static int lookup_id(const char *rootfs, bool group, const char *want,
		     uint32_t *id, uint32_t *gid)
{
	char path[PATH_MAX];
	_cleanup_fclose_ FILE *f = NULL;
	char *end;
	long n = strtol(want, &end, 10);
	bool numeric = *want && !*end;

	snprintf(path, sizeof(path), "%s/etc/%s", rootfs,
		 group ? "group" : "passwd");
	f = fopen(path, "re");
	while (f) {
		struct passwd *pw = group ? NULL : fgetpwent(f);
		struct group *gr = group ? fgetgrent(f) : NULL;
		const char *name = pw ? pw->pw_name : gr ? gr->gr_name : NULL;
		uint32_t this = pw ? pw->pw_uid : gr ? gr->gr_gid : 0;

		if (!name)
			break;
		if (numeric ? this == (uint32_t)n : !strcmp(name, want)) {
			*id = this;
			if (gid && pw)
				*gid = pw->pw_gid;
			return 0;
		}
	}
	if (!numeric || n < 0 || n > UINT32_MAX)
		return -ENOENT;
	*id = (uint32_t)n;
	return 0;
}

/* "U[:G]": a name or a number each; U alone takes U's group from passwd. */
static int apply_user(const char *user, const char *rootfs,
		      struct husk_process *p, struct husk_err *err)
{
	_cleanup_free_ char *u = strdup(user);
	char *g;

	if (!u)
		return husk_fail(err, ENOMEM, "--user");
	g = strchr(u, ':');
	if (g)
		*g++ = '\0';
	p->gid = 0;
	if (lookup_id(rootfs, false, u, &p->uid, &p->gid) < 0)
		return husk_fail(err, 0, "--user \"%s\": no user \"%s\" in "
				 "%s/etc/passwd", user, u, rootfs);
	if (g && lookup_id(rootfs, true, g, &p->gid, NULL) < 0)
		return husk_fail(err, 0, "--user \"%s\": no group \"%s\" in "
				 "%s/etc/group", user, g, rootfs);
	return 0;
}

static void drop_namespace(struct husk_spec *s, enum husk_ns_type type)
{
	size_t j = 0;

	for (size_t i = 0; i < s->n_namespaces; i++)
		if (s->namespaces[i].type != type)
			s->namespaces[j++] = s->namespaces[i];
	s->n_namespaces = j;
}

static int apply_net(const struct husk_spec_flags *f, struct husk_spec *s,
		     struct husk_err *err)
{
	const char *net = f->net ? f->net : HUSK_NET_DEFAULT;

	if (!*net)
		return husk_fail(err, 0, "--net \"\": want a network name, "
				 "none or host");
	if (set_str(&s->net.network, net, err) < 0)
		return err->code;
	if (!strcmp(net, "host"))
		drop_namespace(s, HUSK_NS_NET);
	if (f->publish.n && (!strcmp(net, "host") || !strcmp(net, "none")))
		return husk_fail(err, 0, "--publish needs a network, not "
				 "--net %s", net);
	for (size_t i = 0; i < f->publish.n; i++) {
		struct husk_port port;

		if (husk_port_parse(f->publish.v[i], &port, err) < 0)
			return husk_err_prefix(err, "--publish");
		if (husk_strv_push(&s->net.publish, f->publish.v[i]) < 0)
			return husk_fail(err, ENOMEM, "--publish");
	}
	return 0;
}

static int apply_process(const struct husk_spec_flags *f, struct husk_spec *s,
			 struct husk_err *err)
{
	struct husk_process *p = &s->process;

	p->terminal = f->tty;
	if (f->hostname && set_str(&s->hostname, f->hostname, err) < 0)
		return err->code;
	if (f->workdir && f->workdir[0] != '/')
		return husk_fail(err, 0, "--workdir \"%s\": not an absolute "
				 "path", f->workdir);
	if (f->workdir && set_str(&p->cwd, f->workdir, err) < 0)
		return err->code;
	if (f->user && apply_user(f->user, s->root_path, p, err) < 0)
		return err->code;
	if (apply_env(&f->env, p, err) < 0)
		return err->code;
	if (f->n_args == 0)
		return 0;
	husk_strv_free(&p->args);
	for (size_t i = 0; i < f->n_args; i++)
		if (husk_strv_push(&p->args, f->args[i]) < 0)
			return husk_fail(err, ENOMEM, "command");
	return 0;
}

int husk_spec_from_flags(const struct husk_spec_flags *f,
			 struct husk_spec *spec, struct husk_err *err)
{
	if (husk_spec_default(spec, err) < 0 ||
	    apply_rootfs(f, spec, err) < 0 ||
	    apply_resources(f, spec, err) < 0 ||
	    apply_process(f, spec, err) < 0 || apply_net(f, spec, err) < 0)
		return err->code;
	for (size_t i = 0; i < f->volumes.n; i++)
		if (apply_volume(f->volumes.v[i], spec, err) < 0)
			return err->code;
	return 0;
}

void husk_spec_flags_free(struct husk_spec_flags *f)
{
	husk_strv_free(&f->env);
	husk_strv_free(&f->volumes);
	husk_strv_free(&f->publish);
}
