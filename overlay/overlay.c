/* SPDX-License-Identifier: MIT */
/* overlay/: check, mount and clean up a container's overlay root. */
#include "ovl-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

/* ---- early checks ---- */

static int check_lowers(const struct husk_overlay_spec *ov,
			struct husk_err *err)
{
	struct stat st;

	for (size_t i = 0; i < ov->lowers.n; i++) {
		const char *dir = ov->lowers.v[i];

		if (stat(dir, &st) < 0)
			return husk_fail(err, errno, "overlay lower %s", dir);
		if (!S_ISDIR(st.st_mode))
			return husk_fail(err, ENOTDIR, "overlay lower %s", dir);
	}
	return 0;
}

/* @path, or its deepest ancestor that exists (what the upper will be on). */
static void nearest_existing(const char *path, char *out, size_t size)
{
	struct stat st;
	char *slash;

	snprintf(out, size, "%s", path);
	while (stat(out, &st) < 0 && (slash = strrchr(out, '/')) != NULL) {
		if (slash == out) {
			out[1] = '\0';
			return;
		}
		*slash = '\0';
	}
}

/*
 * overlayfs cannot use an overlay as upper, and without trusted.* xattrs it
 * mounts anyway but cannot make directories opaque (a removed then recreated
 * dir would show the lower's old entries): refuse both.
 */
static int check_upper_fs(const char *upper, struct husk_err *err)
{
	char probe[PATH_MAX];
	struct statfs sfs;

	nearest_existing(upper, probe, sizeof(probe));
	if (statfs(probe, &sfs) < 0)
		return husk_fail(err, errno, "overlay upper %s: statfs %s",
				 upper, probe);
	if (sfs.f_type == OVERLAYFS_SUPER_MAGIC)
		return husk_fail(err, 0,
				 "overlay upper %s: on an overlay filesystem, "
				 "which cannot hold an upper dir",
				 upper);
	if (getxattr(probe, "trusted.overlay.opaque", NULL, 0) < 0 &&
	    (errno == ENOTSUP || errno == EOPNOTSUPP))
		return husk_fail(err, 0,
				 "overlay upper %s: filesystem (type 0x%lx) "
				 "does not support trusted.* xattrs",
				 upper, (unsigned long)sfs.f_type);
	return 0;
}

static int check_dir_or_absent(const char *what, const char *path,
			       struct husk_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT
			   ? 0
			   : husk_fail(err, errno, "%s %s", what, path);
	if (!S_ISDIR(st.st_mode))
		return husk_fail(err, ENOTDIR, "%s %s", what, path);
	return 0;
}

int husk_overlay_check(const struct husk_overlay_spec *ov,
		       const char *state_dir, struct husk_err *err)
{
	struct husk_ovl_layout l;
	int r;

	if (ov->lowers.n == 0)
		return husk_ovl_validate(ov, err);
	r = husk_ovl_validate(ov, err);
	if (r == 0)
		r = husk_ovl_layout(ov, state_dir, &l, err);
	if (r == 0)
		r = check_lowers(ov, err);
	if (r < 0 || ov->readonly)
		return r;
	r = check_dir_or_absent("overlay upper", l.upper, err);
	if (r == 0)
		r = check_dir_or_absent("overlay work", l.work, err);
	if (r == 0)
		r = check_upper_fs(l.upper, err);
	return r;
}

/* ---- directories we create, and remove again on failure ---- */

struct made_dirs {
	const char *path[3];
	int n;
};

static int make_dir(const char *path, mode_t mode, struct made_dirs *made,
		    struct husk_err *err)
{
	if (mkdir(path, mode) == 0) {
		made->path[made->n++] = path;
		return 0;
	}
	return errno == EEXIST ? 0 : husk_fail(err, errno, "mkdir %s", path);
}

static void unmake_dirs(struct made_dirs *made)
{
	struct husk_err ignored = {0};

	while (made->n > 0)
		husk_ovl_remove_tree(made->path[--made->n], &ignored);
}

/*
 * The merged root takes the upper root's mode and owner: give a new upper
 * those of the top layer, or "/" of every container would be root 0755.
 */
static int make_upper(const struct husk_ovl_layout *l, const char *top,
		      struct made_dirs *made, struct husk_err *err)
{
	struct stat st;
	int before = made->n, r;

	r = make_dir(l->upper, 0755, made, err);
	if (r < 0 || made->n == before)
		return r;
	if (stat(top, &st) < 0)
		return husk_fail(err, errno, "overlay lower %s", top);
	if (chown(l->upper, st.st_uid, st.st_gid) < 0 ||
	    chmod(l->upper, st.st_mode & 07777) < 0)
		return husk_fail(err, errno, "overlay upper %s", l->upper);
	return 0;
}

static int make_dirs(const struct husk_ovl_layout *l, const char *top,
		     struct made_dirs *made, struct husk_err *err)
{
	struct stat up, wk;
	int r = 0;

	if (!l->persistent)
		r = make_dir(l->dir, 0700, made, err);
	if (r == 0)
		r = make_upper(l, top, made, err);
	if (r == 0)
		r = make_dir(l->work, 0700, made, err);
	if (r < 0)
		return r;
	if (stat(l->upper, &up) < 0 || stat(l->work, &wk) < 0)
		return husk_fail(err, errno, "overlay upper %s", l->upper);
	if (up.st_dev != wk.st_dev)
		return husk_fail(
		    err, EXDEV,
		    "overlay work %s: not on the filesystem of upper %s",
		    l->work, l->upper);
	return 0;
}

/* ---- the mount itself ---- */

struct ovl_mount {
	char *const *lowers;
	size_t n;
	const char *upper, *work; /* NULL: read-only, lowers only */
	const char *target;
};

/* The kernel's own explanation, logged in the fs context (last error). */
static void fs_log(int fs, char *buf, size_t size)
{
	char line[512];

	buf[0] = '\0';
	for (int i = 0; i < 16; i++) {
		ssize_t n = read(fs, line, sizeof(line) - 1);

		if (n <= 0)
			return;
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == 'e' || buf[0] == '\0')
			snprintf(buf, size, "%s", line + (n > 2 ? 2 : 0));
	}
}

static int fs_fail(struct husk_err *err, int fs, int errnum, const char *what,
		   const char *path)
{
	char why[512];

	/* overlayfs explains most refusals only in the kernel log */
	fs_log(fs, why, sizeof(why));
	return husk_fail(err, errnum, "%s %s (%s)", what, path,
			 why[0] ? why : "overlayfs logs its reason to dmesg");
}

/* fsconfig() takes at most 255 bytes: hand longer paths over as an fd. */
static int set_path(int fs, const char *key, const char *path)
{
	_cleanup_close_ int fd = -1;

	if (strlen(path) < 256)
		return fsconfig(fs, FSCONFIG_SET_STRING, key, path, 0);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return fsconfig(fs, FSCONFIG_SET_FD, key, NULL, fd);
}

/*
 * Before 6.5 overlayfs had no parameter parser: its fs context accepts any
 * key and only complains at create time.  A key nobody knows tells them
 * apart: rejected means the kernel checks keys, so an error on "lowerdir+"
 * below is real (or, on 6.5-6.7, "Unknown parameter").
 */
static bool fs_checks_keys(int fs)
{
	char why[512];

	if (fsconfig(fs, FSCONFIG_SET_FLAG, "husk-probe-no-such-option", NULL,
		     0) == 0)
		return false;
	fs_log(fs, why, sizeof(why));
	return true;
}

/* Returns 1 when this kernel lacks fsopen or "lowerdir+": use legacy. */
static int mount_fsopen(const struct ovl_mount *m, struct husk_err *err)
{
	_cleanup_close_ int fs = -1, mnt = -1;
	char why[512];

	fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return errno == ENOSYS
			   ? 1
			   : husk_fail(err, errno, "fsopen overlay");
	if (!fs_checks_keys(fs))
		return 1;
	for (size_t i = 0; i < m->n; i++) {
		if (set_path(fs, "lowerdir+", m->lowers[i]) == 0)
			continue;
		if (i == 0 && errno == EINVAL) {
			fs_log(fs, why, sizeof(why));
			if (strstr(why, "nknown parameter"))
				return 1;
			return husk_fail(err, EINVAL, "overlay lower %s (%s)",
					 m->lowers[i], why);
		}
		return fs_fail(err, fs, errno, "overlay lower", m->lowers[i]);
	}
	if (m->upper && set_path(fs, "upperdir", m->upper) < 0)
		return fs_fail(err, fs, errno, "overlay upper", m->upper);
	if (m->work && set_path(fs, "workdir", m->work) < 0)
		return fs_fail(err, fs, errno, "overlay work", m->work);
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_fail(err, fs, errno, "mount overlay on", m->target);
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, m->upper ? 0 : MOUNT_ATTR_RDONLY);
	if (mnt < 0)
		return fs_fail(err, fs, errno, "mount overlay on", m->target);
	if (move_mount(mnt, "", AT_FDCWD, m->target, MOVE_MOUNT_F_EMPTY_PATH) <
	    0)
		return husk_fail(err, errno, "mount overlay on %s", m->target);
	return 0;
}

/*
 * Old kernels: everything in one mount(2) option page.  The lowers are
 * given relative to their common parent, which we chdir() to, so a deep
 * stack of long layer paths still fits.
 */
static int mount_legacy(const struct ovl_mount *m, struct husk_err *err)
{
	_cleanup_close_ int cwd = -1;
	_cleanup_free_ char *opts = NULL;
	long page = sysconf(_SC_PAGESIZE);
	char common[PATH_MAX];
	int r = 0;

	opts = malloc((size_t)page);
	if (!opts)
		return husk_fail(err, ENOMEM, "overlay options");
	if (husk_ovl_common_dir(m->lowers, m->n, common, sizeof(common)) < 0 ||
	    husk_ovl_legacy_opts(m->lowers, m->n, common, m->upper, m->work,
				 opts, (size_t)page) < 0)
		return husk_fail(
		    err, E2BIG,
		    "overlay on %s: %zu lower layers do not fit in one mount "
		    "option page (kernel 6.8+ has no such limit)",
		    m->target, m->n);
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return husk_fail(err, errno, "open current directory");
	if (chdir(common) < 0)
		return husk_fail(err, errno, "overlay lowers: chdir %s",
				 common);
	if (mount("overlay", m->target, "overlay", m->upper ? 0 : MS_RDONLY,
		  opts) < 0)
		r = husk_fail(err, errno, "mount overlay on %s", m->target);
	if (fchdir(cwd) < 0 && r == 0)
		r = husk_fail(err, errno, "return to the previous directory");
	return r;
}

static int mount_ovl(const struct ovl_mount *m, enum husk_ovl_api api,
		     struct husk_err *err)
{
	int r = 1;

	if (api == HUSK_OVL_API_AUTO)
		r = mount_fsopen(m, err);
	return r == 1 ? mount_legacy(m, err) : r;
}

/* One read-only lower: overlayfs needs two, so bind it read-only. */
static int bind_readonly(const char *lower, const char *target,
			 struct husk_err *err)
{
	if (mount(lower, target, NULL, MS_BIND, NULL) < 0)
		return husk_fail(err, errno, "bind overlay lower %s on %s",
				 lower, target);
	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) <
	    0) {
		int e = errno;

		umount2(target, MNT_DETACH);
		return husk_fail(err, e, "remount %s read-only", target);
	}
	return 0;
}

int husk_overlay_mount_api(const struct husk_overlay_spec *ov,
			   const char *state_dir, const char *target,
			   enum husk_ovl_api api, struct husk_err *err)
{
	struct ovl_mount m = {
	    .lowers = ov->lowers.v, .n = ov->lowers.n, .target = target};
	struct made_dirs made = {0};
	struct husk_ovl_layout l = {0};
	int r;

	if (ov->lowers.n == 0)
		return husk_ovl_validate(ov, err);
	if (!target || target[0] != '/')
		return husk_fail(err, 0,
				 "overlay target \"%s\": not an absolute path",
				 target ? target : "");
	r = husk_overlay_check(ov, state_dir, err);
	if (r == 0)
		r = husk_ovl_layout(ov, state_dir, &l, err);
	if (r < 0)
		return r;
	if (ov->readonly && ov->lowers.n == 1)
		return bind_readonly(ov->lowers.v[0], target, err);
	if (!ov->readonly) {
		r = make_dirs(&l, ov->lowers.v[0], &made, err);
		m.upper = l.upper;
		m.work = l.work;
	}
	if (r == 0)
		r = mount_ovl(&m, api, err);
	if (r < 0)
		unmake_dirs(&made);
	return r;
}

int husk_overlay_mount(const struct husk_overlay_spec *ov,
		       const char *state_dir, const char *target,
		       struct husk_err *err)
{
	return husk_overlay_mount_api(ov, state_dir, target, HUSK_OVL_API_AUTO,
				      err);
}

/* ---- removal ---- */

/* nftw has no context argument: the first failure is kept here. */
static _Thread_local struct {
	int errnum;
	char path[PATH_MAX];
} rm_fail;

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	int r;

	(void)st;
	(void)ftw;
	if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
		r = rmdir(path);
	else
		r = unlink(path);
	if (r < 0 && errno != ENOENT && rm_fail.errnum == 0) {
		rm_fail.errnum = errno;
		snprintf(rm_fail.path, sizeof(rm_fail.path), "%s", path);
	}
	return 0; /* keep going: remove as much as we can */
}

int husk_ovl_remove_tree(const char *path, struct husk_err *err)
{
	rm_fail.errnum = 0;
	if (nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 &&
	    errno != ENOENT)
		return husk_fail(err, errno, "remove %s", path);
	if (rm_fail.errnum)
		return husk_fail(err, rm_fail.errnum, "remove %s",
				 rm_fail.path);
	return 0;
}

int husk_overlay_cleanup(const char *state_dir, struct husk_err *err)
{
	char dir[PATH_MAX];
	struct stat st;
	int r;

	if (snprintf(dir, sizeof(dir), "%s/%s", state_dir, HUSK_OVL_DIR) >=
	    (int)sizeof(dir))
		return husk_fail(err, ENAMETOOLONG, "overlay state dir %s",
				 state_dir);
	if (lstat(dir, &st) < 0)
		return errno == ENOENT ? 0 : husk_fail(err, errno, "%s", dir);
	r = husk_ovl_release(dir, state_dir, err);
	if (r < 0)
		return husk_err_prefix(err, "release overlay upper");
	return husk_ovl_remove_tree(dir, err);
}
