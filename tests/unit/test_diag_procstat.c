/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <unistd.h>

#include "../../diag/diag.h"
#include "unit.h"

#define CHECK_PCT(a, b) CHECK(fabs((a) - (b)) < 1e-9)

static int parse_fixture(const char *name, struct husk_cpu_sample *s)
{
	char rel[128];
	struct husk_err err = {0};
	FILE *f;
	int r;

	snprintf(rel, sizeof(rel), "diag/stat/%s", name);
	f = fopen(unit_fixture(rel), "re");
	if (!f)
		return -1;
	r = husk_cpu_sample_parse(f, s, &err);
	fclose(f);
	return r;
}

static const struct husk_cpu_iowait *find(const struct husk_iowait *w, int cpu)
{
	for (size_t i = 0; i < w->n_cpus; i++)
		if (w->cpus[i].cpu == cpu)
			return &w->cpus[i];
	return NULL;
}

TEST(diag_procstat_parse_skips_long_lines_and_keeps_fields)
{
	struct husk_cpu_sample s;

	CHECK_INT(parse_fixture("hotplug-before", &s), 0);
	CHECK_INT(s.n_cpus, 4);
	CHECK_INT(s.all.cpu, -1);
	CHECK_INT(s.all.t[HUSK_CPU_USER], 1000);
	CHECK_INT(s.all.t[HUSK_CPU_GUEST_NICE], 1);
	CHECK_INT(s.cpus[3].cpu, 3);
	CHECK_INT(s.cpus[3].t[HUSK_CPU_NICE], 10);
	CHECK_INT(s.cpus[3].t[HUSK_CPU_GUEST], 5);
	husk_cpu_sample_free(&s);
}

TEST(diag_procstat_old_kernel_missing_fields_read_zero)
{
	struct husk_cpu_sample s;

	CHECK_INT(parse_fixture("old-kernel", &s), 0);
	CHECK_INT(s.n_cpus, 1);
	CHECK_INT(s.all.t[HUSK_CPU_SOFTIRQ], 6);
	CHECK_INT(s.all.t[HUSK_CPU_STEAL], 0);
	CHECK_INT(s.all.t[HUSK_CPU_GUEST_NICE], 0);
	husk_cpu_sample_free(&s);
}

TEST(diag_procstat_rejects_junk_and_missing_cpu_line)
{
	struct husk_cpu_sample s;

	CHECK(parse_fixture("bad", &s) < 0);
	CHECK(parse_fixture("no-cpu", &s) < 0);
}

TEST(diag_iowait_stable_uses_aggregate_line_like_mpstat)
{
	struct husk_cpu_sample a, b;
	struct husk_iowait w;
	struct husk_err err = {0};

	CHECK_INT(parse_fixture("stable-before", &a), 0);
	CHECK_INT(parse_fixture("stable-after", &b), 0);
	CHECK_INT(husk_iowait_compute(&a, &b, &w, &err), 0);
	CHECK_INT(w.total.ticks, 810);
	CHECK_PCT(w.total.pct, 100.0 * 50 / 810);
	CHECK_INT(w.n_cpus, 2);
	CHECK_PCT(find(&w, 0)->pct, 100.0 * 25 / 485);
	CHECK_PCT(find(&w, 1)->pct, 100.0 * 25 / 225);
	husk_iowait_free(&w);
	husk_cpu_sample_free(&a);
	husk_cpu_sample_free(&b);
}

TEST(diag_iowait_backwards_counter_is_zero_not_negative)
{
	struct husk_cpu_sample a, b;
	struct husk_iowait w;
	struct husk_err err = {0};

	CHECK_INT(parse_fixture("stable-before", &a), 0);
	CHECK_INT(parse_fixture("backwards-after", &b), 0);
	CHECK_INT(husk_iowait_compute(&a, &b, &w, &err), 0);
	/* idle took what iowait lost: the interval is still right */
	CHECK_INT(w.total.ticks, 850);
	CHECK_PCT(w.total.pct, 0.0);
	CHECK_INT(find(&w, 0)->ticks, 505);
	CHECK_PCT(find(&w, 0)->pct, 0.0);
	husk_iowait_free(&w);
	husk_cpu_sample_free(&a);
	husk_cpu_sample_free(&b);
}

TEST(diag_iowait_hotplug_offline_restarted_and_new_cpus)
{
	struct husk_cpu_sample a, b;
	struct husk_iowait w;
	struct husk_err err = {0};

	CHECK_INT(parse_fixture("hotplug-before", &a), 0);
	CHECK_INT(parse_fixture("hotplug-after", &b), 0);
	CHECK_INT(husk_iowait_compute(&a, &b, &w, &err), 0);
	/* cpu1 went offline, cpu4 only just came: neither has a figure */
	CHECK_INT(w.n_cpus, 3);
	CHECK(find(&w, 1) == NULL);
	CHECK(find(&w, 4) == NULL);
	/* cpu0: iowait 10 -> 7 while idle grew */
	CHECK_INT(find(&w, 0)->ticks, 92);
	CHECK_PCT(find(&w, 0)->pct, 0.0);
	/* cpu2 went off and on again: idle/iowait restarted from 0 */
	CHECK_INT(find(&w, 2)->ticks, 80);
	CHECK_PCT(find(&w, 2)->pct, 12.5);
	/* cpu3: guest (+20) is inside user and not counted twice */
	CHECK_INT(find(&w, 3)->ticks, 100);
	CHECK_PCT(find(&w, 3)->pct, 20.0);
	/* total over CPUs online in both samples, not the "cpu" line */
	CHECK_INT(w.total.ticks, 272);
	CHECK_PCT(w.total.pct, 100.0 * 30 / 272);
	husk_iowait_free(&w);
	husk_cpu_sample_free(&a);
	husk_cpu_sample_free(&b);
}

TEST(diag_iowait_one_bounds)
{
	struct husk_cpu_times p = {.cpu = 0}, c = {.cpu = 0};
	struct husk_cpu_iowait o;

	/* nothing happened: 0%, not NaN */
	husk_cpu_iowait_one(&p, &c, &o);
	CHECK_INT(o.ticks, 0);
	CHECK_PCT(o.pct, 0.0);
	/* user went backwards more than iowait advanced: capped at 100 */
	p.t[HUSK_CPU_USER] = 100;
	c.t[HUSK_CPU_IOWAIT] = 50;
	c.t[HUSK_CPU_IDLE] = 70;
	husk_cpu_iowait_one(&p, &c, &o);
	CHECK_INT(o.ticks, 20);
	CHECK_PCT(o.pct, 100.0);
	/* huge counters near the top of the range */
	p = (struct husk_cpu_times){
	    .t = {[HUSK_CPU_IDLE] = UINT64_MAX - 100, [HUSK_CPU_IOWAIT] = 10}};
	c = p;
	c.t[HUSK_CPU_IDLE] += 30;
	c.t[HUSK_CPU_IOWAIT] += 10;
	husk_cpu_iowait_one(&p, &c, &o);
	CHECK_INT(o.ticks, 40);
	CHECK_PCT(o.pct, 25.0);
}

TEST(diag_procstat_live_host)
{
	struct husk_cpu_sample s;
	struct husk_err err = {0};

	CHECK_INT(husk_cpu_sample_read("/", &s, &err), 0);
	CHECK_INT(s.n_cpus, sysconf(_SC_NPROCESSORS_ONLN));
	CHECK(s.all.t[HUSK_CPU_IDLE] > 0);
	husk_cpu_sample_free(&s);
	CHECK(husk_cpu_sample_read("/nonexistent-husk", &s, &err) < 0);
}
