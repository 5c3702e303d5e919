/* SPDX-License-Identifier: MIT */
/* Small file helpers shared by every module. */
#ifndef HUSK_FSUTIL_H
#define HUSK_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Read a whole file (NUL-terminated) into *out; caller frees. */
int husk_read_file(const char *path, char **out, size_t *len,
		   struct husk_err *err);
/* Read at most len-1 bytes of dirfd/name into buf (NUL-terminated). */
int husk_read_at(int dirfd, const char *name, char *buf, size_t len,
		 struct husk_err *err);
/* Write @data to dirfd/name (existing file, e.g. in cgroupfs or procfs). */
int husk_write_at(int dirfd, const char *name, const char *data,
		  struct husk_err *err);
/* Atomically replace @path with @data (write a temp file, fsync, rename). */
int husk_write_file_atomic(const char *path, const char *data, size_t len,
			   mode_t mode, struct husk_err *err);
/* mkdir -p; existing directories are fine. */
int husk_mkdir_p(const char *path, mode_t mode, struct husk_err *err);
/* rm -rf without following symlinks and without crossing mount points. */
int husk_rmtree(const char *path, struct husk_err *err);

#endif
