/* SPDX-License-Identifier: MIT */
/* exec: run a process in a running container (runc's flags). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../runtime/exec.h"
#include "../runtime/fsutil.h"
#include "../runtime/state.h"
#include "../runtime/tty.h"
#include "commands.h"

#define USAGE_EXEC                                                         \
	"exec [--process FILE] [--tty] [--console-socket PATH] [--detach] " \
	"[--pid-file FILE] [--cwd DIR] [--env K=V]... [--user UID[:GID]] "  \
	"[--additional-gids GID]... [--cap CAP]... [--no-new-privs] "       \
	"[--preserve-fds N] ID [ARGS...]"

struct exec_args {
	const char *process_file, *console_socket, *pid_file, *cwd, *user;
	struct husk_strv env, caps, gids;
	bool tty, detach, no_new_privs;
	int preserve_fds;
	const char *id;
	char **args; /* NULL-terminated, may be empty */
};

int cli_wait_child(pid_t pid, const sigset_t *set)
{
	int status = 0;

	for (;;) {
		int sig = sigwaitinfo(set, NULL);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int parse_exec(int argc, char **argv, struct exec_args *a)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, 'C' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, 'n' },
		{ "preserve-fds", required_argument, NULL, 'F' },
		{ "process-label", required_argument, NULL, 'I' },
		{ "apparmor", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+p:tdw:e:u:g:c:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 'p': a->process_file = optarg; break;
		case 't': a->tty = true; break;
		case 'C': a->console_socket = optarg; break;
		case 'd': a->detach = true; break;
		case 'P': a->pid_file = optarg; break;
		case 'w': a->cwd = optarg; break;
		case 'e': husk_strv_push(&a->env, optarg); break;
		case 'u': a->user = optarg; break;
		case 'g': husk_strv_push(&a->gids, optarg); break;
		case 'c': husk_strv_push(&a->caps, optarg); break;
		case 'n': a->no_new_privs = true; break;
		case 'F': a->preserve_fds = atoi(optarg); break;
		case 'I': break; /* LSM labels come with --process */
		case 'h': printf("usage: husk %s\n", USAGE_EXEC); exit(0);
		default: cli_error("usage: husk %s", USAGE_EXEC); return -1;
		}
	}
	if (optind >= argc ||
	    (!a->process_file && optind + 1 >= argc)) {
		cli_error("usage: husk %s", USAGE_EXEC);
		return -1;
	}
	a->id = argv[optind];
	a->args = argv + optind + 1;
	return 0;
}

static int parse_id(const char *s, uint32_t *out, struct husk_err *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || (*end && *end != ':') || v > UINT32_MAX)
		return husk_fail(err, 0, "exec: --user %s: want UID[:GID]", s);
	*out = (uint32_t)v;
	return 0;
}

static int set_user(struct husk_process *p, const char *user,
		    const struct husk_strv *gids, struct husk_err *err)
{
	const char *colon = user ? strchr(user, ':') : NULL;

	if (user && parse_id(user, &p->uid, err) < 0)
		return err->code;
	if (colon && parse_id(colon + 1, &p->gid, err) < 0)
		return err->code;
	if (gids->n == 0)
		return 0;
	free(p->additional_gids);
	p->additional_gids = calloc(gids->n, sizeof(gid_t));
	if (!p->additional_gids)
		return husk_fail(err, ENOMEM, "additional gids");
	p->n_additional_gids = gids->n;
	for (size_t i = 0; i < gids->n; i++)
		if (parse_id(gids->v[i], &p->additional_gids[i], err) < 0)
			return err->code;
	return 0;
}

/* runc adds each --cap to the bounding, effective and permitted sets. */
static int add_caps(struct husk_process *p, const struct husk_strv *caps,
		    struct husk_err *err)
{
	for (size_t i = 0; i < caps->n; i++) {
		char name[64];
		cap_value_t cap;
		uint64_t bit;

		snprintf(name, sizeof(name), "%s%s",
			 strncasecmp(caps->v[i], "CAP_", 4) ? "CAP_" : "",
			 caps->v[i]);
		if (cap_from_name(name, &cap) < 0 || cap > 63)
			return husk_fail(err, 0, "exec: --cap %s: unknown "
						 "capability", caps->v[i]);
		bit = 1ULL << cap;
		p->caps.set = true;
		p->caps.bounding |= bit;
		p->caps.effective |= bit;
		p->caps.permitted |= bit;
	}
	return 0;
}

/* --env K=V replaces K in the container's environment or adds it. */
static int set_env(struct husk_strv *env, const char *kv, struct husk_err *err)
{
	size_t klen = strcspn(kv, "=");

	if (!kv[klen])
		return husk_fail(err, 0, "exec: --env %s: want KEY=VALUE", kv);
	for (size_t i = 0; i < env->n; i++) {
		if (!strncmp(env->v[i], kv, klen + 1)) {
			char *dup = strdup(kv);

			if (!dup)
				return husk_fail(err, ENOMEM, "--env");
			free(env->v[i]);
			env->v[i] = dup;
			return 0;
		}
	}
	return husk_strv_push(env, kv) < 0 ? husk_fail(err, ENOMEM, "--env") : 0;
}

/* The container's own process, changed by the exec flags (as runc does). */
static int apply_flags(struct husk_process *p, const void *arg,
		       struct husk_err *err)
{
	const struct exec_args *a = arg;

	husk_strv_free(&p->args);
	for (char **arg_v = a->args; *arg_v; arg_v++)
		if (husk_strv_push(&p->args, *arg_v) < 0)
			return husk_fail(err, ENOMEM, "args");
	for (size_t i = 0; i < a->env.n; i++)
		if (set_env(&p->env, a->env.v[i], err) < 0)
			return err->code;
	if (a->cwd) {
		free(p->cwd);
		p->cwd = strdup(a->cwd);
		if (!p->cwd)
			return husk_fail(err, ENOMEM, "--cwd");
	}
	p->terminal = a->tty;
	p->no_new_privileges |= a->no_new_privs;
	if (set_user(p, a->user, &a->gids, err) < 0)
		return err->code;
	return add_caps(p, &a->caps, err);
}

/* --process FILE: the whole process, as runc takes it. */
static int load_process(const struct exec_args *a, struct husk_process *p,
			struct husk_err *err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (husk_read_file(a->process_file, &json, &len, err) < 0)
		return err->code;
	if (husk_process_parse(json, len, p, err) < 0)
		return husk_err_prefix(err, "%s", a->process_file);
	p->terminal |= a->tty;
	return 0;
}

/*
 * A foreground terminal without --console-socket: husk is the other end
 * of the console socket itself, and proxies the user's terminal.
 */
static int exec_foreground_tty(struct husk_exec_opts *o, pid_t *pid,
			       int *master, bool *start_failed,
			       struct husk_err *err)
{
	int sv[2];
	int ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return husk_fail(err, errno, "socketpair");
	o->console_fd = sv[1];
	ret = husk_container_exec(o, pid, start_failed, err);
	close(sv[1]);
	if (ret == 0 && husk_recv_fd(sv[0], master, NULL, 0, err) < 0) {
		/* No terminal to give it: it must not run on unattached. */
		husk_proc_kill_reap(*pid);
		ret = err->code;
	}
	close(sv[0]);
	return ret;
}

/* @p NULL: the container's own process with the flags applied. */
static int run_exec(const struct husk_global *g, const struct exec_args *a,
		    const struct husk_process *p, const sigset_t *set)
{
	struct husk_exec_opts o = {
	    .root = g->root,
	    .id = a->id,
	    .proc = p,
	    .adjust = apply_flags,
	    .adjust_arg = a,
	    .console_socket = a->console_socket,
	    .console_fd = -1,
	    .preserve_fds = a->preserve_fds,
	    .pid_file = a->pid_file,
	};
	bool tty = p ? p->terminal : a->tty;
	struct husk_err err = { 0 };
	bool start_failed = false;
	int master = -1, ret;
	pid_t pid = -1;

	if (tty && !a->console_socket && !a->detach)
		ret = exec_foreground_tty(&o, &pid, &master, &start_failed,
					  &err);
	else
		ret = husk_container_exec(&o, &pid, &start_failed, &err);
	if (ret < 0) {
		cli_fail(&err);
		/* runc's and crun's status when the process could not start */
		return start_failed ? 255 : 1;
	}
	if (a->detach)
		return 0;
	if (master >= 0)
		cli_proxy_tty(master, pid);
	return cli_wait_child(pid, set);
}

int cmd_exec(const struct husk_global *g, int argc, char **argv)
{
	struct exec_args a = { 0 };
	struct husk_process p = { 0 };
	struct husk_err err = { 0 };
	sigset_t set;
	int ret;

	if (parse_exec(argc, argv, &a) < 0) {
		ret = 1;
		goto out;
	}
	cli_block_relayed(&set);
	if (a.process_file && load_process(&a, &p, &err) < 0)
		ret = cli_fail(&err);
	else
		ret = run_exec(g, &a, a.process_file ? &p : NULL, &set);
	husk_process_free(&p);
out:
	husk_strv_free(&a.env);
	husk_strv_free(&a.caps);
	husk_strv_free(&a.gids);
	return ret;
}
