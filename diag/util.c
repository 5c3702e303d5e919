/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "diag.h"

int diag_path(char *buf, size_t len, const char *root, const char *rel,
	      struct husk_err *err)
{
	int n;

	if (!root || strcmp(root, "/") == 0)
		root = "";
	while (*rel == '/')
		rel++;
	n = snprintf(buf, len, "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= len)
		return husk_fail(err, ENAMETOOLONG, "path %s/%s", root, rel);
	return 0;
}

bool diag_read_line(FILE *f, char *buf, size_t len, bool *truncated)
{
	size_t n;

	*truncated = false;
	if (!fgets(buf, (int)len, f))
		return false;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n') {
		buf[n - 1] = '\0';
		return true;
	}
	if (feof(f))
		return true; /* last line without a newline */
	/* Too long: drop the rest of it. */
	*truncated = true;
	for (int c = fgetc(f); c != EOF && c != '\n'; c = fgetc(f))
		;
	return true;
}

int diag_open_optional(const char *path, FILE **f, struct husk_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*f = NULL;
	if (fd < 0) {
		if (diag_errno_absent(errno))
			return 0;
		return husk_fail(err, errno, "open %s", path);
	}
	*f = fdopen(fd, "r");
	if (!*f) {
		int e = errno;

		close(fd);
		return husk_fail(err, e, "fdopen %s", path);
	}
	return 0;
}

bool diag_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && (*end == '\0' || isspace((unsigned char)*end));
}

static void diag_match_key(char *line, const struct diag_key *keys, size_t n)
{
	char *save = NULL, *key = strtok_r(line, " \t", &save);
	char *val = strtok_r(NULL, " \t", &save);
	size_t klen;
	uint64_t v;

	if (!key || !val || !diag_parse_u64(val, &v) || v > INT64_MAX)
		return;
	klen = strlen(key);
	if (klen > 0 && key[klen - 1] == ':')
		key[klen - 1] = '\0';
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i].name, key) == 0)
			*keys[i].dst = (int64_t)v;
}

int diag_read_keys(const char *path, const struct diag_key *keys, size_t n,
		   bool *found, struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[DIAG_LINE_MAX];
	bool truncated;
	int r;

	for (size_t i = 0; i < n; i++)
		*keys[i].dst = HUSK_DIAG_NONE;
	r = diag_open_optional(path, &f, err);
	if (r < 0)
		return r;
	*found = f != NULL;
	if (!f)
		return 0;
	errno = 0;
	while (diag_read_line(f, line, sizeof(line), &truncated))
		if (!truncated)
			diag_match_key(line, keys, n);
	if (ferror(f)) {
		if (diag_errno_absent(errno)) {
			*found = false;
			return 0;
		}
		return husk_fail(err, errno ? errno : EIO, "read %s", path);
	}
	return 0;
}

int diag_read_u64_file(const char *path, int64_t *v, struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[64];
	bool truncated;
	uint64_t u;
	int r;

	*v = HUSK_DIAG_NONE;
	r = diag_open_optional(path, &f, err);
	if (r < 0 || !f)
		return r;
	if (!diag_read_line(f, line, sizeof(line), &truncated) || truncated ||
	    !diag_parse_u64(line, &u) || u > INT64_MAX)
		return husk_fail(err, 0, "%s: not a number", path);
	*v = (int64_t)u;
	return 0;
}
