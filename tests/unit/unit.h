/* SPDX-License-Identifier: MIT */
/*
 * A minimal unit-test harness: TEST() registers a function, CHECK*() record
 * failures without aborting the test.  tests/unit/main.c runs them all and
 * ends with "unit: N passed, N failed".
 */
#ifndef HUSK_UNIT_H
#define HUSK_UNIT_H

#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *what);
/* Path of a fixture under tests/unit/fixtures. */
const char *unit_fixture(const char *rel);

#define TEST(name)                                                        \
	static void name(void);                                           \
	__attribute__((constructor)) static void unit_reg_##name(void)    \
	{                                                                 \
		unit_register(#name, name);                               \
	}                                                                 \
	static void name(void)

#define CHECK(cond)                                         \
	do {                                                \
		if (!(cond))                                \
			unit_fail(__FILE__, __LINE__, #cond); \
	} while (0)

#define CHECK_INT(a, b)                                                     \
	do {                                                                \
		long long _a = (long long)(a), _b = (long long)(b);         \
		if (_a != _b) {                                             \
			char _m[256];                                       \
			snprintf(_m, sizeof(_m), "%s == %s (%lld != %lld)", \
				 #a, #b, _a, _b);                           \
			unit_fail(__FILE__, __LINE__, _m);                  \
		}                                                           \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *_a = (a), *_b = (b);                          \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                  \
			char _m[512];                                     \
			if (snprintf(_m, sizeof(_m),                      \
				     "%s == %s (\"%s\" != \"%s\")", #a, #b, \
				     _a ? _a : "(null)",                  \
				     _b ? _b : "(null)") < 0)             \
				_m[0] = '\0';                             \
			unit_fail(__FILE__, __LINE__, _m);                \
		}                                                         \
	} while (0)

#endif
