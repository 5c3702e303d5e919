/* SPDX-License-Identifier: MIT */
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../runtime/fsutil.h"

int husk_ns_clone_flags(const struct husk_spec *spec)
{
	int flags = 0;

	for (size_t i = 0; i < spec->n_namespaces; i++)
		if (!spec->namespaces[i].path)
			flags |= husk_ns_clone_flag(spec->namespaces[i].type);
	return flags;
}

static int join_path(const struct husk_namespace *ns, struct husk_err *err)
{
	_cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return husk_fail(err, errno, "open %s namespace %s",
				 husk_ns_name(ns->type), ns->path);
	if (setns(fd, husk_ns_clone_flag(ns->type)) < 0)
		return husk_fail(err, errno, "join %s namespace %s",
				 husk_ns_name(ns->type), ns->path);
	return 0;
}

int husk_ns_join_paths(const struct husk_spec *spec, bool pid_only,
		       struct husk_err *err)
{
	const struct husk_namespace *user = husk_spec_ns(spec, HUSK_NS_USER);

	if (pid_only) {
		const struct husk_namespace *pid = husk_spec_ns(spec, HUSK_NS_PID);

		return pid && pid->path ? join_path(pid, err) : 0;
	}
	if (user && user->path && join_path(user, err) < 0)
		return err->code;
	for (size_t i = 0; i < spec->n_namespaces; i++) {
		const struct husk_namespace *ns = &spec->namespaces[i];

		if (!ns->path || ns->type == HUSK_NS_USER ||
		    ns->type == HUSK_NS_PID)
			continue;
		if (join_path(ns, err) < 0)
			return err->code;
	}
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct husk_idmap *m,
		     size_t n, struct husk_err *err)
{
	char path[64], buf[4096];
	size_t off = 0;
	_cleanup_close_ int fd = -1;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + off, sizeof(buf) - off, "%u %u %u\n",
				 m[i].container_id, m[i].host_id, m[i].size);

		if (w < 0 || (size_t)w >= sizeof(buf) - off)
			return husk_fail(err, E2BIG, "%s: too many mappings",
					 file);
		off += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_fail(err, errno, "open %s", path);
	if (write(fd, buf, off) != (ssize_t)off)
		return husk_fail(err, errno, "write %s (%.*s)", path,
				 (int)strcspn(buf, "\n"), buf);
	return 0;
}

int husk_ns_write_idmaps(pid_t pid, const struct husk_spec *spec,
			 struct husk_err *err)
{
	if (write_map(pid, "uid_map", spec->uid_mappings,
		      spec->n_uid_mappings, err) < 0 ||
	    write_map(pid, "gid_map", spec->gid_mappings,
		      spec->n_gid_mappings, err) < 0)
		return err->code;
	return 0;
}

/* The namespaces exec joins, user first, in the order setns() needs. */
static const struct {
	const char *name;
	int flag;
} exec_ns[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },
	{ "uts", CLONE_NEWUTS },   { "ipc", CLONE_NEWIPC },
	{ "net", CLONE_NEWNET },   { "pid", CLONE_NEWPID },
	{ "cgroup", CLONE_NEWCGROUP },
};

static bool same_ns(pid_t pid, const char *name)
{
	char a[64], b[64];
	struct stat sa, sb;

	snprintf(a, sizeof(a), "/proc/%d/ns/%s", pid, name);
	snprintf(b, sizeof(b), "/proc/self/ns/%s", name);
	if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return true;
	return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

int husk_ns_enter_process(pid_t pid, int pidfd, struct husk_err *err)
{
	int flags = 0;

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(exec_ns); i++)
		if (!same_ns(pid, exec_ns[i].name))
			flags |= exec_ns[i].flag;
	if (flags == 0)
		return 0;
	/* Kernel 5.8+: one atomic setns() of all of them through the pidfd. */
	if (pidfd >= 0 && setns(pidfd, flags) == 0)
		return 0;
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(exec_ns); i++) {
		char path[64];
		_cleanup_close_ int fd = -1;

		if (!(flags & exec_ns[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid,
			 exec_ns[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return husk_fail(err, errno, "open %s", path);
		if (setns(fd, exec_ns[i].flag) < 0)
			return husk_fail(err, errno, "join %s namespace of %d",
					 exec_ns[i].name, pid);
	}
	return 0;
}
