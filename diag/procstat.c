/* SPDX-License-Identifier: MIT */
/*
 * /proc/stat CPU times and iowait over an interval.  The arithmetic is
 * mpstat's (sysstat): the denominator is the sum of user, nice, system,
 * iowait, idle, steal, irq and softirq, without guest and guest_nice, which
 * the kernel already counts inside user and nice.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

/* The fields summed into the interval, in enum order. */
#define SUMMED_FIELDS HUSK_CPU_GUEST

static int parse_cpu_line(const char *line, struct husk_cpu_times *t)
{
	const char *p = line + 3;
	char *end;

	memset(t, 0, sizeof(*t));
	t->cpu = -1;
	if (*p != ' ') {
		errno = 0;
		unsigned long id = strtoul(p, &end, 10);
		if (end == p || *end != ' ' || errno || id > 1u << 20)
			return -EINVAL;
		t->cpu = (int)id;
		p = end;
	}
	/* Older kernels have fewer fields (they read as 0), newer may add. */
	for (int i = 0; i < HUSK_CPU_NFIELDS; i++) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (!diag_parse_u64(p, &t->t[i]))
			return -EINVAL;
		p += strcspn(p, " ");
	}
	return 0;
}

/* "cpu " or "cpuN ": other lines a kernel may add are not ours. */
static bool is_cpu_line(const char *line)
{
	return strncmp(line, "cpu", 3) == 0 &&
	       (line[3] == ' ' || isdigit((unsigned char)line[3]));
}

static int append_cpu(struct husk_cpu_sample *s, const struct husk_cpu_times *t,
		      size_t *cap)
{
	if (s->n_cpus == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *p = reallocarray(s->cpus, ncap, sizeof(*s->cpus));

		if (!p)
			return -ENOMEM;
		s->cpus = p;
		*cap = ncap;
	}
	s->cpus[s->n_cpus++] = *t;
	return 0;
}

int husk_cpu_sample_parse(FILE *f, struct husk_cpu_sample *s,
			  struct husk_err *err)
{
	char line[DIAG_LINE_MAX];
	struct husk_cpu_times t;
	bool truncated, have_all = false;
	size_t cap = 0;
	int r;

	memset(s, 0, sizeof(*s));
	while (diag_read_line(f, line, sizeof(line), &truncated)) {
		if (truncated || !is_cpu_line(line))
			continue;
		if (parse_cpu_line(line, &t) < 0) {
			r = husk_fail(err, 0, "/proc/stat: bad line '%.40s'",
				      line);
			goto fail;
		}
		if (t.cpu < 0) {
			s->all = t;
			have_all = true;
		} else if (append_cpu(s, &t, &cap) < 0) {
			r = husk_fail(err, ENOMEM, "/proc/stat");
			goto fail;
		}
	}
	if (ferror(f)) {
		r = husk_fail(err, EIO, "read /proc/stat");
		goto fail;
	}
	if (!have_all) {
		r = husk_fail(err, 0, "/proc/stat: no cpu line");
		goto fail;
	}
	return 0;
fail:
	husk_cpu_sample_free(s);
	return r;
}

int husk_cpu_sample_read(const char *root, struct husk_cpu_sample *s,
			 struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[4096];
	int r;

	r = diag_path(path, sizeof(path), root, "proc/stat", err);
	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f)
		return husk_fail(err, errno, "open %s", path);
	return husk_cpu_sample_parse(f, s, err);
}

void husk_cpu_sample_free(struct husk_cpu_sample *s)
{
	free(s->cpus);
	s->cpus = NULL;
	s->n_cpus = 0;
}

/*
 * Idle and iowait restart from 0 when a CPU comes back online; user and
 * system do not.  Their sum never goes backwards otherwise (iowait alone
 * can: an idle period is split between the two when it is read), so a
 * smaller sum means the CPU restarted and its previous idle/iowait are 0.
 */
static bool idle_restarted(const struct husk_cpu_times *prev,
			   const struct husk_cpu_times *cur)
{
	return cur->t[HUSK_CPU_IDLE] + cur->t[HUSK_CPU_IOWAIT] <
	       prev->t[HUSK_CPU_IDLE] + prev->t[HUSK_CPU_IOWAIT];
}

static void iowait_ticks(const struct husk_cpu_times *prev,
			 const struct husk_cpu_times *cur, uint64_t *iowait,
			 uint64_t *total)
{
	struct husk_cpu_times p = *prev;
	int64_t sum = 0;

	if (idle_restarted(prev, cur))
		p.t[HUSK_CPU_IDLE] = p.t[HUSK_CPU_IOWAIT] = 0;
	/* Signed: a field that went back is offset by the one that gained. */
	for (int i = 0; i < SUMMED_FIELDS; i++)
		sum += (int64_t)(cur->t[i] - p.t[i]);
	*total = sum > 0 ? (uint64_t)sum : 0;
	*iowait = cur->t[HUSK_CPU_IOWAIT] > p.t[HUSK_CPU_IOWAIT]
		      ? cur->t[HUSK_CPU_IOWAIT] - p.t[HUSK_CPU_IOWAIT]
		      : 0;
	if (*iowait > *total)
		*iowait = *total;
}

static double percent(uint64_t part, uint64_t whole)
{
	/* A CPU with no ticks in the interval did not wait: 0, as mpstat. */
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void husk_cpu_iowait_one(const struct husk_cpu_times *prev,
			 const struct husk_cpu_times *cur,
			 struct husk_cpu_iowait *out)
{
	uint64_t iowait, total;

	iowait_ticks(prev, cur, &iowait, &total);
	out->cpu = cur->cpu;
	out->ticks = total;
	out->pct = percent(iowait, total);
}

static const struct husk_cpu_times *find_cpu(const struct husk_cpu_sample *s,
					     size_t hint, int cpu)
{
	if (hint < s->n_cpus && s->cpus[hint].cpu == cpu)
		return &s->cpus[hint];
	for (size_t i = 0; i < s->n_cpus; i++)
		if (s->cpus[i].cpu == cpu)
			return &s->cpus[i];
	return NULL;
}

static bool same_cpus(const struct husk_cpu_sample *a,
		      const struct husk_cpu_sample *b)
{
	if (a->n_cpus != b->n_cpus)
		return false;
	for (size_t i = 0; i < a->n_cpus; i++)
		if (a->cpus[i].cpu != b->cpus[i].cpu)
			return false;
	return true;
}

/*
 * The "cpu" line counts offline CPUs differently from online ones, so when
 * CPUs came or went the total is the sum over CPUs online in both samples.
 */
static void total_from_cpus(const struct husk_cpu_sample *prev,
			    const struct husk_cpu_sample *cur,
			    struct husk_cpu_iowait *out)
{
	uint64_t iowait = 0, total = 0, i_one, t_one;

	for (size_t i = 0; i < cur->n_cpus; i++) {
		const struct husk_cpu_times *p =
		    find_cpu(prev, i, cur->cpus[i].cpu);

		if (!p)
			continue;
		iowait_ticks(p, &cur->cpus[i], &i_one, &t_one);
		iowait += i_one;
		total += t_one;
	}
	out->cpu = -1;
	out->ticks = total;
	out->pct = percent(iowait, total);
}

int husk_iowait_compute(const struct husk_cpu_sample *prev,
			const struct husk_cpu_sample *cur,
			struct husk_iowait *out, struct husk_err *err)
{
	memset(out, 0, sizeof(*out));
	out->cpus = calloc(cur->n_cpus ? cur->n_cpus : 1, sizeof(*out->cpus));
	if (!out->cpus)
		return husk_fail(err, ENOMEM, "iowait");
	for (size_t i = 0; i < cur->n_cpus; i++) {
		const struct husk_cpu_times *p =
		    find_cpu(prev, i, cur->cpus[i].cpu);

		if (p) /* a CPU that just came online has no interval */
			husk_cpu_iowait_one(p, &cur->cpus[i],
					    &out->cpus[out->n_cpus++]);
	}
	if (same_cpus(prev, cur) && !idle_restarted(&prev->all, &cur->all))
		husk_cpu_iowait_one(&prev->all, &cur->all, &out->total);
	else
		total_from_cpus(prev, cur, &out->total);
	return 0;
}

void husk_iowait_free(struct husk_iowait *w)
{
	free(w->cpus);
	w->cpus = NULL;
	w->n_cpus = 0;
}
