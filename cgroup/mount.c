/* SPDX-License-Identifier: MIT */
/* The container's own view of its cgroup(s), mounted at /sys/fs/cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "internal.h"

#define CG_MNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static unsigned long ro_flag(bool rw)
{
	return rw ? 0 : MS_RDONLY;
}

static int remount(const char *dst, unsigned long flags, struct husk_err *err)
{
	if (mount(NULL, dst, NULL, MS_REMOUNT | flags, NULL) < 0)
		return husk_fail(err, errno, "remount %s %s", dst,
				 flags & MS_RDONLY ? "ro" : "rw");
	return 0;
}

static int bind(const char *src, const char *dst, bool rw, struct husk_err *err)
{
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return husk_fail(err, errno, "bind mount %s on %s", src, dst);
	return remount(dst, MS_BIND | CG_MNT_FLAGS | ro_flag(rw), err);
}

/*
 * In a cgroup namespace rooted at the container's cgroup, the caller sees
 * itself at "/" although the cgroup is deeper: then a fresh cgroup2 mount
 * shows exactly the container's subtree.
 */
static bool in_own_cgroupns(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[PATH_MAX];

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			return !strcmp(line + 3, "/\n");
	return false;
}

static int mount_v2(struct husk_cgroup *cg, const char *dest, bool rw,
		    struct husk_err *err)
{
	const struct cg_dir *d = cg_v2_dir(cg);

	if (!d)
		return husk_fail(err, ENOENT, "cgroup %s is gone", cg->path);
	if (in_own_cgroupns()) {
		if (mount("cgroup2", dest, "cgroup2",
			  CG_MNT_FLAGS | ro_flag(rw), NULL) < 0)
			return husk_fail(err, errno, "mount cgroup2 on %s",
					 dest);
		return 0;
	}
	return bind(d->path, dest, rw, err);
}

/* "cpu,cpuacct" mounted together: also reachable as cpu and cpuacct. */
static void comount_links(const char *dest, const char *name)
{
	char buf[64], link[PATH_MAX], *save = NULL;

	if (!strchr(name, ','))
		return;
	snprintf(buf, sizeof(buf), "%s", name);
	for (char *c = strtok_r(buf, ",", &save); c;
	     c = strtok_r(NULL, ",", &save)) {
		snprintf(link, sizeof(link), "%s/%s", dest, c);
		symlink(name, link);
	}
}

/*
 * nosuid, nodev, noexec and (unless @rw) ro on the tmpfs at @dest and on
 * every bind mount in it: one mount_setattr() for the tree instead of a
 * remount per hierarchy (11 on a v1 host); remounts before Linux 5.12.
 */
static int lock_tree(struct husk_cgroup *cg, const char *dest, bool rw,
		     struct husk_err *err)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC | (rw ? 0 : MOUNT_ATTR_RDONLY),
	};
	char sub[PATH_MAX];

	if (mount_setattr(AT_FDCWD, dest, AT_RECURSIVE, &attr, sizeof(attr)) ==
	    0)
		return 0;
	if (errno != ENOSYS)
		return husk_fail(err, errno, "set mount flags under %s", dest);
	for (size_t i = 0; i < cg->lay->n; i++) {
		if (cg->d[i].fd < 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dest, cg->lay->h[i].name);
		if (remount(sub, MS_BIND | CG_MNT_FLAGS | ro_flag(rw), err) < 0)
			return err->code;
	}
	return remount(dest, CG_MNT_FLAGS | ro_flag(rw), err);
}

static int mount_v1(struct husk_cgroup *cg, const char *dest, bool rw,
		    struct husk_err *err)
{
	char sub[PATH_MAX];

	if (mount("tmpfs", dest, "tmpfs", CG_MNT_FLAGS, "mode=755,size=64k") <
	    0)
		return husk_fail(err, errno, "mount tmpfs on %s", dest);
	for (size_t i = 0; i < cg->lay->n; i++) {
		const char *name = cg->lay->h[i].name;

		if (cg->d[i].fd < 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dest, name);
		if (mkdir(sub, 0755) < 0 && errno != EEXIST)
			return husk_fail(err, errno, "mkdir %s", sub);
		if (mount(cg->d[i].path, sub, NULL, MS_BIND, NULL) < 0)
			return husk_fail(err, errno, "bind mount %s on %s",
					 cg->d[i].path, sub);
		comount_links(dest, name);
	}
	return lock_tree(cg, dest, rw, err);
}

int husk_cgroup_mount(struct husk_cgroup *cg, const char *dest, bool rw,
		      struct husk_err *err)
{
	int r;

	if (mkdir(dest, 0755) < 0 && errno != EEXIST)
		return husk_fail(err, errno, "mkdir %s", dest);
	if (cg->lay->kind == CG_LAYOUT_V2)
		r = mount_v2(cg, dest, rw, err);
	else
		r = mount_v1(cg, dest, rw, err);
	return r < 0 ? husk_err_prefix(err, "mount cgroup view") : 0;
}
