/* SPDX-License-Identifier: MIT */
/* The OCI lifecycle: create, start, state, kill, delete (and run's pieces). */
#ifndef HUSK_CONTAINER_H
#define HUSK_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"
#include "state.h"

struct husk_create_opts {
	const char *root;	    /* state root (--root) */
	const char *id;
	const char *bundle;	    /* absolute bundle directory */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* NULL: none */
	int preserve_fds;	    /* fds 3..3+N-1 are passed to the process */
	struct husk_spec *spec;	    /* the parsed spec (owned by the caller) */
	const char *config_json;    /* the spec's JSON, kept in the state dir */
	/*
	 * husk run: start the container too, before the lock is released;
	 * the init then runs in our memory until its exec (create.c).  The
	 * spec must stay untouched until this returns.
	 */
	bool start;
	int console_fd; /* foreground terminal: our end of the console socket */
};

/* Everything but the execve; on failure nothing is left behind. */
int husk_container_create(const struct husk_create_opts *o, pid_t *pid,
			  struct husk_err *err);
int husk_container_start(const char *root, const char *id,
			 struct husk_err *err);
/* Live status, "paused" included. */
enum husk_status husk_container_status(const struct husk_state *st);
int husk_container_state_json(const char *root, const char *id, char **json,
			      struct husk_err *err);
int husk_container_kill(const char *root, const char *id, int sig, bool all,
			struct husk_err *err);
int husk_container_delete(const char *root, const char *id, bool force,
			  struct husk_err *err);
int husk_container_pause(const char *root, const char *id, bool pause,
			 struct husk_err *err);
/* update.c: write @res into a live container's cgroup (husk update). */
int husk_container_update(const char *root, const char *id,
			  const struct husk_resources *res,
			  struct husk_err *err);
/* Host PIDs of every process of the container, sorted (husk ps). */
int husk_container_pids(const char *root, const char *id, pid_t **pids,
			size_t *n, struct husk_err *err);

/* The resolved cgroups path: linux.cgroupsPath or /husk/<id>. */
int husk_container_cgroup_path(const struct husk_spec *spec, const char *id,
			       char *buf, size_t len, struct husk_err *err);
/* Load <root>/<id>/config.json (the spec the container was created from). */
int husk_container_spec(const char *root, const struct husk_state *st,
			struct husk_spec *spec, struct husk_err *err);

#endif
