/* SPDX-License-Identifier: MIT */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../overlay/overlay.h"
#include "resolve.h"

#define PROPAGATION_FLAGS (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

static const char *mount_source(const struct husk_mount *m)
{
	if (m->source)
		return m->source;
	return m->type ? m->type : "none";
}

/*
 * Flags the kernel locks on a mount made visible to a less privileged
 * user namespace; a remount that drops them fails with EPERM, so carry
 * them over unless the spec explicitly cleared them.
 */
static unsigned long locked_flags(const char *target, unsigned long cleared)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(target, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	return f & ~cleared;
}

static int remount_bind(const char *target, const char *dest, unsigned long flags,
			unsigned long cleared, struct husk_err *err)
{
	flags |= locked_flags(target, cleared);
	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return husk_fail(err, errno, "remount %s with its options", dest);
	return 0;
}

/*
 * Options engines put in config.json for themselves, not for the kernel
 * (podman's tmpcopyup, SELinux relabel z/Z, chown U, ...): mount(2) would
 * fail with EINVAL on them.  Those with a kernel meaning become flags.
 */
static void filter_options(const char *data, char *out, size_t len,
			   unsigned long *flags)
{
	static const char *const engine_only[] = {
		"tmpcopyup", "notmpcopyup", "z", "Z", "U", "copy-symlink",
		"idmap", "ridmap", "nocopyup", "copyup",
	};
	char buf[4096], *save = NULL;
	size_t used = 0;

	out[0] = '\0';
	if (!data || strlen(data) >= sizeof(buf))
		return;
	strcpy(buf, data);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool skip = false;

		for (size_t i = 0; i < HUSK_ARRAY_SIZE(engine_only); i++)
			skip |= !strcmp(t, engine_only[i]);
		if (!strcmp(t, "nosymfollow"))
			*flags |= MS_NOSYMFOLLOW, skip = true;
		else if (!strcmp(t, "rro"))
			*flags |= MS_RDONLY, skip = true;
		if (skip || used + strlen(t) + 2 > len)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 used ? "," : "", t);
	}
}

/*
 * The fd the mount was made through still names the dentry under the new
 * mount; remount and propagation changes need the mount itself (else
 * EINVAL): resolve the destination again, confined, to reach its top.
 */
static int open_top(int rootfd, const struct husk_mount *m, char *path,
		    size_t len, struct husk_err *err)
{
	int fd = husk_open_in_root(rootfd, m->destination, HUSK_MK_NONE, err);

	if (fd < 0)
		return husk_err_prefix(err, "mount %s on %s", mount_source(m),
				       m->destination);
	husk_fd_path(fd, path, len);
	return fd;
}

static int mount_bind(int rootfd, const struct husk_mount *m,
		      const char *target, struct husk_err *err)
{
	unsigned long flags = MS_BIND | (m->recursive ? MS_REC : 0);
	unsigned long extra = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	_cleanup_close_ int top = -1;
	char path[64];

	if (mount(m->source, target, NULL, flags, NULL) < 0)
		return husk_fail(err, errno, "mount %s on %s", m->source,
				 m->destination);
	if (!extra)
		return 0;
	top = open_top(rootfd, m, path, sizeof(path), err);
	if (top < 0)
		return top;
	return remount_bind(path, m->destination, extra, m->clear_flags, err);
}

static int set_propagation(int rootfd, const struct husk_mount *m,
			   struct husk_err *err)
{
	_cleanup_close_ int top = -1;
	char path[64];

	if (!m->propagation)
		return 0;
	top = open_top(rootfd, m, path, sizeof(path), err);
	if (top < 0)
		return top;
	if (mount(NULL, path, NULL, m->propagation, NULL) < 0)
		return husk_fail(err, errno, "set propagation of %s",
				 m->destination);
	return 0;
}

static int mount_one(int rootfd, const struct husk_rootfs *r,
		     const struct husk_mount *m, struct husk_err *err)
{
	enum husk_mk mk = HUSK_MK_DIR;
	_cleanup_close_ int fd = -1;
	char target[64];
	struct stat st;

	if (m->bind) {
		if (stat(m->source, &st) < 0)
			return husk_fail(err, errno, "mount %s on %s: source",
					 m->source, m->destination);
		if (!S_ISDIR(st.st_mode))
			mk = HUSK_MK_FILE;
	}
	fd = husk_open_in_root(rootfd, m->destination, mk, err);
	if (fd < 0)
		return husk_err_prefix(err, "mount %s on %s", mount_source(m),
				       m->destination);
	husk_fd_path(fd, target, sizeof(target));

	if (m->type && (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2"))) {
		if (!r->cg)
			return husk_fail(err, 0, "mount cgroup on %s: no cgroup",
					 m->destination);
		char real[PATH_MAX];
		ssize_t n = readlink(target, real, sizeof(real) - 1);

		/*
		 * The cgroup view is a tmpfs with mounts inside it, reached
		 * by path after the tmpfs covers the fd's dentry: hand over
		 * the path the confined lookup resolved to.
		 */
		if (n < 0)
			return husk_fail(err, errno, "readlink %s", target);
		real[n] = '\0';
		if (husk_cgroup_mount(r->cg, real, !(m->flags & MS_RDONLY),
				      err) < 0)
			return husk_err_prefix(err, "mount cgroup on %s",
					       m->destination);
	} else if (m->bind) {
		if (mount_bind(rootfd, m, target, err) < 0)
			return err->code;
	} else {
		unsigned long flags = m->flags;
		char data[4096];

		filter_options(m->data, data, sizeof(data), &flags);
		if (mount(mount_source(m), target, m->type, flags,
			  data[0] ? data : NULL) < 0)
			return husk_fail(err, errno, "mount %s on %s",
					 mount_source(m), m->destination);
	}
	return set_propagation(rootfd, m, err);
}

static const struct husk_device default_devices[] = {
	{ "/dev/null", 'c', 1, 3, 0666, 0, 0 },
	{ "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, 0, 0 },
	{ "/dev/random", 'c', 1, 8, 0666, 0, 0 },
	{ "/dev/urandom", 'c', 1, 9, 0666, 0, 0 },
	{ "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

/* @dir in the rootfs as a directory fd for *at calls (mknodat refuses O_PATH). */
static int open_dir_in_root(int rootfd, const char *dir, struct husk_err *err)
{
	_cleanup_close_ int pfd = husk_open_in_root(rootfd, dir, HUSK_MK_DIR, err);
	char path[64];
	int fd;

	if (pfd < 0)
		return err->code;
	husk_fd_path(pfd, path, sizeof(path));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open %s in rootfs", dir);
	return fd;
}

/* The node @d->path, named @name in its directory @dirfd. */
static int mknod_in(int dirfd, const char *name, const struct husk_device *d,
		    struct husk_err *err)
{
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t mode = (mode_t)(d->file_mode == HUSK_UNSET ? 0666 : d->file_mode) &
		      07777;

	dev_t dev = makedev((unsigned)d->major, (unsigned)d->minor);
	int r = mknodat(dirfd, name, type | mode, dev);

	/* Replace what the rootfs has there (a fresh /dev has nothing). */
	if (r < 0 && errno == EEXIST) {
		if (unlinkat(dirfd, name, 0) < 0)
			return husk_fail(err, errno, "replace %s", d->path);
		r = mknodat(dirfd, name, type | mode, dev);
	}
	if (r < 0)
		return husk_fail(err, errno, "mknod %s", d->path);
	/* mknod honours the umask; the spec's mode is exact. */
	if (fchmodat(dirfd, name, mode, 0) < 0 ||
	    fchownat(dirfd, name, (uid_t)(d->uid == HUSK_UNSET ? 0 : d->uid),
		     (gid_t)(d->gid == HUSK_UNSET ? 0 : d->gid),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return husk_fail(err, errno, "chown/chmod %s", d->path);
	return 0;
}

/* mknod is not allowed in a user namespace: bind the host's node instead. */
static int bind_device(int rootfd, const struct husk_device *d,
		       struct husk_err *err)
{
	_cleanup_close_ int fd = husk_open_in_root(rootfd, d->path, HUSK_MK_FILE, err);
	char target[64];

	if (fd < 0)
		return err->code;
	husk_fd_path(fd, target, sizeof(target));
	if (mount(d->path, target, NULL, MS_BIND, NULL) < 0)
		return husk_fail(err, errno, "bind device %s", d->path);
	return 0;
}

/*
 * Make @d.  @devfd: /dev of the rootfs, already open, for the common case
 * of a node directly in it (-1: open the parent of @d->path).
 */
static int make_device(int rootfd, int devfd, const struct husk_device *d,
		       bool userns, struct husk_err *err)
{
	const char *slash = strrchr(d->path, '/');
	char parent[PATH_MAX];
	_cleanup_close_ int pfd = -1;

	if (userns)
		return bind_device(rootfd, d, err);
	if (!slash || slash == d->path ||
	    (size_t)(slash - d->path) >= sizeof(parent))
		return husk_fail(err, 0, "device path %s", d->path);
	memcpy(parent, d->path, (size_t)(slash - d->path));
	parent[slash - d->path] = '\0';
	if (devfd >= 0 && !strcmp(parent, "/dev"))
		return mknod_in(devfd, slash + 1, d, err);
	pfd = open_dir_in_root(rootfd, parent, err);
	if (pfd < 0)
		return err->code;
	return mknod_in(pfd, slash + 1, d, err);
}

static bool has_mount_at(const struct husk_spec *s, const char *dest,
			 const char *type)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, dest) &&
		    (!type || (s->mounts[i].type &&
			       !strcmp(s->mounts[i].type, type))))
			return true;
	return false;
}

static int make_dev_links(int dev, bool ptmx, struct husk_err *err)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },	 { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "pts/ptmx", "ptmx" },
	};

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(links); i++) {
		if (!ptmx && !strcmp(links[i][1], "ptmx"))
			continue;
		if (!strcmp(links[i][1], "ptmx"))
			unlinkat(dev, "ptmx", 0);
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 &&
		    errno != EEXIST)
			return husk_fail(err, errno, "symlink /dev/%s",
					 links[i][1]);
	}
	return 0;
}

static int make_devices(int rootfd, const struct husk_rootfs *r,
			struct husk_err *err)
{
	const struct husk_spec *s = r->spec;
	_cleanup_close_ int dev = -1;

	if (has_mount_at(s, "/dev", NULL)) {
		dev = open_dir_in_root(rootfd, "/dev", err);
		if (dev < 0)
			return err->code;
		for (size_t i = 0; i < HUSK_ARRAY_SIZE(default_devices); i++)
			if (make_device(rootfd, dev, &default_devices[i],
					r->userns, err) < 0)
				return err->code;
		if (make_dev_links(dev, has_mount_at(s, "/dev/pts", "devpts"),
				   err) < 0)
			return err->code;
	}
	for (size_t i = 0; i < s->n_devices; i++)
		if (make_device(rootfd, dev, &s->devices[i], r->userns, err) < 0)
			return husk_err_prefix(err, "linux.devices[%zu]", i);
	return 0;
}

/* resolv.conf, hosts and hostname written by net/ into the state dir. */
static int bind_net_files(int rootfd, const struct husk_rootfs *r,
			  struct husk_err *err)
{
	static const char *const files[] = { "resolv.conf", "hosts", "hostname" };

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(files); i++) {
		char src[PATH_MAX], dst[64], target[64];
		_cleanup_close_ int fd = -1;

		snprintf(src, sizeof(src), "%s/%s", r->state_dir, files[i]);
		if (access(src, F_OK) < 0)
			continue;
		snprintf(dst, sizeof(dst), "/etc/%s", files[i]);
		fd = husk_open_in_root(rootfd, dst, HUSK_MK_FILE, err);
		if (fd < 0)
			return err->code;
		husk_fd_path(fd, target, sizeof(target));
		if (mount(src, target, NULL, MS_BIND, NULL) < 0)
			return husk_fail(err, errno, "bind %s on %s", src, dst);
	}
	return 0;
}

int husk_rootfs_prepare(const struct husk_rootfs *r, struct husk_err *err)
{
	const struct husk_spec *s = r->spec;
	unsigned long prop = s->rootfs_propagation & PROPAGATION_FLAGS;
	_cleanup_close_ int rootfd = -1;

	/* Nothing we mount may propagate back to the host. */
	if (prop != MS_PRIVATE)
		prop = MS_SLAVE;
	if (mount(NULL, "/", NULL, MS_REC | prop, NULL) < 0)
		return husk_fail(err, errno, "make / %s",
				 prop == MS_SLAVE ? "rslave" : "rprivate");
	if (s->overlay.lowers.n > 0 &&
	    husk_overlay_mount(&s->overlay, r->state_dir, s->root_path, err) < 0)
		return err->code;
	/* pivot_root needs the new root to be a mount point. */
	if (mount(s->root_path, s->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_fail(err, errno, "bind rootfs %s", s->root_path);
	rootfd = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return husk_fail(err, errno, "open rootfs %s", s->root_path);
	for (size_t i = 0; i < s->n_mounts; i++)
		if (mount_one(rootfd, r, &s->mounts[i], err) < 0)
			return err->code;
	if (make_devices(rootfd, r, err) < 0 ||
	    bind_net_files(rootfd, r, err) < 0)
		return err->code;
	return 0;
}

int husk_rootfs_pivot(const struct husk_rootfs *r, struct husk_err *err)
{
	_cleanup_close_ int oldroot = -1, newroot = -1;

	oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	newroot = open(r->spec->root_path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0)
		return husk_fail(err, errno, "open rootfs %s",
				 r->spec->root_path);
	if (fchdir(newroot) < 0)
		return husk_fail(err, errno, "chdir %s", r->spec->root_path);
	/* pivot_root(".", "."): the old root is stacked on the new one. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return husk_fail(err, errno, "pivot_root %s",
				 r->spec->root_path);
	if (fchdir(oldroot) < 0)
		return husk_fail(err, errno, "chdir old root");
	/* Keep the unmount of the old root from propagating to the host. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return husk_fail(err, errno, "make old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return husk_fail(err, errno, "unmount old root");
	if (chdir("/") < 0)
		return husk_fail(err, errno, "chdir /");
	return 0;
}

static int mask_path(const char *path, struct husk_err *err)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char target[64];
	struct stat st;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return husk_fail(err, errno, "mask %s", path);
	}
	husk_fd_path(fd, target, sizeof(target));
	if (fstat(fd, &st) < 0)
		return husk_fail(err, errno, "mask %s", path);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0k") < 0)
			return husk_fail(err, errno, "mask %s", path);
	} else if (mount("/dev/null", target, NULL, MS_BIND, NULL) < 0) {
		return husk_fail(err, errno, "mask %s", path);
	}
	return 0;
}

/* Before Linux 5.12: bind @path on itself, then remount the new top ro. */
static int readonly_path_legacy(const char *path, struct husk_err *err)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char target[64];

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return husk_fail(err, errno, "make %s read-only", path);
	husk_fd_path(fd, target, sizeof(target));
	if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_fail(err, errno, "make %s read-only", path);
	/* The bind made a new mount on top: reopen to reach it. */
	close(fd);
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "make %s read-only", path);
	husk_fd_path(fd, target, sizeof(target));
	return remount_bind(target, path, MS_RDONLY, 0, err);
}

/*
 * A copy of the mount tree at @path, its top made read-only while still
 * detached, put over it: 3 syscalls where bind, reopen and remount took 7.
 * mount_setattr() keeps the flags the kernel locks in a user namespace
 * (nosuid, nodev, noexec) without reading them first.  Mounts below @path
 * keep their own flags, as runc and crun leave them.
 */
static int readonly_path(const char *path, struct husk_err *err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	_cleanup_close_ int tree =
	    open_tree(AT_FDCWD, path,
		      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
			  AT_SYMLINK_NOFOLLOW);

	if (tree < 0 && errno == ENOENT)
		return 0;
	if (tree < 0 && errno == ENOSYS)
		return readonly_path_legacy(path, err);
	if (tree < 0)
		return husk_fail(err, errno, "make %s read-only", path);
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		if (errno == ENOSYS)
			return readonly_path_legacy(path, err);
		return husk_fail(err, errno, "make %s read-only", path);
	}
	if (move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return husk_fail(err, errno, "make %s read-only", path);
	return 0;
}

int husk_rootfs_finish(const struct husk_rootfs *r, struct husk_err *err)
{
	const struct husk_spec *s = r->spec;
	unsigned long prop = s->rootfs_propagation & PROPAGATION_FLAGS;

	for (size_t i = 0; i < s->readonly_paths.n; i++)
		if (readonly_path(s->readonly_paths.v[i], err) < 0)
			return err->code;
	for (size_t i = 0; i < s->masked_paths.n; i++)
		if (mask_path(s->masked_paths.v[i], err) < 0)
			return err->code;
	if (s->root_readonly && remount_bind("/", "/", MS_RDONLY, 0, err) < 0)
		return husk_err_prefix(err, "root.readonly");
	if (prop && mount(NULL, "/", NULL, MS_REC | prop, NULL) < 0)
		return husk_fail(err, errno, "linux.rootfsPropagation");
	return 0;
}
