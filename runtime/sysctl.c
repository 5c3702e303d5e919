/* SPDX-License-Identifier: MIT */
/*
 * linux.sysctl and the LSM fields: refuse what would reach past the
 * container (a host-wide sysctl, a label the host cannot enforce) before
 * anything is created, then apply the rest inside the container.
 */
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

enum sysctl_ns { SYSCTL_HOST, SYSCTL_IPC, SYSCTL_NET, SYSCTL_UTS };

/* Which namespace makes @key (dotted form) a per-container setting. */
static enum sysctl_ns sysctl_namespace(const char *key)
{
	static const char *const ipc_prefixes[] = { "kernel.shm", "kernel.msg",
						    "kernel.sem", "fs.mqueue." };

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(ipc_prefixes); i++)
		if (strncmp(key, ipc_prefixes[i], strlen(ipc_prefixes[i])) == 0)
			return SYSCTL_IPC;
	if (strncmp(key, "net.", 4) == 0)
		return SYSCTL_NET;
	if (strcmp(key, "kernel.hostname") == 0 ||
	    strcmp(key, "kernel.domainname") == 0)
		return SYSCTL_UTS;
	return SYSCTL_HOST;
}

/*
 * "net.ipv4.ip_forward" -> "net/ipv4/ip_forward".  As in sysctl(8), a key
 * that contains '/' already uses '/' as separator and its dots are literal
 * ("net/ipv4/conf/eth0.1/forwarding").  With @dotted, produce the dotted
 * form instead (for classification).  Refuses empty, "." and ".."
 * components so a key cannot step out of /proc/sys.
 */
static int sysctl_rel(const char *key, bool dotted, char *buf, size_t len,
		      struct husk_err *err)
{
	bool slashes = strchr(key, '/') != NULL;
	char sep = slashes ? '/' : '.';
	const char *c = key;

	if (strlen(key) >= len)
		return husk_fail(err, 0, "linux.sysctl: \"%s\" is too long", key);
	for (;;) {
		size_t n = strcspn(c, sep == '/' ? "/" : ".");

		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return husk_fail(err, 0, "linux.sysctl: \"%s\" is not "
					 "a valid key", key);
		if (!c[n])
			break;
		c += n + 1;
	}
	for (size_t i = 0; key[i]; i++)
		buf[i] = key[i] == sep ? (dotted ? '.' : '/') : key[i];
	buf[strlen(key)] = '\0';
	return 0;
}

int husk_sysctl_check(const struct husk_kvv *sysctl, bool has_netns,
		      bool has_ipcns, bool has_utsns, struct husk_err *err)
{
	for (size_t i = 0; i < sysctl->n; i++) {
		const char *key = sysctl->v[i].key;
		char dotted[PATH_MAX];
		int r = sysctl_rel(key, true, dotted, sizeof(dotted), err);

		if (r < 0)
			return r;
		switch (sysctl_namespace(dotted)) {
		case SYSCTL_IPC:
			if (!has_ipcns)
				return husk_fail(err, 0, "linux.sysctl: \"%s\" "
						 "needs a new ipc namespace",
						 key);
			break;
		case SYSCTL_NET:
			if (!has_netns)
				return husk_fail(err, 0, "linux.sysctl: \"%s\" "
						 "needs a new network namespace",
						 key);
			break;
		case SYSCTL_UTS:
			if (!has_utsns)
				return husk_fail(err, 0, "linux.sysctl: \"%s\" "
						 "needs a new uts namespace",
						 key);
			break;
		case SYSCTL_HOST:
			return husk_fail(err, 0, "linux.sysctl: \"%s\" is not "
					 "namespaced; refusing to set it", key);
		}
	}
	return 0;
}

static int sysctl_write(const char *key, const char *value,
			struct husk_err *err)
{
	char rel[PATH_MAX - 16], path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	int r = sysctl_rel(key, false, rel, sizeof(rel), err);

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/sys/%s", rel);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return husk_fail(err, errno, "linux.sysctl: open %s", path);
	if (write(fd, value, len) != (ssize_t)len)
		return husk_fail(err, errno, "linux.sysctl: write \"%s\" to %s",
				 value, path);
	return 0;
}

int husk_sysctl_apply(const struct husk_kvv *sysctl, struct husk_err *err)
{
	for (size_t i = 0; i < sysctl->n; i++) {
		int r = sysctl_write(sysctl->v[i].key, sysctl->v[i].value, err);

		if (r < 0)
			return r;
	}
	return 0;
}

bool husk_apparmor_enabled(void)
{
	_cleanup_fclose_ FILE *f = NULL;
	char c = 0;

	/* Both the module switch and its securityfs must be there. */
	if (access("/sys/kernel/security/apparmor", F_OK) < 0)
		return false;
	f = fopen("/sys/module/apparmor/parameters/enabled", "re");
	return f && fread(&c, 1, 1, f) == 1 && c == 'Y';
}

bool husk_selinux_enabled(void)
{
	/* selinuxfs is mounted exactly when SELinux is active. */
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

int husk_lsm_check(const struct husk_process *proc, const char *mount_label,
		   struct husk_err *err)
{
	if (proc->apparmor_profile && *proc->apparmor_profile &&
	    !husk_apparmor_enabled())
		return husk_fail(err, 0, "process.apparmorProfile: AppArmor is "
				 "not enabled on this host");
	if (proc->selinux_label && *proc->selinux_label &&
	    !husk_selinux_enabled())
		return husk_fail(err, 0, "process.selinuxLabel: SELinux is not "
				 "enabled on this host");
	if (mount_label && *mount_label && !husk_selinux_enabled())
		return husk_fail(err, 0, "linux.mountLabel: SELinux is not "
				 "enabled on this host");
	return 0;
}

/* Write "<prefix><val>" to @path. */
static int write_attr(const char *path, const char *prefix, const char *val,
		      struct husk_err *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s%s", prefix, val);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return husk_fail(err, 0, "%s: label too long", path);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	if (write(fd, buf, (size_t)n) != n)
		return husk_fail(err, errno, "write \"%s\" to %s", buf, path);
	return 0;
}

int husk_lsm_apply(const struct husk_process *proc, struct husk_err *err)
{
	int r;

	/* Both take effect at the next execve(), like the uid switch. */
	if (proc->apparmor_profile && *proc->apparmor_profile) {
		const char *attr = "/proc/thread-self/attr/apparmor/exec";

		/* Kernels before 5.1 have only the shared attr/exec. */
		if (access(attr, F_OK) < 0)
			attr = "/proc/thread-self/attr/exec";
		r = write_attr(attr, "exec ", proc->apparmor_profile, err);
		if (r < 0)
			return husk_err_prefix(err, "process.apparmorProfile");
	}
	if (proc->selinux_label && *proc->selinux_label) {
		r = write_attr("/proc/thread-self/attr/exec", "",
			       proc->selinux_label, err);
		if (r < 0)
			return husk_err_prefix(err, "process.selinuxLabel");
	}
	return 0;
}
