/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "../../diag/diag.h"
#include "unit.h"

static const char *fixture(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s", unit_fixture(rel));
	return buf;
}

TEST(diag_meminfo_fixture)
{
	struct husk_meminfo mi;
	struct husk_err err = {0};

	CHECK_INT(husk_meminfo_read(fixture("diag/host"), &mi, &err), 0);
	CHECK_INT(mi.mem_total_kb, 4015480);
	CHECK_INT(mi.mem_available_kb, 3442512);
	CHECK_INT(mi.hugepages_total, 64);
	CHECK_INT(mi.hugepages_free, 60);
	CHECK_INT(mi.hugepages_rsvd, 2);
	CHECK_INT(mi.hugepages_surp, 1);
	CHECK_INT(mi.hugepagesize_kb, 2048);
	CHECK_INT(mi.hugetlb_kb, 1179648);
}

TEST(diag_meminfo_without_hugepages_is_absent)
{
	struct husk_meminfo mi;
	struct husk_err err = {0};

	CHECK_INT(husk_meminfo_read(fixture("diag/bare"), &mi, &err), 0);
	CHECK_INT(mi.mem_total_kb, 4015480);
	CHECK_INT(mi.mem_available_kb, HUSK_DIAG_NONE);
	CHECK_INT(mi.hugepages_total, HUSK_DIAG_NONE);
	CHECK_INT(mi.hugepagesize_kb, HUSK_DIAG_NONE);
}

TEST(diag_vmstat_oom_kill)
{
	struct husk_vmstat vm;
	struct husk_err err = {0};

	CHECK_INT(husk_vmstat_read(fixture("diag/host"), &vm, &err), 0);
	CHECK_INT(vm.oom_kill, 3);
	CHECK_INT(husk_vmstat_read(fixture("diag/bare"), &vm, &err), 0);
	CHECK_INT(vm.oom_kill, HUSK_DIAG_NONE);
	/* no /proc/vmstat at all: absent, not an error */
	CHECK_INT(husk_vmstat_read(fixture("diag/cgroup"), &vm, &err), 0);
	CHECK_INT(vm.oom_kill, HUSK_DIAG_NONE);
}

TEST(diag_psi_host_fixture)
{
	struct husk_psi psi[HUSK_PSI_NRES];
	struct husk_err err = {0};

	CHECK_INT(husk_psi_read_host(fixture("diag/host"), psi, &err), 0);
	CHECK(psi[HUSK_PSI_CPU].present);
	CHECK(psi[HUSK_PSI_CPU].some.present);
	CHECK(fabs(psi[HUSK_PSI_CPU].some.avg10 - 43.99) < 1e-9);
	CHECK(fabs(psi[HUSK_PSI_CPU].some.avg300 - 3.23) < 1e-9);
	CHECK_INT(psi[HUSK_PSI_CPU].some.total, 12236060);
	/* older kernels have no "full" line for cpu */
	CHECK(!psi[HUSK_PSI_CPU].full.present);
	CHECK(psi[HUSK_PSI_MEMORY].full.present);
	CHECK_INT(psi[HUSK_PSI_MEMORY].full.total, 2877082);
	/* unknown keys and lines are tolerated */
	CHECK(fabs(psi[HUSK_PSI_IO].some.avg10 - 1.5) < 1e-9);
	CHECK_INT(psi[HUSK_PSI_IO].some.total, 10);
	CHECK(fabs(psi[HUSK_PSI_IO].full.avg10 - 0.25) < 1e-9);
	/* no irq file */
	CHECK(!psi[HUSK_PSI_IRQ].present);
}

TEST(diag_psi_absent_without_pressure_dir)
{
	struct husk_psi psi[HUSK_PSI_NRES];
	struct husk_err err = {0};

	CHECK_INT(husk_psi_read_host(fixture("diag/bare"), psi, &err), 0);
	for (int i = 0; i < HUSK_PSI_NRES; i++)
		CHECK(!psi[i].present);
}

TEST(diag_psi_rejects_malformed_value)
{
	struct husk_psi psi;
	struct husk_err err = {0};
	char path[] = "/tmp/husk-diag-psi-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	dprintf(fd, "some avg10=abc avg60=0 avg300=0 total=1\n");
	close(fd);
	CHECK(husk_psi_read_file(path, &psi, &err) < 0);
	CHECK(strstr(err.msg, "bad line") != NULL);
	unlink(path);
}

TEST(diag_hugepages_sizes_and_nodes)
{
	struct husk_hugepages hp;
	struct husk_err err = {0};
	const struct husk_hugepage_size *s;

	CHECK_INT(husk_hugepages_read(fixture("diag/host"), &hp, &err), 0);
	CHECK_INT(hp.n_sizes, 2);
	if (hp.n_sizes != 2)
		return;
	s = &hp.sizes[0];
	CHECK_INT(s->size_kb, 2048);
	CHECK_INT(s->c.nr, 64);
	CHECK_INT(s->c.free, 60);
	CHECK_INT(s->c.resv, 2);
	CHECK_INT(s->c.surplus, 1);
	CHECK_INT(s->c.overcommit, 8);
	CHECK_INT(s->n_nodes, 2);
	CHECK_INT(s->nodes[0].node, 0);
	CHECK_INT(s->nodes[0].c.nr, 40);
	CHECK_INT(s->nodes[0].c.free, 38);
	CHECK_INT(s->nodes[0].c.resv, HUSK_DIAG_NONE);
	CHECK_INT(s->nodes[1].node, 1);
	CHECK_INT(s->nodes[1].c.nr, 24);
	s = &hp.sizes[1];
	CHECK_INT(s->size_kb, 1048576);
	CHECK_INT(s->c.nr, 1);
	/* node1 has no 1G pool */
	CHECK_INT(s->n_nodes, 1);
	CHECK_INT(s->nodes[0].node, 0);
	husk_hugepages_free(&hp);
}

TEST(diag_hugepages_absent)
{
	struct husk_hugepages hp;
	struct husk_err err = {0};

	CHECK_INT(husk_hugepages_read(fixture("diag/bare"), &hp, &err), 0);
	CHECK_INT(hp.n_sizes, 0);
	husk_hugepages_free(&hp);
}

TEST(diag_memory_events_v2_and_v1)
{
	struct husk_memory_events ev;
	struct husk_err err = {0};

	CHECK_INT(husk_memory_events_read(fixture("diag/cgroup/memory.events"),
					  &ev, &err),
		  0);
	CHECK_INT(ev.max, 12);
	CHECK_INT(ev.oom, 3);
	CHECK_INT(ev.oom_kill, 2);
	CHECK_INT(ev.oom_group_kill, 0);
	CHECK_INT(ev.under_oom, HUSK_DIAG_NONE);
	CHECK_INT(husk_memory_events_read(
		      fixture("diag/cgroup/memory.oom_control"), &ev, &err),
		  0);
	CHECK_INT(ev.oom_kill, 7);
	CHECK_INT(ev.under_oom, 1);
	CHECK_INT(ev.oom, HUSK_DIAG_NONE);
}

TEST(diag_readers_live_host)
{
	struct husk_meminfo mi;
	struct husk_vmstat vm;
	struct husk_hugepages hp;
	struct husk_psi psi[HUSK_PSI_NRES];
	struct husk_err err = {0};

	CHECK_INT(husk_meminfo_read(NULL, &mi, &err), 0);
	CHECK(mi.mem_total_kb > 0);
	CHECK_INT(husk_vmstat_read("/", &vm, &err), 0);
	CHECK_INT(husk_hugepages_read(NULL, &hp, &err), 0);
	if (mi.hugepagesize_kb > 0 && hp.n_sizes > 0) {
		/* the default size's pool matches meminfo */
		for (size_t i = 0; i < hp.n_sizes; i++)
			if ((int64_t)hp.sizes[i].size_kb == mi.hugepagesize_kb)
				CHECK_INT(hp.sizes[i].c.nr, mi.hugepages_total);
	}
	husk_hugepages_free(&hp);
	CHECK_INT(husk_psi_read_host(NULL, psi, &err), 0);
}
