/* SPDX-License-Identifier: MIT */
/*
 * Terminals: a forked "container" makes a pty with husk_tty_setup() and
 * sends the master; the test receives it and drives it, directly and
 * through husk_tty_proxy() with a second pty as the user's terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "runtime/tty.h"
#include "unit.h"

/* The container's program: greet, echo one line, report the size. */
static __attribute__((noreturn)) void container_main(int sock)
{
	struct husk_err err = {0};
	char line[128];
	struct winsize ws;

	alarm(10);
	if (husk_tty_setup(sock, 24, 80, &err) < 0) {
		dprintf(sock, "%s", err.msg);
		_exit(1);
	}
	close(sock);
	printf("hello\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		_exit(2);
	line[strcspn(line, "\n")] = '\0';
	printf("got: %s\n", line);
	fflush(stdout);
	/* A second line, if any, asks for the window size. */
	if (fgets(line, sizeof(line), stdin) && ioctl(0, TIOCGWINSZ, &ws) == 0)
		printf("size: %u %u\n", ws.ws_row, ws.ws_col);
	fflush(stdout);
	_exit(0);
}

static pid_t start_container(int *sock)
{
	int sp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(sp[0]);
		container_main(sp[1]);
	}
	close(sp[1]);
	*sock = sp[0];
	return pid;
}

/* Read @fd until EOF/EIO (bounded by 10 s) into @buf. */
static void read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	for (int i = 0; i < 1000 && got + 1 < len; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			break;
		n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
}

TEST(tty_setup_sends_master)
{
	struct husk_err err = {0};
	char name[64] = "", out[1024];
	struct winsize ws = {0};
	int sock = -1, master = -1, st = 0;
	pid_t pid = start_container(&sock);

	CHECK(pid > 0);
	CHECK_INT(husk_recv_fd(sock, &master, name, sizeof(name), &err), 0);
	CHECK_STR(name, "/dev/ptmx");
	CHECK(fcntl(master, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(ioctl(master, TIOCGWINSZ, &ws), 0);
	CHECK_INT(ws.ws_row, 24);
	CHECK_INT(ws.ws_col, 80);
	CHECK(write(master, "ping\nsize\n", 10) == 10);
	read_all(master, out, sizeof(out));
	CHECK(strstr(out, "hello\r\n") != NULL);
	CHECK(strstr(out, "got: ping\r\n") != NULL);
	CHECK(strstr(out, "size: 24 80\r\n") != NULL);
	close(master);
	close(sock);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The user at the terminal: types, resizes (SIGWINCH), types again. */
static pid_t start_user(int term_master, pid_t proxy)
{
	struct winsize ws = {.ws_row = 33, .ws_col = 111};
	struct timespec pause = {0, 200 * 1000 * 1000};
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	alarm(10);
	if (write(term_master, "ping\n", 5) != 5)
		_exit(1);
	nanosleep(&pause, NULL);
	ioctl(term_master, TIOCSWINSZ, &ws);
	kill(proxy, SIGWINCH);
	nanosleep(&pause, NULL);
	if (write(term_master, "size\n", 5) != 5)
		_exit(1);
	_exit(0);
}

TEST(tty_proxy_raw_mode_and_winch)
{
	struct husk_err err = {0};
	struct termios before, after;
	char out[1024];
	int sock = -1, master = -1, outp[2], st = 0;
	int term = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), user_tty;
	pid_t pid, user;

	/* A second pty stands in for the user's terminal. */
	CHECK(term >= 0 && grantpt(term) == 0 && unlockpt(term) == 0);
	user_tty = open(ptsname(term), O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(user_tty >= 0);
	tcgetattr(user_tty, &before);
	CHECK(pipe2(outp, O_CLOEXEC) == 0);
	pid = start_container(&sock);
	CHECK_INT(husk_recv_fd(sock, &master, NULL, 0, &err), 0);
	user = start_user(term, getpid());
	CHECK_INT(husk_tty_proxy(master, user_tty, outp[1], -1, &err), 0);
	close(outp[1]);
	read_all(outp[0], out, sizeof(out));
	CHECK(strstr(out, "got: ping\r\n") != NULL);
	CHECK(strstr(out, "size: 33 111\r\n") != NULL);
	tcgetattr(user_tty, &after);
	CHECK(before.c_lflag == after.c_lflag);
	CHECK(before.c_iflag == after.c_iflag);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	waitpid(user, &st, 0);
	close(master);
	close(sock);
	close(outp[0]);
	close(user_tty);
	close(term);
}

TEST(tty_console_recv_helper)
{
	const char *helper = "build/helpers/console-recv";
	char path[] = "/tmp/husk-security-console-XXXXXX", sockpath[128];
	char out[2048];
	struct husk_err err = {0};
	int p[2], sock = -1, st = 0;
	pid_t recv_pid, ctr;

	if (access(helper, X_OK) < 0)
		return; /* built by `make`, not by build/unit-tests */
	CHECK(mkdtemp(path) != NULL);
	snprintf(sockpath, sizeof(sockpath), "%s/console.sock", path);
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	fflush(NULL);
	recv_pid = fork();
	if (recv_pid == 0) {
		dup2(p[1], 1);
		execl(helper, helper, "-t", "10", "-w", "ping\nsize", sockpath,
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (int i = 0; i < 200 && access(sockpath, F_OK) < 0; i++)
		usleep(10000);
	CHECK_INT(husk_console_connect(sockpath, &sock, &err), 0);
	fflush(NULL);
	ctr = fork();
	if (ctr == 0)
		container_main(sock);
	close(sock);
	read_all(p[0], out, sizeof(out));
	close(p[0]);
	CHECK(strstr(out, "got: ping\r\n") != NULL);
	waitpid(ctr, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	waitpid(recv_pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	rmdir(path);
}
