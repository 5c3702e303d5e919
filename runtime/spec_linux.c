/* SPDX-License-Identifier: MIT */
/*
 * The larger spec sections: linux.resources (also `update --resources`),
 * linux.seccomp and hooks.
 */
#include "hooks.h"
#include "spec_priv.h"

#include <errno.h>
#include <string.h>

/* ---- resources ---- */

static int parse_memory(struct jctx *c, json_t *o, struct husk_resources *r)
{
	int e;

	if ((e = jget_i64(c, o, "limit", false, -1, INT64_MAX,
			  &r->mem_limit)) ||
	    (e = jget_i64(c, o, "reservation", false, -1, INT64_MAX,
			  &r->mem_reservation)) ||
	    (e = jget_i64(c, o, "swap", false, -1, INT64_MAX, &r->mem_swap)) ||
	    (e = jget_i64(c, o, "swappiness", false, 0, 100,
			  &r->mem_swappiness)))
		return e;
	return jget_bool(c, o, "disableOOMKiller", &r->disable_oom_killer);
}

static int parse_cpu(struct jctx *c, json_t *o, struct husk_resources *r)
{
	int e;

	if ((e = jget_i64(c, o, "shares", false, 0, INT64_MAX,
			  &r->cpu_shares)) ||
	    (e = jget_i64(c, o, "quota", false, -1, INT64_MAX,
			  &r->cpu_quota)) ||
	    (e = jget_i64(c, o, "period", false, 0, INT64_MAX,
			  &r->cpu_period)) ||
	    (e = jget_i64(c, o, "realtimeRuntime", false, -1, INT64_MAX,
			  &r->cpu_rt_runtime)) ||
	    (e = jget_i64(c, o, "realtimePeriod", false, 0, INT64_MAX,
			  &r->cpu_rt_period)) ||
	    (e = jget_str(c, o, "cpus", false, &r->cpus)))
		return e;
	return jget_str(c, o, "mems", false, &r->mems);
}

static int parse_pids(struct jctx *c, json_t *o, struct husk_resources *r)
{
	return jget_i64(c, o, "limit", true, -1, INT64_MAX, &r->pids_limit);
}

static int parse_blkio(struct jctx *c, json_t *o, struct husk_resources *r)
{
	return jget_i64(c, o, "weight", false, 0, 1000, &r->blkio_weight);
}

static int parse_hugepage(struct jctx *c, json_t *o, void *elem)
{
	struct husk_hugepage_limit *h = elem;
	int r = jget_str(c, o, "pageSize", true, &h->page_size);

	return r ? r : jget_u64(c, o, "limit", true, &h->limit);
}

static int parse_dev_rule(struct jctx *c, json_t *o, void *elem)
{
	struct husk_device_rule *d = elem;
	char *type = NULL, *access = NULL;
	int r;

	d->type = 'a';
	d->major = d->minor = -1;
	strcpy(d->access, "rwm");
	if (!json_is_boolean(json_object_get(o, "allow")))
		return jfail_at(c, "allow", json_object_get(o, "allow") ?
						    "expected boolean" :
						    "required");
	d->allow = json_is_true(json_object_get(o, "allow"));
	r = jget_str(c, o, "type", false, &type);
	if (r == 0 && type &&
	    (strlen(type) != 1 || !strchr("acb", type[0])))
		r = jfail_at(c, "type", "unknown device type \"%s\"", type);
	if (r == 0 && type)
		d->type = type[0];
	if (r == 0)
		r = jget_i64(c, o, "major", false, -1, UINT32_MAX, &d->major);
	if (r == 0)
		r = jget_i64(c, o, "minor", false, -1, UINT32_MAX, &d->minor);
	if (r == 0)
		r = jget_str(c, o, "access", false, &access);
	if (r == 0 && access &&
	    (strlen(access) > 3 || strspn(access, "rwm") != strlen(access)))
		r = jfail_at(c, "access", "invalid access \"%s\"", access);
	if (r == 0 && access)
		strcpy(d->access, access);
	free(type);
	free(access);
	return r;
}

typedef int (*section_fn)(struct jctx *c, json_t *o, struct husk_resources *r);

static int parse_section(struct jctx *c, json_t *obj, const char *key,
			 struct husk_resources *res, section_fn fn)
{
	json_t *o = NULL;
	size_t mark;
	int r = jget_obj(c, obj, key, false, &o);

	if (r < 0 || !o)
		return r;
	mark = jpush(c, key);
	r = fn(c, o, res);
	jpop(c, mark);
	return r;
}

int husk_parse_resources(struct jctx *c, json_t *obj,
			 struct husk_resources *res)
{
	int r;

	if ((r = jexpect_obj(c, obj)) ||
	    (r = parse_section(c, obj, "memory", res, parse_memory)) ||
	    (r = parse_section(c, obj, "cpu", res, parse_cpu)) ||
	    (r = parse_section(c, obj, "pids", res, parse_pids)) ||
	    (r = parse_section(c, obj, "blockIO", res, parse_blkio)) ||
	    (r = jeach(c, obj, "hugepageLimits", &res->hugepages,
			   &res->n_hugepages, sizeof(*res->hugepages),
			   parse_hugepage)) ||
	    (r = jeach(c, obj, "devices", &res->devices,
			   &res->n_devices, sizeof(*res->devices),
			   parse_dev_rule)))
		return r;
	return jget_kvv(c, obj, "unified", &res->unified);
}

/* ---- seccomp ---- */

static int get_action(struct jctx *c, json_t *o, const char *key,
		      uint32_t *out)
{
	char *name = NULL;
	unsigned long v;
	int r = jget_str(c, o, key, true, &name);

	if (r == 0 && !husk_name_lookup(husk_seccomp_action_names, name, &v))
		r = jfail_at(c, key, "unknown seccomp action \"%s\"", name);
	if (r == 0)
		*out = (uint32_t)v;
	free(name);
	return r;
}

static int parse_sc_arg(struct jctx *c, json_t *o, void *elem)
{
	struct husk_seccomp_arg *a = elem;
	char *op = NULL;
	unsigned long v;
	int64_t index = 0;
	int r = jget_i64(c, o, "index", true, 0, 5, &index);

	a->index = (unsigned)index;
	if (r == 0)
		r = jget_u64(c, o, "value", true, &a->value);
	if (r == 0)
		r = jget_u64(c, o, "valueTwo", false, &a->value_two);
	if (r == 0)
		r = jget_str(c, o, "op", true, &op);
	if (r == 0 && !husk_name_lookup(husk_seccomp_op_names, op, &v))
		r = jfail_at(c, "op", "unknown seccomp operator \"%s\"", op);
	if (r == 0)
		a->op = (enum husk_seccomp_op)v;
	free(op);
	return r;
}

static int parse_sc_rule(struct jctx *c, json_t *o, void *elem)
{
	struct husk_seccomp_rule *s = elem;
	int r;

	s->errno_ret = HUSK_UNSET;
	if (!json_object_get(o, "names"))
		return jfail_at(c, "names", "required");
	if ((r = jget_strv(c, o, "names", &s->names)) ||
	    (r = get_action(c, o, "action", &s->action)) ||
	    (r = jget_i64(c, o, "errnoRet", false, 0, 4095, &s->errno_ret)))
		return r;
	return jeach(c, o, "args", &s->args, &s->n_args,
			 sizeof(*s->args), parse_sc_arg);
}

int husk_parse_seccomp(struct jctx *c, json_t *obj, struct husk_seccomp *s)
{
	int r;

	s->default_errno_ret = HUSK_UNSET;
	if ((r = get_action(c, obj, "defaultAction", &s->default_action)) ||
	    (r = jget_i64(c, obj, "defaultErrnoRet", false, 0, 4095,
			  &s->default_errno_ret)) ||
	    (r = jget_strv(c, obj, "architectures", &s->architectures)) ||
	    (r = jget_strv(c, obj, "flags", &s->flags)))
		return r;
	return jeach(c, obj, "syscalls", &s->rules, &s->n_rules,
			 sizeof(*s->rules), parse_sc_rule);
}

/* ---- hooks ---- */

static int parse_hook(struct jctx *c, json_t *o, void *elem)
{
	struct husk_hook *h = elem;
	int r;

	h->timeout = HUSK_UNSET;
	r = jget_str(c, o, "path", true, &h->path);
	if (r == 0 && h->path[0] != '/')
		r = jfail_at(c, "path", "must be an absolute path");
	if (r == 0)
		r = jget_strv(c, o, "args", &h->args);
	if (r == 0)
		r = jget_strv(c, o, "env", &h->env);
	if (r == 0)
		r = jget_i64(c, o, "timeout", false, 1, INT32_MAX, &h->timeout);
	return r;
}

int husk_parse_hooks(struct jctx *c, json_t *root, struct husk_hooks *h)
{
	json_t *o = NULL;
	size_t mark;
	int r = jget_obj(c, root, "hooks", false, &o);

	if (r < 0 || !o)
		return r;
	mark = jpush(c, "hooks");
	for (int k = 0; r == 0 && k < HUSK_HOOK_COUNT; k++)
		r = jeach(c, o, husk_hook_kind_name(k), &h->v[k],
			      &h->n[k], sizeof(*h->v[k]), parse_hook);
	jpop(c, mark);
	return r;
}
