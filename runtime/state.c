/* SPDX-License-Identifier: MIT */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"

int husk_id_validate(const char *id, struct husk_err *err)
{
	size_t len = strlen(id);

	if (len == 0)
		return husk_fail(err, 0, "container ID must not be empty");
	if (len > HUSK_ID_MAX)
		return husk_fail(err, 0,
				 "container ID is too long (%zu > %d chars)",
				 len, HUSK_ID_MAX);
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (alnum || (i > 0 && (c == '_' || c == '.' || c == '-')))
			continue;
		return husk_fail(err, 0,
				 "invalid container ID \"%s\": must match "
				 "[A-Za-z0-9][A-Za-z0-9_.-]*",
				 id);
	}
	return 0;
}

/* FNV-1a, 64 bits; two bases give the 128 bits a long id's name keeps. */
static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

void husk_id_dirname(const char *id, char buf[HUSK_ID_DIRNAME_MAX + 1])
{
	/* prefix + '~' + 32 hex digits fills exactly HUSK_ID_DIRNAME_MAX. */
	const int keep = HUSK_ID_DIRNAME_MAX - 33;

	if (strlen(id) <= HUSK_ID_DIRNAME_MAX) {
		strcpy(buf, id);
		return;
	}
	snprintf(buf, HUSK_ID_DIRNAME_MAX + 1, "%.*s~%016" PRIx64 "%016" PRIx64,
		 keep, id, fnv1a(id, 0xcbf29ce484222325ULL),
		 fnv1a(id, 0x84222325cbf29ce4ULL));
}

int husk_state_path(const char *root, const char *id, const char *file,
		    char *buf, size_t len, struct husk_err *err)
{
	char name[HUSK_ID_DIRNAME_MAX + 1];
	int n;

	husk_id_dirname(id, name);
	if (file)
		n = snprintf(buf, len, "%s/%s/%s", root, name, file);
	else
		n = snprintf(buf, len, "%s/%s", root, name);
	if (n < 0 || (size_t)n >= len)
		return husk_fail(err, ENAMETOOLONG, "state path for %s", id);
	return 0;
}

/*
 * The state dir itself is the lock: flock() on its fd.  A lock file would
 * be one more inode per container, and on a disk-backed root (an ext4
 * /run without a journal) every new inode costs a scan past the inodes
 * deleted in the last minutes.
 */
static int lock_dir(const char *dir, int *lock_fd, struct husk_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return husk_fail(err, errno, "open %s", dir);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;

			close(fd);
			return husk_fail(err, e, "lock %s", dir);
		}
	}
	*lock_fd = fd;
	return 0;
}

/* Still the dir at @dir, once locked: not removed, nor made anew. */
static bool same_dir(int fd, const char *dir)
{
	struct stat held, now;

	return fstat(fd, &held) == 0 && held.st_nlink > 0 &&
	       stat(dir, &now) == 0 && held.st_dev == now.st_dev &&
	       held.st_ino == now.st_ino;
}

int husk_state_create(const char *root, const char *id, int *lock_fd,
		      struct husk_err *err)
{
	char dir[PATH_MAX];

	if (husk_mkdir_p(root, 0711, err) < 0)
		return err->code;
	if (husk_state_path(root, id, NULL, dir, sizeof(dir), err) < 0)
		return err->code;
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return husk_fail(err, 0, "container %s already exists",
					 id);
		return husk_fail(err, errno, "mkdir %s", dir);
	}
	if (lock_dir(dir, lock_fd, err) < 0) {
		rmdir(dir);
		return err->code;
	}
	/*
	 * A delete --force of the same id may have locked and removed it
	 * between our mkdir and flock (and another create made it anew).
	 */
	if (!same_dir(*lock_fd, dir)) {
		close(*lock_fd);
		*lock_fd = -1;
		return husk_fail(err, 0,
				 "container %s was deleted while being created",
				 id);
	}
	return 0;
}

int husk_state_lock(const char *root, const char *id, int *lock_fd,
		    struct husk_err *err)
{
	char dir[PATH_MAX];

	if (husk_state_path(root, id, NULL, dir, sizeof(dir), err) < 0)
		return err->code;
	/*
	 * The dir we waited on may have been deleted meanwhile (then open
	 * fails next time round), or deleted and made anew by another create
	 * of the same id: then that one is the container now.
	 */
	for (int tries = 0; tries < 16; tries++) {
		if (lock_dir(dir, lock_fd, err) < 0) {
			if (err->code == -ENOENT || err->code == -ENOTDIR)
				return husk_fail(err, 0,
						 "container %s does not exist",
						 id);
			return err->code;
		}
		if (same_dir(*lock_fd, dir))
			return 0;
		close(*lock_fd);
		*lock_fd = -1;
	}
	return husk_fail(err, EAGAIN, "lock %s: made anew again and again",
			 dir);
}

static void set_str(json_t *obj, const char *key, const char *val)
{
	if (val)
		json_object_set_new(obj, key, json_string(val));
}

static json_t *annotations_to_json(const struct husk_kvv *kv)
{
	json_t *obj = json_object();

	for (size_t i = 0; i < kv->n; i++)
		json_object_set_new(obj, kv->v[i].key,
				    json_string(kv->v[i].value));
	return obj;
}

int husk_state_write(const char *root, const struct husk_state *st,
		     struct husk_err *err)
{
	char path[PATH_MAX];
	json_t *obj = json_object();
	char *text;
	int ret;

	if (husk_state_path(root, st->id, "state.json", path, sizeof(path),
			    err) < 0) {
		json_decref(obj);
		return err->code;
	}
	set_str(obj, "id", st->id);
	set_str(obj, "bundle", st->bundle);
	set_str(obj, "rootfs", st->rootfs);
	set_str(obj, "created", st->created);
	set_str(obj, "cgroupPath", st->cgroup_path);
	set_str(obj, "network", st->network);
	json_object_set_new(obj, "pid", json_integer(st->pid));
	json_object_set_new(obj, "startTime", json_integer((json_int_t)st->start_time));
	json_object_set_new(obj, "overlay", json_boolean(st->overlay));
	json_object_set_new(obj, "annotations",
			    annotations_to_json(&st->annotations));
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!text)
		return husk_fail(err, ENOMEM, "serialize state of %s", st->id);
	ret = husk_write_file_atomic(path, text, strlen(text), 0600, err);
	free(text);
	return ret;
}

/*
 * `start` unlinks exec.fifo once the init has gone past it: its absence is
 * what "started" means, so start needs no state.json rewrite (a rename over
 * the old file, costly on /run).  create makes the fifo before it records
 * the pid, so a state with a pid and no fifo is always a started one.
 */
static bool fifo_exists(const char *root, const char *id)
{
	char path[PATH_MAX];
	struct husk_err ignored = { 0 };

	if (husk_state_path(root, id, "exec.fifo", path, sizeof(path),
			    &ignored) < 0)
		return true;
	return faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static char *dup_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? strdup(s) : NULL;
}

int husk_state_read(const char *root, const char *id, struct husk_state *st,
		    struct husk_err *err)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *obj, *ann;
	const char *key;
	json_t *val;

	memset(st, 0, sizeof(*st));
	st->id = strdup(id);
	if (!st->id)
		return husk_fail(err, ENOMEM, "read state of %s", id);
	if (husk_state_path(root, id, "state.json", path, sizeof(path), err) < 0)
		return err->code;
	obj = json_load_file(path, 0, &jerr);
	if (!obj) {
		if (access(path, F_OK) < 0)
			return 0; /* create died before writing: "creating" */
		return husk_fail(err, 0, "%s: %s", path, jerr.text);
	}
	st->bundle = dup_str(obj, "bundle");
	st->rootfs = dup_str(obj, "rootfs");
	st->created = dup_str(obj, "created");
	st->cgroup_path = dup_str(obj, "cgroupPath");
	st->network = dup_str(obj, "network");
	st->pid = (pid_t)json_integer_value(json_object_get(obj, "pid"));
	st->start_time = (uint64_t)json_integer_value(json_object_get(obj, "startTime"));
	st->started = !fifo_exists(root, id);
	st->overlay = json_is_true(json_object_get(obj, "overlay"));
	ann = json_object_get(obj, "annotations");
	json_object_foreach(ann, key, val)
	{
		if (json_is_string(val))
			husk_kvv_set(&st->annotations, key,
				     json_string_value(val));
	}
	json_decref(obj);
	return 0;
}

void husk_state_free(struct husk_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup_path);
	free(st->network);
	husk_kvv_free(&st->annotations);
	memset(st, 0, sizeof(*st));
}

int husk_proc_stat_parse(const char *stat, char *state, uint64_t *start)
{
	/* comm may hold spaces and parens: fields restart after the last ')'. */
	const char *p = strrchr(stat, ')');
	unsigned long long st;
	char c;

	if (!p || p[1] != ' ')
		return -EINVAL;
	/* " S ppid ..." : state is field 3, starttime is field 22. */
	if (sscanf(p + 2,
		   "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
		   "%*d %*d %*d %*d %*d %llu",
		   &c, &st) != 2)
		return -EINVAL;
	*state = c;
	*start = st;
	return 0;
}

int husk_proc_stat(pid_t pid, char *state, uint64_t *start)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return husk_proc_stat_parse(buf, state, start);
}

uint64_t husk_proc_start_time(pid_t pid)
{
	uint64_t start = 0;
	char state = 0;

	if (husk_proc_stat(pid, &state, &start) < 0 || state == 'Z' ||
	    state == 'X')
		return 0;
	return start;
}

bool husk_proc_alive(pid_t pid, uint64_t start)
{
	uint64_t now;

	if (pid <= 0)
		return false;
	now = husk_proc_start_time(pid);
	return now != 0 && now == start;
}

void husk_proc_kill_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

enum husk_status husk_state_status(const struct husk_state *st)
{
	if (st->pid == 0)
		return HUSK_STATUS_CREATING;
	if (!husk_proc_alive(st->pid, st->start_time))
		return HUSK_STATUS_STOPPED;
	return st->started ? HUSK_STATUS_RUNNING : HUSK_STATUS_CREATED;
}

const char *husk_status_name(enum husk_status s)
{
	static const char *const names[] = {
		[HUSK_STATUS_CREATING] = "creating",
		[HUSK_STATUS_CREATED] = "created",
		[HUSK_STATUS_RUNNING] = "running",
		[HUSK_STATUS_PAUSED] = "paused",
		[HUSK_STATUS_STOPPED] = "stopped",
	};
	return names[s];
}

char *husk_state_to_json(const struct husk_state *st, enum husk_status s,
			 int indent)
{
	json_t *obj = json_object();
	char *text;

	json_object_set_new(obj, "ociVersion", json_string("1.2.0"));
	json_object_set_new(obj, "id", json_string(st->id));
	json_object_set_new(obj, "pid",
			    json_integer(s == HUSK_STATUS_STOPPED ? 0 : st->pid));
	json_object_set_new(obj, "status", json_string(husk_status_name(s)));
	set_str(obj, "bundle", st->bundle ? st->bundle : "");
	set_str(obj, "rootfs", st->rootfs);
	set_str(obj, "created", st->created);
	json_object_set_new(obj, "owner", json_string(""));
	json_object_set_new(obj, "annotations",
			    annotations_to_json(&st->annotations));
	text = json_dumps(obj, indent ? JSON_INDENT(indent) : JSON_COMPACT);
	json_decref(obj);
	return text;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The id a state dir stands for, or NULL when it is no container's. */
static char *dir_id(const char *root, const char *name)
{
	char path[PATH_MAX], back[HUSK_ID_DIRNAME_MAX + 1];
	struct husk_err ignore = {0};
	json_t *obj;
	char *id = NULL;

	if (husk_id_validate(name, &ignore) == 0)
		return strdup(name);
	if (!strchr(name, '~') ||
	    snprintf(path, sizeof(path), "%s/%s/state.json", root, name) >=
		    (int)sizeof(path))
		return NULL;
	obj = json_load_file(path, 0, NULL);
	id = dup_str(obj, "id");
	json_decref(obj);
	if (id) {
		husk_id_dirname(id, back);
		if (husk_id_validate(id, &ignore) < 0 || strcmp(back, name)) {
			free(id);
			id = NULL;
		}
	}
	return id;
}

int husk_state_list(const char *root, struct husk_strv *ids,
		    struct husk_err *err)
{
	DIR *d = opendir(root);
	struct dirent *de;

	memset(ids, 0, sizeof(*ids));
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return husk_fail(err, errno, "open %s", root);
	}
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		/* NULL for the rest (.net, say: no id starts with a dot). */
		_cleanup_free_ char *id = dir_id(root, de->d_name);

		if (id && husk_strv_push(ids, id) < 0) {
			closedir(d);
			return husk_fail(err, ENOMEM, "list %s", root);
		}
	}
	closedir(d);
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof(char *), cmp_str);
	return 0;
}
