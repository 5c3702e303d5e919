/* SPDX-License-Identifier: MIT */
/* create, start, run, state, kill, delete, list, spec. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../runtime/container.h"
#include "../runtime/fsutil.h"
#include "../runtime/state.h"
#include "../runtime/tty.h"
#include "commands.h"
#include "run.h"

#define USAGE_CREATE "create [--bundle DIR] [--pid-file FILE] [--console-socket PATH] [--preserve-fds N] ID"
#define USAGE_RUN "run [--detach] [--bundle DIR] [--pid-file FILE] [--console-socket PATH] ID"

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },	    { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },   { "TRAP", SIGTRAP },   { "ABRT", SIGABRT },
	{ "BUS", SIGBUS },   { "FPE", SIGFPE },	    { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },   { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM },   { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT },   { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
	{ "URG", SIGURG },   { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO },     { "PWR", SIGPWR },	    { "SYS", SIGSYS },
};

int cli_parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].sig;
	return -1;
}

const char *cli_one_id(int argc, char **argv, const char *usage)
{
	if (optind != argc - 1) {
		cli_error("usage: husk %s", usage);
		return NULL;
	}
	return argv[optind];
}

static int parse_create(int argc, char **argv, struct create_args *a,
			const char *usage)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "preserve-fds", required_argument, NULL, 'P' },
		{ "detach", no_argument, NULL, 'd' },
		{ "no-pivot", no_argument, NULL, 'N' },
		{ "no-new-keyring", no_argument, NULL, 'N' },
		{ "keep", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*a = (struct create_args){ .bundle = "." };
	while ((c = getopt_long(argc, argv, "+b:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': a->bundle = optarg; break;
		case 'p': a->pid_file = optarg; break;
		case 'c': a->console_socket = optarg; break;
		case 'P': a->preserve_fds = atoi(optarg); break;
		case 'd': a->detach = true; break;
		case 'N': break;
		case 'h': printf("usage: husk %s\n", usage); exit(0);
		default: cli_error("usage: husk %s", usage); return -1;
		}
	}
	a->id = cli_one_id(argc, argv, usage);
	return a->id ? 0 : -1;
}

static int bundle_load(const char *dir, struct bundle *b, struct husk_err *err)
{
	char path[PATH_MAX];
	size_t len;

	husk_spec_init(&b->spec);
	b->json = NULL;
	if (!realpath(dir, b->dir))
		return husk_fail(err, errno, "bundle %s", dir);
	if (snprintf(path, sizeof(path), "%s/config.json", b->dir) >=
	    (int)sizeof(path))
		return husk_fail(err, ENAMETOOLONG, "bundle %s", b->dir);
	if (husk_read_file(path, &b->json, &len, err) < 0)
		return err->code;
	return husk_spec_parse(b->json, len, b->dir, &b->spec, err);
}

static void bundle_free(struct bundle *b)
{
	husk_spec_free(&b->spec);
	free(b->json);
}

static int create_container(const struct husk_global *g,
			    const struct create_args *a, struct bundle *b,
			    bool start, int console_fd, pid_t *pid,
			    struct husk_err *err)
{
	struct husk_create_opts o = {
		.root = g->root, .id = a->id, .bundle = b->dir,
		.pid_file = a->pid_file, .console_socket = a->console_socket,
		.preserve_fds = a->preserve_fds, .spec = &b->spec,
		.config_json = b->json, .start = start,
		.console_fd = console_fd,
	};

	return husk_container_create(&o, pid, err);
}

int cmd_create(const struct husk_global *g, int argc, char **argv)
{
	struct create_args a;
	struct husk_err err = { 0 };
	pid_t pid;

	struct bundle b;
	int ret = 0;

	if (parse_create(argc, argv, &a, USAGE_CREATE) < 0)
		return 1;
	if (bundle_load(a.bundle, &b, &err) < 0 ||
	    create_container(g, &a, &b, false, -1, &pid, &err) < 0)
		ret = cli_fail(&err);
	bundle_free(&b);
	return ret;
}

/*
 * Foreground run: relay the signals we get to the init and exit as it
 * did: its code, or 128+N when a signal N killed it.
 */
static int wait_foreground(const struct husk_global *g, const char *id,
			   pid_t pid, const sigset_t *set, bool keep)
{
	struct husk_err err = { 0 };
	int code = cli_wait_child(pid, set);

	if (!keep && husk_container_delete(g->root, id, true, &err) < 0)
		cli_fail(&err);
	return code;
}

/*
 * A foreground terminal without --console-socket: husk is the console
 * socket's other end itself, then proxies the user's terminal.
 */
int run_bundle(const struct husk_global *g, const struct create_args *a,
	       struct bundle *b, const sigset_t *set)
{
	bool own_tty = b->spec.process.terminal && !a->console_socket &&
		       !a->detach;
	int sv[2] = { -1, -1 }, master = -1, ret;
	struct husk_err err = { 0 };
	pid_t pid;

	if (own_tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		cli_error("socketpair: %s", strerror(errno));
		return 1;
	}
	ret = create_container(g, a, b, true, sv[1], &pid, &err);
	if (sv[1] >= 0)
		close(sv[1]);
	if (ret == 0 && own_tty)
		ret = husk_recv_fd(sv[0], &master, NULL, 0, &err);
	if (sv[0] >= 0)
		close(sv[0]);
	if (ret < 0) {
		struct husk_err ignore = { 0 };

		if (master >= 0)
			close(master);
		if (pid > 0)
			husk_container_delete(g->root, a->id, true, &ignore);
		return cli_fail(&err);
	}
	if (a->detach)
		return 0;
	if (master >= 0)
		cli_proxy_tty(master, pid);
	return wait_foreground(g, a->id, pid, set, a->keep);
}

int cmd_run(const struct husk_global *g, int argc, char **argv)
{
	struct create_args a;
	struct husk_err err = { 0 };
	struct bundle b;
	sigset_t set;
	int ret;

	if (cli_wants_frontdoor(argc, argv))
		return cmd_frontdoor_run(g, argc, argv);
	if (parse_create(argc, argv, &a, USAGE_RUN) < 0)
		return 1;
	cli_block_relayed(&set);
	if (bundle_load(a.bundle, &b, &err) < 0)
		ret = cli_fail(&err);
	else
		ret = run_bundle(g, &a, &b, &set);
	bundle_free(&b);
	return ret;
}

int cmd_start(const struct husk_global *g, int argc, char **argv)
{
	struct husk_err err = { 0 };
	const char *id;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: husk start ID\n");
		return 0;
	}
	optind = 1;
	id = cli_one_id(argc, argv, "start ID");
	if (!id)
		return 1;
	if (husk_container_start(g->root, id, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_state(const struct husk_global *g, int argc, char **argv)
{
	struct husk_err err = { 0 };
	_cleanup_free_ char *json = NULL;
	const char *id;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: husk state ID\n");
		return 0;
	}
	optind = 1;
	id = cli_one_id(argc, argv, "state ID");
	if (!id)
		return 1;
	if (husk_container_state_json(g->root, id, &json, &err) < 0)
		return cli_fail(&err);
	printf("%s\n", json);
	return 0;
}

int cmd_kill(const struct husk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct husk_err err = { 0 };
	bool all = false;
	int c, sig = SIGTERM;

	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'h': printf("usage: husk kill [--all] ID [SIGNAL]\n"); return 0;
		default: cli_error("usage: husk kill [--all] ID [SIGNAL]"); return 1;
		}
	}
	if (optind != argc - 1 && optind != argc - 2) {
		cli_error("usage: husk kill [--all] ID [SIGNAL]");
		return 1;
	}
	if (optind == argc - 2) {
		sig = cli_parse_signal(argv[argc - 1]);
		if (sig < 0) {
			cli_error("kill: unknown signal \"%s\"", argv[argc - 1]);
			return 1;
		}
	}
	if (husk_container_kill(g->root, argv[optind], sig, all, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_delete(const struct husk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct husk_err err = { 0 };
	bool force = false;
	const char *id;
	int c;

	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case 'h': printf("usage: husk delete [--force] ID\n"); return 0;
		default: cli_error("usage: husk delete [--force] ID"); return 1;
		}
	}
	id = cli_one_id(argc, argv, "delete [--force] ID");
	if (!id)
		return 1;
	if (husk_container_delete(g->root, id, force, &err) < 0)
		return cli_fail(&err);
	return 0;
}

static void list_row(const struct husk_state *st, enum husk_status s)
{
	printf("%-12s %-8d %-10s %-40s %-30s %s\n", st->id,
	       s == HUSK_STATUS_STOPPED ? 0 : st->pid, husk_status_name(s),
	       st->bundle ? st->bundle : "", st->created ? st->created : "",
	       "root");
}

int cmd_list(const struct husk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct husk_err err = { 0 };
	struct husk_strv ids;
	bool json = false, quiet = false;
	int c;

	while ((c = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "table")) {
				cli_error("list: --format: want table or json");
				return 1;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'q': quiet = true; break;
		case 'h': printf("usage: husk list [--format table|json] [-q]\n"); return 0;
		default: cli_error("usage: husk list [--format table|json] [-q]"); return 1;
		}
	}
	if (husk_state_list(g->root, &ids, &err) < 0)
		return cli_fail(&err);
	if (json)
		printf("[");
	else if (!quiet)
		printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID",
		       "STATUS", "BUNDLE", "CREATED", "OWNER");
	for (size_t i = 0, shown = 0; i < ids.n; i++) {
		struct husk_state st;
		enum husk_status s;

		if (husk_state_read(g->root, ids.v[i], &st, &err) < 0) {
			husk_state_free(&st);
			continue;
		}
		s = husk_container_status(&st);
		if (quiet) {
			printf("%s\n", st.id);
		} else if (json) {
			char *obj = husk_state_to_json(&st, s, 0);

			printf("%s%s", shown++ ? "," : "", obj ? obj : "{}");
			free(obj);
		} else {
			list_row(&st, s);
		}
		husk_state_free(&st);
	}
	if (json)
		printf("]\n");
	husk_strv_free(&ids);
	return 0;
}

int cli_write_spec(const char *bundle, const struct husk_spec *spec)
{
	struct husk_err err = { 0 };
	_cleanup_free_ char *json = NULL;
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >=
	    (int)sizeof(path)) {
		cli_error("spec: bundle path too long");
		return 1;
	}
	if (access(path, F_OK) == 0) {
		cli_error("spec: %s exists; remove it first", path);
		return 1;
	}
	json = husk_spec_to_json(spec, &err);
	if (!json ||
	    husk_write_file_atomic(path, json, strlen(json), 0644, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_spec(const struct husk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *bundle = ".";
	struct husk_err err = { 0 };
	struct husk_spec spec;
	int c, ret;

	if (cli_wants_frontdoor(argc, argv))
		return cmd_frontdoor_spec(g, argc, argv);
	while ((c = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bundle = optarg; break;
		case 'r': break;
		case 'h': cli_spec_help(); return 0;
		default: cli_error("usage: husk spec [--bundle DIR]"); return 1;
		}
	}
	husk_spec_init(&spec);
	if (husk_spec_default(&spec, &err) < 0)
		ret = cli_fail(&err);
	else
		ret = cli_write_spec(bundle, &spec);
	husk_spec_free(&spec);
	return ret;
}
