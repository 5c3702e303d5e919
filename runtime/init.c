/* SPDX-License-Identifier: MIT */
/*
 * The container init, from clone() to execve().  It runs in the new
 * namespaces and reports every failure to the parent over the sync socket
 * as one line naming the step, so the parent can print it and roll back.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../ns/ns.h"
#include "hooks.h"
#include "internal.h"
#include "rootfs.h"
#include "security.h"
#include "selfexe.h"
#include "state.h"
#include "sync.h"
#include "tty.h"

static const char *env_get(char *const env[], const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, len) && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

static int check_exec(const char *path, const char *file, struct husk_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return husk_fail(err, errno, "exec: \"%s\": stat %s", file, path);
	if (S_ISDIR(st.st_mode))
		return husk_fail(err, EACCES, "exec: \"%s\": is a directory", file);
	if (access(path, X_OK) < 0)
		return husk_fail(err, errno, "exec: \"%s\"", file);
	return 0;
}

int husk_find_executable(const char *file, char *const env[], char *out,
			 size_t len, struct husk_err *err)
{
	const char *path = env_get(env, "PATH");

	if (strchr(file, '/')) {
		if ((size_t)snprintf(out, len, "%s", file) >= len)
			return husk_fail(err, ENAMETOOLONG, "exec: \"%s\"", file);
		return check_exec(out, file, err);
	}
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if ((size_t)snprintf(out, len, "%.*s/%s", (int)n,
				     n ? path : ".", file) < len &&
		    access(out, X_OK) == 0) {
			struct stat st;

			if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode))
				return 0;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return husk_fail(err, ENOENT,
			 "exec: \"%s\": executable file not found in $PATH",
			 file);
}

static int set_names(const struct husk_spec *s, struct husk_err *err)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return husk_fail(err, errno, "sethostname %s", s->hostname);
	if (s->domainname &&
	    setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return husk_fail(err, errno, "setdomainname %s", s->domainname);
	return 0;
}

/* Until the parent hands over, a dead parent means a dead container. */
static int watch_parent(pid_t parent, struct husk_err *err)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return husk_fail(err, errno, "prctl PR_SET_PDEATHSIG");
	if (getppid() != parent)
		return husk_fail(err, ESRCH, "husk exited during create");
	return 0;
}

/*
 * The state JSON for a hook run from the init.  Read before pivot_root:
 * the state dir is a host path, out of reach afterwards, so the
 * startContainer state is made then too (NULL: no such hooks).
 */
static int hook_state(const struct husk_init_args *a, enum husk_hook_kind kind,
		      char **json, struct husk_err *err)
{
	struct husk_state st;

	*json = NULL;
	if (a->spec->hooks.n[kind] == 0)
		return 0;
	if (husk_state_read(a->root, a->id, &st, err) < 0) {
		husk_state_free(&st);
		return err->code;
	}
	*json = husk_state_to_json(&st, kind == HUSK_HOOK_START_CONTAINER ?
						HUSK_STATUS_RUNNING :
						HUSK_STATUS_CREATING, 0);
	husk_state_free(&st);
	return *json ? 0 : husk_fail(err, ENOMEM, "hook state");
}

/* createContainer and startContainer hooks run inside the container. */
static int run_hooks(const struct husk_init_args *a, enum husk_hook_kind kind,
		     const char *json, struct husk_err *err)
{
	const struct husk_spec *s = a->spec;

	if (s->hooks.n[kind] == 0)
		return 0;
	return husk_hooks_run(s->hooks.v[kind], s->hooks.n[kind], json, err);
}

static int setup_terminal(const struct husk_init_args *a, struct husk_err *err)
{
	const struct husk_process *p = &a->spec->process;

	if (!p->terminal)
		return 0;
	if (husk_tty_setup(a->console_fd, p->console_height, p->console_width,
			   err) < 0)
		return err->code;
	close(a->console_fd);
	return 0;
}

/*
 * /dev is made: the device rules go in, and the createRuntime hooks run.
 * The parent does both, but for an init that goes straight (husk run
 * without those hooks, outside a user namespace): the rules are ours.
 */
static int after_mounts(const struct husk_init_args *a, struct husk_err *err)
{
	if (a->straight)
		return husk_devices_apply(a->spec, a->cg, err);
	if (husk_sync_send(a->sync_fd, HUSK_SYNC_MOUNTED, err) < 0 ||
	    husk_sync_wait(a->sync_fd, HUSK_SYNC_HOOKS_DONE, err) < 0)
		return err->code;
	return 0;
}

static int setup_in_namespaces(const struct husk_init_args *a,
			       char **start_state, struct husk_err *err)
{
	_cleanup_free_ char *create_state = NULL;
	const struct husk_spec *s = a->spec;
	struct husk_rootfs r = { .spec = s, .state_dir = a->state_dir,
				 .cg = a->cg, .userns = a->userns };

	if (a->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) &&
	    errno != EINVAL)
		return husk_fail(err, errno, "become root in the user namespace");
	if (husk_ns_join_paths(s, false, err) < 0)
		return err->code;
	/*
	 * A cgroup namespace is rooted at the cgroup its maker is in: make it
	 * now that we have entered the container's cgroup, so
	 * /proc/self/cgroup inside reads "/".
	 */
	if ((husk_ns_clone_flags(s) & CLONE_NEWCGROUP) &&
	    unshare(CLONE_NEWCGROUP) < 0)
		return husk_fail(err, errno, "unshare cgroup namespace");
	if (setsid() < 0)
		return husk_fail(err, errno, "setsid");
	if (husk_rootfs_prepare(&r, err) < 0 || after_mounts(a, err) < 0)
		return err->code;
	if (hook_state(a, HUSK_HOOK_CREATE_CONTAINER, &create_state, err) < 0 ||
	    hook_state(a, HUSK_HOOK_START_CONTAINER, start_state, err) < 0 ||
	    run_hooks(a, HUSK_HOOK_CREATE_CONTAINER, create_state, err) < 0 ||
	    husk_rootfs_pivot(&r, err) < 0)
		return err->code;
	/* Sysctls before readonlyPaths make /proc/sys read-only. */
	if (set_names(s, err) < 0 || husk_sysctl_apply(&s->sysctl, err) < 0 ||
	    husk_rootfs_finish(&r, err) < 0 || setup_terminal(a, err) < 0)
		return err->code;
	return husk_enter_cwd(s->process.cwd ? s->process.cwd : "/", err);
}

/*
 * Block until the container is started.  husk create: until `husk start`
 * opens exec.fifo for reading; the write end stays open (close-on-exec)
 * until execve, so that `start` sees EOF only once the process runs:
 * poststart hooks must not race startContainer.  husk run makes no fifo:
 * it sends START, and our end of the sync socket, close-on-exec too,
 * tells it the same.
 */
static int wait_for_start(const struct husk_init_args *a, struct husk_err *err)
{
	char path[64];
	int fd;

	if (a->fifo_fd < 0)
		return husk_sync_wait(a->sync_fd, HUSK_SYNC_START, err);
	close(a->sync_fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->fifo_fd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open exec fifo");
	if (write(fd, "0", 1) != 1) {
		close(fd);
		return husk_fail(err, errno, "write exec fifo");
	}
	close(a->fifo_fd);
	return 0;
}

/* READY, then wait to be started; an init going straight goes on. */
static int ready(const struct husk_init_args *a, struct husk_err *err)
{
	if (a->straight)
		return 0;
	if (husk_sync_send(a->sync_fd, HUSK_SYNC_READY, err) < 0)
		return err->code;
	return wait_for_start(a, err);
}

static _Noreturn void init_run(const struct husk_init_args *a)
{
	const struct husk_process *p = &a->spec->process;
	struct husk_err err = { 0 };
	char exe[PATH_MAX];
	int keep[2] = { a->sync_fd, a->fifo_fd };
	char *start_state = NULL; /* freed by execve or _exit */
	struct husk_seccomp_filter *filter = NULL; /* likewise */
	int tramp_fd = -1;
	sigset_t none;

	/*
	 * Wait for GO before anything else: an init sharing husk's memory
	 * must not run husk or libc code (errno, malloc) while the parent
	 * does.  From here on the two take turns: whoever sends a step on
	 * the sync socket then blocks until the other answers.
	 */
	if (husk_sync_wait(a->sync_fd, HUSK_SYNC_GO, &err) < 0)
		goto fail;
	/* husk run blocked the signals it relays; the process gets none blocked. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* First, so that all it does is charged there (and cheaply: see
	 * husk_cgroup_enter_self). */
	if ((a->cg && husk_cgroup_enter_self(a->cg, a->in_cgroup2, &err) < 0) ||
	    watch_parent(getppid(), &err) < 0 ||
	    husk_trampoline_open(3 + a->preserve_fds, &tramp_fd, &err) < 0 ||
	    setup_in_namespaces(a, &start_state, &err) < 0 ||
	    husk_find_executable(p->args.v[0], p->env.v, exe, sizeof(exe),
				 &err) < 0 ||
	    husk_close_fds_from(3 + a->preserve_fds, keep, 2, &err) < 0 ||
	    husk_seccomp_build(a->spec->seccomp, &filter, &err) < 0)
		goto fail;
	/* From here on the container outlives husk create. */
	if (prctl(PR_SET_PDEATHSIG, 0) < 0) {
		husk_fail(&err, errno, "prctl PR_SET_PDEATHSIG");
		goto fail;
	}
	if (ready(a, &err) < 0)
		goto late_fail;
	if (run_hooks(a, HUSK_HOOK_START_CONTAINER, start_state, &err) < 0 ||
	    husk_process_finalize_built(p, filter, &err) < 0)
		goto late_fail;
	husk_trampoline_exec(tramp_fd, exe, p->args.v, p->env.v, &err);
late_fail:
	/* Nobody reads the sync socket now: our stderr is all we have. */
	dprintf(STDERR_FILENO, "husk: %s\n", err.msg);
	_exit(err.code == -ENOENT ? 127 : err.code == -EACCES ? 126 : 1);
fail:
	husk_sync_send_error(a->sync_fd, &err);
	_exit(1);
}

int husk_init_main(void *args)
{
	/* The parent's copy may be gone once we are READY: keep our own. */
	const struct husk_init_args a = *(const struct husk_init_args *)args;

	/* The flock and the parent's sync end belong to the create. */
	close(a.parent_fds[0]);
	close(a.parent_fds[1]);
	init_run(&a);
}
