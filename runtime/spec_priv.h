/* SPDX-License-Identifier: MIT */
/*
 * Private to runtime/spec*.c: the JSON walking context that names the path
 * of every value in error messages, typed getters built on it, and the
 * name tables shared by the parser and the serializer.
 */
#ifndef HUSK_SPEC_PRIV_H
#define HUSK_SPEC_PRIV_H

#include <jansson.h>

#include "spec.h"

/*
 * Where we are in the document: "config.json" + "process.rlimits[2].type".
 * Errors read "<doc>: <path>: <what>".
 */
struct jctx {
	struct husk_err *err;
	const char *doc;
	char path[512];
	size_t len;
};

void jctx_init(struct jctx *c, const char *doc, struct husk_err *err);
/* Descend into a key / an index; return the mark to give back to jpop(). */
size_t jpush(struct jctx *c, const char *key);
size_t jpush_idx(struct jctx *c, size_t i);
void jpop(struct jctx *c, size_t mark);
int jfail(struct jctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* jfail() for the child @key of the current path. */
int jfail_at(struct jctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Load a whole document; reports invalid JSON as "<doc>: invalid JSON ...". */
int jload(struct jctx *c, const char *text, size_t len, json_t **out);

/*
 * Typed getters for @obj[@key].  An absent key (or JSON null) leaves *out
 * untouched and returns 0, unless @required.  A value of the wrong type fails.
 */
int jget_obj(struct jctx *c, json_t *obj, const char *key, bool required,
	     json_t **out);
int jget_arr(struct jctx *c, json_t *obj, const char *key, bool required,
	     json_t **out);
int jget_str(struct jctx *c, json_t *obj, const char *key, bool required,
	     char **out);
int jget_bool(struct jctx *c, json_t *obj, const char *key, bool *out);
int jget_i64(struct jctx *c, json_t *obj, const char *key, bool required,
	     int64_t min, int64_t max, int64_t *out);
int jget_u32(struct jctx *c, json_t *obj, const char *key, bool required,
	     uint32_t *out);
int jget_u64(struct jctx *c, json_t *obj, const char *key, bool required,
	     uint64_t *out);
int jget_strv(struct jctx *c, json_t *obj, const char *key,
	      struct husk_strv *out);
int jget_kvv(struct jctx *c, json_t *obj, const char *key,
	     struct husk_kvv *out);
/*
 * Parse the array of objects @obj[@key] into a new array of @elem_size
 * elements stored at @arrp (the address of a T *), calling @fn on each with
 * the path set to "key[i]".  *count is bumped before each call so that a
 * partly filled element is still freed by the owner.
 */
typedef int (*jelem_fn)(struct jctx *c, json_t *e, void *elem);
int jeach(struct jctx *c, json_t *obj, const char *key, void *arrp,
	  size_t *count, size_t elem_size, jelem_fn fn);
/* Require @v (at the current path) to be an object. */
int jexpect_obj(struct jctx *c, json_t *v);

/* Name tables. */
struct husk_name_val {
	const char *name;
	unsigned long val;
};
extern const struct husk_name_val husk_rlimit_names[];
extern const struct husk_name_val husk_propagation_names[];
extern const struct husk_name_val husk_seccomp_action_names[];
extern const struct husk_name_val husk_seccomp_op_names[];
/* Look @name up in a NULL-terminated table; false when not there. */
bool husk_name_lookup(const struct husk_name_val *t, const char *name,
		      unsigned long *val);
/* The first name with value @val, or NULL. */
const char *husk_name_of(const struct husk_name_val *t, unsigned long val);

/* A mount option's effect on struct husk_mount. */
struct husk_mount_opt {
	const char *name;
	unsigned long set, clear, propagation;
	bool bind, recursive;
};
extern const struct husk_mount_opt husk_mount_opts[];
/* Apply one option; unknown ones are appended to m->data. */
int husk_mount_apply_opt(struct husk_mount *m, const char *opt);

/* Section parsers shared by config.json and the standalone documents. */
int husk_parse_process(struct jctx *c, json_t *obj, struct husk_process *p);
int husk_parse_resources(struct jctx *c, json_t *obj,
			 struct husk_resources *r);
int husk_parse_seccomp(struct jctx *c, json_t *obj, struct husk_seccomp *s);
int husk_parse_hooks(struct jctx *c, json_t *obj, struct husk_hooks *h);
void husk_seccomp_free(struct husk_seccomp *s);
void husk_hooks_free(struct husk_hooks *h);
void husk_process_init(struct husk_process *p);

/*
 * Capability name -> number (libcap names, "CAP_" prefix optional).  The
 * way back is husk_cap_name() in security.h.
 */
int husk_cap_from_name(const char *name, int *cap);

/* Grow a typed array by one zeroed element; NULL on ENOMEM. */
void *husk_array_grow(void *arr, size_t *n, size_t elem);

#endif
