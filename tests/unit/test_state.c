/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/fsutil.h"
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

/* mkdir -p: the leaf alone, the whole path, or nothing when it is there. */
TEST(fsutil_mkdir_p)
{
	char top[] = "/tmp/husk-unit-mkdirp.XXXXXX", path[128];
	struct husk_err err = {0};
	struct stat st;

	CHECK(mkdtemp(top) != NULL);
	snprintf(path, sizeof(path), "%s/a", top);
	CHECK_INT(husk_mkdir_p(path, 0700, &err), 0);
	CHECK_INT(husk_mkdir_p(path, 0700, &err), 0);
	snprintf(path, sizeof(path), "%s/b/c/d", top);
	CHECK_INT(husk_mkdir_p(path, 0700, &err), 0);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	/* a file in the way of a parent is an error, named */
	snprintf(path, sizeof(path), "%s/f", top);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	snprintf(path, sizeof(path), "%s/f/g", top);
	CHECK(husk_mkdir_p(path, 0700, &err) < 0);
	CHECK(strstr(err.msg, "/f/g") != NULL);
	CHECK_INT(husk_rmtree(top, &err), 0);
}
