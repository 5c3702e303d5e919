/* SPDX-License-Identifier: MIT */
/* Container terminals: pty creation, fd passing and the foreground proxy. */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int husk_console_connect(const char *path, int *sock, struct husk_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return husk_fail(err, ENAMETOOLONG, "console socket %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_fail(err, errno, "console socket: socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return husk_fail(err, errno, "connect to console socket %s",
				 path);
	*sock = husk_steal_fd(fd);
	return 0;
}

int husk_send_fd(int sock, int fd, const char *name, struct husk_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl = {0};
	struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	for (int i = 0; i < 100; i++) {
		if (sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	return husk_fail(err, errno, "send terminal fd over console socket");
}

/* Close every fd in a control message we are not going to use. */
static void close_passed_fds(struct msghdr *msg, int except)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (fd != except)
				close(fd);
		}
	}
}

int husk_recv_fd(int sock, int *fd, char *name, size_t name_len,
		 struct husk_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl = {0};
	char data[4096];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data) - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_fail(err, errno, "receive terminal fd");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    (msg.msg_flags & MSG_CTRUNC)) {
		close_passed_fds(&msg, -1);
		return husk_fail(err, 0,
				 "receive terminal fd: expected "
				 "exactly one fd, got %s",
				 n == 0 ? "end of file" : "something else");
	}
	memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (name && name_len) {
		size_t len =
		    (size_t)n < name_len - 1 ? (size_t)n : name_len - 1;

		memcpy(name, data, len);
		name[len] = '\0';
	}
	return 0;
}

/* The pty's other end, without trusting a path in the container's /dev. */
static int open_slave(int master, struct husk_err *err)
{
	char path[64];
	int fd;

	/* TIOCGPTPEER (4.13) opens the peer of this very master. */
	fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (ptsname_r(master, path, sizeof(path)) != 0)
		return husk_fail(err, errno, "ptsname");
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	return fd;
}

/* A new session whose controlling terminal is @slave, on fds 0, 1, 2. */
static int become_tty_owner(int slave, struct husk_err *err)
{
	if (setsid() < 0 && getsid(0) != getpid())
		return husk_fail(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return husk_fail(err, errno,
				 "make the pty the controlling "
				 "terminal (TIOCSCTTY)");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return husk_fail(err, errno, "dup2 pty to fd %d", i);
	return 0;
}

int husk_tty_setup(int console_sock, unsigned rows, unsigned cols,
		   struct husk_err *err)
{
	_cleanup_close_ int master = -1;
	struct winsize ws = {.ws_row = (unsigned short)rows,
			     .ws_col = (unsigned short)cols};
	int slave, r;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return husk_fail(err, errno, "open /dev/ptmx");
	if (unlockpt(master) < 0)
		return husk_fail(err, errno, "unlockpt");
	slave = open_slave(master, err);
	if (slave < 0)
		return slave;
	if ((rows || cols) && ioctl(master, TIOCSWINSZ, &ws) < 0)
		r = husk_fail(err, errno, "set console size %ux%u", rows,
			      cols);
	else
		r = become_tty_owner(slave, err);
	/* Once it is one of 0/1/2 the slave is the terminal: keep it. */
	if (r < 0 || slave > 2)
		close(slave);
	if (r < 0)
		return r;
	return husk_send_fd(console_sock, master, "/dev/ptmx", err);
}

/* --- the foreground proxy --- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};

			poll(&p, 1, -1);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

struct proxy {
	int master, in, out, stop_fd, sigfd;
	bool in_eof, done;
	char pending[4096]; /* read from @in, not yet accepted by master */
	size_t n_pending, off_pending;
};

/* master -> out; returns false once the pty hung up. */
static bool pump_output(struct proxy *p, struct husk_err *err)
{
	char buf[8192];

	for (int i = 0; i < 16; i++) {
		ssize_t n = read(p->master, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) /* EIO: no slave fd left open anywhere */
			return false;
		if (write_all(p->out, buf, (size_t)n) < 0) {
			husk_fail(err, errno, "terminal proxy: write output");
			return false;
		}
	}
	return true;
}

/* in -> pending -> master, never blocking on a full pty. */
static void pump_input(struct proxy *p, short in_ev, short master_ev)
{
	if (in_ev && !p->n_pending) {
		ssize_t n = read(p->in, p->pending, sizeof(p->pending));

		if (n > 0) {
			p->n_pending = (size_t)n;
			p->off_pending = 0;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			p->in_eof = true;
		}
	}
	if (p->n_pending && ((master_ev & POLLOUT) || in_ev)) {
		ssize_t n =
		    write(p->master, p->pending + p->off_pending, p->n_pending);

		if (n > 0) {
			p->off_pending += (size_t)n;
			p->n_pending -= (size_t)n;
		}
	}
}

static void proxy_loop(struct proxy *p, struct husk_err *err)
{
	while (!p->done) {
		struct pollfd fds[4] = {
		    {.fd = p->master,
		     .events = POLLIN | (p->n_pending ? POLLOUT : 0)},
		    {.fd = p->in_eof || p->n_pending ? -1 : p->in,
		     .events = POLLIN},
		    {.fd = p->sigfd, .events = POLLIN},
		    {.fd = p->stop_fd, .events = POLLIN},
		};

		if (poll(fds, 4, -1) < 0) {
			if (errno != EINTR) {
				husk_fail(err, errno, "terminal proxy: poll");
				return;
			}
			continue;
		}
		if (fds[2].revents) {
			struct signalfd_siginfo si;

			if (read(p->sigfd, &si, sizeof(si)) > 0)
				copy_winsize(p->in, p->master);
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
			p->done = !pump_output(p, err);
		if (!p->done)
			pump_input(p, fds[1].revents, fds[0].revents);
		if (fds[3].revents) {
			pump_output(p, err); /* what the process left behind */
			p->done = true;
		}
	}
}

int husk_tty_proxy(int master, int in, int out, int stop_fd,
		   struct husk_err *err)
{
	struct proxy p = {.master = master,
			  .in = in,
			  .out = out,
			  .stop_fd = stop_fd,
			  .sigfd = -1};
	bool tty = isatty(in);
	struct termios saved, raw;
	sigset_t winch, old_mask;
	int flags = fcntl(master, F_GETFL);

	husk_err_clear(err);
	if (flags < 0 || fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0)
		return husk_fail(err, errno, "terminal proxy: master fd");
	if (tty) {
		if (tcgetattr(in, &saved) < 0)
			return husk_fail(err, errno,
					 "terminal proxy: tcgetattr");
		raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(in, TCSANOW, &raw) < 0)
			return husk_fail(err, errno,
					 "terminal proxy: raw mode");
		copy_winsize(in, master);
		sigemptyset(&winch);
		sigaddset(&winch, SIGWINCH);
		sigprocmask(SIG_BLOCK, &winch, &old_mask);
		p.sigfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
	}
	proxy_loop(&p, err);
	if (tty) {
		if (p.sigfd >= 0)
			close(p.sigfd);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		tcsetattr(in, TCSANOW, &saved);
	}
	fcntl(master, F_SETFL, flags);
	return err->code;
}
