/* SPDX-License-Identifier: MIT */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int husk_read_file(const char *path, char **out, size_t *len,
		   struct husk_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 4096, used = 0;

	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	buf = malloc(cap);
	if (!buf)
		return husk_fail(err, ENOMEM, "read %s", path);
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				return husk_fail(err, ENOMEM, "read %s", path);
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return husk_fail(err, errno, "read %s", path);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = husk_steal_ptr(buf);
	return 0;
}

int husk_read_at(int dirfd, const char *name, char *buf, size_t len,
		 struct husk_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return husk_fail(err, errno, "open %s", name);
	n = read(fd, buf, len - 1);
	if (n < 0)
		return husk_fail(err, errno, "read %s", name);
	buf[n] = '\0';
	return 0;
}

int husk_write_at(int dirfd, const char *name, const char *data,
		  struct husk_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(data);
	ssize_t n;

	if (fd < 0)
		return husk_fail(err, errno, "open %s", name);
	n = write(fd, data, len);
	if (n < 0)
		return husk_fail(err, errno, "write %s to %s", data, name);
	if ((size_t)n != len)
		return husk_fail(err, EIO, "short write to %s", name);
	return 0;
}

/*
 * rename(tmp, path), as atomic for readers, but when path exists swap the
 * two names and unlink the old version.  A rename that replaces a file
 * makes ext4 (auto_da_alloc) allocate the new file's blocks at once, and
 * on a filesystem mounted with -o discard the eventual unlink of those
 * blocks then waits for the device: half a millisecond per container on
 * a state dir under an ext4 /run.  After an exchange nothing forces the
 * allocation, and a short-lived file is unlinked before writeback.
 */
static int replace_file(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0)
		return unlink(tmp) < 0 && errno != ENOENT ? -1 : 0;
	/* ENOENT: nothing to replace; EINVAL: no exchange on this fs. */
	if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
		return -1;
	return rename(tmp, path);
}

int husk_write_file_atomic(const char *path, const char *data, size_t len,
			   mode_t mode, struct husk_err *err)
{
	char tmp[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t off = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid()) >=
	    (int)sizeof(tmp))
		return husk_fail(err, ENAMETOOLONG, "%s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return husk_fail(err, errno, "create %s", tmp);
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			unlink(tmp);
			return husk_fail(err, e, "write %s", tmp);
		}
		off += (size_t)n;
	}
	if (replace_file(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return husk_fail(err, e, "rename %s to %s", tmp, path);
	}
	return 0;
}

int husk_mkdir_p(const char *path, mode_t mode, struct husk_err *err)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return husk_fail(err, ENAMETOOLONG, "mkdir %s", path);
	/* Usually all but the last level, or all of it, is there already. */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return husk_fail(err, errno, "mkdir %s", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return husk_fail(err, errno, "mkdir %s", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "mkdir %s", buf);
	return 0;
}

/* Remove everything inside @dfd (a directory on device @dev). */
static int rmtree_at(int dfd, dev_t dev, const char *path, struct husk_err *err)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		close(dfd);
		return husk_fail(err, errno, "opendir %s", path);
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub;

			if (st.st_dev != dev) {
				ret = husk_fail(err, EBUSY, "remove %s/%s: a mount point",
						path, de->d_name);
				continue;
			}
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0 && rmtree_at(sub, dev, path, err) < 0)
				ret = err->code;
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 &&
			    errno != ENOENT)
				ret = husk_fail(err, errno, "rmdir %s/%s", path,
						de->d_name);
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0 &&
			   errno != ENOENT) {
			ret = husk_fail(err, errno, "unlink %s/%s", path,
					de->d_name);
		}
	}
	closedir(d);
	return ret;
}

int husk_rmtree(const char *path, struct husk_err *err)
{
	struct stat st;
	int dfd;

	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOTDIR || errno == ELOOP) {
			if (unlink(path) < 0 && errno != ENOENT)
				return husk_fail(err, errno, "unlink %s", path);
			return 0;
		}
		return husk_fail(err, errno, "open %s", path);
	}
	if (fstat(dfd, &st) < 0) {
		close(dfd);
		return husk_fail(err, errno, "stat %s", path);
	}
	if (rmtree_at(dfd, st.st_dev, path, err) < 0)
		return err->code;
	if (rmdir(path) < 0 && errno != ENOENT)
		return husk_fail(err, errno, "rmdir %s", path);
	return 0;
}
