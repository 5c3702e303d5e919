/* SPDX-License-Identifier: MIT */
/* Hooks, run for real through /bin/sh scripts. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/hooks.h"
#include "unit.h"

#define STATE "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\"}"

/* A hook running `/bin/sh -c SCRIPT` with argv[0] "hook-sh". */
static struct husk_hook sh_hook(const char *script, char **argv)
{
	argv[0] = (char *)"hook-sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)script;
	argv[3] = NULL;
	return (struct husk_hook){.path = (char *)"/bin/sh",
				  .args = {argv, 3},
				  .timeout = HUSK_UNSET};
}

TEST(hooks_state_on_stdin_env_and_argv0)
{
	static char *env[] = {(char *)"FOO=bar", NULL};
	char *argv[4], script[512];
	struct husk_err err = {0};
	struct husk_hook h;

	snprintf(script, sizeof(script),
		 "s=$(cat); [ \"$s\" = '%s' ] || { echo \"bad state: $s\" >&2;"
		 " exit 3; }; [ \"$FOO\" = bar ] || exit 4;"
		 " [ \"$(tr '\\0' ' ' </proc/$$/environ)\" = 'FOO=bar ' ] ||"
		 " exit 5;"
		 " tr '\\0' ' ' </proc/$$/cmdline | grep -q '^hook-sh -c' ||"
		 " exit 6",
		 STATE);
	h = sh_hook(script, argv);
	h.env = (struct husk_strv){env, 1};
	CHECK_INT(husk_hook_run(&h, STATE, &err), 0);
	CHECK_STR(err.msg, "");
}

TEST(hooks_exit_status_and_stderr)
{
	char *argv[4];
	struct husk_err err = {0};
	struct husk_hook h = sh_hook("echo out; echo 'it broke' >&2; "
				     "echo more >&2; exit 7",
				     argv);

	CHECK(husk_hook_run(&h, STATE, &err) < 0);
	CHECK_STR(err.msg, "hook /bin/sh exited with status 7: it broke");
	h = sh_hook("kill -TERM $$", argv);
	CHECK(husk_hook_run(&h, STATE, &err) < 0);
	CHECK_STR(err.msg, "hook /bin/sh was killed by signal 15 (Terminated)");
}

TEST(hooks_timeout)
{
	char *argv[4];
	struct husk_err err = {0};
	struct husk_hook h = sh_hook("sleep 20; exit 0", argv);
	time_t t0 = time(NULL);

	h.timeout = 1;
	CHECK(husk_hook_run(&h, STATE, &err) < 0);
	CHECK_STR(err.msg, "hook /bin/sh timed out after 1 s");
	CHECK(time(NULL) - t0 < 4);
	h.timeout = 0;
	CHECK(husk_hook_run(&h, STATE, &err) < 0);
	CHECK_STR(err.msg, "hook /bin/sh: timeout must be positive");
}

TEST(hooks_background_child_does_not_block)
{
	char *argv[4];
	struct husk_err err = {0};
	/* The sleep keeps stdout/stderr open; we must not wait for it. */
	struct husk_hook h = sh_hook("sleep 2 & exit 0", argv);
	time_t t0 = time(NULL);

	h.timeout = 10;
	CHECK_INT(husk_hook_run(&h, STATE, &err), 0);
	CHECK(time(NULL) - t0 < 2);
}

TEST(hooks_no_fd_leak)
{
	char *argv[4];
	struct husk_err err = {0};
	/* fd 50 is open in the runtime without CLOEXEC (below). */
	struct husk_hook h = sh_hook("[ ! -e /proc/$$/fd/50 ] || "
				     "{ echo leaked >&2; exit 1; }",
				     argv);
	int leak = fcntl(0, F_DUPFD, 50); /* no CLOEXEC on purpose */

	CHECK_INT(leak, 50);

	CHECK_INT(husk_hook_run(&h, STATE, &err), 0);
	CHECK_STR(err.msg, "");
	close(leak);
}

TEST(hooks_missing_program_and_sequence)
{
	char path[] = "/tmp/husk-hooks-test-XXXXXX";
	char *a1[4], *a2[4], *a3[4], s3[128];
	struct husk_err err = {0};
	struct husk_hook hooks[3];
	int fd = mkstemp(path);

	close(fd);
	unlink(path);
	snprintf(s3, sizeof(s3), "touch %s", path);
	hooks[0] = sh_hook("exit 0", a1);
	hooks[1] = (struct husk_hook){.path = (char *)"/nonexistent/hook",
				      .timeout = HUSK_UNSET};
	hooks[2] = sh_hook(s3, a3);
	(void)a2;
	CHECK(husk_hooks_run(hooks, 3, STATE, &err) < 0);
	CHECK_STR(err.msg, "hook /nonexistent/hook exited with status 127: "
			   "exec /nonexistent/hook: No such file or directory");
	CHECK(access(path, F_OK) < 0); /* stopped at the failure */
	CHECK_INT(husk_hooks_run(hooks + 2, 1, STATE, &err), 0);
	CHECK_INT(access(path, F_OK), 0);
	unlink(path);
	hooks[1].path = (char *)"relative/hook";
	CHECK(husk_hook_run(&hooks[1], STATE, &err) < 0);
	CHECK_STR(err.msg, "hook relative/hook: path must be absolute");
}

TEST(hooks_large_state_and_kinds)
{
	char *argv[4];
	struct husk_err err = {0};
	struct husk_hook h = sh_hook("[ $(wc -c) = 200000 ]", argv);
	char *big = malloc(200001);

	memset(big, 'x', 200000);
	big[200000] = '\0';
	CHECK_INT(husk_hook_run(&h, big, &err), 0);
	free(big);
	CHECK(husk_hook_kind_aborts(HUSK_HOOK_CREATE_CONTAINER));
	CHECK(!husk_hook_kind_aborts(HUSK_HOOK_POSTSTOP));
	CHECK_STR(husk_hook_kind_name(HUSK_HOOK_CREATE_RUNTIME),
		  "createRuntime");
}
