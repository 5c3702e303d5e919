/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "../../runtime/state.h"
#include "unit.h"

/* The one /proc/PID/stat reader serves the runtime's status and overlay. */
TEST(proc_stat_parse)
{
	uint64_t start = 0;
	char state = 0;
	const char *stat = "1234 (we ird) name) S 1 1234 1234 0 -1 4194560 "
			   "100 0 0 0 1 2 0 0 20 0 1 0 5551212 1000 100";

	CHECK_INT(husk_proc_stat_parse(stat, &state, &start), 0);
	CHECK(start == 5551212ULL);
	CHECK_INT(state, 'S');
	CHECK_INT(husk_proc_stat_parse("1 (x) S 1 2", &state, &start), -EINVAL);
	CHECK_INT(husk_proc_stat_parse("no paren", &state, &start), -EINVAL);
}

TEST(proc_stat_self)
{
	uint64_t start = 0;
	char state = 0;

	CHECK_INT(husk_proc_stat(getpid(), &state, &start), 0);
	CHECK(start > 0);
	CHECK(husk_proc_start_time(getpid()) == start);
	CHECK(husk_proc_alive(getpid(), start));
	CHECK(!husk_proc_alive(getpid(), start + 1));
}
