/* SPDX-License-Identifier: MIT */
#include "sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

struct sync_msg {
	int32_t step;
	int32_t code;
	char msg[sizeof(((struct husk_err *)0)->msg)];
};

int husk_sync_send_value(int fd, enum husk_sync_step step, int32_t value,
			 struct husk_err *err)
{
	struct sync_msg m = { .step = (int32_t)step, .code = value };

	if (send(fd, &m, offsetof(struct sync_msg, msg), MSG_NOSIGNAL) < 0)
		return husk_fail(err, errno, "sync step %d", step);
	return 0;
}

int husk_sync_send(int fd, enum husk_sync_step step, struct husk_err *err)
{
	return husk_sync_send_value(fd, step, 0, err);
}

void husk_sync_send_error(int fd, const struct husk_err *failure)
{
	struct sync_msg m = { .step = HUSK_SYNC_ERROR, .code = failure->code };
	size_t len = strnlen(failure->msg, sizeof(m.msg) - 1);

	memcpy(m.msg, failure->msg, len);
	m.msg[len] = '\0';
	(void)!send(fd, &m, offsetof(struct sync_msg, msg) + len + 1,
		    MSG_NOSIGNAL);
}

/* What recv() gave for @step (0: none, only an error may come). */
static int take(const struct sync_msg *m, ssize_t n, int step,
		struct husk_err *err)
{
	if (n < 0)
		return husk_fail(err, errno, "sync: waiting for step %d", step);
	if (n < (ssize_t)offsetof(struct sync_msg, msg))
		return husk_fail(err, EPIPE,
				 "container init exited before step %d", step);
	if (m->step == HUSK_SYNC_ERROR) {
		memcpy(err->msg, m->msg, sizeof(err->msg));
		err->msg[sizeof(err->msg) - 1] = '\0';
		err->code = m->code < 0 ? m->code : -EINVAL;
		return err->code;
	}
	if (m->step != step)
		return husk_fail(err, EPROTO, "sync: got step %d, wanted %d",
				 m->step, step);
	return 0;
}

static ssize_t recv_msg(int fd, struct sync_msg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof(*m), 0);
	while (n < 0 && errno == EINTR);
	return n;
}

int husk_sync_wait(int fd, enum husk_sync_step step, struct husk_err *err)
{
	struct sync_msg m;

	return take(&m, recv_msg(fd, &m), (int)step, err);
}

int husk_sync_wait_exec(int fd, struct husk_err *err)
{
	struct sync_msg m;
	ssize_t n = recv_msg(fd, &m);

	return n == 0 ? 0 : take(&m, n, 0, err);
}

int husk_sync_wait_spawned(int fd, int32_t *pid, struct husk_err *err)
{
	struct sync_msg m;
	ssize_t n;
	int ret = 0;

	*pid = 0;
	while ((n = recv_msg(fd, &m)) != 0) {
		if (n >= (ssize_t)offsetof(struct sync_msg, msg) &&
		    m.step == HUSK_SYNC_READY && m.code > 0 && !*pid) {
			*pid = m.code;
			continue;
		}
		if (ret == 0)
			ret = take(&m, n, HUSK_SYNC_READY, err);
		if (n < 0)
			break;
	}
	if (ret == 0 && *pid == 0)
		ret = husk_fail(err, EPROTO, "exec: no pid from the container");
	return ret;
}

void husk_sync_wait_eof(int fd)
{
	struct sync_msg m;

	while (recv_msg(fd, &m) > 0)
		;
}
