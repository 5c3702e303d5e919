/* SPDX-License-Identifier: MIT */
/*
 * husk events [--stats] [--interval S] ID
 *
 * runc's event stream, one JSON object a line: {"type":"oom","id":ID} for
 * every OOM kill in the container's cgroup as the kernel reports it, and
 * {"type":"stats","id":ID,"data":{...}} every interval.  Ends when the
 * container's init exits (seen through a pidfd).  With --stats: print one
 * stats event and exit.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "diag_ctr.h"

#define EVENTS_USAGE "events [--stats] [--interval S] ID"

/*
 * v1 signals the eventfd when the OOM starts, before the kill is counted:
 * a notification that found no new kill is checked again this often, this
 * many times, so the event line follows the kill closely.
 */
#define RECHECK_MS 20
#define RECHECK_TRIES 50

struct events_opts {
	bool stats;
	double interval;
	const char *id;
};

static int parse_opts(int argc, char **argv, struct events_opts *o)
{
	static const struct option longopts[] = {
	    {"stats", no_argument, NULL, 's'},
	    {"interval", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {0}};
	char *end;
	int c;

	*o = (struct events_opts){.interval = 5.0};
	while ((c = getopt_long(argc, argv, "si:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->stats = true;
			break;
		case 'i':
			/* runc takes a duration ("5s"); a plain number is
			 * seconds */
			o->interval = strtod(optarg, &end);
			if ((*end && strcmp(end, "s")) ||
			    !(o->interval >= 0.01 && o->interval <= 86400)) {
				cli_error("events: bad --interval '%s'",
					  optarg);
				return -1;
			}
			break;
		case 'h':
			printf("usage: husk %s\n", EVENTS_USAGE);
			return 1;
		default:
			cli_error("usage: husk %s", EVENTS_USAGE);
			return -1;
		}
	}
	o->id = cli_one_id(argc, argv, EVENTS_USAGE);
	return o->id ? 0 : -1;
}

static void emit(json_t *ev)
{
	json_dumpf(ev, stdout, JSON_COMPACT | JSON_REAL_PRECISION(12));
	putchar('\n');
	fflush(stdout);
	json_decref(ev);
}

static int emit_stats(const struct diag_ctr *c, struct husk_err *err)
{
	struct husk_ctr_stats st;
	int r;

	if (!c->cg)
		return husk_fail(err, ENOENT, "container %s has no cgroup",
				 c->st.id);
	r = husk_ctr_stats_read(c->cg, &st, err);
	if (r < 0)
		return r;
	emit(json_pack("{s:s, s:s, s:o}", "type", "stats", "id", c->st.id,
		       "data", diag_stats_json(&st)));
	husk_ctr_stats_free(&st);
	return 0;
}

/* A pidfd for the init, checked against PID reuse after it is opened. */
static int init_pidfd(const struct diag_ctr *c, struct husk_err *err)
{
	int fd = (int)syscall(SYS_pidfd_open, c->st.pid, 0);

	if (fd < 0)
		return husk_fail(err, errno, "pidfd_open %d", (int)c->st.pid);
	if (!husk_proc_alive(c->st.pid, c->st.start_time)) {
		close(fd);
		return husk_fail(err, ESRCH, "container %s is not running",
				 c->st.id);
	}
	return fd;
}

/* Print one oom event per kill since the last read; *kills: how many. */
static int emit_ooms(struct husk_oom_watch *w, const char *id, uint64_t *kills,
		     struct husk_err *err)
{
	uint64_t total;
	int r = husk_oom_watch_read(w, kills, &total, err);

	for (uint64_t i = 0; r == 0 && i < *kills; i++)
		emit(json_pack("{s:s, s:s}", "type", "oom", "id", id));
	return r;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct events_loop {
	const struct events_opts *o;
	const struct diag_ctr *c;
	struct husk_oom_watch *oom; /* NULL: no memory cgroup */
	int pidfd;
	int64_t next_stats;
	int rechecks; /* left after a notification without a counted kill */
};

static int loop_timeout(const struct events_loop *l)
{
	int64_t left = l->next_stats - now_ms();

	if (left < 0)
		left = 0;
	if (l->rechecks > 0 && left > RECHECK_MS)
		left = RECHECK_MS;
	return (int)left;
}

/* One poll round; 1 when the container has stopped. */
static int loop_step(struct events_loop *l, struct husk_err *err)
{
	struct pollfd p[2] = {
	    {.fd = l->pidfd, .events = POLLIN},
	    {.fd = l->oom ? husk_oom_watch_fd(l->oom) : -1, .events = POLLIN}};
	uint64_t kills = 0;
	int n = poll(p, 2, loop_timeout(l)), r = 0;

	if (n < 0)
		return errno == EINTR ? 0 : husk_fail(err, errno, "poll");
	if (l->oom && (p[1].revents || p[0].revents || l->rechecks > 0)) {
		r = emit_ooms(l->oom, l->c->st.id, &kills, err);
		if (p[1].revents)
			l->rechecks = kills ? 0 : RECHECK_TRIES;
		else if (l->rechecks > 0)
			l->rechecks = kills ? 0 : l->rechecks - 1;
	}
	if (r < 0 || p[0].revents)
		return r < 0 ? r : 1;
	if (now_ms() >= l->next_stats) {
		l->next_stats += (int64_t)(l->o->interval * 1000);
		r = emit_stats(l->c, err);
	}
	return r;
}

static int events_stream(const struct events_opts *o, const struct diag_ctr *c,
			 struct husk_err *err)
{
	struct events_loop l = {.o = o, .c = c, .pidfd = -1};
	int r = 0;

	if (!diag_ctr_alive(c))
		return husk_fail(err, ESRCH, "container %s is not running",
				 c->st.id);
	if (c->cg)
		r = husk_ctr_oom_watch_open(c->cg, &l.oom, err);
	if (r == 0)
		r = l.pidfd = init_pidfd(c, err);
	l.next_stats = now_ms() + (int64_t)(o->interval * 1000);
	while (r >= 0 && (r = loop_step(&l, err)) == 0)
		;
	husk_oom_watch_close(l.oom);
	if (l.pidfd >= 0)
		close(l.pidfd);
	/* the cgroup going away with the container also ends the stream */
	return r == -ENOENT ? 0 : r < 0 ? r : 0;
}

int cmd_events(const struct husk_global *g, int argc, char **argv)
{
	struct husk_err err = {0};
	struct events_opts o;
	struct diag_ctr c;
	int r = parse_opts(argc, argv, &o);

	if (r != 0)
		return r < 0 ? 2 : 0;
	if (diag_ctr_open(g->root, o.id, &c, &err) < 0)
		return cli_fail(&err);
	r = o.stats ? emit_stats(&c, &err) : events_stream(&o, &c, &err);
	diag_ctr_close(&c);
	return r < 0 ? cli_fail(&err) : 0;
}
