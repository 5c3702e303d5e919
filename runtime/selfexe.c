/* SPDX-License-Identifier: MIT */
/*
 * Defence against CVE-2019-5736 (runc overwritten through /proc/self/exe).
 *
 * The attack needs a process that runs the husk binary and that the
 * container can reach:
 *
 *  - the one that execve()s the container's program: a program
 *    "#!/proc/self/exe" makes the kernel run *our* binary again, now
 *    inside the container, whose processes can then open /proc/PID/exe,
 *    keep the fd, and write the host's husk through it once it stops
 *    running;
 *  - any husk process in the container's PID namespace (the init until
 *    its execve, `exec`'s final child): /proc/PID/exe of it.
 *
 * The defence, for the first: the init and exec's final child execve()
 * through husk-exec (runtime/trampoline/), a static freestanding program
 * of 1.5 KB embedded in husk and run from a sealed memfd (no write,
 * shrink, grow, nor unsealing).  It execs the real program at once; the
 * kernel resolves "#!/proc/self/exe" to the trampoline's memfd, which
 * names nothing on the host, cannot be written, and refuses an argv[0]
 * that is not its own.  For the second: create, run and exec make
 * themselves non-dumpable first thing, which the init and exec's
 * children inherit (the execve resets it), so /proc/PID/exe of them
 * cannot be opened without CAP_SYS_PTRACE in the host's user namespace.
 *
 * This replaced re-executing husk itself from a sealed memfd copy (a
 * 1.4 MB copy and a second dynamic exec, ~3.5 ms per `run`); that
 * remains the defence on architectures husk-exec has no _start for.
 */
#include "selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#if defined(__x86_64__) || defined(__aarch64__)
#define HAVE_TRAMPOLINE 1
/* build/husk-exec, built by the Makefile from runtime/trampoline/. */
__asm__(".pushsection .rodata, \"a\"\n"
	".balign 16\n"
	".hidden husk_exec_start\n"
	".hidden husk_exec_end\n"
	".global husk_exec_start\n"
	".global husk_exec_end\n"
	"husk_exec_start:\n"
	".incbin \"build/husk-exec\"\n"
	"husk_exec_end:\n"
	".popsection\n");
extern const char husk_exec_start[], husk_exec_end[];
#endif

bool husk_selfexe_is_sealed(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* A close-on-exec memfd that can be sealed and executed. */
static int new_memfd(const char *name, int *out, struct husk_err *err)
{
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;

	/* MFD_EXEC (Linux 6.3) says so where vm.memfd_noexec asks. */
	*out = memfd_create(name, flags | MFD_EXEC);
	if (*out < 0 && errno == EINVAL)
		*out = memfd_create(name, flags);
	if (*out < 0)
		return husk_fail(err, errno, "memfd_create %s", name);
	return 0;
}

static int seal(int fd, const char *name, struct husk_err *err)
{
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		return husk_fail(err, errno, "seal the memfd of %s", name);
	return 0;
}

#ifndef HAVE_TRAMPOLINE
/* A sealed memfd holding a copy of the binary we run. */
static int sealed_copy(int *out, struct husk_err *err)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;
	struct stat st;
	off_t off = 0;

	if (src < 0 || fstat(src, &st) < 0)
		return husk_fail(err, errno, "open /proc/self/exe");
	if (new_memfd("husk", &mfd, err) < 0)
		return err->code;
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return husk_fail(err, n < 0 ? errno : EIO,
					 "copy /proc/self/exe to a memfd");
	}
	if (seal(mfd, "husk", err) < 0)
		return err->code;
	*out = husk_steal_fd(mfd);
	return 0;
}

static int reexec_sealed(char *const argv[], struct husk_err *err)
{
	extern char **environ;
	_cleanup_close_ int mfd = -1;

	if (husk_selfexe_is_sealed())
		return 0;
	if (sealed_copy(&mfd, err) < 0)
		return err->code;
	/*
	 * MFD_CLOEXEC is fine for an ELF binary: the kernel has the file
	 * open before it closes our fds (only a script would need the fd).
	 */
	fexecve(mfd, argv, environ);
	return husk_fail(err, errno, "re-exec husk from a sealed memfd");
}
#endif

int husk_selfexe_protect(char *const argv[], struct husk_err *err)
{
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return husk_fail(err, errno, "prctl PR_SET_DUMPABLE 0");
#ifdef HAVE_TRAMPOLINE
	(void)argv;
	return 0;
#else
	return reexec_sealed(argv, err);
#endif
}

int husk_trampoline_open(int min_fd, int *fd, struct husk_err *err)
{
#ifdef HAVE_TRAMPOLINE
	size_t len = (size_t)(husk_exec_end - husk_exec_start);
	_cleanup_close_ int mfd = -1;

	*fd = -1;
	if (new_memfd("husk-exec", &mfd, err) < 0)
		return err->code;
	if (write(mfd, husk_exec_start, len) != (ssize_t)len)
		return husk_fail(err, errno ? errno : EIO, "write husk-exec");
	if (seal(mfd, "husk-exec", err) < 0)
		return err->code;
	if (mfd < min_fd) {
		int high = fcntl(mfd, F_DUPFD_CLOEXEC, min_fd);

		if (high < 0)
			return husk_fail(err, errno, "move the husk-exec fd");
		close(mfd);
		mfd = high;
	}
	*fd = husk_steal_fd(mfd);
#else
	(void)min_fd;
	(void)err;
	*fd = -1;
#endif
	return 0;
}

int husk_trampoline_exec(int fd, const char *path, char *const argv[],
			 char *const envp[], struct husk_err *err)
{
	_cleanup_free_ char **v = NULL;
	size_t n = 0;

	if (fd < 0)
		goto plain;
	while (argv[n])
		n++;
	v = calloc(n + 3, sizeof(*v));
	if (!v)
		return husk_fail(err, ENOMEM, "exec %s", path);
	v[0] = (char *)"husk-exec";
	v[1] = (char *)path;
	memcpy(v + 2, argv, n * sizeof(*v));
	syscall(SYS_execveat, fd, "", v, envp, AT_EMPTY_PATH);
	/*
	 * A seccomp profile may allow execve but not execveat: the plain
	 * execve still runs the program, only without the trampoline.
	 */
	if (errno != EPERM && errno != ENOSYS)
		return husk_fail(err, errno, "exec %s", path);
plain:
	execve(path, argv, envp);
	return husk_fail(err, errno, "exec %s", path);
}
