/* SPDX-License-Identifier: MIT */
/*
 * fd hygiene before execve(): nothing the runtime holds open may reach
 * the container's process.  CVE-2024-21626 was a leaked fd to a host
 * directory that a container used as its cwd to walk the host's tree.
 * Marking CLOEXEC rather than closing keeps the fds usable until execve()
 * (the exec fifo, a sync socket) and lets it fail cleanly if exec fails.
 */
#include "security.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static bool kept(int fd, const int *keep, size_t n_keep)
{
	for (size_t i = 0; i < n_keep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Close @fd, or mark it close-on-exec; 0 or -errno. */
static int retire_fd(int fd, bool close_now)
{
	int flags;

	if (close_now)
		return close(fd) < 0 && errno != EINTR ? -errno : 0;
	flags = fcntl(fd, F_GETFD);
	if (flags < 0 && errno == EBADF)
		return 0; /* closed since readdir saw it */
	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static int fds_walk(int lowfd, const int *keep, size_t n_keep, bool close_now,
		    struct husk_err *err)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd, r = 0;

	if (!dir)
		return husk_fail(err, errno, "open /proc/self/fd");
	dfd = dirfd(dir);
	while ((de = readdir(dir))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		int e;

		if (*end || end == de->d_name || fd < lowfd || fd == dfd ||
		    kept((int)fd, keep, n_keep))
			continue;
		e = retire_fd((int)fd, close_now);
		if (e < 0) {
			r = husk_fail(err, -e, "%s fd %ld",
				      close_now ? "close" : "mark close-on-exec",
				      fd);
			break;
		}
	}
	closedir(dir);
	return r;
}

int husk_cloexec_fds_walk(int lowfd, const int *keep, size_t n_keep,
			  struct husk_err *err)
{
	return fds_walk(lowfd, keep, n_keep, false, err);
}

/* close_range() over every gap between the fds to keep. */
static int fds_range(int lowfd, const int *keep, size_t n_keep, bool close_now,
		     struct husk_err *err)
{
	unsigned flags = close_now ? 0 : CLOSE_RANGE_CLOEXEC;
	int sorted[64];
	unsigned first = lowfd < 0 ? 0 : (unsigned)lowfd;
	size_t n = 0;

	if (n_keep > HUSK_ARRAY_SIZE(sorted))
		return fds_walk(lowfd, keep, n_keep, close_now, err);
	for (size_t i = 0; i < n_keep; i++)
		if (keep[i] >= (int)first)
			sorted[n++] = keep[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_int);
	/* One close_range() per gap between the fds to keep. */
	for (size_t i = 0; i <= n; i++) {
		unsigned last = i < n ? (unsigned)sorted[i] : UINT_MAX;

		if (i < n && last < first)
			continue; /* duplicate in @keep */
		if ((i == n || last > first) &&
		    close_range(first, i < n ? last - 1 : last, flags) < 0) {
			/* ENOSYS: before Linux 5.11; EINVAL: no CLOEXEC flag.
			 */
			if (errno == ENOSYS || errno == EINVAL)
				return fds_walk(lowfd, keep, n_keep, close_now,
						err);
			return husk_fail(err, errno, "close_range from %u",
					 first);
		}
		first = last + 1;
	}
	return 0;
}

int husk_close_fds_from(int lowfd, const int *keep, size_t n_keep,
			struct husk_err *err)
{
	return fds_range(lowfd, keep, n_keep, false, err);
}

int husk_close_fds_now(int lowfd, const int *keep, size_t n_keep,
		       struct husk_err *err)
{
	return fds_range(lowfd, keep, n_keep, true, err);
}

int husk_enter_cwd(const char *cwd, struct husk_err *err)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0)
		return husk_fail(err, errno, "chdir to cwd %s", cwd);
	/* A directory outside our root reads "(unreachable)/..." here. */
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return husk_fail(err, EPERM, "cwd %s is outside the container",
				 cwd);
	return 0;
}
