/* SPDX-License-Identifier: MIT */
/*
 * Defence against CVE-2019-5736 (runc overwritten through /proc/self/exe).
 *
 * Whenever husk puts a process into a container (the init after clone,
 * `exec`), that process is still running the husk binary until its
 * execve().  A container binary like "#!/proc/self/exe" makes the kernel
 * exec *our* binary inside the container, and then any process there can
 * open /proc/PID/exe, keep the fd, and write the host's husk through it
 * once it stops running: the next `husk` run by root on the host is the
 * attacker's code.
 *
 * The defence: create, run and exec first re-execute themselves from a
 * sealed memfd copy of the binary.  /proc/self/exe then names an
 * anonymous, unlinked file that cannot be written, truncated or grown
 * (F_SEAL_WRITE|SHRINK|GROW) nor unsealed (F_SEAL_SEAL), so there is
 * nothing on the host to reach through it.  It costs one copy of the
 * binary into memory and one extra execve (measured: see README
 * "Security"), far cheaper than a read-only bind mount, which needs a
 * mount namespace of its own.
 */
#include "selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

bool husk_selfexe_is_sealed(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* A sealed memfd holding a copy of the binary we run. */
static int sealed_copy(int *out, struct husk_err *err)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;
	struct stat st;
	off_t off = 0;

	if (src < 0 || fstat(src, &st) < 0)
		return husk_fail(err, errno, "open /proc/self/exe");
	mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return husk_fail(err, errno, "memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return husk_fail(err, n < 0 ? errno : EIO,
					 "copy /proc/self/exe to a memfd");
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return husk_fail(err, errno, "seal the memfd copy of husk");
	*out = husk_steal_fd(mfd);
	return 0;
}

int husk_selfexe_protect(char *const argv[], struct husk_err *err)
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
