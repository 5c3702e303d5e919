/* SPDX-License-Identifier: MIT */
/*
 * Live OOM-kill notification for one memory cgroup.
 *
 * v1: an eventfd registered on memory.oom_control through the sibling
 *     cgroup.event_control; it counts OOM situations, and memory.oom_control
 *     says how many of them killed (oom_kill, Linux 4.13+).
 * v2: inotify on memory.events, which the kernel marks modified whenever a
 *     counter in it changes; the count is its oom_kill key ("oom" also counts
 *     OOMs that ended without a kill).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include "diag.h"
#include "util.h"

struct husk_oom_watch {
	bool v2;
	int fd;		     /* eventfd (v1) or inotify (v2) */
	uint64_t events;     /* v1 eventfd notifications since open */
	uint64_t last_total; /* total reported by the previous read */
	uint64_t unexplained; /* v1: OOMs notified, their kills not yet counted */
	char path[PATH_MAX];
};

static int register_v1(const char *oom_control, int efd, struct husk_err *err)
{
	_cleanup_close_ int cfd = -1, ctl = -1;
	char ctl_path[PATH_MAX], msg[64];
	const char *slash = strrchr(oom_control, '/');
	int n, len;

	if (!slash)
		return husk_fail(err, 0, "%s: not a path", oom_control);
	len = (int)(slash - oom_control);
	if (snprintf(ctl_path, sizeof(ctl_path), "%.*s/cgroup.event_control",
		     len, oom_control) >= (int)sizeof(ctl_path))
		return husk_fail(err, ENAMETOOLONG, "%s", oom_control);
	cfd = open(oom_control, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return husk_fail(err, errno, "open %s", oom_control);
	ctl = open(ctl_path, O_WRONLY | O_CLOEXEC);
	if (ctl < 0)
		return husk_fail(err, errno, "open %s", ctl_path);
	/* The kernel takes its own references: both fds may close after. */
	n = snprintf(msg, sizeof(msg), "%d %d", efd, cfd);
	if (write(ctl, msg, (size_t)n) != n)
		return husk_fail(err, errno, "write %s", ctl_path);
	return 0;
}

static int open_notifier(struct husk_oom_watch *w, struct husk_err *err)
{
	if (w->v2) {
		w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (w->fd < 0)
			return husk_fail(err, errno, "inotify_init1");
		if (inotify_add_watch(w->fd, w->path, IN_MODIFY) < 0)
			return husk_fail(err, errno, "inotify %s", w->path);
		return 0;
	}
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->fd < 0)
		return husk_fail(err, errno, "eventfd");
	return register_v1(w->path, w->fd, err);
}

int husk_oom_watch_open(const char *path, bool v2, struct husk_oom_watch **out,
			struct husk_err *err)
{
	struct husk_oom_watch *w = calloc(1, sizeof(*w));
	uint64_t unused;
	int r;

	if (!w)
		return husk_fail(err, ENOMEM, "oom watch");
	w->v2 = v2;
	w->fd = -1;
	if (snprintf(w->path, sizeof(w->path), "%s", path) >=
	    (int)sizeof(w->path)) {
		r = husk_fail(err, ENAMETOOLONG, "%s", path);
		goto fail;
	}
	r = open_notifier(w, err);
	if (r == 0) /* count from now: kills before the watch are not new */
		r = husk_oom_watch_read(w, &unused, &w->last_total, err);
	if (r < 0)
		goto fail;
	*out = w;
	return 0;
fail:
	husk_oom_watch_close(w);
	return r;
}

int husk_oom_watch_fd(const struct husk_oom_watch *w)
{
	return w->fd;
}

/* Empty the notifier so that the next poll waits for a new change. */
static int drain(struct husk_oom_watch *w, struct husk_err *err)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	for (int i = 0; i < 64; i++) {
		n = read(w->fd, buf, w->v2 ? sizeof(buf) : sizeof(uint64_t));
		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			if (errno == EINTR)
				continue;
			return husk_fail(err, errno, "read oom notifier");
		}
		if (!w->v2 && n == sizeof(uint64_t)) {
			uint64_t c;

			memcpy(&c, buf, sizeof(c));
			w->events += c;
		}
	}
	return 0;
}

static int read_total(struct husk_oom_watch *w, uint64_t *total,
		      struct husk_err *err)
{
	struct husk_memory_events ev;
	int r = husk_memory_events_read(w->path, &ev, err);

	if (r < 0)
		return r;
	if (ev.oom_kill != HUSK_DIAG_NONE)
		*total = (uint64_t)ev.oom_kill;
	else if (w->v2 && ev.oom != HUSK_DIAG_NONE)
		*total = (uint64_t)ev.oom; /* kernels before oom_kill */
	else if (!w->v2 && ev.under_oom != HUSK_DIAG_NONE)
		*total = w->events; /* v1 before 4.13: notifications */
	else
		return husk_fail(err, ENOENT, "%s: cgroup removed", w->path);
	return 0;
}

/*
 * v1 signals an OOM before its kill is counted, and also the cgroup's
 * removal, which husk run does as soon as its init has died: the counter
 * may be gone before it showed the kill.  An OOM notified while the cgroup
 * could still be read is then reported as the kill it was (runc reports
 * every v1 notification as an OOM).
 */
static void account_v1(struct husk_oom_watch *w, uint64_t notified,
		       uint64_t kills)
{
	w->unexplained += notified;
	w->unexplained = w->unexplained > kills ? w->unexplained - kills : 0;
}

int husk_oom_watch_read(struct husk_oom_watch *w, uint64_t *new_kills,
			uint64_t *total, struct husk_err *err)
{
	uint64_t before = w->events;
	int r = drain(w, err);

	if (r == 0)
		r = read_total(w, total, err);
	if ((r == -ENOENT || r == -ENODEV) && !w->v2 && w->unexplained > 0) {
		husk_err_clear(err);
		*new_kills = w->unexplained;
		*total = w->last_total + w->unexplained;
		w->unexplained = 0;
		w->last_total = *total;
		return 0;
	}
	if (r < 0)
		return r;
	*new_kills = *total > w->last_total ? *total - w->last_total : 0;
	w->last_total = *total;
	if (!w->v2)
		account_v1(w, w->events - before, *new_kills);
	return 0;
}

void husk_oom_watch_close(struct husk_oom_watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}
