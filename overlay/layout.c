/* SPDX-License-Identifier: MIT */
/* overlay/: spec validation, path layout and option strings (no syscalls). */
#include "ovl-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool is_abs(const char *p)
{
	return p && p[0] == '/';
}

int husk_ovl_validate(const struct husk_overlay_spec *ov, struct husk_err *err)
{
	if (ov->lowers.n == 0) {
		if (ov->upper || ov->readonly)
			return husk_fail(
			    err, 0, "overlay: %s or %s given without %s",
			    HUSK_ANN_OVERLAY_UPPER, HUSK_ANN_OVERLAY_READONLY,
			    HUSK_ANN_OVERLAY_LOWER);
		return 0;
	}
	if (ov->lowers.n > HUSK_OVL_MAX_LAYERS)
		return husk_fail(
		    err, 0,
		    "overlay: %zu lower layers, overlayfs allows at most %d",
		    ov->lowers.n, HUSK_OVL_MAX_LAYERS);
	for (size_t i = 0; i < ov->lowers.n; i++)
		if (!is_abs(ov->lowers.v[i]))
			return husk_fail(
			    err, 0,
			    "overlay lower \"%s\": not an absolute path",
			    ov->lowers.v[i] ? ov->lowers.v[i] : "");
	if (ov->readonly && ov->upper)
		return husk_fail(
		    err, 0, "overlay: %s and %s exclude each other",
		    HUSK_ANN_OVERLAY_UPPER, HUSK_ANN_OVERLAY_READONLY);
	if (ov->upper && !is_abs(ov->upper))
		return husk_fail(err, 0,
				 "overlay upper \"%s\": not an absolute path",
				 ov->upper);
	return 0;
}

/* snprintf that reports truncation as -ENAMETOOLONG. */
static __attribute__((format(printf, 3, 4))) int
path_printf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Persistent upper: work and lock are hidden siblings of the upper. */
static int persistent_layout(const char *upper, struct husk_ovl_layout *l)
{
	char clean[PATH_MAX];
	size_t len;
	const char *base;

	if (path_printf(clean, sizeof(clean), "%s", upper))
		return -ENAMETOOLONG;
	len = strlen(clean);
	while (len > 1 && clean[len - 1] == '/')
		clean[--len] = '\0';
	if (len <= 1)
		return -EINVAL; /* "/" cannot be an upper */
	base = strrchr(clean, '/') + 1;
	if (path_printf(l->upper, sizeof(l->upper), "%s", clean) ||
	    path_printf(l->work, sizeof(l->work), "%.*s.%s.husk-work",
			(int)(base - clean), clean, base) ||
	    path_printf(l->lock, sizeof(l->lock), "%.*s.%s.husk-lock",
			(int)(base - clean), clean, base))
		return -ENAMETOOLONG;
	l->persistent = true;
	return 0;
}

int husk_ovl_layout(const struct husk_overlay_spec *ov, const char *state_dir,
		    struct husk_ovl_layout *l, struct husk_err *err)
{
	int r;

	memset(l, 0, sizeof(*l));
	if (path_printf(l->dir, sizeof(l->dir), "%s/%s", state_dir,
			HUSK_OVL_DIR))
		return husk_fail(err, ENAMETOOLONG, "overlay state dir %s",
				 state_dir);
	if (ov->readonly)
		return 0;
	if (ov->upper) {
		r = persistent_layout(ov->upper, l);
		if (r < 0)
			return husk_fail(err, -r, "overlay upper \"%s\"",
					 ov->upper);
		return 0;
	}
	if (path_printf(l->upper, sizeof(l->upper), "%s/upper", l->dir) ||
	    path_printf(l->work, sizeof(l->work), "%s/work", l->dir))
		return husk_fail(err, ENAMETOOLONG, "overlay state dir %s",
				 state_dir);
	return 0;
}

/* Length of the leading run of @a that is a directory prefix of @b. */
static size_t common_dir_len(const char *a, const char *b, size_t max)
{
	size_t i = 0, last_slash = 0;

	for (; i < max && a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			last_slash = i;
	/* a whole component matched when both end or hit '/' right here;
	 * a[max] is always '\0' or '/' (max ends a component) */
	if ((i == max || a[i] == '\0' || a[i] == '/') &&
	    (b[i] == '\0' || b[i] == '/'))
		return i;
	return last_slash;
}

int husk_ovl_common_dir(char *const *paths, size_t n, char *out, size_t size)
{
	size_t len;

	if (n == 0)
		return path_printf(out, size, "/");
	len = strlen(paths[0]);
	while (len > 1 && paths[0][len - 1] == '/')
		len--;
	for (size_t i = 1; i < n && len > 0; i++)
		len = common_dir_len(paths[0], paths[i], len);
	if (len == 0)
		return path_printf(out, size, "/");
	return path_printf(out, size, "%.*s", (int)len, paths[0]);
}

const char *husk_ovl_relative(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[1] ? path + 1 : ".";
	path += len;
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* Append @s with overlayfs' separators escaped; false when out of room. */
static bool append_escaped(char *buf, size_t size, size_t *pos, const char *s)
{
	for (; *s; s++) {
		if (strchr(":,\\", *s)) {
			if (*pos + 1 >= size)
				return false;
			buf[(*pos)++] = '\\';
		}
		if (*pos + 1 >= size)
			return false;
		buf[(*pos)++] = *s;
	}
	buf[*pos] = '\0';
	return true;
}

static bool append_raw(char *buf, size_t size, size_t *pos, const char *s)
{
	size_t len = strlen(s);

	if (*pos + len >= size)
		return false;
	memcpy(buf + *pos, s, len + 1);
	*pos += len;
	return true;
}

int husk_ovl_legacy_opts(char *const *lowers, size_t n, const char *cwd,
			 const char *upper, const char *work, char *buf,
			 size_t size)
{
	size_t pos = 0;
	bool ok;

	if (size == 0)
		return -E2BIG;
	buf[0] = '\0';
	ok = append_raw(buf, size, &pos, "lowerdir=");
	for (size_t i = 0; ok && i < n; i++) {
		if (i > 0)
			ok = append_raw(buf, size, &pos, ":");
		ok = ok && append_escaped(buf, size, &pos,
					  husk_ovl_relative(lowers[i], cwd));
	}
	if (ok && upper && work)
		ok = append_raw(buf, size, &pos, ",upperdir=") &&
		     append_escaped(buf, size, &pos, upper) &&
		     append_raw(buf, size, &pos, ",workdir=") &&
		     append_escaped(buf, size, &pos, work);
	return ok ? 0 : -E2BIG;
}

int husk_ovl_owner_format(const struct husk_ovl_owner *o, char *buf,
			  size_t size)
{
	if (strchr(o->id, '\n') || strchr(o->state_dir, '\n'))
		return -EINVAL;
	return path_printf(
	    buf, size,
	    "husk-overlay-claim 1\nid %s\npid %d\nstart %llu\nstate %s\n",
	    o->id, (int)o->pid, o->start, o->state_dir);
}

/* Copy the rest of the line after "@key " into @out. */
static bool owner_field(const char *buf, const char *key, char *out,
			size_t size)
{
	char pat[32];
	const char *p, *end;

	snprintf(pat, sizeof(pat), "\n%s ", key);
	p = strstr(buf, pat);
	if (!p)
		return false;
	p += strlen(pat);
	end = strchrnul(p, '\n');
	if ((size_t)(end - p) >= size || end == p)
		return false;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return true;
}

int husk_ovl_owner_parse(const char *buf, struct husk_ovl_owner *o)
{
	char num[32], *end;
	long long pid;

	memset(o, 0, sizeof(*o));
	if (strncmp(buf, "husk-overlay-claim 1\n", 21) != 0)
		return -EINVAL;
	buf += 20; /* keep the '\n' so every key is found as "\nkey " */
	if (!owner_field(buf, "id", o->id, sizeof(o->id)) ||
	    !owner_field(buf, "state", o->state_dir, sizeof(o->state_dir)) ||
	    !owner_field(buf, "pid", num, sizeof(num)))
		return -EINVAL;
	errno = 0;
	pid = strtoll(num, &end, 10);
	if (errno || *end || pid <= 0 || pid > INT32_MAX)
		return -EINVAL;
	o->pid = (pid_t)pid;
	if (!owner_field(buf, "start", num, sizeof(num)))
		return -EINVAL;
	o->start = strtoull(num, &end, 10);
	return *end ? -EINVAL : 0;
}
