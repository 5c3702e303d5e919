/* SPDX-License-Identifier: MIT */
/*
 * The JSON walking context and typed getters: every value the spec parser
 * reads goes through here, so every error names its JSON path the same way.
 */
#include "spec_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void jctx_init(struct jctx *c, const char *doc, struct husk_err *err)
{
	c->err = err;
	c->doc = doc;
	c->path[0] = '\0';
	c->len = 0;
}

/* Append @piece to the path; return the old length as the pop mark. */
static size_t jappend(struct jctx *c, const char *piece)
{
	size_t mark = c->len, room = sizeof(c->path) - 1 - c->len;
	size_t n = strlen(piece);

	if (n > room)
		n = room;
	memcpy(c->path + c->len, piece, n);
	c->len += n;
	c->path[c->len] = '\0';
	return mark;
}

size_t jpush(struct jctx *c, const char *key)
{
	size_t mark = c->len;

	if (c->len)
		jappend(c, ".");
	jappend(c, key);
	return mark;
}

size_t jpush_idx(struct jctx *c, size_t i)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "[%zu]", i);
	return jappend(c, buf);
}

void jpop(struct jctx *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = '\0';
}

__attribute__((format(printf, 2, 0))) static int
jvfail(struct jctx *c, const char *fmt, va_list ap)
{
	char what[512];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (c->len)
		return husk_fail(c->err, 0, "%s: %s: %s", c->doc, c->path,
				 what);
	return husk_fail(c->err, 0, "%s: %s", c->doc, what);
}

int jfail(struct jctx *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = jvfail(c, fmt, ap);
	va_end(ap);
	return r;
}

int jfail_at(struct jctx *c, const char *key, const char *fmt, ...)
{
	size_t mark = jpush(c, key);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = jvfail(c, fmt, ap);
	va_end(ap);
	jpop(c, mark);
	return r;
}

int jload(struct jctx *c, const char *text, size_t len, json_t **out)
{
	json_error_t jerr;
	json_t *root;

	root = json_loadb(text, len, 0, &jerr);
	if (!root)
		return husk_fail(c->err, 0,
				 "%s: invalid JSON at line %d column %d: %s",
				 c->doc, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return jfail(c, "expected object");
	}
	*out = root;
	return 0;
}

/* The value at @key, NULL when absent or null; fails when required. */
static int jfetch(struct jctx *c, json_t *obj, const char *key, bool required,
		  json_t **v)
{
	*v = json_object_get(obj, key);
	if (json_is_null(*v)) /* (also checks *v != NULL) */
		*v = NULL;
	if (!*v && required)
		return jfail_at(c, key, "required");
	return 0;
}

int jexpect_obj(struct jctx *c, json_t *v)
{
	return json_is_object(v) ? 0 : jfail(c, "expected object");
}

int jget_obj(struct jctx *c, json_t *obj, const char *key, bool required,
	     json_t **out)
{
	json_t *v;
	int r = jfetch(c, obj, key, required, &v);

	if (r < 0 || !v)
		return r;
	if (!json_is_object(v))
		return jfail_at(c, key, "expected object");
	*out = v;
	return 0;
}

int jget_arr(struct jctx *c, json_t *obj, const char *key, bool required,
	     json_t **out)
{
	json_t *v;
	int r = jfetch(c, obj, key, required, &v);

	if (r < 0 || !v)
		return r;
	if (!json_is_array(v))
		return jfail_at(c, key, "expected array");
	*out = v;
	return 0;
}

int jget_str(struct jctx *c, json_t *obj, const char *key, bool required,
	     char **out)
{
	json_t *v;
	char *s;
	int r = jfetch(c, obj, key, required, &v);

	if (r < 0 || !v)
		return r;
	if (!json_is_string(v))
		return jfail_at(c, key, "expected string");
	s = strdup(json_string_value(v));
	if (!s)
		return husk_fail(c->err, ENOMEM, "%s", c->doc);
	free(*out);
	*out = s;
	return 0;
}

int jget_bool(struct jctx *c, json_t *obj, const char *key, bool *out)
{
	json_t *v;
	int r = jfetch(c, obj, key, false, &v);

	if (r < 0 || !v)
		return r;
	if (!json_is_boolean(v))
		return jfail_at(c, key, "expected boolean");
	*out = json_is_true(v);
	return 0;
}

int jget_i64(struct jctx *c, json_t *obj, const char *key, bool required,
	     int64_t min, int64_t max, int64_t *out)
{
	json_t *v;
	json_int_t i;
	int r = jfetch(c, obj, key, required, &v);

	if (r < 0 || !v)
		return r;
	if (!json_is_integer(v))
		return jfail_at(c, key, "expected integer");
	i = json_integer_value(v);
	if (i < min || i > max)
		return jfail_at(c, key, "%lld out of range [%lld, %lld]",
				(long long)i, (long long)min, (long long)max);
	*out = i;
	return 0;
}

int jget_u32(struct jctx *c, json_t *obj, const char *key, bool required,
	     uint32_t *out)
{
	int64_t v = HUSK_UNSET;
	int r = jget_i64(c, obj, key, required, 0, UINT32_MAX, &v);

	if (r == 0 && v != HUSK_UNSET)
		*out = (uint32_t)v;
	return r;
}

/*
 * jansson integers are signed 64-bit, so "-1" is taken to mean the
 * all-ones value some tools write for "unlimited" (e.g. RLIM_INFINITY).
 */
int jget_u64(struct jctx *c, json_t *obj, const char *key, bool required,
	     uint64_t *out)
{
	int64_t v = HUSK_UNSET;
	int r = jget_i64(c, obj, key, required, -1, INT64_MAX, &v);

	if (r == 0 && v != HUSK_UNSET)
		*out = (uint64_t)v;
	return r;
}

int jget_strv(struct jctx *c, json_t *obj, const char *key,
	      struct husk_strv *out)
{
	json_t *v, *e;
	size_t i;
	int r = jfetch(c, obj, key, false, &v);

	if (r < 0 || !v)
		return r;
	if (!json_is_array(v))
		return jfail_at(c, key, "expected array of strings");
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return jfail_at(c, key, "expected array of strings");
	}
	json_array_foreach(v, i, e) {
		if (husk_strv_push(out, json_string_value(e)) < 0)
			return husk_fail(c->err, ENOMEM, "%s", c->doc);
	}
	return 0;
}

int jget_kvv(struct jctx *c, json_t *obj, const char *key,
	     struct husk_kvv *out)
{
	json_t *v, *e;
	const char *k;
	int r = jfetch(c, obj, key, false, &v);

	if (r < 0 || !v)
		return r;
	if (!json_is_object(v))
		return jfail_at(c, key, "expected object of strings");
	json_object_foreach(v, k, e) {
		if (!json_is_string(e))
			return jfail_at(c, key, "expected object of strings");
	}
	json_object_foreach(v, k, e) {
		if (husk_kvv_set(out, k, json_string_value(e)) < 0)
			return husk_fail(c->err, ENOMEM, "%s", c->doc);
	}
	return 0;
}

int jeach(struct jctx *c, json_t *obj, const char *key, void *arrp,
	  size_t *count, size_t elem_size, jelem_fn fn)
{
	json_t *a = NULL, *e;
	size_t i, mark;
	void *arr;
	int r = jget_arr(c, obj, key, false, &a);

	if (r < 0 || !a)
		return r;
	arr = calloc(json_array_size(a) + 1, elem_size);
	if (!arr)
		return husk_fail(c->err, ENOMEM, "%s", c->doc);
	/* @arrp is the address of a T *; memcpy keeps aliasing rules happy. */
	memcpy(arrp, &arr, sizeof(arr));
	json_array_foreach(a, i, e) {
		mark = jpush(c, key);
		jpush_idx(c, i);
		(*count)++;
		r = jexpect_obj(c, e);
		if (r == 0)
			r = fn(c, e, (char *)arr + i * elem_size);
		jpop(c, mark);
		if (r < 0)
			return r;
	}
	return 0;
}
