/* SPDX-License-Identifier: MIT */
/*
 * Hugepage pools: one directory per page size under
 * /sys/kernel/mm/hugepages, and the per-NUMA-node split under
 * /sys/devices/system/node/node<N>/hugepages (which has no resv or
 * overcommit files: those stay HUSK_DIAG_NONE).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

#define HP_DIR "sys/kernel/mm/hugepages"
#define NODE_DIR "sys/devices/system/node"

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))

static int read_counts(const char *dir, struct husk_hugepage_counts *c,
		       struct husk_err *err)
{
	static const struct {
		const char *file;
		size_t off;
	} files[] = {
	    {"nr_hugepages", offsetof(struct husk_hugepage_counts, nr)},
	    {"free_hugepages", offsetof(struct husk_hugepage_counts, free)},
	    {"resv_hugepages", offsetof(struct husk_hugepage_counts, resv)},
	    {"surplus_hugepages",
	     offsetof(struct husk_hugepage_counts, surplus)},
	    {"nr_overcommit_hugepages",
	     offsetof(struct husk_hugepage_counts, overcommit)},
	};
	char path[4096];
	int r;

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(files); i++) {
		int64_t *dst = (int64_t *)((char *)c + files[i].off);

		if (snprintf(path, sizeof(path), "%s/%s", dir, files[i].file) >=
		    (int)sizeof(path))
			return husk_fail(err, ENAMETOOLONG, "%s", dir);
		r = diag_read_u64_file(path, dst, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "hugepages-2048kB" -> 2048 */
static bool parse_size_dir(const char *name, uint64_t *kb)
{
	char num[32];
	size_t n;

	if (strncmp(name, "hugepages-", 10) != 0)
		return false;
	name += 10;
	n = strlen(name);
	if (n < 3 || n - 2 >= sizeof(num) || strcmp(name + n - 2, "kB") != 0)
		return false;
	memcpy(num, name, n - 2);
	num[n - 2] = '\0';
	return diag_parse_u64(num, kb) && *kb > 0;
}

static int cmp_size(const void *a, const void *b)
{
	const struct husk_hugepage_size *x = a, *y = b;

	return (x->size_kb > y->size_kb) - (x->size_kb < y->size_kb);
}

static int cmp_node(const void *a, const void *b)
{
	const struct husk_hugepage_node *x = a, *y = b;

	return (x->node > y->node) - (x->node < y->node);
}

static int add_size(struct husk_hugepages *hp, const char *dir, uint64_t kb,
		    struct husk_err *err)
{
	struct husk_hugepage_size *s;
	void *p = reallocarray(hp->sizes, hp->n_sizes + 1, sizeof(*hp->sizes));

	if (!p)
		return husk_fail(err, ENOMEM, "hugepages");
	hp->sizes = p;
	s = &hp->sizes[hp->n_sizes++];
	memset(s, 0, sizeof(*s));
	s->size_kb = kb;
	return read_counts(dir, &s->c, err);
}

/* Open <root>/<rel> into *d (its path in @base); *d stays NULL when the
 * kernel has no such directory, which is no error. */
static int open_dir(const char *root, const char *rel, char *base,
		    size_t size, DIR **d, struct husk_err *err)
{
	int r = diag_path(base, size, root, rel, err);

	if (r < 0)
		return r;
	*d = opendir(base);
	if (!*d && !diag_errno_absent(errno))
		return husk_fail(err, errno, "open %s", base);
	return 0;
}

static int read_sizes(const char *root, struct husk_hugepages *hp,
		      struct husk_err *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	char base[4096], dir[4096 + 256];
	struct dirent *de;
	uint64_t kb;
	int r;

	r = open_dir(root, HP_DIR, base, sizeof(base), &d, err);
	if (r < 0 || !d)
		return r;
	while ((de = readdir(d))) {
		if (!parse_size_dir(de->d_name, &kb))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		r = add_size(hp, dir, kb, err);
		if (r < 0)
			return r;
	}
	qsort(hp->sizes, hp->n_sizes, sizeof(*hp->sizes), cmp_size);
	return 0;
}

static int add_node(struct husk_hugepage_size *s, int node, const char *dir,
		    struct husk_err *err)
{
	struct husk_hugepage_counts c = {0};
	void *p;
	int r = read_counts(dir, &c, err);

	if (r < 0)
		return r;
	if (c.nr == HUSK_DIAG_NONE)
		return 0; /* this node has no pool of that size */
	p = reallocarray(s->nodes, s->n_nodes + 1, sizeof(*s->nodes));
	if (!p)
		return husk_fail(err, ENOMEM, "hugepages");
	s->nodes = p;
	s->nodes[s->n_nodes].node = node;
	s->nodes[s->n_nodes++].c = c;
	return 0;
}

static bool parse_node_dir(const char *name, int *node)
{
	uint64_t n;

	if (strncmp(name, "node", 4) != 0 || !diag_parse_u64(name + 4, &n) ||
	    n > 1u << 20)
		return false;
	*node = (int)n;
	return true;
}

static int read_nodes(const char *root, struct husk_hugepages *hp,
		      struct husk_err *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	char base[4096], dir[4096 + 512];
	struct dirent *de;
	int node, r;

	r = open_dir(root, NODE_DIR, base, sizeof(base), &d, err);
	if (r < 0 || !d)
		return r;
	while ((de = readdir(d))) {
		if (!parse_node_dir(de->d_name, &node))
			continue;
		for (size_t i = 0; i < hp->n_sizes; i++) {
			snprintf(dir, sizeof(dir),
				 "%s/%s/hugepages/hugepages-%llukB", base,
				 de->d_name,
				 (unsigned long long)hp->sizes[i].size_kb);
			r = add_node(&hp->sizes[i], node, dir, err);
			if (r < 0)
				return r;
		}
	}
	for (size_t i = 0; i < hp->n_sizes; i++)
		qsort(hp->sizes[i].nodes, hp->sizes[i].n_nodes,
		      sizeof(*hp->sizes[i].nodes), cmp_node);
	return 0;
}

int husk_hugepages_read(const char *root, struct husk_hugepages *hp,
			struct husk_err *err)
{
	int r;

	memset(hp, 0, sizeof(*hp));
	r = read_sizes(root, hp, err);
	if (r == 0)
		r = read_nodes(root, hp, err);
	if (r < 0)
		husk_hugepages_free(hp);
	return r;
}

void husk_hugepages_free(struct husk_hugepages *hp)
{
	for (size_t i = 0; i < hp->n_sizes; i++)
		free(hp->sizes[i].nodes);
	free(hp->sizes);
	hp->sizes = NULL;
	hp->n_sizes = 0;
}
