/* SPDX-License-Identifier: MIT */
/* update, pause, resume, ps: the commands acting on a container's cgroup. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../runtime/container.h"
#include "../runtime/fsutil.h"
#include "commands.h"

#define USAGE_UPDATE                                                           \
	"update [--resources FILE|-] [--memory N] [--memory-swap N] "          \
	"[--memory-reservation N] [--cpu-quota N] [--cpu-period N] "           \
	"[--cpu-shares N] [--cpu-rt-period N] [--cpu-rt-runtime N] "           \
	"[--cpuset-cpus LIST] [--cpuset-mems LIST] [--pids-limit N] "          \
	"[--blkio-weight N] ID"

/* "-1", "512", "64m", "1G", "1gb": bytes (binary units, as runc takes). */
static int parse_size(const char *s, int64_t *out)
{
	static const char units[] = "bkmgt";
	char *end;
	long long v;
	const char *u;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (!*end) {
		*out = v;
		return 0;
	}
	u = strchr(units, tolower((unsigned char)*end));
	if (!u || v < 0 ||
	    (end[1] && (strcasecmp(end + 1, "b") || *u == 'b')))
		return -1;
	for (long i = 0; i < u - units; i++) {
		if (v > LLONG_MAX / 1024)
			return -1;
		v *= 1024;
	}
	*out = v;
	return 0;
}

static int parse_int(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || end == s || *end ? -1 : 0;
}

static const struct option update_opts[] = {
	{ "resources", required_argument, NULL, 'r' },
	{ "memory", required_argument, NULL, 'm' },
	{ "memory-swap", required_argument, NULL, 's' },
	{ "memory-reservation", required_argument, NULL, 'R' },
	{ "cpu-quota", required_argument, NULL, 'q' },
	{ "cpu-period", required_argument, NULL, 'p' },
	{ "cpu-shares", required_argument, NULL, 'S' },
	{ "cpu-rt-period", required_argument, NULL, 'P' },
	{ "cpu-rt-runtime", required_argument, NULL, 'T' },
	{ "cpuset-cpus", required_argument, NULL, 'c' },
	{ "cpuset-mems", required_argument, NULL, 'M' },
	{ "pids-limit", required_argument, NULL, 'L' },
	{ "blkio-weight", required_argument, NULL, 'b' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* The numeric field of @res that flag @c sets (sizes for memory). */
static int64_t *flag_field(struct husk_resources *res, int c, bool *size)
{
	*size = c == 'm' || c == 's' || c == 'R';
	switch (c) {
	case 'm': return &res->mem_limit;
	case 's': return &res->mem_swap;
	case 'R': return &res->mem_reservation;
	case 'q': return &res->cpu_quota;
	case 'p': return &res->cpu_period;
	case 'S': return &res->cpu_shares;
	case 'P': return &res->cpu_rt_period;
	case 'T': return &res->cpu_rt_runtime;
	case 'L': return &res->pids_limit;
	case 'b': return &res->blkio_weight;
	default: return NULL;
	}
}

static const char *flag_name(int c)
{
	for (const struct option *o = update_opts; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

/* Set one flag's value; flags override what --resources gave. */
static int set_flag(struct husk_resources *res, int c, const char *arg)
{
	bool size;
	int64_t *field = flag_field(res, c, &size);
	char **str = c == 'c' ? &res->cpus : c == 'M' ? &res->mems : NULL;

	if (!arg) /* every update flag takes an argument */
		return -1;
	if (str) {
		free(*str);
		*str = strdup(arg);
		return *str ? 0 : -1;
	}
	if (!field)
		return -1;
	if ((size ? parse_size(arg, field) : parse_int(arg, field)) < 0) {
		cli_error("update: --%s \"%s\": not %s", flag_name(c), arg,
			  size ? "a size (bytes, or with k/m/g)" : "a number");
		return -1;
	}
	return 0;
}

static int load_resources(const char *path, struct husk_resources *res,
			  struct husk_err *err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (!strcmp(path, "-"))
		path = "/dev/stdin";
	if (husk_read_file(path, &json, &len, err) < 0 ||
	    husk_resources_parse(json, len, res, err) < 0)
		return husk_err_prefix(err, "update --resources %s", path);
	return 0;
}

/*
 * --resources first, whatever its place on the command line, then the
 * flags over it: getopt runs twice.
 */
int cmd_update(const struct husk_global *g, int argc, char **argv)
{
	struct husk_resources res;
	struct husk_err err = { 0 };
	const char *file = NULL, *id;
	int c, ret = 1;

	husk_resources_init(&res);
	while ((c = getopt_long(argc, argv, "+r:h", update_opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: husk %s\n", USAGE_UPDATE);
			return 0;
		}
		if (c == '?') {
			cli_error("usage: husk %s", USAGE_UPDATE);
			return 1;
		}
		if (c == 'r')
			file = optarg;
	}
	id = cli_one_id(argc, argv, USAGE_UPDATE);
	if (!id)
		return 1;
	if (file && load_resources(file, &res, &err) < 0) {
		ret = cli_fail(&err);
		goto out;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "+r:h", update_opts, NULL)) != -1)
		if (c != 'r' && set_flag(&res, c, optarg) < 0)
			goto out;
	ret = husk_container_update(g->root, id, &res, &err) < 0
		  ? cli_fail(&err)
		  : 0;
out:
	husk_resources_free(&res);
	return ret;
}

static int pause_or_resume(const struct husk_global *g, int argc, char **argv,
			   bool pause)
{
	const char *usage = pause ? "pause ID" : "resume ID";
	struct husk_err err = { 0 };
	const char *id;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: husk %s\n", usage);
		return 0;
	}
	optind = 1;
	id = cli_one_id(argc, argv, usage);
	if (!id)
		return 1;
	if (husk_container_pause(g->root, id, pause, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_pause(const struct husk_global *g, int argc, char **argv)
{
	return pause_or_resume(g, argc, argv, true);
}

int cmd_resume(const struct husk_global *g, int argc, char **argv)
{
	return pause_or_resume(g, argc, argv, false);
}

/* The command line of @pid with spaces for NULs ("" when gone). */
static void proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n - 1; i++)
		if (!buf[i])
			buf[i] = ' ';
}

static void print_pids(const pid_t *pids, size_t n, bool json)
{
	char cmd[512];

	if (json) {
		/* containerd reads a bare array of host PIDs */
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return;
	}
	printf("%-8s %s\n", "PID", "CMD");
	for (size_t i = 0; i < n; i++) {
		proc_cmdline(pids[i], cmd, sizeof(cmd));
		printf("%-8d %s\n", (int)pids[i], cmd);
	}
}

int cmd_ps(const struct husk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char usage[] = "ps [--format table|json] ID";
	struct husk_err err = { 0 };
	_cleanup_free_ pid_t *pids = NULL;
	bool json = false;
	const char *id;
	size_t n;
	int c;

	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "table")) {
				cli_error("ps: --format \"%s\": want table or json",
					  optarg);
				return 1;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h': printf("usage: husk %s\n", usage); return 0;
		default: cli_error("usage: husk %s", usage); return 1;
		}
	}
	id = cli_one_id(argc, argv, usage);
	if (!id)
		return 1;
	if (husk_container_pids(g->root, id, &pids, &n, &err) < 0)
		return cli_fail(&err);
	print_pids(pids, n, json);
	return 0;
}
