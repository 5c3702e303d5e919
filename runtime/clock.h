/* SPDX-License-Identifier: MIT */
#ifndef HUSK_CLOCK_H
#define HUSK_CLOCK_H

#include <stddef.h>
#include <time.h>

/*
 * @ts as UTC, "2026-12-02T15:27:01Z", with @digits (0, 3 or 9) digits of
 * fraction before the Z.  Not gmtime_r(): glibc loads the local time zone
 * on its first call, a file read at every husk call for nothing.
 */
void husk_format_utc(char *buf, size_t len, const struct timespec *ts,
		     int digits);

#endif
