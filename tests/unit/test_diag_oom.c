/* SPDX-License-Identifier: MIT */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../diag/diag.h"
#include "unit.h"

static void write_events(const char *path, int oom, int oom_kill)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return;
	fprintf(f, "low 0\nhigh 0\nmax 5\noom %d\noom_kill %d\n", oom,
		oom_kill);
	fclose(f);
}

static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 1000) == 1 && (p.revents & POLLIN);
}

TEST(diag_oom_watch_v2_inotify_counts_oom_kill)
{
	char dir[] = "/tmp/husk-diag-oom-XXXXXX", path[256];
	struct husk_oom_watch *w = NULL;
	struct husk_err err = {0};
	struct pollfd p;
	uint64_t new_kills = 9, total = 9;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/memory.events", dir);
	write_events(path, 3, 2);
	CHECK_INT(husk_oom_watch_open(path, true, &w, &err), 0);
	if (!w)
		return;
	p = (struct pollfd){.fd = husk_oom_watch_fd(w), .events = POLLIN};
	CHECK_INT(poll(&p, 1, 0), 0);
	/* an OOM without a kill changes "oom" only: no new kill */
	write_events(path, 4, 2);
	CHECK(readable(husk_oom_watch_fd(w)));
	CHECK_INT(husk_oom_watch_read(w, &new_kills, &total, &err), 0);
	CHECK_INT(new_kills, 0);
	CHECK_INT(total, 2);
	write_events(path, 6, 5);
	CHECK(readable(husk_oom_watch_fd(w)));
	CHECK_INT(husk_oom_watch_read(w, &new_kills, &total, &err), 0);
	CHECK_INT(new_kills, 3);
	CHECK_INT(total, 5);
	/* drained: nothing pending, nothing new */
	CHECK_INT(poll(&p, 1, 0), 0);
	CHECK_INT(husk_oom_watch_read(w, &new_kills, &total, &err), 0);
	CHECK_INT(new_kills, 0);
	/* the cgroup went away */
	unlink(path);
	CHECK(husk_oom_watch_read(w, &new_kills, &total, &err) < 0);
	husk_oom_watch_close(w);
	rmdir(dir);
}

TEST(diag_oom_watch_open_missing_file_fails)
{
	struct husk_oom_watch *w = NULL;
	struct husk_err err = {0};

	CHECK(husk_oom_watch_open("/nonexistent-husk/memory.events", true, &w,
				  &err) < 0);
	CHECK(w == NULL);
	CHECK(husk_oom_watch_open("/nonexistent-husk/memory.oom_control", false,
				  &w, &err) < 0);
	CHECK(strstr(err.msg, "memory.oom_control") != NULL);
}
