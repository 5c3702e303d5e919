/* SPDX-License-Identifier: MIT */
/*
 * Layout detection: which hierarchies are mounted where (mountinfo), which
 * controllers are enabled (/proc/cgroups, cgroup.controllers) and where
 * husk itself sits (/proc/self/cgroup).  Computed once and cached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const v1_names[CG_NCTRL] = {
    [CG_CPU] = "cpu",		[CG_CPUACCT] = "cpuacct",
    [CG_CPUSET] = "cpuset",	[CG_MEMORY] = "memory",
    [CG_DEVICES] = "devices",	[CG_FREEZER] = "freezer",
    [CG_BLKIO] = "blkio",	[CG_PIDS] = "pids",
    [CG_HUGETLB] = "hugetlb",	[CG_NET_CLS] = "net_cls",
    [CG_NET_PRIO] = "net_prio", [CG_PERF_EVENT] = "perf_event",
    [CG_RDMA] = "rdma",		[CG_MISC] = "misc",
};

/* cgroup2 names; devices and freezer are built in (bpf, cgroup.freeze). */
static const char *const v2_names[CG_NCTRL] = {
    [CG_CPU] = "cpu",
    [CG_CPUSET] = "cpuset",
    [CG_MEMORY] = "memory",
    [CG_BLKIO] = "io",
    [CG_PIDS] = "pids",
    [CG_HUGETLB] = "hugetlb",
    [CG_PERF_EVENT] = "perf_event",
    [CG_RDMA] = "rdma",
    [CG_MISC] = "misc",
};

/* Allocated, not PATH_MAX arrays: 16 KiB of pages touched on every call. */
static struct {
	bool set;
	char *root;
	char *mountinfo;
	char *proc_cgroups;
	char *self_cgroup;
} src;

static struct cg_layout cached;
static bool have_cached;

const char *cg_ctrl_v1_name(enum cg_ctrl c)
{
	return v1_names[c];
}

const char *cg_ctrl_v2_name(enum cg_ctrl c)
{
	return v2_names[c];
}

int cg_ctrl_by_name(const char *name)
{
	for (int c = 0; c < CG_NCTRL; c++)
		if ((v1_names[c] && !strcmp(name, v1_names[c])) ||
		    (v2_names[c] && !strcmp(name, v2_names[c])))
			return c;
	return -1;
}

/* NULL when out of memory: detect() reports it. */
static void copy_or(char **dst, const char *s, const char *fallback)
{
	free(*dst);
	*dst = strdup(s && *s ? s : fallback);
}

void husk_cgroup_set_root(const char *root, const char *mountinfo,
			  const char *proc_cgroups, const char *self_cgroup)
{
	copy_or(&src.root, root, "");
	copy_or(&src.mountinfo, mountinfo, "/proc/self/mountinfo");
	copy_or(&src.proc_cgroups, proc_cgroups, "/proc/cgroups");
	copy_or(&src.self_cgroup, self_cgroup, "/proc/self/cgroup");
	src.set = true;
	have_cached = false;
}

static void sources_init(void)
{
	if (!src.set)
		husk_cgroup_set_root(
		    getenv("HUSK_CGROUP_ROOT"), getenv("HUSK_MOUNTINFO"),
		    getenv("HUSK_PROC_CGROUPS"), getenv("HUSK_SELF_CGROUP"));
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] &&
		    s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static uint32_t v1_ctrls_of(const char *superopts)
{
	char buf[512], *save = NULL;
	uint32_t m = 0;

	snprintf(buf, sizeof(buf), "%s", superopts);
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		for (int c = 0; c < CG_NCTRL; c++)
			if (!strcmp(t, v1_names[c]))
				m |= 1u << c;
	return m;
}

/* A hierarchy mounted twice (same superblock) is used once. */
static bool seen_device(const struct cg_layout *l, const char *dev)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->h[i].dev, dev))
			return true;
	return false;
}

/* One mountinfo line; adds cgroup and cgroup2 mounts to @l. */
static int parse_mount_line(struct cg_layout *l, char *line, bool *had_v2)
{
	char *f[12] = {0}, *save = NULL, *dash, *fstype, *superopts;
	struct cg_hier *h;
	char mnt[PATH_MAX];
	const char *base;
	size_t nf = 0;

	dash = strstr(line, " - ");
	if (!dash || l->n >= CG_MAX_HIER)
		return 0;
	*dash = '\0';
	fstype = strtok_r(dash + 3, " \n", &save);
	strtok_r(NULL, " \n", &save); /* source */
	superopts = strtok_r(NULL, " \n", &save);
	if (!fstype || !superopts)
		return 0;
	if (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2"))
		return 0;
	save = NULL;
	for (char *t = strtok_r(line, " ", &save); t && nf < 12;
	     t = strtok_r(NULL, " ", &save))
		f[nf++] = t;
	if (nf < 5)
		return 0;
	unescape(f[4]);
	snprintf(mnt, sizeof(mnt), "%s%s", src.root, f[4]);
	if (seen_device(l, f[2]))
		return 0;
	h = &l->h[l->n];
	memset(h, 0, sizeof(*h));
	h->v2 = !strcmp(fstype, "cgroup2");
	if (h->v2 && *had_v2)
		return 0; /* one cgroup2 hierarchy: the first mount of it */
	*had_v2 |= h->v2;
	snprintf(h->dev, sizeof(h->dev), "%s", f[2]);
	base = strrchr(f[4], '/');
	snprintf(h->name, sizeof(h->name), "%s", base ? base + 1 : f[4]);
	if (!h->v2) {
		h->ctrls = v1_ctrls_of(superopts);
		const char *tag = strstr(superopts, "name=");

		if (!h->ctrls && !tag)
			return 0;
		if (tag)
			snprintf(h->tag, sizeof(h->tag), "%.*s",
				 (int)strcspn(tag, ","), tag);
	}
	h->mnt = strdup(mnt);
	h->self = strdup("/");
	l->n++; /* counted even when short of memory: layout_clear frees it */
	return h->mnt && h->self ? 0 : -ENOMEM;
}

/* Drop v1 hierarchies whose controllers the kernel reports disabled. */
static void apply_proc_cgroups(struct cg_layout *l, uint32_t *enabled)
{
	_cleanup_fclose_ FILE *f = fopen(src.proc_cgroups, "re");
	char name[64];
	unsigned hier, num, en;
	char line[256];

	*enabled = ~0u;
	if (!f)
		return;
	*enabled = 0;
	while (fgets(line, sizeof(line), f)) {
		int c;

		if (sscanf(line, "%63s %u %u %u", name, &hier, &num, &en) != 4)
			continue;
		c = cg_ctrl_by_name(name);
		if (c >= 0 && en)
			*enabled |= 1u << c;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!l->h[i].v2)
			l->h[i].ctrls &= *enabled;
}

static void read_v2_controllers(struct cg_layout *l, uint32_t enabled)
{
	struct cg_hier *h = &l->h[l->v2];
	_cleanup_close_ int fd = -1;
	char buf[1024], *save = NULL;

	fd = open(h->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || cg_read(fd, "cgroup.controllers", buf, sizeof(buf)) < 0)
		return;
	for (char *t = strtok_r(buf, " \n", &save); t;
	     t = strtok_r(NULL, " \n", &save)) {
		int c = cg_ctrl_by_name(t);

		/* "io" is listed as "blkio" in /proc/cgroups */
		if (c >= 0 && (enabled & (1u << c)) && l->ctrl_hier[c] < 0) {
			h->ctrls |= 1u << c;
			l->ctrl_hier[c] = l->v2;
		}
	}
}

static bool self_line_matches(const struct cg_hier *h, const char *ctrls)
{
	if (h->v2)
		return *ctrls == '\0';
	if (h->ctrls)
		return v1_ctrls_of(ctrls) == h->ctrls;
	return h->tag[0] && !strcmp(ctrls, h->tag);
}

/* Match "N:ctrl,ctrl:/path" lines of /proc/self/cgroup to hierarchies. */
static int read_self(struct cg_layout *l)
{
	_cleanup_fclose_ FILE *f = fopen(src.self_cgroup, "re");
	char line[PATH_MAX + 256];

	while (f && fgets(line, sizeof(line), f)) {
		char *ctrls = strchr(line, ':'), *path;

		if (!ctrls || !(path = strchr(ctrls + 1, ':')))
			continue;
		*path++ = '\0';
		ctrls++;
		path[strcspn(path, "\n")] = '\0';
		for (size_t i = 0; i < l->n; i++) {
			if (!self_line_matches(&l->h[i], ctrls))
				continue;
			free(l->h[i].self);
			l->h[i].self = strdup(path);
			if (!l->h[i].self)
				return -ENOMEM;
		}
	}
	return 0;
}

static void layout_clear(struct cg_layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->h[i].mnt);
		free(l->h[i].self);
	}
	l->n = 0;
}

static int detect(struct cg_layout *l, struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	bool had_v2 = false, have_v1 = false;
	uint32_t enabled;
	char line[PATH_MAX * 2];
	int r = 0;

	/* frees a previous detection's paths; parse_mount_line clears slots */
	layout_clear(l);
	if (!src.root || !src.mountinfo || !src.proc_cgroups || !src.self_cgroup)
		return husk_fail(err, ENOMEM, "cgroup layout sources");
	l->kind = CG_LAYOUT_NONE;
	l->v2 = -1;
	l->fake = src.root[0] != '\0';
	for (int c = 0; c < CG_NCTRL; c++)
		l->ctrl_hier[c] = -1;
	f = fopen(src.mountinfo, "re");
	if (!f)
		return husk_fail(err, errno, "open %s", src.mountinfo);
	while (r == 0 && fgets(line, sizeof(line), f))
		r = parse_mount_line(l, line, &had_v2);
	if (r < 0)
		return husk_fail(err, -r, "read %s", src.mountinfo);
	apply_proc_cgroups(l, &enabled);
	for (size_t i = 0; i < l->n; i++) {
		if (l->h[i].v2) {
			l->v2 = (int)i;
			continue;
		}
		have_v1 |= l->h[i].ctrls != 0;
		for (int c = 0; c < CG_NCTRL; c++)
			if ((l->h[i].ctrls & (1u << c)) && l->ctrl_hier[c] < 0)
				l->ctrl_hier[c] = (int)i;
	}
	if (l->v2 >= 0)
		read_v2_controllers(l, enabled);
	if (have_v1)
		l->kind = l->v2 >= 0 ? CG_LAYOUT_HYBRID : CG_LAYOUT_V1;
	else if (l->v2 >= 0)
		l->kind = CG_LAYOUT_V2;
	else
		return husk_fail(err, ENOENT, "no cgroup filesystem in %s",
				 src.mountinfo);
	r = read_self(l);
	if (r < 0)
		return husk_fail(err, -r, "read %s", src.self_cgroup);
	return 0;
}

int cg_layout_get(const struct cg_layout **lay, struct husk_err *err)
{
	int r;

	sources_init();
	if (!have_cached) {
		r = detect(&cached, err);
		if (r < 0) {
			layout_clear(&cached);
			husk_err_prefix(err, "detect cgroup layout");
			return r;
		}
		have_cached = true;
	}
	*lay = &cached;
	return 0;
}

const char *husk_cgroup_layout(void)
{
	static const char *const names[] = {
	    [CG_LAYOUT_NONE] = "none",
	    [CG_LAYOUT_V1] = "v1",
	    [CG_LAYOUT_V2] = "v2",
	    [CG_LAYOUT_HYBRID] = "hybrid",
	};
	const struct cg_layout *l;
	struct husk_err err = {0};

	if (cg_layout_get(&l, &err) < 0)
		return names[CG_LAYOUT_NONE];
	return names[l->kind];
}
