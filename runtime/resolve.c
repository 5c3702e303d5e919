/* SPDX-License-Identifier: MIT */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return (int)fd;
}

void husk_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/*
 * Create the last component @name of @path in its (resolved) parent, the
 * first @parent_len bytes of @path: 0 (or it was there), or -errno,
 * -ENOENT when the parent is missing.
 */
static int make_last(int rootfd, const char *path, const char *name,
		     size_t parent_len, enum husk_mk mk)
{
	char parent[PATH_MAX];
	_cleanup_close_ int pfd = -1;
	int r;

	memcpy(parent, path, parent_len);
	parent[parent_len] = '\0';
	pfd = openat2_in_root(rootfd, parent_len ? parent : "/",
			      O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return -errno;
	if (mk == HUSK_MK_DIR)
		r = mkdirat(pfd, name, 0755);
	else
		r = mknodat(pfd, name, S_IFREG | 0644, 0);
	return r < 0 && errno != EEXIST ? -errno : 0;
}

/* mkdir -p @path's parents in the rootfs, then its last component. */
static int make_path(int rootfd, const char *path, size_t len, enum husk_mk mk,
		     struct husk_err *err)
{
	char buf[PATH_MAX];
	int r;

	memcpy(buf, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		bool last = i == len;
		size_t start;

		if (!last && buf[i] != '/')
			continue;
		buf[i] = '\0';
		start = i;
		while (start > 0 && buf[start - 1] != '/')
			start--;
		if (start < i) {
			_cleanup_close_ int probe =
				openat2_in_root(rootfd, buf, O_PATH);

			if (probe < 0 && errno != ENOENT)
				return husk_fail(err, errno,
						 "open %s in rootfs", buf);
			r = probe < 0
				? make_last(rootfd, buf, buf + start, start,
					    last ? mk : HUSK_MK_DIR)
				: 0;
			if (r < 0)
				return husk_fail(err, -r, "create %s in rootfs",
						 buf);
		}
		if (!last)
			buf[i] = '/';
	}
	return 0;
}

int husk_open_in_root(int rootfd, const char *path, enum husk_mk mk,
		      struct husk_err *err)
{
	size_t len = strlen(path);
	const char *slash;
	int fd, r;

	if (len >= PATH_MAX)
		return husk_fail(err, ENAMETOOLONG, "%s", path);
	fd = openat2_in_root(rootfd, path, O_PATH);
	if (fd >= 0 || errno != ENOENT || mk == HUSK_MK_NONE) {
		if (fd < 0)
			return husk_fail(err, errno, "open %s in rootfs", path);
		return fd;
	}
	/*
	 * Usually only the last component is missing (a mount point in a
	 * fresh /dev): make it in its parent.  Otherwise walk the path,
	 * making each missing component.
	 */
	slash = strrchr(path, '/');
	r = slash && slash[1]
		? make_last(rootfd, path, slash + 1, (size_t)(slash - path), mk)
		: -ENOENT;
	if (r == -ENOENT && make_path(rootfd, path, len, mk, err) < 0)
		return err->code;
	if (r < 0 && r != -ENOENT)
		return husk_fail(err, -r, "create %s in rootfs", path);
	fd = openat2_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return husk_fail(err, errno, "open %s in rootfs", path);
	return fd;
}
