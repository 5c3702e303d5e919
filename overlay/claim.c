/* SPDX-License-Identifier: MIT */
/*
 * overlay/: claims on persistent uppers, so that two containers never mount
 * the same upper at once (design in overlay.h, "Upper in use").
 */
#include "ovl-internal.h"
#include "../runtime/fsutil.h"
#include "../runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* flock is held only around a read-check-write: wait at most ~2 s. */
#define LOCK_TRIES 200
#define LOCK_WAIT_NS (10 * 1000 * 1000)

static int read_small_file(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The owner's start time; a zombie still counts (it is read, not judged). */
static int pid_starttime(pid_t pid, unsigned long long *start)
{
	uint64_t st = 0;
	char state = 0;
	int r = husk_proc_stat(pid, &state, &st);

	if (r == 0)
		*start = st;
	return r;
}

/* The owner still runs: its pid lives and is not a recycled one. */
static bool owner_alive(const struct husk_ovl_owner *o)
{
	unsigned long long start = 0;

	if (kill(o->pid, 0) < 0 && errno != EPERM)
		return false;
	if (pid_starttime(o->pid, &start) < 0)
		return false;
	return o->start == 0 || o->start == start;
}

/*
 * Open and flock @path.  Retries when the file was unlinked (released)
 * between our open and our flock, so two claimers never hold different
 * inodes.  @create: O_CREAT, else -ENOENT when absent.
 */
static int lock_open(const char *path, bool create, struct husk_err *err)
{
	const struct timespec pause = {0, LOCK_WAIT_NS};

	for (int tries = 0; tries < LOCK_TRIES; tries++) {
		_cleanup_close_ int fd = -1;
		struct stat fst, pst;

		fd = open(path,
			  O_RDWR | O_CLOEXEC | O_NOFOLLOW |
			      (create ? O_CREAT : 0),
			  0600);
		if (fd < 0)
			return husk_fail(err, errno, "overlay lock %s", path);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK)
				return husk_fail(err, errno, "overlay lock %s",
						 path);
			nanosleep(&pause, NULL);
			continue;
		}
		if (fstat(fd, &fst) == 0 && stat(path, &pst) == 0 &&
		    fst.st_ino == pst.st_ino && fst.st_dev == pst.st_dev)
			return husk_steal_fd(fd);
	}
	return husk_fail(err, EWOULDBLOCK, "overlay lock %s", path);
}

static int write_owner(int fd, const struct husk_ovl_owner *o, const char *lock,
		       struct husk_err *err)
{
	char buf[PATH_MAX + 512];
	size_t len;

	if (husk_ovl_owner_format(o, buf, sizeof(buf)) < 0)
		return husk_fail(err, EINVAL, "overlay lock %s: bad owner",
				 lock);
	len = strlen(buf);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, len, 0) != (ssize_t)len)
		return husk_fail(err, errno ? errno : EIO,
				 "write overlay lock %s", lock);
	return 0;
}

/* Point <state_dir>/overlay/claimed-upper at @upper for cleanup to find. */
static int write_backref(const struct husk_ovl_layout *l, struct husk_err *err)
{
	char link[PATH_MAX + 32];

	snprintf(link, sizeof(link), "%s/%s", l->dir, HUSK_OVL_CLAIM_LINK);
	if (unlink(link) < 0 && errno != ENOENT)
		return husk_fail(err, errno, "unlink %s", link);
	if (symlink(l->upper, link) < 0)
		return husk_fail(err, errno, "symlink %s", link);
	return 0;
}

/* Under the flock: refuse a live foreign owner, else record ourselves. */
static int take_claim(int fd, const struct husk_ovl_layout *l,
		      const struct husk_ovl_owner *me, struct husk_err *err)
{
	struct husk_ovl_owner cur;
	char buf[PATH_MAX + 512];
	int r;

	r = read_small_file(fd, buf, sizeof(buf));
	if (r < 0)
		return husk_fail(err, -r, "read overlay lock %s", l->lock);
	if (husk_ovl_owner_parse(buf, &cur) == 0 &&
	    strcmp(cur.state_dir, me->state_dir) != 0 && owner_alive(&cur))
		return husk_fail(
		    err, EBUSY,
		    "overlay upper %s: in use by container %s (pid %d)",
		    l->upper, cur.id, (int)cur.pid);
	r = write_owner(fd, me, l->lock, err);
	return r < 0 ? r : write_backref(l, err);
}

static int fill_owner(struct husk_ovl_owner *me, const char *state_dir,
		      const char *id, pid_t pid, struct husk_err *err)
{
	memset(me, 0, sizeof(*me));
	if (snprintf(me->id, sizeof(me->id), "%s", id) >= (int)sizeof(me->id) ||
	    snprintf(me->state_dir, sizeof(me->state_dir), "%s", state_dir) >=
		(int)sizeof(me->state_dir))
		return husk_fail(err, ENAMETOOLONG, "overlay claim for %s", id);
	me->pid = pid;
	if (pid_starttime(pid, &me->start) < 0)
		return husk_fail(err, ESRCH, "overlay claim for %s: pid %d", id,
				 (int)pid);
	return 0;
}

int husk_overlay_claim(const struct husk_overlay_spec *ov,
		       const char *state_dir, const char *id, pid_t pid,
		       struct husk_err *err)
{
	struct husk_ovl_layout l;
	struct husk_ovl_owner me;
	_cleanup_close_ int fd = -1;
	bool made_dir = false, made_lock;
	char parent[PATH_MAX];
	int r;

	if (ov->lowers.n == 0 || ov->readonly || !ov->upper)
		return 0;
	r = husk_ovl_validate(ov, err);
	if (r == 0)
		r = husk_ovl_layout(ov, state_dir, &l, err);
	if (r == 0)
		r = fill_owner(&me, state_dir, id, pid, err);
	if (r < 0)
		return r;
	if (mkdir(l.dir, 0700) == 0)
		made_dir = true;
	else if (errno != EEXIST)
		return husk_fail(err, errno, "mkdir %s", l.dir);
	made_lock = access(l.lock, F_OK) < 0;
	/* The lock sits beside the upper: make the upper's parents, kept
	 * like the persistent upper itself. */
	snprintf(parent, sizeof(parent), "%s", l.lock);
	if (made_lock && husk_mkdir_p(dirname(parent), 0755, err) < 0)
		fd = err->code;
	else
		fd = lock_open(l.lock, true, err);
	r = fd < 0 ? fd : take_claim(fd, &l, &me, err);
	if (r < 0) {
		/* leave nothing behind: neither our lock file nor our dir */
		if (made_lock && fd >= 0)
			unlink(l.lock);
		if (made_dir)
			rmdir(l.dir);
	}
	return r;
}

/* Forget this state dir's claim (if it still holds it); for cleanup. */
int husk_ovl_release(const char *dir, const char *state_dir,
		     struct husk_err *err)
{
	char link[PATH_MAX + 32], upper[PATH_MAX], buf[PATH_MAX + 512];
	struct husk_overlay_spec ov = {.upper = upper};
	struct husk_ovl_layout l;
	struct husk_ovl_owner cur;
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r;

	snprintf(link, sizeof(link), "%s/%s", dir, HUSK_OVL_CLAIM_LINK);
	n = readlink(link, upper, sizeof(upper) - 1);
	if (n < 0)
		return errno == ENOENT
			   ? 0
			   : husk_fail(err, errno, "readlink %s", link);
	upper[n] = '\0';
	if (husk_ovl_layout(&ov, state_dir, &l, err) < 0)
		return err->code;
	if (access(l.lock, F_OK) < 0)
		return 0;
	fd = lock_open(l.lock, false, err);
	if (fd == -ENOENT) {
		husk_err_clear(err); /* released meanwhile */
		return 0;
	}
	if (fd < 0)
		return fd;
	r = read_small_file(fd, buf, sizeof(buf));
	if (r == 0 && husk_ovl_owner_parse(buf, &cur) == 0 &&
	    strcmp(cur.state_dir, state_dir) == 0 && unlink(l.lock) < 0)
		return husk_fail(err, errno, "unlink %s", l.lock);
	return 0;
}
