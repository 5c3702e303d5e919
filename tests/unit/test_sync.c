/* SPDX-License-Identifier: MIT */
/*
 * husk_sync_wait_spawned(): exec's pid record and the final process's
 * error come from two processes, so they must be taken in either order.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../runtime/sync.h"
#include "unit.h"

/*
 * A fresh pair holding a pid record (if @pid) before or after an error
 * record (if @failure), its writer closed; returns the reader.
 */
static int pair_with(int pid_first, int pid, const char *failure)
{
	struct husk_err e = { 0 };
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	husk_fail(&e, ENOENT, "%s", failure ? failure : "");
	if (pid_first && pid)
		husk_sync_send_value(sv[1], HUSK_SYNC_READY, pid, &e);
	if (failure)
		husk_sync_send_error(sv[1], &e);
	if (!pid_first && pid)
		husk_sync_send_value(sv[1], HUSK_SYNC_READY, pid, &e);
	close(sv[1]);
	return sv[0];
}

TEST(sync_spawned_error_before_or_after_the_pid)
{
	for (int first = 0; first < 2; first++) {
		struct husk_err err = { 0 };
		int32_t pid = -1;
		int fd = pair_with(first, 4242, "exec: \"x\": not found");

		CHECK_INT(husk_sync_wait_spawned(fd, &pid, &err), -ENOENT);
		CHECK_INT(pid, 4242);
		CHECK_STR(err.msg,
			  "exec: \"x\": not found: No such file or directory");
		close(fd);
	}
}

TEST(sync_spawned_pid_alone_or_error_alone)
{
	struct husk_err err = { 0 };
	int32_t pid = -1;
	int fd = pair_with(1, 77, NULL);

	CHECK_INT(husk_sync_wait_spawned(fd, &pid, &err), 0);
	CHECK_INT(pid, 77);
	close(fd);

	fd = pair_with(1, 0, "setns: EPERM");
	CHECK_INT(husk_sync_wait_spawned(fd, &pid, &err), -ENOENT);
	CHECK_INT(pid, 0);
	CHECK_STR(err.msg, "setns: EPERM: No such file or directory");
	close(fd);

	fd = pair_with(1, 0, NULL); /* silent death */
	CHECK_INT(husk_sync_wait_spawned(fd, &pid, &err), -EPROTO);
	close(fd);
}
