/* SPDX-License-Identifier: MIT */
/* Internal helpers shared by the diag/ readers; not part of the interface. */
#ifndef HUSK_DIAG_UTIL_H
#define HUSK_DIAG_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../runtime/err.h"

/* Enough for every line husk parses; longer lines are skipped whole. */
#define DIAG_LINE_MAX 512

/* "<root>/<rel>" with NULL or "/" meaning the host root. */
int diag_path(char *buf, size_t len, const char *root, const char *rel,
	      struct husk_err *err);

/*
 * Read the next line into @buf (without the newline).  A line longer than
 * @len is consumed entirely and reported with *truncated, so that callers
 * skip it instead of parsing half of it.  Returns false at end of file.
 */
bool diag_read_line(FILE *f, char *buf, size_t len, bool *truncated);

/* Absent: a file the kernel does not provide (or refuses to read). */
static inline bool diag_errno_absent(int e)
{
	return e == ENOENT || e == ENOTDIR || e == EOPNOTSUPP || e == ENODEV;
}

/*
 * Open @path read-only.  *f is NULL (and 0 returned) when the file is
 * absent; other failures are errors.
 */
int diag_open_optional(const char *path, FILE **f, struct husk_err *err);

/* Strict unsigned decimal; false on junk, sign, or overflow. */
bool diag_parse_u64(const char *s, uint64_t *v);

struct diag_key {
	const char *name; /* without the ':' meminfo puts after it */
	int64_t *dst;	  /* set to HUSK_DIAG_NONE first, then the value */
};

/*
 * Parse "key value [unit]" lines (meminfo, vmstat, memory.events,
 * memory.oom_control).  Unknown keys are ignored; keys that do not occur
 * stay HUSK_DIAG_NONE.  *found is false when the file is absent.
 */
int diag_read_keys(const char *path, const struct diag_key *keys, size_t n,
		   bool *found, struct husk_err *err);

/* A sysfs file holding one unsigned number; HUSK_DIAG_NONE when absent. */
int diag_read_u64_file(const char *path, int64_t *v, struct husk_err *err);

#endif
