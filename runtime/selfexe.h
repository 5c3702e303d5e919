/* SPDX-License-Identifier: MIT */
/* The defence against CVE-2019-5736: see selfexe.c. */
#ifndef HUSK_SELFEXE_H
#define HUSK_SELFEXE_H

#include <stdbool.h>

#include "err.h"

/* Is /proc/self/exe a memfd sealed against any change? */
bool husk_selfexe_is_sealed(void);
/*
 * For the commands whose processes enter containers (create, run, exec),
 * called first thing: makes this process, and so every process it forks
 * or clones, non-dumpable.  Where husk has no trampoline for the
 * architecture, also re-executes husk from a sealed memfd copy with
 * @argv (returns only on failure, or at once when already sealed).
 */
int husk_selfexe_protect(char *const argv[], struct husk_err *err);
/*
 * A sealed, close-on-exec memfd holding the husk-exec trampoline,
 * numbered @min_fd or above (clear of the fds to preserve), in *@fd;
 * -1 there where the architecture has no trampoline.
 */
int husk_trampoline_open(int min_fd, int *fd, struct husk_err *err);
/*
 * execve(@path, @argv, @envp) through the trampoline in @fd (plainly when
 * @fd < 0).  Returns only on failure: -errno, with @err filled.
 */
int husk_trampoline_exec(int fd, const char *path, char *const argv[],
			 char *const envp[], struct husk_err *err);

#endif
