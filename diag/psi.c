/* SPDX-License-Identifier: MIT */
/*
 * Pressure stall information: "some|full avg10=.. avg60=.. avg300=..
 * total=.." lines, in /proc/pressure/<res> and cgroup v2 <res>.pressure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

const char *const husk_psi_resource_names[HUSK_PSI_NRES] = {
    [HUSK_PSI_CPU] = "cpu",
    [HUSK_PSI_MEMORY] = "memory",
    [HUSK_PSI_IO] = "io",
    [HUSK_PSI_IRQ] = "irq",
};

static bool parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end != s && *end == '\0' && errno == 0;
}

/* One "key=value" token; unknown keys are for future kernels. */
static bool parse_psi_token(char *tok, struct husk_psi_line *l)
{
	char *val = strchr(tok, '=');

	if (!val)
		return false;
	*val++ = '\0';
	if (strcmp(tok, "avg10") == 0)
		return parse_double(val, &l->avg10);
	if (strcmp(tok, "avg60") == 0)
		return parse_double(val, &l->avg60);
	if (strcmp(tok, "avg300") == 0)
		return parse_double(val, &l->avg300);
	if (strcmp(tok, "total") == 0)
		return diag_parse_u64(val, &l->total);
	return true;
}

static bool parse_psi_line(char *line, struct husk_psi *psi)
{
	char *save = NULL, *tok = strtok_r(line, " \t", &save);
	struct husk_psi_line *l, parsed = {.present = true};

	if (!tok)
		return true;
	if (strcmp(tok, "some") == 0)
		l = &psi->some;
	else if (strcmp(tok, "full") == 0)
		l = &psi->full;
	else
		return true;
	while ((tok = strtok_r(NULL, " \t", &save)))
		if (!parse_psi_token(tok, &parsed))
			return false;
	*l = parsed;
	return true;
}

int husk_psi_read_file(const char *path, struct husk_psi *psi,
		       struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[DIAG_LINE_MAX];
	bool truncated;
	int r;

	memset(psi, 0, sizeof(*psi));
	r = diag_open_optional(path, &f, err);
	if (r < 0 || !f)
		return r;
	errno = 0;
	while (diag_read_line(f, line, sizeof(line), &truncated)) {
		if (truncated)
			continue;
		if (!parse_psi_line(line, psi))
			return husk_fail(err, 0, "%s: bad line", path);
	}
	if (ferror(f)) {
		/* cgroup files exist but refuse reads when PSI is off. */
		if (diag_errno_absent(errno))
			return 0;
		return husk_fail(err, errno ? errno : EIO, "read %s", path);
	}
	psi->present = psi->some.present || psi->full.present;
	return 0;
}

int husk_psi_read_host(const char *root, struct husk_psi psi[HUSK_PSI_NRES],
		       struct husk_err *err)
{
	char rel[64], path[4096];
	int r;

	for (int i = 0; i < HUSK_PSI_NRES; i++) {
		snprintf(rel, sizeof(rel), "proc/pressure/%s",
			 husk_psi_resource_names[i]);
		r = diag_path(path, sizeof(path), root, rel, err);
		if (r < 0)
			return r;
		r = husk_psi_read_file(path, &psi[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}
