/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>

#include "clock.h"

/* Year, month (1-12) and day (1-31) of day @z since 1970-01-01, in the
 * proleptic Gregorian calendar: eras of 400 years start on March 1. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468; /* days from 0000-03-01 to 1970-01-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

void husk_format_utc(char *buf, size_t len, const struct timespec *ts,
		     int digits)
{
	int64_t secs = ts->tv_sec, days = secs / 86400, rem = secs % 86400, y;
	unsigned m, d;
	int n;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	n = snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y,
		     m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
		     (int)(rem % 60));
	if (n < 0 || (size_t)n >= len)
		return;
	if (digits == 9)
		snprintf(buf + n, len - (size_t)n, ".%09ldZ", ts->tv_nsec);
	else if (digits == 3)
		snprintf(buf + n, len - (size_t)n, ".%03ldZ",
			 ts->tv_nsec / 1000000);
	else
		snprintf(buf + n, len - (size_t)n, "Z");
}
