/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/fsutil.h"
#include "unit.h"

/* mkdir -p: the leaf alone, the whole path, or nothing when it is there. */
TEST(fsutil_mkdir_p)
{
	char top[] = "/tmp/husk-unit-mkdirp.XXXXXX", path[128];
	struct husk_err err = {0};
	struct stat st;
	int fd;

	CHECK(mkdtemp(top) != NULL);
	snprintf(path, sizeof(path), "%s/a", top);
	CHECK_INT(husk_mkdir_p(path, 0700, &err), 0);
	CHECK_INT(husk_mkdir_p(path, 0700, &err), 0);
	snprintf(path, sizeof(path), "%s/b/c/d", top);
	CHECK_INT(husk_mkdir_p(path, 0700, &err), 0);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	/* a file in the way of a parent is an error, named */
	snprintf(path, sizeof(path), "%s/f", top);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/f/g", top);
	CHECK(husk_mkdir_p(path, 0700, &err) < 0);
	CHECK(strstr(err.msg, "/f/g") != NULL);
	CHECK_INT(husk_rmtree(top, &err), 0);
}
