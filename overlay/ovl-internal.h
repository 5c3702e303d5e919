/* SPDX-License-Identifier: MIT */
/* overlay/ internals: the pure parts, separated so unit tests reach them. */
#ifndef HUSK_OVL_INTERNAL_H
#define HUSK_OVL_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "overlay.h"

#define HUSK_OVL_DIR "overlay"
#define HUSK_OVL_CLAIM_LINK "claimed-upper"

/* Where everything of one container's overlay lives (see overlay.h). */
struct husk_ovl_layout {
	char dir[PATH_MAX];   /* <state_dir>/overlay */
	char upper[PATH_MAX]; /* "" when readonly */
	char work[PATH_MAX];  /* "" when readonly */
	char lock[PATH_MAX];  /* "" unless persistent */
	bool persistent;
};

/* Spec checks that need no filesystem access. */
int husk_ovl_validate(const struct husk_overlay_spec *ov, struct husk_err *err);
int husk_ovl_layout(const struct husk_overlay_spec *ov, const char *state_dir,
		    struct husk_ovl_layout *l, struct husk_err *err);

/*
 * The deepest directory containing every one of @paths (absolute), written
 * to @out ("/" at worst).  Returns 0 or -ENAMETOOLONG.
 */
int husk_ovl_common_dir(char *const *paths, size_t n, char *out, size_t size);
/* @path relative to @dir, which husk_ovl_common_dir() found above it. */
const char *husk_ovl_relative(const char *path, const char *dir);

/*
 * The legacy mount(2) option string: lowerdir relative to @cwd (the common
 * dir the caller chdir()s to), ':' ',' '\' escaped.  @upper/@work NULL for
 * read-only.  -E2BIG when it does not fit in @size (one page in practice).
 */
int husk_ovl_legacy_opts(char *const *lowers, size_t n, const char *cwd,
			 const char *upper, const char *work, char *buf,
			 size_t size);

/* Drop @state_dir's claim on the upper named by <@dir>/claimed-upper. */
int husk_ovl_release(const char *dir, const char *state_dir,
		     struct husk_err *err);
/* rm -rf @path without following symlinks or crossing mounts. */
int husk_ovl_remove_tree(const char *path, struct husk_err *err);

/* The claim record kept in the lock file next to a persistent upper. */
struct husk_ovl_owner {
	char id[256];
	pid_t pid;
	unsigned long long start; /* /proc/<pid>/stat field 22 */
	char state_dir[PATH_MAX];
};

int husk_ovl_owner_format(const struct husk_ovl_owner *o, char *buf,
			  size_t size);
/* -EINVAL for an empty or foreign file (treated as "no owner"). */
int husk_ovl_owner_parse(const char *buf, struct husk_ovl_owner *o);

#endif
