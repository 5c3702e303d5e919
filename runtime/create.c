/* SPDX-License-Identifier: MIT */
/*
 * `create`, the parent side.  Every kernel object is recorded in the state
 * dir before it is made; any failure tears down what was made, through the
 * same husk_container_teardown() that `delete --force` uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../net/net.h"
#include "../ns/ns.h"
#include "../overlay/overlay.h"
#include "clock.h"
#include "clone.h"
#include "container.h"
#include "fsutil.h"
#include "init.h"
#include "internal.h"
#include "security.h"
#include "sync.h"

struct create {
	const struct husk_create_opts *o;
	const struct husk_spec *spec;
	struct husk_state st;
	char dir[PATH_MAX];
	int lock_fd;
	int sync[2];
	int fifo_fd;
	int console_fd;
	struct husk_cgroup *cg;
	struct husk_init_args init_args;
	void *init_stack; /* husk run's CLONE_VM init runs on it */
};

static bool wants_network(const struct husk_spec *s)
{
	const struct husk_namespace *net = husk_spec_ns(s, HUSK_NS_NET);

	return s->net.network && strcmp(s->net.network, "host") && net &&
	       !net->path;
}

/* Configuration errors that need no kernel object are reported first. */
static int check_spec(const struct husk_create_opts *o, struct husk_err *err)
{
	const struct husk_spec *s = o->spec;
	const struct husk_namespace *mnt = husk_spec_ns(s, HUSK_NS_MOUNT);

	if (!s->root_path)
		return husk_fail(err, 0, "config.json: root.path: required");
	if (!mnt || mnt->path)
		return husk_fail(err, 0,
				 "config.json: linux.namespaces: husk needs a "
				 "new mount namespace");
	if (husk_spec_ns(s, HUSK_NS_TIME))
		return husk_fail(err, 0, "config.json: linux.namespaces: "
					 "time namespaces are not supported");
	if (s->process.args.n == 0)
		return husk_fail(err, 0, "config.json: process.args: required");
	if (s->process.terminal && !o->console_socket && o->console_fd < 0)
		return husk_fail(err, 0,
				 "process.terminal is true: --console-socket "
				 "is required");
	if (husk_caps_check(&s->process.caps, err) < 0 ||
	    husk_sysctl_check(&s->sysctl, husk_spec_ns(s, HUSK_NS_NET),
			      husk_spec_ns(s, HUSK_NS_IPC),
			      husk_spec_ns(s, HUSK_NS_UTS), err) < 0 ||
	    husk_lsm_check(&s->process, s->mount_label, err) < 0)
		return err->code;
	/*
	 * linux.seccomp is not built here: the init builds it before READY
	 * (husk_init_run), so a bad profile still fails create, once.
	 */
	return 0;
}

static void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	husk_format_utc(buf, len, &ts, 9);
}

static int record_state(struct create *c, struct husk_err *err)
{
	const struct husk_spec *s = c->spec;
	char created[64], cgpath[PATH_MAX], cfg[PATH_MAX];

	now_rfc3339(created, sizeof(created));
	if (husk_container_cgroup_path(s, c->o->id, cgpath, sizeof(cgpath),
				       err) < 0)
		return err->code;
	c->st.bundle = strdup(c->o->bundle);
	c->st.rootfs = strdup(s->root_path);
	c->st.created = strdup(created);
	c->st.cgroup_path = strdup(cgpath);
	c->st.network = wants_network(s) ? strdup(s->net.network) : NULL;
	c->st.overlay = s->overlay.lowers.n > 0;
	for (size_t i = 0; i < s->annotations.n; i++)
		husk_kvv_set(&c->st.annotations, s->annotations.v[i].key,
			     s->annotations.v[i].value);
	if (!c->st.bundle || !c->st.rootfs || !c->st.created ||
	    !c->st.cgroup_path)
		return husk_fail(err, ENOMEM, "record state");
	if (husk_state_write(c->o->root, &c->st, err) < 0)
		return err->code;
	husk_debug("%s: state recorded in %s (cgroup %s, network %s)",
		   c->o->id, c->dir, c->st.cgroup_path,
		   c->st.network ? c->st.network : "none");
	if (!c->o->config_json)
		return 0;
	if (husk_state_path(c->o->root, c->o->id, "config.json", cfg,
			    sizeof(cfg), err) < 0)
		return err->code;
	return husk_write_file_atomic(cfg, c->o->config_json,
				      strlen(c->o->config_json), 0600, err);
}

/*
 * The devices every container needs, allowed right after the spec's last
 * blanket "deny all" rule: a spec denying everything still gets a working
 * /dev/null or pty (as with runc), while a spec's own later rule about one
 * of them (deny c 1:5) still wins.
 */
static const struct husk_device_rule default_device_rules[] = {
	{ true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },
	{ true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" },
	{ true, 'c', 1, 7, "rwm" }, { true, 'c', 1, 8, "rwm" },
	{ true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },
	{ true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
};

static int make_cgroup(struct create *c, struct husk_err *err)
{
	struct husk_resources res;

	if (husk_cgroup_open(c->st.cgroup_path, true, &c->cg, err) < 0)
		return err->code;
	if (!c->spec->has_resources)
		return 0;
	res = c->spec->resources;
	res.n_devices = 0; /* once /dev is made: husk_devices_apply() */
	return husk_cgroup_apply(c->cg, &res, err);
}

/*
 * The device rules go in once the init has made /dev (as runc sets its
 * resources then): a rule denying one of the default devices would
 * otherwise forbid the mknod that creates it.
 */
int husk_devices_apply(const struct husk_spec *s, struct husk_cgroup *cg,
		       struct husk_err *err)
{
	const struct husk_resources *sr = &s->resources;
	size_t n = sr->n_devices + HUSK_ARRAY_SIZE(default_device_rules);
	_cleanup_free_ struct husk_device_rule *rules = NULL;
	struct husk_resources res = { 0 };
	size_t at = 0;

	if (!s->has_resources || sr->n_devices == 0)
		return 0;
	rules = calloc(n, sizeof(*rules));
	if (!rules)
		return husk_fail(err, ENOMEM, "device rules");
	for (size_t i = 0; i < sr->n_devices; i++)
		if (!sr->devices[i].allow && sr->devices[i].type == 'a')
			at = i + 1;
	memcpy(rules, sr->devices, at * sizeof(*rules));
	memcpy(rules + at, default_device_rules, sizeof(default_device_rules));
	memcpy(rules + at + HUSK_ARRAY_SIZE(default_device_rules),
	       sr->devices + at, (sr->n_devices - at) * sizeof(*rules));
	husk_resources_init(&res);
	res.devices = rules;
	res.n_devices = n;
	return husk_cgroup_apply(cg, &res, err);
}

static int make_fifo(struct create *c, struct husk_err *err)
{
	char path[PATH_MAX];

	if (husk_state_path(c->o->root, c->o->id, "exec.fifo", path,
			    sizeof(path), err) < 0)
		return err->code;
	/* 0622: the init may already run as its final uid when it opens it. */
	if (mkfifo(path, 0622) < 0)
		return husk_fail(err, errno, "mkfifo %s", path);
	/* The umask took the write bits for others away: put them back. */
	if (chmod(path, 0622) < 0)
		return husk_fail(err, errno, "chmod %s", path);
	c->fifo_fd = open(path, O_PATH | O_CLOEXEC);
	if (c->fifo_fd < 0)
		return husk_fail(err, errno, "open %s", path);
	return 0;
}

static int connect_console(struct create *c, struct husk_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (!c->o->console_socket) {
		c->console_fd = c->o->console_fd;
		return 0;
	}
	if (strlen(c->o->console_socket) >= sizeof(addr.sun_path))
		return husk_fail(err, ENAMETOOLONG, "console socket %s",
				 c->o->console_socket);
	strcpy(addr.sun_path, c->o->console_socket);
	c->console_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->console_fd < 0 ||
	    connect(c->console_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return husk_fail(err, errno, "connect console socket %s",
				 c->o->console_socket);
	return 0;
}

/*
 * husk run's init shares our memory (CLONE_VM) until it execs, as after a
 * vfork: no page tables to copy at clone, and no copy-on-write fault for
 * every page either side then writes, which on a virtualised host cost
 * several milliseconds a container.  That is only sound while the two
 * never run husk code at once: the init blocks on the sync socket at its
 * first instruction, each side blocks after sending a step, and the
 * parent keeps the container locked and waits until the exec
 * (start_now).  `husk create` hands the init to a later `husk start` and
 * exits meanwhile, so its init gets a copy of our memory instead.
 */
#define INIT_STACK_SIZE (8UL << 20)

static int map_init_stack(struct create *c, struct husk_err *err)
{
	void *p = mmap(NULL, INIT_STACK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
		       -1, 0);

	if (p == MAP_FAILED)
		return husk_fail(err, errno, "mmap the init's stack");
	/* A guard page: an overflow faults instead of writing our heap. */
	if (mprotect(p, (size_t)getpagesize(), PROT_NONE) < 0) {
		int e = errno;

		munmap(p, INIT_STACK_SIZE);
		return husk_fail(err, e, "mprotect the init's stack guard");
	}
	c->init_stack = p;
	return 0;
}

/*
 * husk run with nothing for us to do between GO and the exec (no prestart
 * or createRuntime hooks, and device rules the init may write itself,
 * outside a user namespace): the init goes straight through instead of
 * stopping at MOUNTED, READY and START, each a wakeup of the other side.
 */
static bool goes_straight(const struct husk_create_opts *o, bool userns)
{
	const struct husk_spec *s = o->spec;

	return o->start && s->hooks.n[HUSK_HOOK_PRESTART] == 0 &&
	       s->hooks.n[HUSK_HOOK_CREATE_RUNTIME] == 0 &&
	       !(userns && s->has_resources && s->resources.n_devices > 0);
}

static int spawn_init(struct create *c, pid_t *pid, struct husk_err *err)
{
	const struct husk_spec *s = c->spec;
	/* The init makes its cgroup namespace once it is in its cgroup. */
	int flags = husk_ns_clone_flags(s) & ~CLONE_NEWCGROUP;

	c->init_args = (struct husk_init_args){
		.spec = s, .root = c->o->root, .id = c->o->id,
		.state_dir = c->dir, .cg = c->cg,
		.fifo_fd = c->fifo_fd, .console_fd = c->console_fd,
		.preserve_fds = c->o->preserve_fds,
		.userns = (flags & CLONE_NEWUSER) != 0,
	};
	c->init_args.straight = goes_straight(c->o, c->init_args.userns);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sync) < 0)
		return husk_fail(err, errno, "socketpair");
	c->init_args.sync_fd = c->sync[1];
	c->init_args.parent_fds[0] = c->lock_fd;
	c->init_args.parent_fds[1] = c->sync[0];
	/* setns(CLONE_NEWPID) only affects children: join before clone. */
	if (husk_ns_join_paths(s, true, err) < 0)
		return err->code;
	if (c->o->start && map_init_stack(c, err) < 0)
		return err->code;
	*pid = husk_clone((unsigned long)flags | SIGCHLD |
				  (c->o->start ? CLONE_VM : 0),
			  c->init_stack, c->init_stack ? INIT_STACK_SIZE : 0,
			  husk_cgroup_clone_fd(c->cg), husk_init_main,
			  &c->init_args, &c->init_args.in_cgroup2);
	if (*pid < 0)
		return husk_fail(err, errno, "clone");
	husk_debug("%s: cloned init %d with flags 0x%x%s%s", c->o->id, *pid,
		   flags, c->o->start ? ", sharing our memory" : "",
		   c->init_args.in_cgroup2 ? ", in its cgroup2 dir" : "");
	close(c->sync[1]);
	c->sync[1] = -1;
	return 0;
}

static int write_pid_file(const char *path, pid_t pid, struct husk_err *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", pid);

	return husk_write_file_atomic(path, buf, (size_t)n, 0644, err);
}

/* The parent's half of the dance, once the init exists. */
static int drive_init(struct create *c, pid_t pid, struct husk_err *err)
{
	int fd = c->sync[0];

	c->st.pid = pid;
	c->st.start_time = husk_proc_start_time(pid);
	if (husk_state_write(c->o->root, &c->st, err) < 0)
		return err->code;
	/* The init enters its cgroup itself, after GO (husk_init_main). */
	if (husk_ns_write_idmaps(pid, c->spec, err) < 0)
		return err->code;
	if (husk_overlay_claim(&c->spec->overlay, c->dir, c->o->id, pid, err) < 0)
		return err->code;
	if (c->st.network &&
	    husk_net_attach_host(c->o->root, c->o->id, &c->spec->net,
				 c->spec->hostname, pid, c->dir, err) < 0)
		return err->code;
	if (husk_sync_send(fd, HUSK_SYNC_GO, err) < 0)
		return err->code;
	if (c->init_args.straight) {
		if (husk_sync_wait_exec(fd, err) < 0)
			return err->code;
		husk_debug("%s: init %d went straight to its exec", c->o->id,
			   pid);
		return c->o->pid_file ? write_pid_file(c->o->pid_file, pid, err)
				      : 0;
	}
	if (husk_sync_wait(fd, HUSK_SYNC_MOUNTED, err) < 0 ||
	    husk_devices_apply(c->spec, c->cg, err) < 0)
		return err->code;
	if (husk_container_run_hooks(c->spec, &c->st, HUSK_HOOK_PRESTART,
				     err) < 0 ||
	    husk_container_run_hooks(c->spec, &c->st,
				     HUSK_HOOK_CREATE_RUNTIME, err) < 0)
		return err->code;
	if (husk_sync_send(fd, HUSK_SYNC_HOOKS_DONE, err) < 0 ||
	    husk_sync_wait(fd, HUSK_SYNC_READY, err) < 0)
		return err->code;
	husk_debug("%s: init %d is set up and waits for start", c->o->id, pid);
	if (c->o->pid_file && write_pid_file(c->o->pid_file, pid, err) < 0)
		return err->code;
	return 0;
}

/*
 * husk run starts the init at once, without exec.fifo: START on the sync
 * socket, whose other end closes when the init execs (or dies).  Only
 * then may we run again: the init ran in our memory (spawn_init).
 */
static int start_now(struct create *c, struct husk_err *err)
{
	if (!c->init_args.straight) {
		if (husk_sync_send(c->sync[0], HUSK_SYNC_START, err) < 0)
			return err->code;
		husk_sync_wait_eof(c->sync[0]);
	}
	c->st.started = true; /* for the poststart hooks' state */
	husk_container_run_hooks_warn(c->spec, &c->st, HUSK_HOOK_POSTSTART);
	return 0;
}

static void create_release(struct create *c)
{
	if (c->sync[0] >= 0)
		close(c->sync[0]);
	if (c->sync[1] >= 0)
		close(c->sync[1]);
	if (c->fifo_fd >= 0)
		close(c->fifo_fd);
	if (c->console_fd >= 0 && c->console_fd != c->o->console_fd)
		close(c->console_fd);
	if (c->cg)
		husk_cgroup_free(c->cg);
	husk_state_free(&c->st);
	/* Only once the init has exec'd or been reaped: it ran on this. */
	if (c->init_stack)
		munmap(c->init_stack, INIT_STACK_SIZE);
}

int husk_container_create(const struct husk_create_opts *o, pid_t *pid,
			  struct husk_err *err)
{
	struct create c = { .o = o, .spec = o->spec, .sync = { -1, -1 },
			    .fifo_fd = -1, .console_fd = -1,
			    .lock_fd = -1 };
	pid_t child = 0;
	int ret;

	*pid = 0;
	if (husk_id_validate(o->id, err) < 0 || check_spec(o, err) < 0)
		return err->code;
	if (husk_state_create(o->root, o->id, &c.lock_fd, err) < 0)
		return err->code;
	if (husk_state_path(o->root, o->id, NULL, c.dir, sizeof(c.dir), err) < 0)
		goto fail;
	c.st.id = strdup(o->id);
	if (!c.st.id) {
		husk_fail(err, ENOMEM, "create %s", o->id);
		goto fail;
	}
	if (record_state(&c, err) < 0 ||
	    husk_overlay_check(&o->spec->overlay, c.dir, err) < 0 ||
	    husk_overlay_claim(&o->spec->overlay, c.dir, o->id, getpid(),
			       err) < 0 ||
	    make_cgroup(&c, err) < 0 ||
	    (!o->start && make_fifo(&c, err) < 0) ||
	    connect_console(&c, err) < 0 ||
	    spawn_init(&c, &child, err) < 0 || drive_init(&c, child, err) < 0)
		goto fail;
	if (o->start && start_now(&c, err) < 0)
		goto fail;
	*pid = child;
	create_release(&c);
	close(c.lock_fd);
	return 0;
fail:
	if (child > 0) {
		husk_proc_kill_reap(child);
	}
	{
		struct husk_err ignore = { 0 };

		c.st.pid = 0; /* reaped above: nothing left to signal */
		if (c.st.id)
			husk_container_teardown(o->root, &c.st, false, &ignore);
		else
			husk_rmtree(c.dir, &ignore);
	}
	create_release(&c);
	ret = err->code;
	close(c.lock_fd);
	return ret;
}
