/* SPDX-License-Identifier: MIT */
/* Small file helpers for net/'s on-disk state under <root>/.net. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "internal.h"
#include "../runtime/fsutil.h"
#include "../runtime/state.h"

int net_path(char *buf, const char *root, const char *fmt, ...)
{
	char rest[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rest))
		return -ENAMETOOLONG;
	/* A leading dot: container ids start alphanumeric, so no container
	 * can ever be named like the store. */
	n = snprintf(buf, PATH_MAX, "%s/" HUSK_NET_STORE "%s%s", root,
		     *rest ? "/" : "", rest);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int net_lock(const char *path, struct husk_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;

		close(fd);
		return husk_fail(err, e, "lock %s", path);
	}
	return fd;
}

int net_read_small(const char *path, char *buf, size_t size)
{
	struct husk_err ignored = {0};
	int r = husk_read_at(AT_FDCWD, path, buf, size, &ignored);
	size_t n = r == 0 ? strlen(buf) : 0;

	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return r;
}

int net_create_excl(const char *path, const char *data)
{
	_cleanup_close_ int fd =
	    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t len = strlen(data);

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		int e = errno ? errno : EIO;

		unlink(path);
		return -e;
	}
	return 0;
}

bool net_owner_gone(const char *root, const char *id)
{
	struct husk_err ignore = { 0 };
	char path[PATH_MAX];
	struct stat st;

	/* An empty or odd id can't be checked: never call it stale. */
	if (!*id || strchr(id, '/') || strcmp(id, ".") == 0 ||
	    strcmp(id, "..") == 0)
		return false;
	/* Not root/<id>: a long id's state dir has a hashed name. */
	if (husk_state_path(root, id, NULL, path, sizeof(path), &ignore) < 0)
		return false;
	return stat(path, &st) < 0 && errno == ENOENT;
}
