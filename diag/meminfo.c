/* SPDX-License-Identifier: MIT */
/* /proc/meminfo, /proc/vmstat and memory cgroup event counters. */
#include <string.h>

#include "diag.h"
#include "util.h"

static int read_keys_at(const char *root, const char *rel,
			const struct diag_key *keys, size_t n,
			struct husk_err *err)
{
	char path[4096];
	bool found;
	int r = diag_path(path, sizeof(path), root, rel, err);

	return r < 0 ? r : diag_read_keys(path, keys, n, &found, err);
}

int husk_meminfo_read(const char *root, struct husk_meminfo *mi,
		      struct husk_err *err)
{
	const struct diag_key keys[] = {
	    {"MemTotal", &mi->mem_total_kb},
	    {"MemAvailable", &mi->mem_available_kb},
	    {"HugePages_Total", &mi->hugepages_total},
	    {"HugePages_Free", &mi->hugepages_free},
	    {"HugePages_Rsvd", &mi->hugepages_rsvd},
	    {"HugePages_Surp", &mi->hugepages_surp},
	    {"Hugepagesize", &mi->hugepagesize_kb},
	    {"Hugetlb", &mi->hugetlb_kb},
	};

	return read_keys_at(root, "proc/meminfo", keys, HUSK_ARRAY_SIZE(keys),
			    err);
}

int husk_vmstat_read(const char *root, struct husk_vmstat *vm,
		     struct husk_err *err)
{
	const struct diag_key keys[] = {
	    {"oom_kill", &vm->oom_kill},
	};

	return read_keys_at(root, "proc/vmstat", keys, HUSK_ARRAY_SIZE(keys),
			    err);
}

int husk_memory_events_read(const char *path, struct husk_memory_events *ev,
			    struct husk_err *err)
{
	const struct diag_key keys[] = {
	    {"low", &ev->low},
	    {"high", &ev->high},
	    {"max", &ev->max},
	    {"oom", &ev->oom},
	    {"oom_kill", &ev->oom_kill},
	    {"oom_group_kill", &ev->oom_group_kill},
	    {"oom_kill_disable", &ev->oom_kill_disable},
	    {"under_oom", &ev->under_oom},
	};
	bool found;

	return diag_read_keys(path, keys, HUSK_ARRAY_SIZE(keys), &found, err);
}
