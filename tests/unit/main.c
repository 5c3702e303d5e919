/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define MAX_TESTS 1024

static struct {
	const char *name;
	unit_fn fn;
} tests[MAX_TESTS];
static size_t n_tests;
static int current_failed;

void unit_register(const char *name, unit_fn fn)
{
	if (n_tests < MAX_TESTS) {
		tests[n_tests].name = name;
		tests[n_tests].fn = fn;
		n_tests++;
	}
}

void unit_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "  %s:%d: CHECK failed: %s\n", file, line, what);
	current_failed = 1;
}

const char *unit_fixture(const char *rel)
{
	static char buf[4096];
	const char *dir = getenv("UNIT_FIXTURES");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/unit/fixtures",
		 rel);
	return buf;
}

int main(int argc, char **argv)
{
	size_t passed = 0, failed = 0;

	for (size_t i = 0; i < n_tests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		current_failed = 0;
		tests[i].fn();
		printf("%s %s\n", current_failed ? "not ok" : "ok",
		       tests[i].name);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	printf("unit: %zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}
