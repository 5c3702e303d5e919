/* SPDX-License-Identifier: MIT */
/*
 * `exec`, in three processes, like runc's nsexec:
 *
 *   husk (caller)   checks the container, forks the intermediate, and
 *                   learns the final process's pid and whether it exec'd;
 *   intermediate    joins the cgroup (while still privileged on the host),
 *                   then every namespace of the init (user first), and
 *                   clones the final process with CLONE_PARENT: since
 *                   setns(CLONE_NEWPID) only applies to children, only a
 *                   child lands in the container's PID namespace, and
 *                   CLONE_PARENT makes it the caller's child, to wait for;
 *   final process   terminal, fds, cwd, husk_process_finalize(), execve.
 *
 * The final process reports failures over a close-on-exec socket; its
 * EOF without a message means execve() succeeded.
 */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../ns/ns.h"
#include "container.h"
#include "fsutil.h"
#include "init.h"
#include "security.h"
#include "selfexe.h"
#include "state.h"
#include "sync.h"
#include "tty.h"

struct exec {
	const struct husk_exec_opts *o;
	const struct husk_process *proc; /* o->proc, or own */
	struct husk_process own; /* o->proc NULL: the spec's, adjusted */
	struct husk_state st;
	struct husk_spec spec;
	struct husk_cgroup *cg;
	int lock_fd;
	int init_pidfd;
	int console_fd;
	int sync[2];
	int tramp_fd; /* husk-exec, in the intermediate and final only */
};

static int check_status(struct exec *x, struct husk_err *err)
{
	enum husk_status s = husk_container_status(&x->st);

	if (s != HUSK_STATUS_RUNNING && s != HUSK_STATUS_CREATED)
		return husk_fail(err, 0, "cannot exec in container %s: it is %s",
				 x->o->id, husk_status_name(s));
	/* The pidfd pins the init; re-check it is still the one we made. */
	x->init_pidfd = (int)syscall(SYS_pidfd_open, x->st.pid, 0);
	if (x->init_pidfd < 0 ||
	    !husk_proc_alive(x->st.pid, x->st.start_time))
		return husk_fail(err, 0,
				 "cannot exec in container %s: it is stopped",
				 x->o->id);
	return 0;
}

static int check_process(const struct exec *x, struct husk_err *err)
{
	const struct husk_process *p = x->proc;

	if (p->args.n == 0)
		return husk_fail(err, 0, "exec: process.args: required");
	if (p->terminal && !x->o->console_socket && x->o->console_fd < 0)
		return husk_fail(err, 0, "exec: process.terminal is true: "
					 "--console-socket is required");
	if (husk_caps_check(&p->caps, err) < 0 ||
	    husk_lsm_check(p, NULL, err) < 0)
		return err->code;
	return 0;
}

/* Lock the container, check it can take a process, load its spec. */
static int open_container(struct exec *x, struct husk_err *err)
{
	const struct husk_exec_opts *o = x->o;

	husk_spec_init(&x->spec);
	if (husk_id_validate(o->id, err) < 0 ||
	    husk_state_lock(o->root, o->id, &x->lock_fd, err) < 0 ||
	    husk_state_read(o->root, o->id, &x->st, err) < 0 ||
	    check_status(x, err) < 0 ||
	    husk_container_spec(o->root, &x->st, &x->spec, err) < 0)
		return err->code;
	return 0;
}

/* The process to run: the caller's, or the spec's with its changes. */
static int take_process(struct exec *x, struct husk_err *err)
{
	const struct husk_exec_opts *o = x->o;

	if (o->proc) {
		x->proc = o->proc;
		return 0;
	}
	x->own = x->spec.process;
	memset(&x->spec.process, 0, sizeof(x->spec.process));
	x->proc = &x->own;
	return o->adjust ? o->adjust(&x->own, o->adjust_arg, err) : 0;
}

static int open_target(struct exec *x, struct husk_err *err)
{
	const struct husk_exec_opts *o = x->o;

	if (open_container(x, err) < 0 || take_process(x, err) < 0 ||
	    check_process(x, err) < 0)
		return err->code;
	if (x->st.cgroup_path &&
	    husk_cgroup_open(x->st.cgroup_path, false, &x->cg, err) < 0)
		return err->code;
	if (o->console_socket)
		return husk_console_connect(o->console_socket, &x->console_fd,
					    err);
	x->console_fd = o->console_fd;
	return 0;
}

/* Inside the container: become the process and execve it. */
static _Noreturn void exec_final(struct exec *x)
{
	const struct husk_process *p = x->proc;
	struct husk_err err = { 0 };
	int keep[2] = { x->sync[1], x->tramp_fd };
	char exe[PATH_MAX];
	sigset_t none;

	/* husk exec blocked the signals it relays; the process gets none. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (husk_spec_ns(&x->spec, HUSK_NS_USER) &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) &&
	    errno != EINVAL) {
		husk_fail(&err, errno, "become root in the user namespace");
		goto fail;
	}
	if (p->terminal &&
	    husk_tty_setup(x->console_fd, p->console_height, p->console_width,
			   &err) < 0)
		goto fail;
	/*
	 * Close (not just mark) every runtime fd before chdir, so that a cwd
	 * like /proc/self/fd/N has no host directory to name (CVE-2024-21626).
	 */
	if (husk_close_fds_now(3 + x->o->preserve_fds, keep, 2, &err) < 0 ||
	    husk_enter_cwd(p->cwd ? p->cwd : "/", &err) < 0 ||
	    husk_find_executable(p->args.v[0], p->env.v, exe, sizeof(exe),
				 &err) < 0 ||
	    husk_process_finalize(p, x->spec.seccomp, &err) < 0)
		goto fail;
	husk_trampoline_exec(x->tramp_fd, exe, p->args.v, p->env.v, &err);
fail:
	husk_sync_send_error(x->sync[1], &err);
	_exit(err.code == -ENOENT ? 127 : err.code == -EACCES ? 126 : 1);
}

/* Host side of the container: cgroup, namespaces, then the final clone. */
static _Noreturn void exec_intermediate(struct exec *x)
{
	struct husk_err err = { 0 };
	int32_t child;

	close(x->sync[0]);
	close(x->lock_fd);
	/* The cgroup files are host files: enter before setns(user). */
	if (husk_trampoline_open(3 + x->o->preserve_fds, &x->tramp_fd,
				 &err) < 0 ||
	    (x->cg && husk_cgroup_enter_self(x->cg, false, &err) < 0) ||
	    husk_ns_enter_process(x->st.pid, x->init_pidfd, &err) < 0)
		goto fail;
	child = (int32_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL,
				 NULL, NULL);
	if (child < 0) {
		husk_fail(&err, errno, "clone into the container");
		goto fail;
	}
	if (child == 0)
		exec_final(x);
	if (husk_sync_send_value(x->sync[1], HUSK_SYNC_READY, child, &err) < 0)
		_exit(1);
	_exit(0);
fail:
	husk_sync_send_error(x->sync[1], &err);
	_exit(1);
}

static int write_pid_file(const char *path, pid_t pid, struct husk_err *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", pid);

	return husk_write_file_atomic(path, buf, (size_t)n, 0644, err);
}

static int spawn(struct exec *x, pid_t *pid, struct husk_err *err)
{
	pid_t mid;
	int32_t child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync) < 0)
		return husk_fail(err, errno, "socketpair");
	mid = fork();
	if (mid < 0)
		return husk_fail(err, errno, "fork");
	if (mid == 0)
		exec_intermediate(x);
	close(x->sync[1]);
	x->sync[1] = -1;
	if (husk_sync_wait_spawned(x->sync[0], &child, err) < 0) {
		waitpid(mid, NULL, 0);
		if (child > 0) /* a CLONE_PARENT child: ours to reap */
			husk_proc_kill_reap(child);
		return err->code;
	}
	waitpid(mid, NULL, 0);
	*pid = child;
	return 0;
}

static void exec_release(struct exec *x)
{
	if (x->sync[0] >= 0)
		close(x->sync[0]);
	if (x->sync[1] >= 0)
		close(x->sync[1]);
	if (x->console_fd >= 0 && x->console_fd != x->o->console_fd)
		close(x->console_fd);
	if (x->init_pidfd >= 0)
		close(x->init_pidfd);
	if (x->lock_fd >= 0)
		close(x->lock_fd);
	husk_cgroup_free(x->cg);
	husk_process_free(&x->own);
	husk_spec_free(&x->spec);
	husk_state_free(&x->st);
}

int husk_container_exec(const struct husk_exec_opts *o, pid_t *pid,
			bool *start_failed, struct husk_err *err)
{
	struct exec x = { .o = o, .lock_fd = -1, .init_pidfd = -1,
			  .console_fd = -1, .sync = { -1, -1 } };
	int ret;

	*pid = 0;
	*start_failed = false;
	if (open_target(&x, err) < 0)
		goto out;
	if (spawn(&x, pid, err) < 0) {
		*start_failed = true;
		goto out;
	}
	if (o->pid_file && write_pid_file(o->pid_file, *pid, err) < 0) {
		husk_proc_kill_reap(*pid);
		*pid = 0;
	}
out:
	ret = err->code;
	exec_release(&x);
	return ret;
}
