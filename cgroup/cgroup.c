/* SPDX-License-Identifier: MIT */
/*
 * The cgroup object: one directory per hierarchy husk uses (every v1
 * hierarchy and the cgroup2 one), created, entered, listed, frozen,
 * killed and removed together.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

#define WAIT_STEP_MS 10
#define WAIT_ROUNDS 500 /* 5 s for kill, freeze, rmdir */

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};

	nanosleep(&ts, NULL);
}

const struct cg_dir *cg_dir_for(const struct husk_cgroup *cg, enum cg_ctrl c)
{
	int i = cg->lay->ctrl_hier[c];

	return i >= 0 && cg->d[i].fd >= 0 ? &cg->d[i] : NULL;
}

const struct cg_dir *cg_v2_dir(const struct husk_cgroup *cg)
{
	int i = cg->lay->v2;

	return i >= 0 && cg->d[i].fd >= 0 ? &cg->d[i] : NULL;
}

/* A cgroup path must not climb out of the hierarchy. */
static bool path_is_safe(const char *p)
{
	const char *s = p;

	if (!*p)
		return false;
	while (*s) {
		size_t n = strcspn(s, "/");

		if ((n == 2 && !strncmp(s, "..", 2)) || (n == 1 && s[0] == '.'))
			return false;
		s += n;
		s += strspn(s, "/");
	}
	return true;
}

/* The dir below the mount point, without leading '/': "husk/c1". */
static int rel_path(const struct cg_hier *h, const char *path, char *buf,
		    size_t len)
{
	char parent[PATH_MAX];
	char *slash;
	int n;

	if (path[0] == '/') {
		n = snprintf(buf, len, "%s", path + strspn(path, "/"));
	} else {
		snprintf(parent, sizeof(parent), "%s", h->self);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		n = snprintf(buf, len, "%s/%s", parent + strspn(parent, "/"),
			     path);
		if (buf[0] == '/')
			memmove(buf, buf + 1, strlen(buf));
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * v1 cpuset dirs start empty and refuse tasks: inherit the parent's.  A
 * dir we just made is known empty; one that was there may have been left
 * half-made by a runtime killed here, so its files are read first.
 */
static int cpuset_inherit(const struct husk_cgroup *cg, int parent, int dfd,
			  bool fresh, struct husk_err *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	char cur[4096], val[4096];

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(files); i++) {
		if (!fresh && cg_read(dfd, files[i], cur, sizeof(cur)) == 0 &&
		    cur[0])
			continue;
		if (cg_read(parent, files[i], val, sizeof(val)) < 0 || !val[0])
			continue;
		if (cg_write(cg, dfd, files[i], val) < 0)
			return husk_fail(err, errno, "cpuset: %s=%s", files[i],
					 val);
	}
	return 0;
}

/*
 * Let children use every controller of the hierarchy.  All at once when
 * possible; one by one otherwise, skipping refusals (a limit that needs the
 * missing controller then fails with the file it could not write).
 */
static void v2_enable_subtree(const struct husk_cgroup *cg, int dfd,
			      uint32_t ctrls)
{
	char all[256] = "";
	char one[32];

	for (int c = 0; c < CG_NCTRL; c++) {
		if (!(ctrls & (1u << c)) || !cg_ctrl_v2_name(c))
			continue;
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s+%s",
			 all[0] ? " " : "", cg_ctrl_v2_name(c));
	}
	if (!all[0] || cg_write(cg, dfd, "cgroup.subtree_control", all) == 0)
		return;
	for (int c = 0; c < CG_NCTRL; c++) {
		if (!(ctrls & (1u << c)) || !cg_ctrl_v2_name(c))
			continue;
		snprintf(one, sizeof(one), "+%s", cg_ctrl_v2_name(c));
		cg_write(cg, dfd, "cgroup.subtree_control", one);
	}
}

/*
 * mkdir -p @rel below the mount of @h, preparing each level on the way;
 * the last level's dir fd goes to @out.
 */
static int make_dirs(const struct husk_cgroup *cg, const struct cg_hier *h,
		     const char *rel, int *out, struct husk_err *err)
{
	_cleanup_close_ int fd =
	    open(h->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[PATH_MAX], *save = NULL;
	int r;

	if (fd < 0)
		return husk_fail(err, errno, "open %s", h->mnt);
	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *comp = strtok_r(buf, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		_cleanup_close_ int child = -1;
		bool fresh = true;

		if (h->v2)
			v2_enable_subtree(cg, fd, h->ctrls);
		if (mkdirat(fd, comp, 0755) < 0) {
			if (errno != EEXIST)
				return husk_fail(err, errno,
						 "mkdir %s/%s (in %s)", h->mnt,
						 rel, comp);
			fresh = false;
		}
		child = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child < 0)
			return husk_fail(err, errno, "open %s/%s", h->mnt, rel);
		if (h->ctrls & (1u << CG_CPUSET)) {
			r = cpuset_inherit(cg, fd, child, fresh, err);
			if (r < 0)
				return husk_err_prefix(err, "%s/%s", h->mnt,
						       rel);
		}
		close(fd);
		fd = husk_steal_fd(child);
	}
	*out = husk_steal_fd(fd);
	return 0;
}

/* The dir of cgroup @path in hierarchy @h: @rel below its mount, @dir. */
static int dir_path(const struct cg_hier *h, const char *path, char *rel,
		    char *dir, size_t len)
{
	int n;

	if (rel_path(h, path, rel, len) < 0)
		return -ENAMETOOLONG;
	n = snprintf(dir, len, "%s/%s", h->mnt, rel);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int open_one(struct husk_cgroup *cg, size_t i, bool create,
		    struct husk_err *err)
{
	const struct cg_hier *h = &cg->lay->h[i];
	struct cg_dir *d = &cg->d[i];
	char rel[PATH_MAX], path[PATH_MAX];
	int r;

	if (dir_path(h, cg->path, rel, path, sizeof(path)) < 0)
		return husk_fail(err, ENAMETOOLONG, "cgroup path %s", cg->path);
	d->path = strdup(path);
	if (!d->path)
		return husk_fail(err, ENOMEM, "cgroup path %s", cg->path);
	/*
	 * Usually only the last level is new: one mkdir does.  cpuset (to
	 * inherit cpus and mems) and cgroup2 (to enable controllers) prepare
	 * every level on the way down.
	 */
	if (create && (h->v2 || (h->ctrls & (1u << CG_CPUSET)) ||
		       (mkdir(d->path, 0755) < 0 && errno != EEXIST))) {
		r = make_dirs(cg, h, rel, &d->fd, err);
		if (r < 0)
			return r;
	}
	if (d->fd < 0)
		d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* half-destroyed: keep what is left so destroy can finish it */
	if (d->fd < 0 && (create || errno != ENOENT))
		return husk_fail(err, errno, "open cgroup %s", d->path);
	return 0;
}

/* A handle on @path with no hierarchy opened yet. */
static int cg_alloc(const char *path, struct husk_cgroup **out,
		    struct husk_err *err)
{
	struct husk_cgroup *cg;
	const struct cg_layout *lay;
	int r;

	if (!path || !path_is_safe(path))
		return husk_fail(err, EINVAL, "invalid cgroup path \"%s\"",
				 path ? path : "");
	r = cg_layout_get(&lay, err);
	if (r < 0)
		return r;
	cg = calloc(1, sizeof(*cg) + lay->n * sizeof(cg->d[0]));
	if (!cg || !(cg->path = strdup(path))) {
		free(cg);
		return husk_fail(err, ENOMEM, "cgroup %s", path);
	}
	cg->lay = lay;
	for (size_t i = 0; i < lay->n; i++) {
		cg->d[i].fd = -1;
		cg->d[i].path = NULL;
	}
	*out = cg;
	return 0;
}

int husk_cgroup_open(const char *path, bool create, struct husk_cgroup **out,
		     struct husk_err *err)
{
	struct husk_cgroup *cg;
	const struct cg_layout *lay;
	int r;

	r = cg_alloc(path, &cg, err);
	if (r < 0)
		return r;
	lay = cg->lay;
	for (size_t i = 0, found = 0; i < lay->n; i++) {
		r = open_one(cg, i, create, err);
		found += cg->d[i].fd >= 0;
		if (r == 0 && i + 1 == lay->n && !found)
			r = husk_fail(err, ENOENT, "cgroup %s", path);
		if (r < 0) {
			husk_cgroup_free(cg);
			return r;
		}
	}
	*out = cg;
	return 0;
}

void husk_cgroup_free(struct husk_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->lay->n; i++) {
		husk_closep(&cg->d[i].fd);
		free(cg->d[i].path);
	}
	free(cg->path);
	free(cg);
}

const char *husk_cgroup_path(const struct husk_cgroup *cg)
{
	return cg->path;
}

/*
 * Write @val into each hierarchy's @v1_file (cgroup.procs on cgroup2),
 * skipping cgroup2 when @skip_v2; errors read "enter <@who><dir>".
 */
static int enter_each(struct husk_cgroup *cg, const char *v1_file,
		      const char *val, bool skip_v2, const char *who,
		      struct husk_err *err)
{
	int r;

	for (size_t i = 0; i < cg->lay->n; i++) {
		bool v2 = cg->lay->h[i].v2;

		if (cg->d[i].fd < 0 || (v2 && skip_v2))
			continue;
		r = cg_write(cg, cg->d[i].fd, v2 ? "cgroup.procs" : v1_file,
			     val);
		if (r < 0)
			return husk_fail(err, -r, "enter %s%s", who,
					 cg->d[i].path);
	}
	return 0;
}

int husk_cgroup_enter(struct husk_cgroup *cg, pid_t pid, struct husk_err *err)
{
	char val[32], who[48];

	snprintf(val, sizeof(val), "%d", (int)pid);
	snprintf(who, sizeof(who), "pid %d into ", (int)pid);
	return enter_each(cg, "cgroup.procs", val, false, who, err);
}

int husk_cgroup_clone_fd(const struct husk_cgroup *cg)
{
	const struct cg_dir *d = cg->lay->fake ? NULL : cg_v2_dir(cg);

	return d ? d->fd : -1;
}

int husk_cgroup_enter_self(struct husk_cgroup *cg, bool in_v2,
			   struct husk_err *err)
{
	/* cgroup2 moves only whole processes across domains: cgroup.procs. */
	return enter_each(cg, "tasks", "0", in_v2, "cgroup ", err);
}

int husk_cgroup_file_path(struct husk_cgroup *cg, const char *controller,
			  const char *file, char *buf, size_t len)
{
	const struct cg_dir *d = NULL;
	int c, n;

	if (controller && *controller) {
		c = cg_ctrl_by_name(controller);
		if (c < 0)
			return -ENOENT;
		d = cg_dir_for(cg, c);
	} else {
		d = cg_v2_dir(cg) ? cg_v2_dir(cg)
				  : (cg->d[0].fd >= 0 ? &cg->d[0] : NULL);
	}
	if (!d)
		return -ENOENT;
	n = snprintf(buf, len, "%s/%s", d->path, file);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- pids ---- */

struct pidv {
	pid_t *v;
	size_t n, cap;
};

static int pidv_add(struct pidv *pv, pid_t p)
{
	if (pv->n == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 64;
		pid_t *v = realloc(pv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pv->v = v;
		pv->cap = cap;
	}
	pv->v[pv->n++] = p;
	return 0;
}

#define MAX_DEPTH 32

/* cgroup.procs of @dfd and of every descendant. */
static int collect_pids(int dfd, int depth, struct pidv *pv)
{
	int pfd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	_cleanup_fclose_ FILE *f = NULL;
	DIR *dir;
	struct dirent *de;
	int pid, r = 0;

	/* The FILE owns pfd once fdopen succeeds. */
	if (pfd >= 0 && !(f = fdopen(pfd, "re")))
		close(pfd);
	while (f && fscanf(f, "%d", &pid) == 1)
		if (pidv_add(pv, pid) < 0)
			return -ENOMEM;
	if (depth >= MAX_DEPTH)
		return 0;
	dir = fdopendir(openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!dir)
		return 0;
	while (r == 0 && (de = readdir(dir))) {
		_cleanup_close_ int child = -1;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		child =
		    openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child >= 0)
			r = collect_pids(child, depth + 1, pv);
	}
	closedir(dir);
	return r;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int husk_cgroup_pids(struct husk_cgroup *cg, pid_t **pids, size_t *n,
		     struct husk_err *err)
{
	struct pidv pv = {0};
	size_t out = 0;

	for (size_t i = 0; i < cg->lay->n; i++) {
		if (cg->d[i].fd >= 0 && collect_pids(cg->d[i].fd, 0, &pv) < 0) {
			free(pv.v);
			return husk_fail(err, ENOMEM, "list pids of %s",
					 cg->path);
		}
	}
	if (pv.n)
		qsort(pv.v, pv.n, sizeof(*pv.v), cmp_pid);
	for (size_t i = 0; i < pv.n; i++)
		if (i == 0 || pv.v[i] != pv.v[out - 1])
			pv.v[out++] = pv.v[i];
	*pids = pv.v;
	*n = out;
	return 0;
}

/* ---- freeze ---- */

static int v1_freezer_state(const struct cg_dir *d, char *buf, size_t len)
{
	return cg_read(d->fd, "freezer.state", buf, len);
}

static int freeze_v1(struct husk_cgroup *cg, const struct cg_dir *d,
		     bool frozen, struct husk_err *err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	char state[32] = "";

	for (int i = 0; i < WAIT_ROUNDS; i++) {
		/* re-asking nudges tasks that were forking while freezing */
		if (i % 10 == 0) {
			int r = cg_set(cg, d, "freezer", "freezer.state", want,
				       err);
			if (r < 0)
				return r;
		}
		if (v1_freezer_state(d, state, sizeof(state)) == 0 &&
		    !strcmp(state, want))
			return 0;
		sleep_ms(WAIT_STEP_MS);
	}
	if (frozen)
		cg_write(cg, d->fd, "freezer.state", "THAWED");
	return husk_fail(err, ETIMEDOUT, "freezer: %s/freezer.state stayed %s",
			 d->path, state);
}

static int v2_frozen(const struct cg_dir *d, bool *frozen)
{
	uint64_t v;
	int r = cg_read_key(d->fd, "cgroup.events", "frozen", &v);

	if (r == 0)
		*frozen = v == 1;
	return r;
}

static int freeze_v2(struct husk_cgroup *cg, const struct cg_dir *d,
		     bool frozen, struct husk_err *err)
{
	bool now = !frozen;
	int r =
	    cg_set(cg, d, "freeze", "cgroup.freeze", frozen ? "1" : "0", err);

	if (r < 0)
		return r;
	for (int i = 0; i < WAIT_ROUNDS; i++) {
		r = v2_frozen(d, &now);
		if (r < 0)
			return husk_fail(
			    err, -r, "freeze: read %s/cgroup.events", d->path);
		if (now == frozen)
			return 0;
		sleep_ms(WAIT_STEP_MS);
	}
	if (frozen)
		cg_write(cg, d->fd, "cgroup.freeze", "0");
	return husk_fail(err, ETIMEDOUT,
			 "freeze: %s/cgroup.events never said frozen %d",
			 d->path, frozen);
}

int husk_cgroup_freeze(struct husk_cgroup *cg, bool frozen,
		       struct husk_err *err)
{
	const struct cg_dir *d = cg_dir_for(cg, CG_FREEZER);

	if (d)
		return freeze_v1(cg, d, frozen, err);
	d = cg_v2_dir(cg);
	if (d)
		return freeze_v2(cg, d, frozen, err);
	return husk_fail(err, ENOTSUP, "freeze %s: no freezer on this host",
			 cg->path);
}

int husk_cgroup_is_frozen(struct husk_cgroup *cg, bool *frozen,
			  struct husk_err *err)
{
	const struct cg_dir *d = cg_dir_for(cg, CG_FREEZER);
	char state[32];
	int r;

	if (d) {
		r = v1_freezer_state(d, state, sizeof(state));
		if (r < 0)
			return husk_fail(err, -r, "read %s/freezer.state",
					 d->path);
		*frozen = strcmp(state, "THAWED") != 0;
		return 0;
	}
	d = cg_v2_dir(cg);
	if (!d) {
		*frozen = false;
		return 0;
	}
	r = v2_frozen(d, frozen);
	if (r < 0)
		return husk_fail(err, -r, "read %s/cgroup.events", d->path);
	return 0;
}

int husk_cgroup_path_frozen(const char *path, bool *frozen,
			    struct husk_err *err)
{
	struct husk_cgroup *cg = NULL;
	int i, r;

	*frozen = false;
	r = cg_alloc(path, &cg, err);
	if (!cg) /* cg_alloc failed (r < 0) */
		return r;
	i = cg->lay->ctrl_hier[CG_FREEZER];
	if (i < 0)
		i = cg->lay->v2;
	r = i < 0 ? 0 : open_one(cg, (size_t)i, false, err);
	if (r == 0 && i >= 0 && cg->d[i].fd >= 0)
		r = husk_cgroup_is_frozen(cg, frozen, err);
	husk_cgroup_free(cg);
	return r;
}

/* ---- kill ---- */

static int signal_all(struct husk_cgroup *cg, int sig, size_t *left,
		      struct husk_err *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = husk_cgroup_pids(cg, &pids, &n, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return husk_fail(err, errno, "kill %d (in cgroup %s)",
					 pids[i], cg->path);
	*left = n;
	return 0;
}

int husk_cgroup_kill(struct husk_cgroup *cg, int sig, struct husk_err *err)
{
	const struct cg_dir *v2 = cg_v2_dir(cg),
			    *fz = cg_dir_for(cg, CG_FREEZER);
	size_t left = 0;
	int r;

	if (sig != SIGKILL)
		return signal_all(cg, sig, &left, err);
	if (v2 && cg_exists(v2->fd, "cgroup.kill"))
		cg_write(cg, v2->fd, "cgroup.kill", "1");
	for (int i = 0; i < WAIT_ROUNDS; i++) {
		r = signal_all(cg, SIGKILL, &left, err);
		if (r < 0 || left == 0)
			return r;
		/* v1 frozen tasks only die once thawed */
		if (fz && i == 0)
			cg_write(cg, fz->fd, "freezer.state", "THAWED");
		sleep_ms(WAIT_STEP_MS);
	}
	return husk_fail(err, EBUSY, "kill cgroup %s: %zu processes left",
			 cg->path, left);
}

/* ---- destroy ---- */

/* rmdir @name below @parent with its child cgroups (bounded depth). */
static int remove_tree(const struct husk_cgroup *cg, int parent,
		       const char *name, int depth)
{
	_cleanup_close_ int fd = -1;
	DIR *dir;
	struct dirent *de;

	/* Mostly there are no child cgroups: try before reading the dir. */
	if (!cg->lay->fake &&
	    (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT))
		return 0;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	dir = fdopendir(dup(fd));
	while (dir && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR && depth < MAX_DEPTH)
			remove_tree(cg, fd, de->d_name, depth + 1);
		else if (cg->lay->fake)
			unlinkat(fd, de->d_name, 0);
	}
	if (dir)
		closedir(dir);
	for (int i = 0; i < WAIT_ROUNDS; i++) {
		if (unlinkat(parent, name, AT_REMOVEDIR) == 0 ||
		    errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		sleep_ms(WAIT_STEP_MS); /* css still going away */
	}
	return -errno;
}

static int destroy_dir(struct husk_cgroup *cg, struct cg_dir *d,
		       struct husk_err *err)
{
	char parent[PATH_MAX];
	char *slash;
	_cleanup_close_ int pfd = -1;
	int r;

	if (!d->path) /* never opened */
		return 0;
	snprintf(parent, sizeof(parent), "%s", d->path);
	slash = strrchr(parent, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return errno == ENOENT
			   ? 0
			   : husk_fail(err, errno, "open %s", parent);
	r = remove_tree(cg, pfd, slash + 1, 0);
	if (r < 0)
		return husk_fail(err, -r, "rmdir %s", d->path);
	husk_closep(&d->fd);
	d->fd = -1;
	return 0;
}

/*
 * rmdir every hierarchy's directory that goes at once; true when all went.
 * The kernel refuses (EBUSY) while a process or a child cgroup is left, so
 * success means there was nothing to kill or walk: the usual case once the
 * init has exited, taking its PID namespace with it.
 */
static bool remove_empty(struct husk_cgroup *cg)
{
	bool all = true;

	if (cg->lay->fake) /* plain directories with files: rmdir can't */
		return false;
	for (size_t i = 0; i < cg->lay->n; i++) {
		struct cg_dir *d = &cg->d[i];

		if (!d->path) /* never looked at */
			continue;
		if (rmdir(d->path) == 0 || errno == ENOENT)
			husk_closep(&d->fd);
		else
			all = false;
	}
	return all;
}

bool husk_cgroup_remove_empty(const char *path)
{
	struct husk_cgroup *cg = NULL;
	struct husk_err ignore = {0};
	char rel[PATH_MAX], dir[PATH_MAX];
	bool all = true;

	cg_alloc(path, &cg, &ignore);
	if (!cg) /* cg_alloc failed */
		return false;
	/* The dirs' paths, as open_one() names them, without opening them. */
	for (size_t i = 0; all && i < cg->lay->n; i++)
		all = dir_path(&cg->lay->h[i], cg->path, rel, dir,
			       sizeof(dir)) == 0 &&
		      (cg->d[i].path = strdup(dir)) != NULL;
	all = all && remove_empty(cg);
	husk_cgroup_free(cg);
	return all;
}

int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_err *err)
{
	int r;

	if (remove_empty(cg))
		return 0;
	r = husk_cgroup_kill(cg, SIGKILL, err);
	if (r < 0)
		return husk_err_prefix(err, "destroy");
	for (size_t i = 0; i < cg->lay->n; i++) {
		r = destroy_dir(cg, &cg->d[i], err);
		if (r < 0)
			return husk_err_prefix(err, "destroy cgroup");
	}
	return 0;
}
