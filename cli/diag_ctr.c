/* SPDX-License-Identifier: MIT */
/*
 * A container's cgroup for `husk events` and `husk stats`, and the stats
 * in the JSON shape of runc's events ("data" of a {"type":"stats"} event).
 * runc's field names are kept; a value the kernel does not provide is left
 * out (never printed as 0).  Two additions: hugetlb "limit" and cgroup2
 * "psi" at the top (runc nests PSI under cpu/memory/blkio, kept too).
 */
#include <errno.h>
#include <string.h>

#include "../cgroup/cgroup.h"
#include "../runtime/container.h"
#include "diag_ctr.h"

int diag_ctr_open(const char *root, const char *id, struct diag_ctr *c,
		  struct husk_err *err)
{
	int r;

	memset(c, 0, sizeof(*c));
	r = husk_state_read(root, id, &c->st, err);
	if (r < 0)
		return r;
	c->status = husk_container_status(&c->st);
	if (!c->st.cgroup_path)
		return 0;
	r = husk_cgroup_open(c->st.cgroup_path, false, &c->cg, err);
	if (r ==
	    -ENOENT) { /* deleted under us, or never made: nothing to read */
		c->cg = NULL;
		return 0;
	}
	if (r < 0)
		husk_state_free(&c->st);
	return r;
}

void diag_ctr_close(struct diag_ctr *c)
{
	husk_cgroup_free(c->cg);
	c->cg = NULL;
	husk_state_free(&c->st);
}

bool diag_ctr_alive(const struct diag_ctr *c)
{
	return c->status == HUSK_STATUS_CREATED ||
	       c->status == HUSK_STATUS_RUNNING ||
	       c->status == HUSK_STATUS_PAUSED;
}

void diag_json_set_int(json_t *o, const char *key, int64_t v)
{
	if (v != HUSK_DIAG_NONE)
		json_object_set_new(o, key, json_integer(v));
}

/* Leave out objects that came out empty, as runc's omitempty does. */
static void set_obj(json_t *o, const char *key, json_t *v)
{
	if (json_object_size(v) || json_array_size(v))
		json_object_set_new(o, key, v);
	else
		json_decref(v);
}

static json_t *cpu_json(const struct husk_ctr_stats *st)
{
	json_t *usage = json_object(), *thr = json_object(), *cpu;
	json_t *percpu = json_array();

	diag_json_set_int(usage, "total", st->cpu_total);
	for (size_t i = 0; i < st->n_percpu; i++)
		json_array_append_new(percpu, json_integer(st->percpu[i]));
	set_obj(usage, "percpu", percpu);
	diag_json_set_int(usage, "kernel", st->cpu_kernel);
	diag_json_set_int(usage, "user", st->cpu_user);
	diag_json_set_int(thr, "periods", st->periods);
	diag_json_set_int(thr, "throttledPeriods", st->throttled_periods);
	diag_json_set_int(thr, "throttledTime", st->throttled_time);
	cpu = json_object();
	set_obj(cpu, "usage", usage);
	set_obj(cpu, "throttling", thr);
	return cpu;
}

static json_t *mem_entry_json(const struct husk_ctr_mem *m)
{
	json_t *o = json_object();

	diag_json_set_int(o, "limit", m->limit);
	diag_json_set_int(o, "usage", m->usage);
	diag_json_set_int(o, "max", m->max);
	diag_json_set_int(o, "failcnt", m->failcnt);
	return o;
}

static json_t *memory_json(const struct husk_ctr_stats *st)
{
	json_t *mem = json_object(), *raw = json_object();

	diag_json_set_int(mem, "cache", st->cache);
	set_obj(mem, "usage", mem_entry_json(&st->mem));
	set_obj(mem, "swap", mem_entry_json(&st->swap));
	set_obj(mem, "kernel", mem_entry_json(&st->kernel));
	for (size_t i = 0; i < st->n_raw; i++)
		diag_json_set_int(raw, st->raw[i].key, st->raw[i].value);
	set_obj(mem, "raw", raw);
	return mem;
}

static json_t *pids_json(const struct husk_ctr_stats *st)
{
	json_t *o = json_object();

	diag_json_set_int(o, "current", st->pids_current);
	/* runc leaves out an unlimited pids.max */
	if (st->pids_limit != HUSK_DIAG_UNLIMITED)
		diag_json_set_int(o, "limit", st->pids_limit);
	return o;
}

static json_t *hugetlb_json(const struct husk_ctr_stats *st)
{
	json_t *o = json_object();

	for (size_t i = 0; i < st->n_hugetlb; i++) {
		const struct husk_ctr_hugetlb *h = &st->hugetlb[i];
		json_t *e = json_object();

		diag_json_set_int(e, "usage", h->usage);
		diag_json_set_int(e, "max", h->max);
		diag_json_set_int(e, "failcnt", h->failcnt);
		diag_json_set_int(e, "limit", h->limit);
		json_object_set_new(o, h->size, e);
	}
	return o;
}

static json_t *psi_line_json(const struct husk_psi_line *l)
{
	return json_pack("{s:f, s:f, s:f, s:I}", "avg10", l->avg10, "avg60",
			 l->avg60, "avg300", l->avg300, "total",
			 (json_int_t)l->total);
}

static json_t *psi_json(const struct husk_psi *p)
{
	json_t *o = json_object();

	if (p->some.present)
		json_object_set_new(o, "some", psi_line_json(&p->some));
	if (p->full.present)
		json_object_set_new(o, "full", psi_line_json(&p->full));
	return o;
}

static json_t *psi_all_json(const struct husk_ctr_stats *st)
{
	json_t *o = json_object();

	for (int i = 0; i < HUSK_PSI_NRES; i++)
		if (st->psi[i].present)
			set_obj(o, husk_psi_resource_names[i],
				psi_json(&st->psi[i]));
	return o;
}

json_t *diag_stats_json(const struct husk_ctr_stats *st)
{
	json_t *data = json_object(), *cpu = cpu_json(st);
	json_t *mem = memory_json(st);

	if (st->psi[HUSK_PSI_CPU].present)
		set_obj(cpu, "psi", psi_json(&st->psi[HUSK_PSI_CPU]));
	if (st->psi[HUSK_PSI_MEMORY].present)
		set_obj(mem, "psi", psi_json(&st->psi[HUSK_PSI_MEMORY]));
	set_obj(data, "cpu", cpu);
	set_obj(data, "memory", mem);
	set_obj(data, "pids", pids_json(st));
	set_obj(data, "hugetlb", hugetlb_json(st));
	set_obj(data, "psi", psi_all_json(st));
	return data;
}
