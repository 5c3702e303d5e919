/* SPDX-License-Identifier: MIT */
/* What `husk events` and `husk stats` share: a container's cgroup, read. */
#ifndef HUSK_CLI_DIAG_CTR_H
#define HUSK_CLI_DIAG_CTR_H

#include <jansson.h>

#include "../diag/diag.h"
#include "../runtime/state.h"
#include "cli.h"

struct diag_ctr {
	struct husk_state st;
	enum husk_status status;
	struct husk_cgroup *cg; /* NULL: no cgroup (or it is gone) */
};

/* Read the state of @id and open its cgroup (never creating it). */
int diag_ctr_open(const char *root, const char *id, struct diag_ctr *c,
		  struct husk_err *err);
void diag_ctr_close(struct diag_ctr *c);
/* True while the init lives (created, running or paused). */
bool diag_ctr_alive(const struct diag_ctr *c);

/* Set @o.@key to @v, leaving it out when @v is HUSK_DIAG_NONE. */
void diag_json_set_int(json_t *o, const char *key, int64_t v);
/* runc's events "data" object; absent values are left out, never 0. */
json_t *diag_stats_json(const struct husk_ctr_stats *st);

#endif
