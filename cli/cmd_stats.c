/* SPDX-License-Identifier: MIT */
/*
 * husk stats [--no-stream] [--json] [--interval S] [ID...]
 *
 * A table like `docker stats`, redrawn every interval: CPU% over the
 * interval, memory usage / limit, pids, OOM kills and cgroup2 PSI, one row
 * per container (every living container under --root when no ID is given).
 * Values the kernel does not provide show as "-" (left out in JSON).  With
 * named IDs the stream ends once none of them is alive.  --json prints one
 * object per container and round: {"id","status","cpu_percent",
 * "memory_percent","oom_kill","data":<runc events stats data>}.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "diag_ctr.h"

#define STATS_USAGE "stats [--no-stream] [--json] [--interval S] [ID...]"

struct stats_opts {
	bool no_stream, json;
	double interval;
	char **ids; /* NULL: every container */
	int n_ids;
};

/* One container's two samples. */
struct stats_row {
	char *id;
	const char *status;
	bool have_prev;
	int64_t prev_cpu_ns, prev_ms;
	double cpu_pct; /* < 0: unknown */
	struct husk_ctr_stats st;
	bool have_stats;
};

static int parse_opts(int argc, char **argv, struct stats_opts *o)
{
	static const struct option longopts[] = {
	    {"no-stream", no_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"interval", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {0}};
	char *end;
	int c;

	*o = (struct stats_opts){.interval = 1.0};
	while ((c = getopt_long(argc, argv, "nji:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->no_stream = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'i':
			o->interval = strtod(optarg, &end);
			if (*end ||
			    !(o->interval >= 0.1 && o->interval <= 86400)) {
				cli_error("stats: bad --interval '%s'", optarg);
				return -1;
			}
			break;
		case 'h':
			printf("usage: husk %s\n", STATS_USAGE);
			return 1;
		default:
			cli_error("usage: husk %s", STATS_USAGE);
			return -1;
		}
	}
	if (optind < argc) {
		o->ids = argv + optind;
		o->n_ids = argc - optind;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Take a new sample of @row.  CPU% is the cgroup's CPU time over the wall
 * time since the previous sample (100% = one CPU busy), as docker shows it.
 * A container that is gone is not an error: it just has no stats.
 */
static int row_sample(const char *root, struct stats_row *row,
		      struct husk_err *err)
{
	struct diag_ctr c;
	int64_t ms = now_ms();
	int r = diag_ctr_open(root, row->id, &c, err);

	husk_ctr_stats_free(&row->st);
	row->have_stats = false;
	row->cpu_pct = -1;
	if (r < 0)
		return r;
	row->status = husk_status_name(c.status);
	if (c.cg && (r = husk_ctr_stats_read(c.cg, &row->st, err)) == 0)
		row->have_stats = true;
	diag_ctr_close(&c);
	if (r < 0 || !row->have_stats)
		return r;
	if (row->have_prev && ms > row->prev_ms &&
	    row->st.cpu_total != HUSK_DIAG_NONE &&
	    row->st.cpu_total >= row->prev_cpu_ns)
		row->cpu_pct = (double)(row->st.cpu_total - row->prev_cpu_ns) /
			       ((double)(ms - row->prev_ms) * 1e4);
	row->have_prev = row->st.cpu_total != HUSK_DIAG_NONE;
	row->prev_cpu_ns = row->st.cpu_total;
	row->prev_ms = ms;
	return 0;
}

static double mem_pct(const struct husk_ctr_stats *st)
{
	if (st->mem.usage == HUSK_DIAG_NONE || st->mem.limit <= 0 ||
	    st->mem.limit == HUSK_DIAG_UNLIMITED)
		return -1;
	return (double)st->mem.usage * 100.0 / (double)st->mem.limit;
}

/* ---- JSON ---- */

static void print_json_row(const struct stats_row *row)
{
	json_t *o =
	    json_pack("{s:s, s:s}", "id", row->id, "status", row->status);
	double mp = row->have_stats ? mem_pct(&row->st) : -1;

	if (row->cpu_pct >= 0)
		json_object_set_new(o, "cpu_percent", json_real(row->cpu_pct));
	if (mp >= 0)
		json_object_set_new(o, "memory_percent", json_real(mp));
	if (row->have_stats && row->st.oom_kill != HUSK_DIAG_NONE)
		json_object_set_new(o, "oom_kill",
				    json_integer(row->st.oom_kill));
	if (row->have_stats)
		json_object_set_new(o, "data", diag_stats_json(&row->st));
	json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
	putchar('\n');
	json_decref(o);
}

/* ---- table ---- */

/* "12.5MiB", "16MiB", "max", "-" */
static const char *fmt_bytes(int64_t v, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	size_t u = 0;

	if (v == HUSK_DIAG_NONE)
		return "-";
	if (v == HUSK_DIAG_UNLIMITED)
		return "max";
	while (d >= 1024 && u + 1 < HUSK_ARRAY_SIZE(units)) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, u && d < 100 ? "%.3g%s" : "%.0f%s", d, units[u]);
	return buf;
}

static const char *fmt_count(int64_t v, char *buf, size_t len)
{
	if (v == HUSK_DIAG_NONE)
		return "-";
	if (v == HUSK_DIAG_UNLIMITED)
		return "max";
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

static const char *fmt_pct(double v, char *buf, size_t len)
{
	if (v < 0)
		return "-";
	snprintf(buf, len, "%.2f%%", v);
	return buf;
}

/* some avg10 of cpu/memory/io: "0.00/1.25/0.00" */
static const char *fmt_psi(const struct husk_ctr_stats *st, char *buf,
			   size_t len)
{
	const enum husk_psi_resource res[] = {HUSK_PSI_CPU, HUSK_PSI_MEMORY,
					      HUSK_PSI_IO};
	size_t n = 0;

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(res) && n < len; i++) {
		const struct husk_psi *p = &st->psi[res[i]];

		if (p->some.present)
			n += (size_t)snprintf(buf + n, len - n, "%s%.2f",
					      i ? "/" : "", p->some.avg10);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s-",
					      i ? "/" : "");
	}
	return buf;
}

static void print_table(const struct stats_row *rows, size_t n)
{
	static const struct husk_ctr_stats none = {
	    .mem = {HUSK_DIAG_NONE, HUSK_DIAG_NONE},
	    .oom_kill = HUSK_DIAG_NONE,
	    .pids_current = HUSK_DIAG_NONE,
	    .pids_limit = HUSK_DIAG_NONE};
	int w = 12;
	char a[32], b[32], c[32], d[32], e[32], f[32], p[64], mem[72], pids[72];

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rows[i].id) > w)
			w = (int)strlen(rows[i].id);
	printf("%-*s  %-8s  %8s  %-21s  %7s  %-11s  %4s  %s\n", w, "ID",
	       "STATUS", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS", "OOM",
	       "PSI cpu/mem/io");
	for (size_t i = 0; i < n; i++) {
		const struct husk_ctr_stats *st =
		    rows[i].have_stats ? &rows[i].st : &none;

		snprintf(mem, sizeof(mem), "%s / %s",
			 fmt_bytes(st->mem.usage, a, sizeof(a)),
			 fmt_bytes(st->mem.limit, b, sizeof(b)));
		snprintf(pids, sizeof(pids), "%s / %s",
			 fmt_count(st->pids_current, c, sizeof(c)),
			 fmt_count(st->pids_limit, d, sizeof(d)));
		printf("%-*s  %-8s  %8s  %-21s  %7s  %-11s  %4s  %s\n", w,
		       rows[i].id, rows[i].status,
		       fmt_pct(rows[i].cpu_pct, a, sizeof(a)), mem,
		       fmt_pct(mem_pct(st), e, sizeof(e)), pids,
		       fmt_count(st->oom_kill, f, sizeof(f)),
		       rows[i].have_stats ? fmt_psi(st, p, sizeof(p)) : "-");
	}
}

/* ---- rounds ---- */

struct stats_rows {
	struct stats_row *v;
	size_t n;
};

static void rows_free(struct stats_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		free(rows->v[i].id);
		husk_ctr_stats_free(&rows->v[i].st);
	}
	free(rows->v);
	rows->v = NULL;
	rows->n = 0;
}

static struct stats_row *rows_find(struct stats_rows *rows, const char *id)
{
	for (size_t i = 0; i < rows->n; i++)
		if (!strcmp(rows->v[i].id, id))
			return &rows->v[i];
	return NULL;
}

static int rows_add(struct stats_rows *rows, const char *id,
		    struct husk_err *err)
{
	struct stats_row *v;

	if (rows_find(rows, id))
		return 0;
	v = realloc(rows->v, (rows->n + 1) * sizeof(*v));
	if (!v)
		return husk_fail(err, ENOMEM, "stats rows");
	rows->v = v;
	v[rows->n] = (struct stats_row){.cpu_pct = -1, .status = "unknown"};
	v[rows->n].id = strdup(id);
	if (!v[rows->n].id)
		return husk_fail(err, ENOMEM, "stats rows");
	rows->n++;
	return 0;
}

/*
 * The containers of this round: the named ones (an unknown ID fails), or
 * every living container.  Rows of containers that are gone are dropped.
 */
static int rows_refresh(const char *root, const struct stats_opts *o,
			struct stats_rows *rows, struct husk_err *err)
{
	struct husk_strv ids = {0};
	struct stats_rows next = {0};
	int r = 0;

	if (o->ids) {
		for (int i = 0; i < o->n_ids && r == 0; i++)
			r = rows_add(rows, o->ids[i], err);
		return r;
	}
	r = husk_state_list(root, &ids, err);
	for (size_t i = 0; r == 0 && i < ids.n; i++) {
		struct stats_row *old = rows_find(rows, ids.v[i]);

		r = rows_add(&next, ids.v[i], err);
		if (r == 0 && old) { /* keep the previous CPU sample */
			next.v[next.n - 1].have_prev = old->have_prev;
			next.v[next.n - 1].prev_cpu_ns = old->prev_cpu_ns;
			next.v[next.n - 1].prev_ms = old->prev_ms;
		}
	}
	husk_strv_free(&ids);
	rows_free(rows);
	*rows = next;
	return r;
}

/* Sample every row; without IDs, rows whose container died are hidden. */
static int rows_sample(const char *root, const struct stats_opts *o,
		       struct stats_rows *rows, size_t *alive,
		       struct husk_err *err)
{
	size_t keep = 0;
	int r = 0;

	*alive = 0;
	for (size_t i = 0; i < rows->n && r == 0; i++) {
		struct stats_row *row = &rows->v[i];
		bool living;

		r = row_sample(root, row, err);
		if (r == -ENOENT && !o->ids) /* deleted since the listing */
			r = 0;
		living = r == 0 && strcmp(row->status, "stopped") &&
			 strcmp(row->status, "unknown");
		*alive += living;
		if (o->ids || living)
			rows->v[keep++] = *row;
		else {
			free(row->id);
			husk_ctr_stats_free(&row->st);
		}
	}
	rows->n = r == 0 ? keep : rows->n;
	return r;
}

static void sleep_ms(int64_t ms)
{
	struct timespec t = {.tv_sec = ms / 1000,
			     .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static void print_round(const struct stats_opts *o,
			const struct stats_rows *rows)
{
	if (o->json) {
		for (size_t i = 0; i < rows->n; i++)
			print_json_row(&rows->v[i]);
	} else {
		if (!o->no_stream && isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout); /* redraw in place */
		print_table(rows->v, rows->n);
	}
	fflush(stdout);
}

static int stats_run(const char *root, const struct stats_opts *o,
		     struct husk_err *err)
{
	struct stats_rows rows = {0};
	int64_t step = (int64_t)(o->interval * 1000);
	size_t alive = 0;
	int r = rows_refresh(root, o, &rows, err);

	/* a first sample so that the first CPU% has an interval behind it */
	if (r == 0)
		r = rows_sample(root, o, &rows, &alive, err);
	for (;;) {
		if (r < 0)
			break;
		sleep_ms(step);
		r = rows_refresh(root, o, &rows, err);
		if (r == 0)
			r = rows_sample(root, o, &rows, &alive, err);
		if (r == 0)
			print_round(o, &rows);
		if (o->no_stream || (o->ids && alive == 0))
			break;
	}
	rows_free(&rows);
	return r;
}

int cmd_stats(const struct husk_global *g, int argc, char **argv)
{
	struct husk_err err = {0};
	struct stats_opts o;
	int r = parse_opts(argc, argv, &o);

	if (r != 0)
		return r < 0 ? 2 : 0;
	return stats_run(g->root, &o, &err) < 0 ? cli_fail(&err) : 0;
}
