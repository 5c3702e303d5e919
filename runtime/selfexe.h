/* SPDX-License-Identifier: MIT */
/* Re-executing husk from a sealed memfd (CVE-2019-5736): see selfexe.c. */
#ifndef HUSK_SELFEXE_H
#define HUSK_SELFEXE_H

#include <stdbool.h>

#include "err.h"

/* Is /proc/self/exe a memfd sealed against any change? */
bool husk_selfexe_is_sealed(void);
/*
 * Unless already sealed, copy our binary into a sealed memfd and
 * fexecve() it with @argv and the current environment.  Returns only on
 * failure; the re-executed husk finds itself sealed and returns 0 at once.
 */
int husk_selfexe_protect(char *const argv[], struct husk_err *err);

#endif
