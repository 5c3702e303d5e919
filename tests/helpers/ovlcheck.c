/* SPDX-License-Identifier: MIT */
/*
 * ovlcheck: overlay/ against the real kernel.  Needs root; enters its own
 * mount namespace (like `unshare -m`), works under a fresh
 * /tmp/husk-overlay-XXXXXX (or $1/husk-overlay-XXXXXX) and removes it.
 * Prints "ok NAME" / "not ok NAME: why" per scenario; exit 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "overlay/ovl-internal.h"

static char S[PATH_MAX]; /* scratch root */
static int failures;
static bool cur_failed;
static const char *cur_name;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (!cur_failed)
		printf("not ok %s: ", cur_name);
	else
		printf("    also: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	cur_failed = true;
}

#define EXPECT(cond, ...)                  \
	do {                               \
		if (!(cond))               \
			fail(__VA_ARGS__); \
	} while (0)

/* ---- small file helpers ---- */

static const char *P(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static const char *P(const char *fmt, ...)
{
	/* a ring of buffers so several P() results live at once */
	static char ring[64][PATH_MAX];
	static int next;
	char *buf = ring[next++ % 64];
	int n;
	va_list ap;

	n = snprintf(buf, PATH_MAX, "%s/", S);
	va_start(ap, fmt);
	vsnprintf(buf + n, PATH_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return buf;
}

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(tmp, 0755);
		*p = '/';
	}
	mkdir(tmp, 0755);
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fail("write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static const char *get(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return "(unreadable)";
	buf[n] = '\0';
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Mounts at or below the scratch dir, from this namespace's mountinfo. */
static int mounts_here(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[4096];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
		    strncmp(mp, S, strlen(S)) == 0)
			n++;
	if (f)
		fclose(f);
	return n;
}

/* After a failed scenario: detach whatever it left mounted under S. */
static void unmount_leftovers(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[64][PATH_MAX];
	int n = 0;

	while (f && n < 64 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp[n]) == 1 &&
		    strncmp(mp[n], S, strlen(S)) == 0)
			n++;
	if (f)
		fclose(f);
	while (n > 0)
		umount2(mp[--n], MNT_DETACH);
}

static struct husk_overlay_spec spec(char **lowers, size_t n, const char *upper,
				     bool ro)
{
	struct husk_overlay_spec ov = {.lowers = {.v = lowers, .n = n},
				       .upper = (char *)upper,
				       .readonly = ro};
	return ov;
}

static void must(int r, const struct husk_err *err, const char *what)
{
	if (r < 0)
		fail("%s: %s", what, err->msg);
}

static void expect_err(int r, const struct husk_err *err, int code,
		       const char *want)
{
	if (r >= 0)
		fail("expected an error containing \"%s\", got success", want);
	else if (!strstr(err->msg, want) || (code && r != code))
		fail("expected %d \"%s\", got %d \"%s\"", code, want, r,
		     err->msg);
}

static void unmount(const char *target)
{
	if (umount2(target, MNT_DETACH) < 0)
		fail("umount %s: %s", target, strerror(errno));
}

/* ---- scenarios ---- */

static void t_basic(void)
{
	char *lowers[] = {(char *)P("basic/l1"), (char *)P("basic/l2"), NULL};
	struct husk_overlay_spec ov = spec(lowers, 2, NULL, false);
	const char *t = P("basic/target"), *st = P("basic/state");
	struct husk_err err = {0};
	struct stat wh;

	mkdirs(lowers[0]), mkdirs(lowers[1]), mkdirs(t), mkdirs(st);
	mkdirs(P("basic/l2/dir"));
	put(P("basic/l1/a"), "top"), put(P("basic/l2/a"), "bottom");
	put(P("basic/l2/b"), "low"), put(P("basic/l2/gone"), "g");
	put(P("basic/l2/dir/x"), "x");
	chmod(lowers[0], 0751);

	must(husk_overlay_mount(&ov, st, t, &err), &err, "mount");
	EXPECT(!strcmp(get(P("basic/target/a")), "top"), "top layer must win");
	put(P("basic/target/c"), "new");
	put(P("basic/target/b"), "changed");
	EXPECT(unlink(P("basic/target/gone")) == 0, "unlink: %s",
	       strerror(errno));
	/* a removed then recreated dir must be opaque (needs xattrs) */
	EXPECT(unlink(P("basic/target/dir/x")) == 0 &&
		   rmdir(P("basic/target/dir")) == 0 &&
		   mkdir(P("basic/target/dir"), 0755) == 0,
	       "recreate dir: %s", strerror(errno));
	EXPECT(!exists(P("basic/target/dir/x")), "recreated dir is not opaque");

	EXPECT(!strcmp(get(P("basic/state/overlay/upper/c")), "new"),
	       "write did not land in upper");
	EXPECT(!strcmp(get(P("basic/state/overlay/upper/b")), "changed"),
	       "copy-up did not land in upper");
	EXPECT(!strcmp(get(P("basic/l2/b")), "low"), "lower was modified");
	EXPECT(!exists(P("basic/l1/c")), "write leaked into the top lower");
	EXPECT(exists(P("basic/l2/gone")), "lower file was removed");
	EXPECT(lstat(P("basic/state/overlay/upper/gone"), &wh) == 0 &&
		   S_ISCHR(wh.st_mode) && wh.st_rdev == makedev(0, 0),
	       "no 0/0 whiteout in upper");
	EXPECT(lstat(P("basic/state/overlay/upper"), &wh) == 0 &&
		   (wh.st_mode & 07777) == 0751,
	       "upper root did not take the top layer's mode");

	unmount(t);
	must(husk_overlay_cleanup(st, &err), &err, "cleanup");
	EXPECT(!exists(P("basic/state/overlay")), "state/overlay left behind");
	must(husk_overlay_cleanup(st, &err), &err, "second cleanup");
}

static void t_shared_lower(void)
{
	char *lowers[] = {(char *)P("shared/l"), NULL};
	struct husk_overlay_spec ov = spec(lowers, 1, NULL, false);
	struct husk_err err = {0};

	mkdirs(lowers[0]), mkdirs(P("shared/t1")), mkdirs(P("shared/t2"));
	mkdirs(P("shared/s1")), mkdirs(P("shared/s2"));
	put(P("shared/l/common"), "c");
	must(husk_overlay_mount(&ov, P("shared/s1"), P("shared/t1"), &err),
	     &err, "mount 1");
	must(husk_overlay_mount(&ov, P("shared/s2"), P("shared/t2"), &err),
	     &err, "mount 2");
	put(P("shared/t1/mine"), "1");
	put(P("shared/t2/common"), "2");
	EXPECT(!exists(P("shared/t2/mine")), "t2 sees t1's new file");
	EXPECT(!strcmp(get(P("shared/t1/common")), "c"), "t1 sees t2's change");
	EXPECT(!exists(P("shared/l/mine")), "lower got a write");
	unmount(P("shared/t1")), unmount(P("shared/t2"));
	must(husk_overlay_cleanup(P("shared/s1"), &err), &err, "cleanup 1");
	must(husk_overlay_cleanup(P("shared/s2"), &err), &err, "cleanup 2");
}

/*
 * @n layers with podman-style 26-character names under a long prefix: as
 * absolute paths they overflow a 4 KiB option page, relative they do not.
 */
static void deep_stack(const char *name, size_t n, enum husk_ovl_api api)
{
	char **lowers = calloc(n + 1, sizeof(char *));
	struct husk_overlay_spec ov = spec(lowers, n, NULL, false);
	char t[PATH_MAX], st[PATH_MAX];
	struct husk_err err = {0};
	size_t total = 0;
	char num[32];

	snprintf(t, sizeof(t), "%s", P("%s/target", name));
	snprintf(st, sizeof(st), "%s", P("%s/state", name));
	for (size_t i = 0; i < n; i++) {
		lowers[i] = strdup(P("%s/storage/overlay/l/L%025zu", name, i));
		total += strlen(lowers[i]) + 1;
		mkdirs(lowers[i]);
		snprintf(num, sizeof(num), "%zu", i);
		put(P("%s/storage/overlay/l/L%025zu/f", name, i), num);
		put(P("%s/storage/overlay/l/L%025zu/only-%zu", name, i, i),
		    num);
	}
	mkdirs(t), mkdirs(st);
	EXPECT(n < 120 || total > 4096, "test stack too small: %zu bytes",
	       total);
	must(husk_overlay_mount_api(&ov, st, t, api, &err), &err, "mount");
	EXPECT(!strcmp(get(P("%s/target/f", name)), "0"),
	       "top layer lost: f=%s", get(P("%s/target/f", name)));
	snprintf(num, sizeof(num), "%zu", n - 1);
	EXPECT(!strcmp(get(P("%s/target/only-%zu", name, n - 1)), num),
	       "bottom layer not visible");
	put(P("%s/target/w", name), "w");
	EXPECT(exists(P("%s/state/overlay/upper/w", name)),
	       "write not in upper");
	unmount(t);
	must(husk_overlay_cleanup(st, &err), &err, "cleanup");
	for (size_t i = 0; i < n; i++)
		free(lowers[i]);
	free(lowers);
}

static void t_deep_120(void)
{
	deep_stack("deep", 120, HUSK_OVL_API_AUTO);
}

static void t_deep_120_legacy(void)
{
	deep_stack("legacy", 120, HUSK_OVL_API_LEGACY);
}

static void t_deep_500(void)
{
	deep_stack("max", HUSK_OVL_MAX_LAYERS, HUSK_OVL_API_AUTO);
}

static void t_long_lower_path(void)
{
	/* three 100-byte components: over fsconfig's 255-byte string limit */
	char *lowers[] = {(char *)P("long/%0100d/%0100d/%0100d", 1, 2, 3),
			  NULL};
	struct husk_overlay_spec ov = spec(lowers, 1, NULL, false);
	struct husk_err err = {0};

	mkdirs(lowers[0]), mkdirs(P("long/t")), mkdirs(P("long/s"));
	put(P("long/%0100d/%0100d/%0100d/f", 1, 2, 3), "deep");
	must(husk_overlay_mount(&ov, P("long/s"), P("long/t"), &err), &err,
	     "mount with a >255 byte lower path");
	EXPECT(!strcmp(get(P("long/t/f")), "deep"), "lower not visible");
	unmount(P("long/t"));
	must(husk_overlay_cleanup(P("long/s"), &err), &err, "cleanup");
}

static void t_lower_is_target(void)
{
	char *lowers[] = {(char *)P("self/rootfs"), NULL};
	struct husk_overlay_spec ov = spec(lowers, 1, NULL, false);
	struct husk_err err = {0};

	mkdirs(lowers[0]), mkdirs(P("self/state"));
	put(P("self/rootfs/etc-file"), "orig");
	must(husk_overlay_mount(&ov, P("self/state"), lowers[0], &err), &err,
	     "mount");
	put(P("self/rootfs/etc-file"), "changed");
	put(P("self/rootfs/new"), "n");
	unmount(lowers[0]);
	EXPECT(!strcmp(get(P("self/rootfs/etc-file")), "orig"),
	       "lower changed");
	EXPECT(!exists(P("self/rootfs/new")), "write leaked into lower");
	must(husk_overlay_cleanup(P("self/state"), &err), &err, "cleanup");
}

static void readonly_case(const char *name, size_t n)
{
	char *lowers[] = {(char *)P("%s/l1", name), (char *)P("%s/l2", name),
			  NULL};
	struct husk_overlay_spec ov = spec(lowers, n, NULL, true);
	const char *t = P("%s/t", name), *st = P("%s/s", name);
	struct husk_err err = {0};
	int fd;

	mkdirs(lowers[0]), mkdirs(lowers[1]), mkdirs(t), mkdirs(st);
	put(P("%s/l1/f", name), "ro");
	must(husk_overlay_mount(&ov, st, t, &err), &err, "mount");
	EXPECT(!strcmp(get(P("%s/t/f", name)), "ro"), "lower not visible");
	fd = open(P("%s/t/new", name), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	EXPECT(fd < 0 && errno == EROFS, "write allowed (fd %d, %s)", fd,
	       strerror(errno));
	if (fd >= 0)
		close(fd);
	EXPECT(!exists(P("%s/s/overlay", name)), "read-only made state dirs");
	unmount(t);
	must(husk_overlay_cleanup(st, &err), &err, "cleanup");
}

static void t_readonly_two_lowers(void)
{
	readonly_case("ro2", 2);
}

static void t_readonly_one_lower(void)
{
	readonly_case("ro1", 1);
}

static void t_persistent_upper(void)
{
	char *lowers[] = {(char *)P("pers/l"), NULL};
	const char *up = P("pers/data/up");
	struct husk_overlay_spec ov = spec(lowers, 1, up, false);
	struct husk_err err = {0};

	mkdirs(lowers[0]), mkdirs(P("pers/data")), mkdirs(P("pers/t"));
	mkdirs(P("pers/sa")), mkdirs(P("pers/sb"));
	must(husk_overlay_claim(&ov, P("pers/sa"), "pa", getpid(), &err), &err,
	     "claim");
	must(husk_overlay_mount(&ov, P("pers/sa"), P("pers/t"), &err), &err,
	     "mount");
	put(P("pers/t/kept"), "yes");
	unmount(P("pers/t"));
	EXPECT(exists(P("pers/data/.up.husk-lock")), "no claim record");
	must(husk_overlay_cleanup(P("pers/sa"), &err), &err, "cleanup");
	EXPECT(!exists(P("pers/data/.up.husk-lock")), "claim not released");
	EXPECT(!exists(P("pers/sa/overlay")), "state/overlay left behind");
	EXPECT(!strcmp(get(P("pers/data/up/kept")), "yes"),
	       "persistent upper lost");
	EXPECT(exists(P("pers/data/.up.husk-work")),
	       "work dir not beside upper");

	must(husk_overlay_claim(&ov, P("pers/sb"), "pb", getpid(), &err), &err,
	     "claim b");
	must(husk_overlay_mount(&ov, P("pers/sb"), P("pers/t"), &err), &err,
	     "remount");
	EXPECT(!strcmp(get(P("pers/t/kept")), "yes"), "data did not persist");
	unmount(P("pers/t"));
	must(husk_overlay_cleanup(P("pers/sb"), &err), &err, "cleanup b");
}

static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		sleep(60); /* bounded: killed long before */
		_exit(0);
	}
	return pid;
}

static void t_upper_in_use(void)
{
	char *lowers[] = {(char *)P("busy/l"), NULL};
	const char *up = P("busy/up");
	struct husk_overlay_spec ov = spec(lowers, 1, up, false);
	struct husk_err err = {0};
	char want[PATH_MAX + 64];
	pid_t a = sleeper();
	int before;

	mkdirs(lowers[0]), mkdirs(P("busy/sa")), mkdirs(P("busy/sb"));
	mkdirs(P("busy/t"));
	must(husk_overlay_claim(&ov, P("busy/sa"), "ctr-a", a, &err), &err,
	     "claim a");
	snprintf(want, sizeof(want),
		 "overlay upper %s: in use by container ctr-a", up);
	before = mounts_here();
	expect_err(
	    husk_overlay_claim(&ov, P("busy/sb"), "ctr-b", getpid(), &err),
	    &err, -EBUSY, want);
	EXPECT(!exists(P("busy/sb/overlay")), "refused claim left a dir");
	EXPECT(mounts_here() == before, "refused claim mounted something");
	/* the owner may re-claim (hand over to its init pid) */
	must(husk_overlay_claim(&ov, P("busy/sa"), "ctr-a", a, &err), &err,
	     "re-claim a");

	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	must(husk_overlay_claim(&ov, P("busy/sb"), "ctr-b", getpid(), &err),
	     &err, "claim after the owner died");
	must(husk_overlay_cleanup(P("busy/sa"), &err), &err, "cleanup a");
	EXPECT(exists(P("busy/.up.husk-lock")),
	       "a's cleanup dropped b's claim");
	must(husk_overlay_cleanup(P("busy/sb"), &err), &err, "cleanup b");
	EXPECT(!exists(P("busy/.up.husk-lock")), "b's claim not released");
}

static void t_missing_lower(void)
{
	char *lowers[] = {(char *)P("miss/l1"), (char *)P("miss/nope"), NULL};
	struct husk_overlay_spec ov = spec(lowers, 2, NULL, false);
	struct husk_err err = {0};
	char want[PATH_MAX + 64];
	int before;

	mkdirs(lowers[0]), mkdirs(P("miss/t")), mkdirs(P("miss/s"));
	snprintf(want, sizeof(want),
		 "overlay lower %s: No such file or directory", lowers[1]);
	before = mounts_here();
	expect_err(husk_overlay_check(&ov, P("miss/s"), &err), &err, -ENOENT,
		   want);
	expect_err(husk_overlay_mount(&ov, P("miss/s"), P("miss/t"), &err),
		   &err, -ENOENT, want);
	EXPECT(mounts_here() == before, "something was mounted");
	EXPECT(!exists(P("miss/s/overlay")), "state/overlay left behind");

	put(P("miss/file"), "x");
	lowers[1] = (char *)P("miss/file");
	expect_err(husk_overlay_check(&ov, P("miss/s"), &err), &err, -ENOTDIR,
		   "Not a directory");
}

static void t_upper_on_overlay(void)
{
	char *lowers[] = {(char *)P("oo/l"), NULL};
	struct husk_overlay_spec base = spec(lowers, 1, NULL, false);
	struct husk_overlay_spec ov = spec(lowers, 1, P("oo/m/up"), false);
	struct husk_err err = {0};
	int before;

	mkdirs(lowers[0]), mkdirs(P("oo/m")), mkdirs(P("oo/s")),
	    mkdirs(P("oo/t"));
	must(husk_overlay_mount(&base, P("oo/s"), P("oo/m"), &err), &err,
	     "base");
	mkdirs(P("oo/m/state"));
	before = mounts_here();
	expect_err(husk_overlay_mount(&ov, P("oo/s2"), P("oo/t"), &err), &err,
		   0,
		   "on an overlay filesystem, which cannot hold an upper dir");
	EXPECT(strstr(err.msg, P("oo/m/up")) != NULL, "path not named: %s",
	       err.msg);
	EXPECT(!exists(P("oo/m/up")), "upper was created");
	/* an ephemeral upper in a state dir that is on overlay */
	expect_err(husk_overlay_mount(&base, P("oo/m/state"), P("oo/t"), &err),
		   &err, 0, "on an overlay filesystem");
	EXPECT(!exists(P("oo/m/state/overlay")), "state/overlay created");
	EXPECT(mounts_here() == before, "something was mounted");
	unmount(P("oo/m"));
	must(husk_overlay_cleanup(P("oo/s"), &err), &err, "cleanup");
}

/* ramfs has no xattrs; tmpfs has them where CONFIG_TMPFS_XATTR is set. */
static void t_upper_without_xattrs(void)
{
	char *lowers[] = {(char *)P("nx/l"), NULL};
	struct husk_overlay_spec ov = spec(lowers, 1, P("nx/ram/up"), false);
	struct husk_overlay_spec tmp = spec(lowers, 1, P("nx/tmp/up"), false);
	struct husk_err err = {0};
	int before, r;

	mkdirs(lowers[0]), mkdirs(P("nx/ram")), mkdirs(P("nx/tmp"));
	mkdirs(P("nx/t")), mkdirs(P("nx/s"));
	if (mount("husk-overlay-ramfs", P("nx/ram"), "ramfs", 0, NULL) < 0 ||
	    mount("husk-overlay-tmpfs", P("nx/tmp"), "tmpfs", 0, NULL) < 0) {
		fail("mount ramfs/tmpfs: %s", strerror(errno));
		return;
	}
	before = mounts_here();
	expect_err(husk_overlay_mount(&ov, P("nx/s"), P("nx/t"), &err), &err, 0,
		   "does not support trusted.* xattrs");
	EXPECT(strstr(err.msg, P("nx/ram/up")) != NULL, "path not named: %s",
	       err.msg);
	EXPECT(!exists(P("nx/ram/up")), "upper was created");
	EXPECT(mounts_here() == before, "something was mounted");

	r = husk_overlay_mount(&tmp, P("nx/s"), P("nx/t"), &err);
	printf("    info: upper on tmpfs: %s\n", r < 0 ? err.msg : "mounts");
	if (r == 0)
		unmount(P("nx/t"));
	unmount(P("nx/ram")), unmount(P("nx/tmp"));
}

static void t_readonly_with_upper(void)
{
	char *lowers[] = {(char *)P("rou/l"), NULL};
	struct husk_overlay_spec ov = spec(lowers, 1, P("rou/up"), true);
	struct husk_err err = {0};

	mkdirs(lowers[0]), mkdirs(P("rou/t")), mkdirs(P("rou/s"));
	expect_err(husk_overlay_mount(&ov, P("rou/s"), P("rou/t"), &err), &err,
		   0, "exclude each other");
	EXPECT(!exists(P("rou/up")), "upper created");
}

/* A kernel-side failure after we made dirs: they must go again. */
static void t_rollback(void)
{
	char *lowers[] = {(char *)P("rb/l"), NULL};
	struct husk_overlay_spec eph = spec(lowers, 1, NULL, false);
	struct husk_overlay_spec pers = spec(lowers, 1, P("rb/up"), false);
	struct husk_err err = {0};
	int before;

	mkdirs(lowers[0]), mkdirs(P("rb/s"));
	before = mounts_here();
	expect_err(husk_overlay_mount(&eph, P("rb/s"), P("rb/no-target"), &err),
		   &err, -ENOENT, "rb/no-target");
	EXPECT(!exists(P("rb/s/overlay")), "state/overlay left behind");
	expect_err(
	    husk_overlay_mount(&pers, P("rb/s"), P("rb/no-target"), &err), &err,
	    -ENOENT, "rb/no-target");
	EXPECT(!exists(P("rb/up")) && !exists(P("rb/.up.husk-work")),
	       "persistent upper/work left behind");
	EXPECT(mounts_here() == before, "something was mounted");
}

/* A refusal only the kernel judges (upper == lower): say where to look. */
static void t_kernel_reason(void)
{
	char *lowers[] = {(char *)P("kr/l"), NULL};
	struct husk_overlay_spec ov = spec(lowers, 1, P("kr/l"), false);
	struct husk_err err = {0};
	int before;

	mkdirs(lowers[0]), mkdirs(P("kr/t")), mkdirs(P("kr/s"));
	before = mounts_here();
	expect_err(husk_overlay_mount(&ov, P("kr/s"), P("kr/t"), &err), &err,
		   -ELOOP, "dmesg");
	EXPECT(strstr(err.msg, P("kr/t")) != NULL, "target not named");
	printf("    info: %s\n", err.msg);
	EXPECT(!exists(P("kr/.l.husk-work")), "upper/work left behind");
	EXPECT(mounts_here() == before, "something was mounted");
}

/* `create` killed after mounting: its mount ns dies, delete --force cleans. */
static void t_killed_create(void)
{
	char *lowers[] = {(char *)P("kill/l"), NULL};
	struct husk_overlay_spec ov = spec(lowers, 1, NULL, false);
	struct husk_err err = {0};
	int status;
	pid_t pid;

	mkdirs(lowers[0]), mkdirs(P("kill/t")), mkdirs(P("kill/s"));
	put(P("kill/l/f"), "x");
	mkdirs(P("kill/l/d/e"));
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    husk_overlay_mount(&ov, P("kill/s"), P("kill/t"), &err) < 0)
			_exit(1);
		put(P("kill/t/new"), "n");
		unlink(P("kill/t/f"));
		rmdir(P("kill/t/d/e"));
		raise(SIGKILL);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	EXPECT(WIFSIGNALED(status), "child did not get as far as the kill");
	EXPECT(exists(P("kill/s/overlay/work/work")), "no work dir to clean");
	must(husk_overlay_cleanup(P("kill/s"), &err), &err, "cleanup");
	EXPECT(!exists(P("kill/s/overlay")), "state/overlay left behind");
	must(husk_overlay_cleanup(P("kill/s"), &err), &err, "second cleanup");
	EXPECT(!strcmp(get(P("kill/l/f")), "x"), "lower modified");
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
    {"basic_write_copyup_whiteout", t_basic},
    {"shared_lower", t_shared_lower},
    {"deep_120_layers", t_deep_120},
    {"deep_120_layers_legacy_mount", t_deep_120_legacy},
    {"deep_500_layers", t_deep_500},
    {"long_lower_path", t_long_lower_path},
    {"lower_is_target", t_lower_is_target},
    {"readonly_two_lowers", t_readonly_two_lowers},
    {"readonly_one_lower", t_readonly_one_lower},
    {"persistent_upper", t_persistent_upper},
    {"upper_in_use", t_upper_in_use},
    {"missing_lower", t_missing_lower},
    {"upper_on_overlay", t_upper_on_overlay},
    {"upper_without_xattrs", t_upper_without_xattrs},
    {"readonly_with_upper", t_readonly_with_upper},
    {"rollback_on_mount_failure", t_rollback},
    {"kernel_refusal_cleans_up", t_kernel_reason},
    {"killed_create_then_cleanup", t_killed_create},
};

int main(int argc, char **argv)
{
	struct husk_err err = {0};
	const char *filter = argc > 2 ? argv[2] : NULL;

	snprintf(S, sizeof(S), "%s/husk-overlay-XXXXXX",
		 argc > 1 ? argv[1] : "/tmp");
	if (!mkdtemp(S) || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("ovlcheck: setup (needs root)");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(scenarios); i++) {
		if (filter && !strstr(scenarios[i].name, filter))
			continue;
		cur_name = scenarios[i].name;
		cur_failed = false;
		scenarios[i].fn();
		if (!cur_failed)
			printf("ok %s\n", cur_name);
		failures += cur_failed;
	}
	unmount_leftovers();
	if (husk_ovl_remove_tree(S, &err) < 0)
		fprintf(stderr, "ovlcheck: %s\n", err.msg);
	printf("ovlcheck: %d failed\n", failures);
	return failures ? 1 : 0;
}
