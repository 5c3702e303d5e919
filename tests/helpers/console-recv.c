/* SPDX-License-Identifier: MIT */
/*
 * console-recv: the receiving end of --console-socket, for tests.
 *
 *   console-recv [-t SECONDS] [-w TEXT] [-v] SOCKET
 *
 * Listens on the unix socket SOCKET (which appears only once it is
 * listening, so a test can wait for the file), accepts one connection,
 * receives the pty master (one SCM_RIGHTS fd), writes TEXT plus a newline
 * to it, then copies what the pty says to stdout until the pty hangs up.
 * Everything is bounded by -t (default 10 s): exit 124 on timeout, 0 when
 * the pty hung up, 1 on errors.  -v prints the fd's name to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long deadline_ms;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int left_ms(void)
{
	long long now = now_ms();

	return now >= deadline_ms ? 0 : (int)(deadline_ms - now);
}

static __attribute__((noreturn)) void fail(const char *what)
{
	fprintf(stderr, "console-recv: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Wait for @fd to be readable before the deadline, or exit 124. */
static void wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;

	do
		r = poll(&p, 1, left_ms());
	while (r < 0 && errno == EINTR);
	if (r < 0)
		fail("poll");
	if (r == 0) {
		fprintf(stderr, "console-recv: timed out\n");
		exit(124);
	}
}

/* Bind under a temporary name and rename once listening. */
static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fail("socket");
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.%d", path,
			     getpid()) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		fail(path);
	}
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("bind");
	if (listen(fd, 1) < 0)
		fail("listen");
	if (rename(sa.sun_path, path) < 0)
		fail("rename");
	return fd;
}

static int recv_fd(int sock, bool verbose)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char name[4096];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	wait_readable(sock);
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		fail("recvmsg");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "console-recv: no fd received\n");
		exit(1);
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	name[n] = '\0';
	if (verbose)
		fprintf(stderr, "console-recv: got fd named \"%s\"\n", name);
	return fd;
}

static void copy_out(int fd)
{
	char buf[4096];

	for (;;) {
		ssize_t n;

		wait_readable(fd);
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* EIO: the container closed the slave */
			return;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			fail("write stdout");
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	const char *text = NULL;
	bool verbose = false;
	int timeout = 10, opt, lfd, conn, pty;

	while ((opt = getopt(argc, argv, "t:w:v")) != -1) {
		if (opt == 't')
			timeout = atoi(optarg);
		else if (opt == 'w')
			text = optarg;
		else if (opt == 'v')
			verbose = true;
		else
			return 1;
	}
	if (optind != argc - 1 || timeout <= 0) {
		fprintf(stderr, "usage: console-recv [-t SECONDS] [-w TEXT] "
				"[-v] SOCKET\n");
		return 1;
	}
	deadline_ms = now_ms() + timeout * 1000LL;
	lfd = listen_on(argv[optind]);
	wait_readable(lfd);
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		fail("accept");
	pty = recv_fd(conn, verbose);
	close(conn);
	close(lfd);
	unlink(argv[optind]);
	if (text &&
	    (write(pty, text, strlen(text)) < 0 || write(pty, "\n", 1) < 0))
		fail("write to the pty");
	copy_out(pty);
	return 0;
}
