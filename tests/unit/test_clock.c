/* SPDX-License-Identifier: MIT */
/* husk_format_utc() against glibc's gmtime_r() and by hand. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../runtime/clock.h"
#include "unit.h"

static void via_gmtime(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

TEST(clock_utc_matches_gmtime_over_four_centuries)
{
	char a[64], b[64];

	/* 1901 to 2300 in steps of ~9.7 days: every month, leap years,
	 * 2000 (leap) and 2100 (not), and times before 1970. */
	for (time_t t = -2145916800LL; t < 10413792000LL; t += 838861) {
		struct timespec ts = { .tv_sec = t };

		husk_format_utc(a, sizeof(a), &ts, 0);
		via_gmtime(t, b, sizeof(b));
		if (strcmp(a, b)) {
			CHECK_STR(a, b);
			return;
		}
	}
}

TEST(clock_utc_fractions_and_edges)
{
	char buf[64];
	struct timespec ts = { .tv_sec = 951782400, .tv_nsec = 123456789 };

	husk_format_utc(buf, sizeof(buf), &ts, 9);
	CHECK_STR(buf, "2000-02-29T00:00:00.123456789Z");
	husk_format_utc(buf, sizeof(buf), &ts, 3);
	CHECK_STR(buf, "2000-02-29T00:00:00.123Z");
	ts = (struct timespec){ .tv_sec = -1 };
	husk_format_utc(buf, sizeof(buf), &ts, 0);
	CHECK_STR(buf, "1969-12-31T23:59:59Z");
	ts = (struct timespec){ .tv_sec = 4107542399 };
	husk_format_utc(buf, sizeof(buf), &ts, 0);
	CHECK_STR(buf, "2100-02-28T23:59:59Z");
	husk_format_utc(buf, 5, &ts, 9); /* too short: cut, still a string */
	CHECK_INT(strlen(buf), 4);
}
