/* SPDX-License-Identifier: MIT */
/*
 * Path resolution confined to a root directory (CVE-2021-30465 class):
 * every component, symlinks included, is resolved as if @rootfd were "/",
 * with openat2(RESOLVE_IN_ROOT), so a mount destination or cwd that is a
 * symlink pointing outside the rootfs lands inside it instead.
 */
#ifndef HUSK_RESOLVE_H
#define HUSK_RESOLVE_H

#include "err.h"

enum husk_mk {
	HUSK_MK_NONE, /* must exist */
	HUSK_MK_DIR,  /* create it (and parents) as a directory if missing */
	HUSK_MK_FILE, /* create parents as directories, itself as a file */
};

/* Return an O_PATH fd of @path inside @rootfd, creating it as @mk says. */
int husk_open_in_root(int rootfd, const char *path, enum husk_mk mk,
		      struct husk_err *err);
/* "/proc/self/fd/N": a mount target naming exactly what the fd resolved. */
void husk_fd_path(int fd, char *buf, size_t len);

#endif
