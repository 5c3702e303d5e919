/* SPDX-License-Identifier: MIT */
/*
 * cgroupfs file access, always relative to the cgroup's dir fd so that a
 * path component swapped underneath us cannot redirect a write.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

int cg_open_write(const struct husk_cgroup *cg, int dfd, const char *file)
{
	/* a fake tree (unit tests) has no files until written, cgroupfs does */
	int flags =
	    O_WRONLY | O_TRUNC | O_CLOEXEC | (cg->lay->fake ? O_CREAT : 0);
	int fd = openat(dfd, file, flags, 0644);

	return fd < 0 ? -errno : fd;
}

int cg_write_fd(int fd, const char *val)
{
	size_t len = strlen(val);
	ssize_t n = write(fd, val, len);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int cg_write(const struct husk_cgroup *cg, int dfd, const char *file,
	     const char *val)
{
	_cleanup_close_ int fd = cg_open_write(cg, dfd, file);

	if (fd < 0)
		return fd;
	return cg_write_fd(fd, val);
}

int cg_set_failed(int r, const char *what, const char *file, const char *val,
		  struct husk_err *err)
{
	return husk_fail(err, -r, "%s: %s=%s", what, file, val);
}

int cg_set(const struct husk_cgroup *cg, const struct cg_dir *d,
	   const char *what, const char *file, const char *val,
	   struct husk_err *err)
{
	int r = cg_write(cg, d->fd, file, val);

	return r < 0 ? cg_set_failed(r, what, file, val, err) : 0;
}

int cg_set_i64(const struct husk_cgroup *cg, const struct cg_dir *d,
	       const char *what, const char *file, int64_t v,
	       struct husk_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_set(cg, d, what, file, buf, err);
}

int cg_read(int dfd, const char *file, char *buf, size_t len)
{
	_cleanup_close_ int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	while (got > 0 && buf[got - 1] == '\n')
		buf[--got] = '\0';
	return 0;
}

int cg_read_u64(int dfd, const char *file, uint64_t *v)
{
	char buf[64], *end;
	int r = cg_read(dfd, file, buf, sizeof(buf));

	if (r < 0)
		return r;
	if (!strncmp(buf, "max", 3)) {
		*v = HUSK_CG_UNLIMITED;
		return 0;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int cg_read_key(int dfd, const char *file, const char *key, uint64_t *v)
{
	char buf[8192], *save = NULL;
	size_t klen = strlen(key);
	int r = cg_read(dfd, file, buf, sizeof(buf));

	if (r < 0)
		return r;
	for (char *l = strtok_r(buf, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, key, klen) && l[klen] == ' ') {
			*v = strtoull(l + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

bool cg_exists(int dfd, const char *file)
{
	return faccessat(dfd, file, F_OK, 0) == 0;
}
