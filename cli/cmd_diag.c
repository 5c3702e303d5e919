/* SPDX-License-Identifier: MIT */
/*
 * husk diag [--interval S] [--count N] [--json]
 *
 * The host view: iowait (total and per CPU, as mpstat computes it) over
 * each interval, PSI, hugepage pools and OOM kills.  Values the kernel does
 * not provide are printed as "-" (null or omitted in JSON), never as 0.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "../diag/diag.h"
#include "../runtime/clock.h"
#include "cli.h"
#include "diag_ctr.h"

struct diag_opts {
	double interval;
	long count;
	bool json;
};

/* What one moment looks like. */
struct diag_snap {
	struct husk_cpu_sample cpu;
	struct husk_vmstat vm;
	struct timespec when;
};

/* Everything printed for one interval. */
struct diag_report {
	struct timespec when;
	double interval;
	struct husk_iowait iowait;
	struct husk_psi psi[HUSK_PSI_NRES];
	struct husk_hugepages hp;
	struct husk_meminfo mi;
	int64_t oom_since_boot, oom_interval;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: husk diag [--interval S] [--count N] [--json]\n");
}

static int parse_opts(int argc, char **argv, struct diag_opts *o)
{
	static const struct option longopts[] = {
	    {"interval", required_argument, NULL, 'i'},
	    {"count", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0}};
	char *end;
	int c;

	*o = (struct diag_opts){.interval = 1.0, .count = 1};
	optind = 0;
	while ((c = getopt_long(argc, argv, "i:c:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interval = strtod(optarg, &end);
			if (*end || !(o->interval > 0 && o->interval <= 86400))
				goto bad;
			break;
		case 'c':
			o->count = strtol(optarg, &end, 10);
			if (*end || o->count < 1 || o->count > 1000000)
				goto bad;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind == argc)
		return 0;
	cli_error("diag: unexpected argument '%s'", argv[optind]);
	return -1;
bad:
	cli_error("diag: bad value '%s' for --%s", optarg,
		  c == 'i' ? "interval" : "count");
	return -1;
}

static int snap_take(struct diag_snap *s, struct husk_err *err)
{
	int r = husk_cpu_sample_read(NULL, &s->cpu, err);

	if (r < 0)
		return r;
	clock_gettime(CLOCK_REALTIME, &s->when);
	r = husk_vmstat_read(NULL, &s->vm, err);
	if (r < 0)
		husk_cpu_sample_free(&s->cpu);
	return r;
}

static void sleep_for(double seconds)
{
	struct timespec t = {.tv_sec = (time_t)seconds};

	t.tv_nsec = (long)((seconds - (double)t.tv_sec) * 1e9);
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static int report_build(const struct diag_snap *prev,
			const struct diag_snap *cur, struct diag_report *rep,
			struct husk_err *err)
{
	int r;

	memset(rep, 0, sizeof(*rep));
	rep->when = cur->when;
	rep->interval = (double)(cur->when.tv_sec - prev->when.tv_sec) +
			(double)(cur->when.tv_nsec - prev->when.tv_nsec) / 1e9;
	rep->oom_since_boot = cur->vm.oom_kill;
	rep->oom_interval = HUSK_DIAG_NONE;
	if (cur->vm.oom_kill != HUSK_DIAG_NONE &&
	    prev->vm.oom_kill != HUSK_DIAG_NONE)
		rep->oom_interval = cur->vm.oom_kill >= prev->vm.oom_kill
					? cur->vm.oom_kill - prev->vm.oom_kill
					: 0;
	r = husk_iowait_compute(&prev->cpu, &cur->cpu, &rep->iowait, err);
	if (r == 0)
		r = husk_psi_read_host(NULL, rep->psi, err);
	if (r == 0)
		r = husk_meminfo_read(NULL, &rep->mi, err);
	if (r == 0)
		r = husk_hugepages_read(NULL, &rep->hp, err);
	return r;
}

static void report_free(struct diag_report *rep)
{
	husk_iowait_free(&rep->iowait);
	husk_hugepages_free(&rep->hp);
}

/* ---- JSON ---- */

/* Two decimals, as mpstat prints; values are small and non-negative. */
static double round2(double v)
{
	return (double)(long long)(v * 100.0 + 0.5) / 100.0;
}

static json_t *json_count(int64_t v)
{
	return v == HUSK_DIAG_NONE ? json_null() : json_integer(v);
}

static json_t *json_iowait(const struct husk_iowait *w)
{
	json_t *cpus = json_object();
	char name[32];

	for (size_t i = 0; i < w->n_cpus; i++) {
		snprintf(name, sizeof(name), "cpu%d", w->cpus[i].cpu);
		json_object_set_new(cpus, name,
				    json_real(round2(w->cpus[i].pct)));
	}
	return json_pack("{s:f, s:o}", "total", round2(w->total.pct), "cpus",
			 cpus);
}

static json_t *json_psi_line(const struct husk_psi_line *l)
{
	return json_pack("{s:f, s:f, s:f, s:I}", "avg10", l->avg10, "avg60",
			 l->avg60, "avg300", l->avg300, "total",
			 (json_int_t)l->total);
}

static json_t *json_psi(const struct husk_psi psi[HUSK_PSI_NRES])
{
	json_t *o = json_object();

	for (int i = 0; i < HUSK_PSI_NRES; i++) {
		json_t *res;

		if (!psi[i].present)
			continue;
		res = json_object();
		if (psi[i].some.present)
			json_object_set_new(res, "some",
					    json_psi_line(&psi[i].some));
		if (psi[i].full.present)
			json_object_set_new(res, "full",
					    json_psi_line(&psi[i].full));
		json_object_set_new(o, husk_psi_resource_names[i], res);
	}
	if (json_object_size(o) == 0) {
		json_decref(o);
		return json_null();
	}
	return o;
}

static json_t *json_hp_counts(const struct husk_hugepage_counts *c)
{
	json_t *o = json_object();

	diag_json_set_int(o, "nr", c->nr);
	diag_json_set_int(o, "free", c->free);
	diag_json_set_int(o, "resv", c->resv);
	diag_json_set_int(o, "surplus", c->surplus);
	diag_json_set_int(o, "overcommit", c->overcommit);
	return o;
}

static json_t *json_hp_size(const struct husk_hugepage_size *s, bool dflt)
{
	json_t *o = json_hp_counts(&s->c), *nodes = json_object();
	char name[32];

	json_object_set_new(o, "size_kb", json_integer((json_int_t)s->size_kb));
	json_object_set_new(o, "default", json_boolean(dflt));
	for (size_t i = 0; i < s->n_nodes; i++) {
		snprintf(name, sizeof(name), "node%d", s->nodes[i].node);
		json_object_set_new(nodes, name,
				    json_hp_counts(&s->nodes[i].c));
	}
	if (s->n_nodes)
		json_object_set_new(o, "nodes", nodes);
	else
		json_decref(nodes);
	return o;
}

/*
 * Pools from sysfs; where sysfs has none (not mounted), the default size
 * from /proc/meminfo.
 */
static json_t *json_hugepages(const struct husk_hugepages *hp,
			      const struct husk_meminfo *mi)
{
	json_t *a;

	if (hp->n_sizes == 0) {
		struct husk_hugepage_size s = {
		    .c = {mi->hugepages_total, mi->hugepages_free,
			  mi->hugepages_rsvd, mi->hugepages_surp,
			  HUSK_DIAG_NONE},
		};

		if (mi->hugepagesize_kb == HUSK_DIAG_NONE ||
		    mi->hugepages_total == HUSK_DIAG_NONE)
			return json_null();
		s.size_kb = (uint64_t)mi->hugepagesize_kb;
		return json_pack("[o]", json_hp_size(&s, true));
	}
	a = json_array();
	for (size_t i = 0; i < hp->n_sizes; i++)
		json_array_append_new(
		    a,
		    json_hp_size(&hp->sizes[i], (int64_t)hp->sizes[i].size_kb ==
						    mi->hugepagesize_kb));
	return a;
}


static void print_json(const struct diag_report *rep)
{
	char when[64];
	json_t *o, *oom = json_null();

	husk_format_utc(when, sizeof(when), &rep->when, 3);
	if (rep->oom_since_boot != HUSK_DIAG_NONE)
		oom = json_pack("{s:I, s:o}", "since_boot",
				(json_int_t)rep->oom_since_boot, "interval",
				json_count(rep->oom_interval));
	o = json_pack("{s:s, s:f, s:o, s:o, s:o, s:o}", "time", when,
		      "interval", round2(rep->interval), "iowait",
		      json_iowait(&rep->iowait), "psi", json_psi(rep->psi),
		      "hugepages", json_hugepages(&rep->hp, &rep->mi),
		      "oom_kill", oom);
	json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(12));
	putchar('\n');
	fflush(stdout);
	json_decref(o);
}

/* ---- table ---- */

static void print_count(int64_t v, int width)
{
	if (v == HUSK_DIAG_NONE)
		printf(" %*s", width, "-");
	else
		printf(" %*lld", width, (long long)v);
}

static void print_table_iowait(const struct husk_iowait *w)
{
	printf("%-8s %8s\n", "CPU", "%iowait");
	printf("%-8s %8.2f\n", "all", w->total.pct);
	for (size_t i = 0; i < w->n_cpus; i++)
		printf("cpu%-5d %8.2f\n", w->cpus[i].cpu, w->cpus[i].pct);
}

static void print_psi_line(const struct husk_psi_line *l)
{
	if (l->present)
		printf("  %7.2f %7.2f %7.2f", l->avg10, l->avg60, l->avg300);
	else
		printf("  %7s %7s %7s", "-", "-", "-");
}

static void print_table_psi(const struct husk_psi psi[HUSK_PSI_NRES])
{
	printf("\n%-8s  %-23s  %-23s\n", "PSI", "some avg10/60/300",
	       "full avg10/60/300");
	for (int i = 0; i < HUSK_PSI_NRES; i++) {
		printf("%-8s", husk_psi_resource_names[i]);
		print_psi_line(&psi[i].some);
		print_psi_line(&psi[i].full);
		putchar('\n');
	}
}

static void print_hp_row(const char *label,
			 const struct husk_hugepage_counts *c)
{
	printf("%-12s", label);
	print_count(c->nr, 8);
	print_count(c->free, 8);
	print_count(c->resv, 8);
	print_count(c->surplus, 8);
	print_count(c->overcommit, 10);
	putchar('\n');
}

static void print_table_hugepages(const struct husk_hugepages *hp,
				  const struct husk_meminfo *mi)
{
	char label[32];

	printf("\n%-12s %8s %8s %8s %8s %10s\n", "HUGEPAGES", "nr", "free",
	       "resv", "surplus", "overcommit");
	if (hp->n_sizes == 0)
		printf("(none)\n");
	for (size_t i = 0; i < hp->n_sizes; i++) {
		const struct husk_hugepage_size *s = &hp->sizes[i];

		snprintf(label, sizeof(label), "%llukB%s",
			 (unsigned long long)s->size_kb,
			 (int64_t)s->size_kb == mi->hugepagesize_kb ? "*" : "");
		print_hp_row(label, &s->c);
		for (size_t n = 0; n < s->n_nodes; n++) {
			snprintf(label, sizeof(label), "  node%d",
				 s->nodes[n].node);
			print_hp_row(label, &s->nodes[n].c);
		}
	}
}

static void print_table(const struct diag_report *rep)
{
	char when[64];

	husk_format_utc(when, sizeof(when), &rep->when, 3);
	printf("%s  interval %.2fs\n", when, rep->interval);
	print_table_iowait(&rep->iowait);
	print_table_psi(rep->psi);
	print_table_hugepages(&rep->hp, &rep->mi);
	printf("\nOOM kills:");
	print_count(rep->oom_since_boot, 0);
	printf(" since boot,");
	print_count(rep->oom_interval, 0);
	printf(" in interval\n\n");
	fflush(stdout);
}

static int diag_one(const struct diag_opts *o, struct diag_snap *prev,
		    struct husk_err *err)
{
	struct diag_snap cur;
	struct diag_report rep;
	int r;

	sleep_for(o->interval);
	r = snap_take(&cur, err);
	if (r < 0)
		return r;
	r = report_build(prev, &cur, &rep, err);
	if (r == 0) {
		if (o->json)
			print_json(&rep);
		else
			print_table(&rep);
	}
	report_free(&rep);
	husk_cpu_sample_free(&prev->cpu);
	*prev = cur;
	return r;
}

int cmd_diag(const struct husk_global *g, int argc, char **argv)
{
	struct husk_err err = {0};
	struct diag_opts o;
	struct diag_snap prev;
	int r;

	(void)g;
	r = parse_opts(argc, argv, &o);
	if (r != 0)
		return r < 0 ? 2 : 0;
	if (snap_take(&prev, &err) < 0)
		return cli_fail(&err);
	for (long i = 0; i < o.count && r == 0; i++)
		r = diag_one(&o, &prev, &err);
	husk_cpu_sample_free(&prev.cpu);
	return r < 0 ? cli_fail(&err) : 0;
}
