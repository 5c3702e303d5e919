/* SPDX-License-Identifier: MIT */
/* OCI hooks: fork + execve with the state on stdin, bounded by a timeout. */
#include "hooks.h"
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_OUT_KEEP 512 /* bytes of stdout/stderr kept for messages */

static const char *const kind_names[HUSK_HOOK_COUNT] = {
    [HUSK_HOOK_PRESTART] = "prestart",
    [HUSK_HOOK_CREATE_RUNTIME] = "createRuntime",
    [HUSK_HOOK_CREATE_CONTAINER] = "createContainer",
    [HUSK_HOOK_START_CONTAINER] = "startContainer",
    [HUSK_HOOK_POSTSTART] = "poststart",
    [HUSK_HOOK_POSTSTOP] = "poststop",
};

const char *husk_hook_kind_name(enum husk_hook_kind kind)
{
	return kind < HUSK_HOOK_COUNT ? kind_names[kind] : "unknown";
}

bool husk_hook_kind_aborts(enum husk_hook_kind kind)
{
	return kind != HUSK_HOOK_POSTSTART && kind != HUSK_HOOK_POSTSTOP;
}

/*
 * A pipe already holding the whole state, write end closed: the hook reads
 * it at its own pace and we never block on (or get SIGPIPE from) a hook
 * that ignores its stdin.
 */
static int state_pipe(const char *state, int *out, struct husk_err *err)
{
	size_t len = state ? strlen(state) : 0;
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return husk_fail(err, errno, "pipe");
	if (len > 65536 && fcntl(p[1], F_SETPIPE_SZ, (int)len) < 0) {
		close(p[0]);
		close(p[1]);
		return husk_fail(err, errno,
				 "state of %zu bytes for the hook's "
				 "stdin",
				 len);
	}
	if (len && write(p[1], state, len) != (ssize_t)len) {
		close(p[0]);
		close(p[1]);
		return husk_fail(err, errno, "write state to the hook's stdin");
	}
	close(p[1]);
	*out = p[0];
	return 0;
}

static __attribute__((noreturn)) void exec_hook(const struct husk_hook *hook,
						int in, int out, int errfd)
{
	char *argv0[] = {hook->path, NULL}, *noenv[] = {NULL};
	struct husk_err err = {0};
	sigset_t none;

	/* Own process group, so a timeout kills what the hook started too. */
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	/* The runtime's fds (state dir, cgroup, sockets) are not the hook's. */
	if (husk_close_fds_from(3, NULL, 0, &err) < 0)
		_exit(126);
	execve(hook->path, hook->args.n ? hook->args.v : argv0,
	       hook->env.v ? hook->env.v : noenv);
	dprintf(2, "exec %s: %s\n", hook->path, strerror(errno));
	_exit(127);
}

struct capture {
	int fd; /* -1 once at EOF */
	char buf[HOOK_OUT_KEEP];
	size_t len;
};

/* Read what is there; keep the first bytes, drop the rest. */
static void capture_read(struct capture *c)
{
	char scratch[4096];

	for (int i = 0; i < 64 && c->fd >= 0; i++) {
		ssize_t n = read(c->fd, scratch, sizeof(scratch));

		if (n < 0 && (errno == EINTR))
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN) {
				close(c->fd);
				c->fd = -1;
			}
			return;
		}
		size_t take = sizeof(c->buf) - 1 - c->len;

		if (take > (size_t)n)
			take = (size_t)n;
		memcpy(c->buf + c->len, scratch, take);
		c->len += take;
		c->buf[c->len] = '\0';
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait for the hook to exit (pidfd readable) while draining its output. */
static bool wait_hook(int pidfd, struct capture *cap, size_t ncap,
		      int64_t timeout)
{
	long long deadline = timeout > 0 ? now_ms() + timeout * 1000 : -1;

	for (;;) {
		struct pollfd pfd[3] = {{.fd = pidfd, .events = POLLIN}};
		int wait_ms = -1;

		for (size_t i = 0; i < ncap; i++)
			pfd[i + 1] =
			    (struct pollfd){.fd = cap[i].fd, .events = POLLIN};
		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return false;
			wait_ms = left > 60000 ? 60000 : (int)left;
		}
		if (poll(pfd, ncap + 1, wait_ms) < 0 && errno != EINTR)
			return true; /* cannot happen; let waitpid decide */
		for (size_t i = 0; i < ncap; i++)
			if (pfd[i + 1].revents)
				capture_read(&cap[i]);
		if (pfd[0].revents)
			return true;
	}
}

/* The first line of @s, without trailing CR. */
static const char *first_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

static int hook_result(const struct husk_hook *hook, int status,
		       struct capture *cap, struct husk_err *err)
{
	char *why = cap[1].len ? cap[1].buf : cap[0].buf;

	first_line(why);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return husk_fail(
		    err, 0, "hook %s was killed by signal %d (%s)%s%s",
		    hook->path, WTERMSIG(status), strsignal(WTERMSIG(status)),
		    *why ? ": " : "", why);
	return husk_fail(err, 0, "hook %s exited with status %d%s%s",
			 hook->path, WEXITSTATUS(status), *why ? ": " : "",
			 why);
}

static int spawn_hook(const struct husk_hook *hook, int in, struct capture *cap,
		      pid_t *pid, struct husk_err *err)
{
	int out[2] = {-1, -1}, errp[2] = {-1, -1};

	if (pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(errp, O_CLOEXEC | O_NONBLOCK) < 0) {
		int e = errno;

		if (out[0] >= 0) {
			close(out[0]);
			close(out[1]);
		}
		return husk_fail(err, e, "pipe");
	}
	*pid = fork();
	if (*pid == 0)
		exec_hook(hook, in, out[1], errp[1]);
	close(out[1]);
	close(errp[1]);
	cap[0].fd = out[0];
	cap[1].fd = errp[0];
	if (*pid < 0)
		return husk_fail(err, errno, "fork hook %s", hook->path);
	return 0;
}

int husk_hook_run(const struct husk_hook *hook, const char *state_json,
		  struct husk_err *err)
{
	struct capture cap[2] = {{.fd = -1}, {.fd = -1}};
	_cleanup_close_ int in = -1, pidfd = -1;
	pid_t pid = -1;
	int status = 0, r;

	if (!hook->path || hook->path[0] != '/')
		return husk_fail(err, 0, "hook %s: path must be absolute",
				 hook->path ? hook->path : "(null)");
	if (hook->timeout != HUSK_UNSET && hook->timeout <= 0)
		return husk_fail(err, 0, "hook %s: timeout must be positive",
				 hook->path);
	r = state_pipe(state_json, &in, err);
	if (r == 0)
		r = spawn_hook(hook, in, cap, &pid, err);
	if (r == 0) {
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0) {
			r = husk_fail(err, errno, "pidfd_open hook %s",
				      hook->path);
			kill(pid, SIGKILL);
		} else if (!wait_hook(pidfd, cap, 2,
				      hook->timeout == HUSK_UNSET
					  ? 0
					  : hook->timeout)) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			r = husk_fail(err, 0, "hook %s timed out after %lld s",
				      hook->path, (long long)hook->timeout);
		}
	}
	if (pid > 0 && waitpid(pid, &status, 0) < 0 && r == 0)
		r = husk_fail(err, errno, "wait for hook %s", hook->path);
	for (size_t i = 0; i < 2; i++) {
		capture_read(&cap[i]); /* what came just before exit */
		if (cap[i].fd >= 0)
			close(cap[i].fd);
	}
	return r < 0 ? r : hook_result(hook, status, cap, err);
}

int husk_hooks_run(const struct husk_hook *hooks, size_t n,
		   const char *state_json, struct husk_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int r = husk_hook_run(&hooks[i], state_json, err);

		if (r < 0)
			return r;
	}
	return 0;
}
