/* SPDX-License-Identifier: MIT */
/* husk's entry point: global flags, logging, and the command table. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <jansson.h>

#include "../runtime/clock.h"
#include "../runtime/selfexe.h"
#include "cli.h"
#include "commands.h"

#define HUSK_VERSION "0.1.0"

static FILE *log_file;
static bool log_json;

static void log_line(const char *level, const char *msg)
{
	char ts[64];
	struct timespec now;

	if (!log_file)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	husk_format_utc(ts, sizeof(ts), &now, 0);
	if (log_json) {
		/* One JSON object per line: what podman and containerd parse. */
		fputs("{\"level\":\"", log_file);
		fputs(level, log_file);
		fputs("\",\"msg\":\"", log_file);
		for (const char *p = msg; *p; p++) {
			if (*p == '"' || *p == '\\')
				fprintf(log_file, "\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				fprintf(log_file, "\\u%04x", *p);
			else
				fputc(*p, log_file);
		}
		fprintf(log_file, "\",\"time\":\"%s\"}\n", ts);
	} else {
		fprintf(log_file, "time=\"%s\" level=%s msg=\"%s\"\n", ts, level,
			msg);
	}
	fflush(log_file);
}

/* `--debug`: each step to the log, or to stderr when there is none. */
static void debug_line(const char *msg)
{
	if (log_file)
		log_line("debug", msg);
	else
		fprintf(stderr, "husk: debug: %s\n", msg);
}

void cli_error(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "husk: %s\n", msg);
	log_line("error", msg);
}

int cli_fail(const struct husk_err *err)
{
	cli_error("%s", err->msg[0] ? err->msg : "unknown error");
	return 1;
}

static const struct command {
	const char *name;
	int (*fn)(const struct husk_global *g, int argc, char **argv);
	const char *help;
} commands[] = {
	{ "create", cmd_create, "create a container from a bundle" },
	{ "start", cmd_start, "start a created container" },
	{ "run", cmd_run, "create and start a container" },
	{ "exec", cmd_exec, "run a process in a running container" },
	{ "state", cmd_state, "print the state of a container" },
	{ "kill", cmd_kill, "send a signal to a container" },
	{ "delete", cmd_delete, "delete a container" },
	{ "list", cmd_list, "list containers" },
	{ "spec", cmd_spec, "write a default config.json" },
	{ "network", cmd_network, "create, list and remove networks" },
	{ "update", cmd_update, "change a running container's cgroup limits" },
	{ "pause", cmd_pause, "freeze every process of a container" },
	{ "resume", cmd_resume, "thaw a paused container" },
	{ "ps", cmd_ps, "list the processes of a container" },
	{ "diag", cmd_diag, "host diagnostics: iowait, PSI, hugepages, OOM" },
	{ "events", cmd_events, "stream a container's OOM and stats events" },
	{ "stats", cmd_stats, "live CPU, memory, pids, OOM, PSI per container" },
};

/*
 * The commands whose processes enter containers: they make themselves
 * non-dumpable (see runtime/selfexe.c).
 */
static bool enters_containers(const char *cmd)
{
	return !strcmp(cmd, "create") || !strcmp(cmd, "run") ||
	       !strcmp(cmd, "exec");
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: husk [--root DIR] [--log FILE] [--log-format text|json] "
		"[--debug] COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nRun 'husk COMMAND --help' for a command's flags.\n");
}

/*
 * jansson seeds its hash function on first use from /dev/urandom: an
 * open, a read and a close.  getrandom() is one syscall; should it fail,
 * 0 leaves the seeding to jansson.
 */
static void seed_json_hash(void)
{
	size_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = 0;
	json_object_seed(seed);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "rootless", required_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct husk_global g = { .root = "/run/husk" };
	const char *log_path = NULL;
	int c;

	/* '+': stop at the command name; its flags are its own. */
	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case 'r': g.root = optarg; break;
		case 'l': log_path = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				cli_error("--log-format: \"%s\": want text or json", optarg);
				return 1;
			}
			log_json = !strcmp(optarg, "json");
			break;
		case 'd': g.debug = true; break;
		case 's': case 'R': break; /* accepted for runc compatibility */
		case 'v':
			printf("husk version %s\nspec: 1.2.0\n", HUSK_VERSION);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (log_path) {
		log_file = fopen(log_path, "ae");
		if (!log_file) {
			cli_error("open log file %s: %s", log_path, strerror(errno));
			return 1;
		}
	}
	if (g.debug)
		husk_debug_set_sink(debug_line);
	seed_json_hash();
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int first = optind;

		if (strcmp(argv[first], commands[i].name))
			continue;
		if (enters_containers(argv[first])) {
			struct husk_err err = { 0 };

			if (husk_selfexe_protect(argv, &err) < 0)
				return cli_fail(&err);
		}
		/* The command parses its own argv; 0 makes getopt start over. */
		optind = 0;
		return commands[i].fn(&g, argc - first, argv + first);
	}
	cli_error("unknown command \"%s\"", argv[optind]);
	return 1;
}
