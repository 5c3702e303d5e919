/* SPDX-License-Identifier: MIT */
/* start, state, kill, pause, delete: the verbs after create. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../net/net.h"
#include "../overlay/overlay.h"
#include "container.h"
#include "fsutil.h"
#include "hooks.h"
#include "internal.h"

#define START_TIMEOUT_MS 10000
#define EXIT_TIMEOUT_MS 10000

int husk_container_cgroup_path(const struct husk_spec *spec, const char *id,
			       char *buf, size_t len, struct husk_err *err)
{
	const char *p = spec->cgroups_path;
	char name[HUSK_ID_DIRNAME_MAX + 1];
	int n;

	husk_id_dirname(id, name);
	if (!p || !*p)
		n = snprintf(buf, len, "/husk/%s", name);
	else if (p[0] == '/')
		n = snprintf(buf, len, "%s", p);
	else
		n = snprintf(buf, len, "/husk/%s", p);
	if (n < 0 || (size_t)n >= len)
		return husk_fail(err, ENAMETOOLONG, "linux.cgroupsPath");
	if (strstr(buf, "/../") || !strcmp(buf + strlen(buf) - 3, "/.."))
		return husk_fail(err, 0, "linux.cgroupsPath: \"%s\" escapes "
					 "the cgroup hierarchy", buf);
	return 0;
}

int husk_container_spec(const char *root, const struct husk_state *st,
			struct husk_spec *spec, struct husk_err *err)
{
	char path[PATH_MAX];
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (husk_state_path(root, st->id, "config.json", path, sizeof(path),
			    err) < 0 ||
	    husk_read_file(path, &json, &len, err) < 0)
		return err->code;
	return husk_spec_parse(json, len, st->bundle ? st->bundle : "/", spec,
			       err);
}

void husk_container_run_hooks_warn(const struct husk_spec *spec,
				   const struct husk_state *st,
				   enum husk_hook_kind kind)
{
	struct husk_err herr = { 0 };

	if (husk_container_run_hooks(spec, st, kind, &herr) < 0)
		fprintf(stderr, "husk: warning: %s hook: %s\n",
			husk_hook_kind_name(kind), herr.msg);
}

/*
 * Run the poststart or poststop hooks of the container's saved config.json;
 * a failure is a warning.  Most configs have none of them: when the kind's
 * name is nowhere in the text (and no \u escape could spell it), the
 * parse, a good share of a `husk run`, is skipped.
 */
static void run_saved_hooks(const char *root, const struct husk_state *st,
			    enum husk_hook_kind kind)
{
	const char *name = husk_hook_kind_name(kind);
	_cleanup_free_ char *json = NULL;
	struct husk_err herr = { 0 };
	struct husk_spec spec;
	char path[PATH_MAX];
	size_t len;

	if (husk_state_path(root, st->id, "config.json", path, sizeof(path),
			    &herr) < 0 ||
	    husk_read_file(path, &json, &len, &herr) < 0)
		return;
	if (!strstr(json, name) && !strstr(json, "\\u"))
		return;
	husk_spec_init(&spec);
	if (husk_spec_parse(json, len, st->bundle ? st->bundle : "/", &spec,
			    &herr) == 0)
		husk_container_run_hooks_warn(&spec, st, kind);
	husk_spec_free(&spec);
}

static struct husk_cgroup *open_cgroup(const struct husk_state *st)
{
	struct husk_cgroup *cg = NULL;
	struct husk_err ignore = { 0 };

	if (st->cgroup_path &&
	    husk_cgroup_open(st->cgroup_path, false, &cg, &ignore) < 0)
		return NULL;
	return cg;
}

enum husk_status husk_container_status(const struct husk_state *st)
{
	enum husk_status s = husk_state_status(st);
	struct husk_err ignore = { 0 };
	bool frozen = false;

	if (s != HUSK_STATUS_RUNNING && s != HUSK_STATUS_CREATED)
		return s;
	if (st->cgroup_path &&
	    husk_cgroup_path_frozen(st->cgroup_path, &frozen, &ignore) == 0 &&
	    frozen)
		s = HUSK_STATUS_PAUSED;
	return s;
}

int husk_container_run_hooks(const struct husk_spec *spec,
			     const struct husk_state *st,
			     enum husk_hook_kind kind, struct husk_err *err)
{
	_cleanup_free_ char *json = NULL;
	/* The init exists during create, but the spec says "creating". */
	bool creating = kind == HUSK_HOOK_PRESTART ||
			kind == HUSK_HOOK_CREATE_RUNTIME;

	if (spec->hooks.n[kind] == 0)
		return 0;
	json = husk_state_to_json(st, creating ? HUSK_STATUS_CREATING :
						 husk_container_status(st), 0);
	if (!json)
		return husk_fail(err, ENOMEM, "hook state");
	return husk_hooks_run(spec->hooks.v[kind], spec->hooks.n[kind], json,
			      err);
}

/* A pidfd that is known to be the init (not a reused PID), or -1. */
static int open_init(const struct husk_state *st)
{
	int fd;

	if (st->pid <= 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0)
		return -1;
	/* The pidfd pins the process: check it is still the one we made. */
	if (!husk_proc_alive(st->pid, st->start_time)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* SIGKILL the init (its pidfd @fd) and wait (bounded) until it exits. */
static void kill_init(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (fd < 0)
		return;
	if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0)
		return;
	/* Readable once it exits; a zombie nobody reaps counts as gone. */
	poll(&p, 1, EXIT_TIMEOUT_MS);
}

/*
 * Thaw (a frozen task can't die), kill the init, empty and remove the
 * cgroup.  With the init gone (it exited, or husk run reaped it) an empty
 * cgroup's dirs are removed by path: nothing to open, thaw or kill.
 */
static int kill_and_remove_cgroup(struct husk_state *st, struct husk_err *err)
{
	_cleanup_close_ int init = open_init(st);
	struct husk_cgroup *cg;
	int ret = 0;

	if (init < 0 && st->cgroup_path &&
	    husk_cgroup_remove_empty(st->cgroup_path))
		return 0;
	cg = open_cgroup(st);
	if (cg)
		husk_cgroup_freeze(cg, false, err);
	kill_init(init);
	if (cg && husk_cgroup_destroy(cg, err) < 0)
		ret = err->code;
	husk_cgroup_free(cg);
	return ret;
}

int husk_container_teardown(const char *root, struct husk_state *st,
			    bool poststop, struct husk_err *err)
{
	char dir[PATH_MAX];
	int ret = 0;

	husk_debug("%s: tearing down (pid %d, cgroup %s, network %s)", st->id,
		   st->pid, st->cgroup_path ? st->cgroup_path : "none",
		   st->network ? st->network : "none");

	if (husk_state_path(root, st->id, NULL, dir, sizeof(dir), err) < 0)
		return err->code;
	if (kill_and_remove_cgroup(st, err) < 0)
		ret = err->code;
	if (st->network && husk_net_detach(root, st->id, dir, err) < 0)
		ret = err->code;
	if (st->overlay && husk_overlay_cleanup(dir, err) < 0)
		ret = err->code;
	if (poststop)
		run_saved_hooks(root, st, HUSK_HOOK_POSTSTOP);
	if (ret == 0 && husk_rmtree(dir, err) < 0)
		ret = err->code;
	return ret;
}

static int wait_fifo_reader(int fifo, int pidfd, struct husk_err *err)
{
	struct pollfd p[2] = { { .fd = fifo, .events = POLLIN },
			       { .fd = pidfd, .events = POLLIN } };
	char c;
	int n;

	do
		n = poll(p, 2, START_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_fail(err, errno, "start: poll");
	if (n == 0)
		return husk_fail(err, ETIMEDOUT, "start: container init did "
						 "not answer");
	if (!(p[0].revents & POLLIN) || read(fifo, &c, 1) != 1)
		return husk_fail(err, ESRCH, "start: container init exited");
	return 0;
}

/*
 * The init holds the fifo open until its execve (close-on-exec) or its
 * death: wait for that EOF, however long startContainer hooks take (they
 * have their own timeouts).
 */
static void wait_fifo_eof(int fifo)
{
	struct pollfd p = { .fd = fifo, .events = POLLIN };
	char buf[16];

	for (;;) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return;
		if (read(fifo, buf, sizeof(buf)) == 0)
			return;
	}
}

static int start_locked(const char *root, struct husk_state *st,
			struct husk_err *err)
{
	_cleanup_close_ int fifo = -1, pidfd = open_init(st);
	char path[PATH_MAX];

	if (husk_state_path(root, st->id, "exec.fifo", path, sizeof(path),
			    err) < 0)
		return err->code;
	fifo = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return husk_fail(err, errno, "open %s", path);
	if (wait_fifo_reader(fifo, pidfd, err) < 0)
		return err->code;
	wait_fifo_eof(fifo);
	/* The fifo's absence marks the container started (husk_state_read). */
	if (unlink(path) < 0)
		return husk_fail(err, errno, "unlink %s", path);
	st->started = true; /* for the poststart hooks' state */
	run_saved_hooks(root, st, HUSK_HOOK_POSTSTART);
	return 0;
}

int husk_container_start(const char *root, const char *id,
			 struct husk_err *err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state st;
	enum husk_status s;
	int ret;

	if (husk_state_lock(root, id, &lock_fd, err) < 0)
		return err->code;
	if (husk_state_read(root, id, &st, err) < 0)
		goto out;
	s = husk_container_status(&st);
	if (s != HUSK_STATUS_CREATED)
		husk_fail(err, 0, "cannot start container %s: it is %s", id,
			  husk_status_name(s));
	else
		start_locked(root, &st, err);
out:
	ret = err->code;
	husk_state_free(&st);
	return ret;
}

int husk_container_state_json(const char *root, const char *id, char **json,
			      struct husk_err *err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state st;
	int ret = 0;

	if (husk_id_validate(id, err) < 0 ||
	    husk_state_lock(root, id, &lock_fd, err) < 0)
		return err->code;
	if (husk_state_read(root, id, &st, err) < 0) {
		ret = err->code;
	} else {
		*json = husk_state_to_json(&st, husk_container_status(&st), 2);
		if (!*json)
			ret = husk_fail(err, ENOMEM, "state of %s", id);
	}
	husk_state_free(&st);
	return ret;
}

int husk_container_kill(const char *root, const char *id, int sig, bool all,
			struct husk_err *err)
{
	_cleanup_close_ int pidfd = -1;
	struct husk_state st;
	struct husk_cgroup *cg = NULL;
	int ret = 0;

	if (husk_id_validate(id, err) < 0 ||
	    husk_state_read(root, id, &st, err) < 0) {
		ret = err->code;
		goto out;
	}
	if (!st.created) {
		ret = husk_fail(err, 0, "container %s does not exist", id);
		goto out;
	}
	pidfd = open_init(&st);
	if (pidfd < 0) {
		ret = husk_fail(err, 0, "container %s is not running", id);
		goto out;
	}
	if (all && (cg = open_cgroup(&st))) {
		ret = husk_cgroup_kill(cg, sig, err);
		husk_cgroup_free(cg);
	} else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		ret = husk_fail(err, errno, "kill container %s", id);
	}
out:
	husk_state_free(&st);
	return ret;
}

int husk_container_pause(const char *root, const char *id, bool pause,
			 struct husk_err *err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state st;
	struct husk_cgroup *cg = NULL;
	enum husk_status s;
	int ret;

	if (husk_state_lock(root, id, &lock_fd, err) < 0)
		return err->code;
	if (husk_state_read(root, id, &st, err) < 0)
		goto out;
	s = husk_container_status(&st);
	if (pause && s != HUSK_STATUS_RUNNING && s != HUSK_STATUS_CREATED) {
		husk_fail(err, 0, "cannot pause container %s: it is %s", id,
			  husk_status_name(s));
		goto out;
	}
	if (!pause && s != HUSK_STATUS_PAUSED) {
		husk_fail(err, 0, "cannot resume container %s: it is %s", id,
			  husk_status_name(s));
		goto out;
	}
	cg = open_cgroup(&st);
	if (!cg) {
		husk_fail(err, 0, "container %s has no cgroup", id);
		goto out;
	}
	husk_cgroup_freeze(cg, pause, err);
	husk_cgroup_free(cg);
out:
	ret = err->code;
	husk_state_free(&st);
	return ret;
}

int husk_container_delete(const char *root, const char *id, bool force,
			  struct husk_err *err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state st;
	enum husk_status s;
	int ret;

	if (husk_id_validate(id, err) < 0 ||
	    husk_state_lock(root, id, &lock_fd, err) < 0)
		return err->code;
	if (husk_state_read(root, id, &st, err) < 0 && !force)
		goto out;
	husk_err_clear(err);
	/* --force tears down whatever state it is in: no status to read. */
	s = force ? HUSK_STATUS_STOPPED : husk_container_status(&st);
	if (s == HUSK_STATUS_RUNNING || s == HUSK_STATUS_PAUSED) {
		husk_fail(err, 0,
			  "cannot delete container %s: it is %s (stop it "
			  "first or use --force)",
			  id, husk_status_name(s));
		goto out;
	}
	if (s == HUSK_STATUS_CREATING) {
		husk_fail(err, 0, "cannot delete container %s: it is being "
				  "created (use --force)", id);
		goto out;
	}
	husk_container_teardown(root, &st, true, err);
out:
	ret = err->code;
	husk_state_free(&st);
	return ret;
}
