/* SPDX-License-Identifier: MIT */
/*
 * The state directory: <root>/<id>/ holds
 *   state.json   what husk knows about the container, written atomically,
 *                including every kernel object made on its behalf, recorded
 *                *before* it is made so that `delete --force` can undo a
 *                create that was SIGKILLed at any instant;
 *   config.json  the spec the container was created from;
 *   exec.fifo    the container init blocks on it until `start`;
 * and the directory itself is flock()ed for every change to the container
 * (so a --root on NFS, where flock() is a POSIX write lock that a
 * directory fd cannot take, is not supported).
 */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"

#define HUSK_DEFAULT_ROOT "/run/husk"
#define HUSK_ID_MAX 1024

enum husk_status {
	HUSK_STATUS_CREATING,
	HUSK_STATUS_CREATED,
	HUSK_STATUS_RUNNING,
	HUSK_STATUS_PAUSED,
	HUSK_STATUS_STOPPED,
};

struct husk_state {
	char *id;
	char *bundle;
	char *rootfs;
	char *created;	   /* RFC 3339 */
	char *cgroup_path; /* NULL: no cgroup was made */
	char *network;	   /* NULL: no network was attached */
	pid_t pid;	   /* 0 until the init exists */
	uint64_t start_time; /* /proc/PID/stat starttime, against PID reuse */
	bool started;	   /* `start` released the init: exec.fifo is gone */
	bool overlay;	   /* an overlay with ephemeral dirs was set up */
	struct husk_kvv annotations;
};

int husk_id_validate(const char *id, struct husk_err *err);
/*
 * The file name standing for an id in the state root and the cgroup tree:
 * the id itself, or for ids too long for one path component (NAME_MAX) a
 * prefix plus '~' plus a hash of the whole id ('~' is never in an id).
 */
#define HUSK_ID_DIRNAME_MAX 200
void husk_id_dirname(const char *id, char buf[HUSK_ID_DIRNAME_MAX + 1]);
/* <root>/<dirname of id>; returns -ENAMETOOLONG if it does not fit. */
int husk_state_path(const char *root, const char *id, const char *file,
		    char *buf, size_t len, struct husk_err *err);

/* Make <root>/<id> (refusing an existing ID) and take its lock. */
int husk_state_create(const char *root, const char *id, int *lock_fd,
		      struct husk_err *err);
/* Take the lock of an existing container ("container X does not exist"). */
int husk_state_lock(const char *root, const char *id, int *lock_fd,
		    struct husk_err *err);

int husk_state_write(const char *root, const struct husk_state *st,
		     struct husk_err *err);
/* A container whose create died before the first write reads as "creating". */
int husk_state_read(const char *root, const char *id, struct husk_state *st,
		    struct husk_err *err);
void husk_state_free(struct husk_state *st);

/* The live status: checks the init's PID *and* start time, and the freezer. */
enum husk_status husk_state_status(const struct husk_state *st);
const char *husk_status_name(enum husk_status s);
/* The runtime-spec State object, as `husk state` prints it. Caller frees. */
char *husk_state_to_json(const struct husk_state *st, enum husk_status s,
			 int indent);

/* IDs of every container under @root (sorted). */
int husk_state_list(const char *root, struct husk_strv *ids,
		    struct husk_err *err);

/* State letter (field 3) and starttime (field 22) of a /proc/PID/stat text. */
int husk_proc_stat_parse(const char *stat, char *state, uint64_t *start);
/* The same, read from /proc/<pid>/stat; -errno when it can't be read. */
int husk_proc_stat(pid_t pid, char *state, uint64_t *start);
/* starttime of a live (not zombie) process; 0 if it is gone or a zombie. */
uint64_t husk_proc_start_time(pid_t pid);
/* True when the process exists, is not a zombie and started at @start. */
bool husk_proc_alive(pid_t pid, uint64_t start);
/* SIGKILL our child @pid and reap it (for rollback). */
void husk_proc_kill_reap(pid_t pid);

#endif
