/* SPDX-License-Identifier: MIT */
/*
 * diag/: readers of /proc and cgroupfs: iowait, PSI, hugepages, OOM events.
 *
 * Every host reader takes @root, the directory that stands for "/" (NULL or
 * "/" on a live host, a fixture tree in unit tests).  Readers use fixed line
 * buffers, ignore keys they do not know, and report a file or value the
 * kernel does not provide as absent (HUSK_DIAG_NONE or present == false),
 * never as 0 and never as an error.
 */
#ifndef HUSK_DIAG_H
#define HUSK_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/err.h"

/* An int64_t counter the kernel did not report. */
#define HUSK_DIAG_NONE (-1)

/* ---- /proc/stat: CPU time in USER_HZ ticks ---- */

enum husk_cpu_field {
	HUSK_CPU_USER,
	HUSK_CPU_NICE,
	HUSK_CPU_SYSTEM,
	HUSK_CPU_IDLE,
	HUSK_CPU_IOWAIT,
	HUSK_CPU_IRQ,
	HUSK_CPU_SOFTIRQ,
	HUSK_CPU_STEAL,
	HUSK_CPU_GUEST,
	HUSK_CPU_GUEST_NICE,
	HUSK_CPU_NFIELDS
};

struct husk_cpu_times {
	int cpu;		      /* -1 for the aggregate "cpu" line */
	uint64_t t[HUSK_CPU_NFIELDS]; /* fields a kernel lacks read as 0 */
};

/* One read of /proc/stat.  Offline CPUs have no line, so no entry. */
struct husk_cpu_sample {
	struct husk_cpu_times all;
	struct husk_cpu_times *cpus; /* online CPUs, in /proc/stat order */
	size_t n_cpus;
};

int husk_cpu_sample_read(const char *root, struct husk_cpu_sample *s,
			 struct husk_err *err);
/* Parse an already open /proc/stat stream (fixture tests use this too). */
int husk_cpu_sample_parse(FILE *f, struct husk_cpu_sample *s,
			  struct husk_err *err);
void husk_cpu_sample_free(struct husk_cpu_sample *s);

/* iowait over one interval, as mpstat computes it. */
struct husk_cpu_iowait {
	int cpu;	/* -1 for the total */
	double pct;	/* 0..100 */
	uint64_t ticks; /* Δ of the 8 summed fields (the denominator) */
};

/*
 * Δiowait / Δ(user+nice+system+iowait+idle+steal+irq+softirq) x 100 for one
 * CPU (guest time is already inside user and nice).  A CPU that went
 * offline and came back restarts idle and iowait from 0; a counter that went
 * backwards counts as no progress.  The result is always within 0..100.
 */
void husk_cpu_iowait_one(const struct husk_cpu_times *prev,
			 const struct husk_cpu_times *cur,
			 struct husk_cpu_iowait *out);

struct husk_iowait {
	struct husk_cpu_iowait total;
	struct husk_cpu_iowait *cpus; /* CPUs online in both samples */
	size_t n_cpus;
};

int husk_iowait_compute(const struct husk_cpu_sample *prev,
			const struct husk_cpu_sample *cur,
			struct husk_iowait *out, struct husk_err *err);
void husk_iowait_free(struct husk_iowait *w);

/* ---- PSI: /proc/pressure/<res> and cgroup v2 <res>.pressure ---- */

struct husk_psi_line {
	bool present;
	double avg10, avg60, avg300; /* percent */
	uint64_t total;		     /* microseconds stalled */
};

struct husk_psi {
	bool present; /* the file exists and is readable */
	struct husk_psi_line some, full;
};

enum husk_psi_resource {
	HUSK_PSI_CPU,
	HUSK_PSI_MEMORY,
	HUSK_PSI_IO,
	HUSK_PSI_IRQ,
	HUSK_PSI_NRES
};

extern const char *const husk_psi_resource_names[HUSK_PSI_NRES];

/*
 * Read one pressure file by full path (host or cgroup).  A file that is
 * missing or that the kernel refuses (PSI disabled) leaves present false.
 */
int husk_psi_read_file(const char *path, struct husk_psi *psi,
		       struct husk_err *err);
/* Read /proc/pressure/{cpu,memory,io,irq} under @root. */
int husk_psi_read_host(const char *root, struct husk_psi psi[HUSK_PSI_NRES],
		       struct husk_err *err);

/* ---- hugepages: /sys/kernel/mm/hugepages and per NUMA node ---- */

struct husk_hugepage_counts {
	/* HUSK_DIAG_NONE where the file is missing (nodes lack resv etc.) */
	int64_t nr, free, resv, surplus, overcommit;
};

struct husk_hugepage_node {
	int node;
	struct husk_hugepage_counts c;
};

struct husk_hugepage_size {
	uint64_t size_kb;
	struct husk_hugepage_counts c;
	struct husk_hugepage_node *nodes; /* sorted by node; may be none */
	size_t n_nodes;
};

struct husk_hugepages {
	struct husk_hugepage_size *sizes; /* sorted by size; empty: none */
	size_t n_sizes;
};

int husk_hugepages_read(const char *root, struct husk_hugepages *hp,
			struct husk_err *err);
void husk_hugepages_free(struct husk_hugepages *hp);

/* ---- /proc/meminfo and /proc/vmstat ---- */

struct husk_meminfo {
	/* HUSK_DIAG_NONE where absent */
	int64_t mem_total_kb, mem_available_kb;
	int64_t hugepages_total, hugepages_free, hugepages_rsvd, hugepages_surp;
	int64_t hugepagesize_kb, hugetlb_kb;
};

int husk_meminfo_read(const char *root, struct husk_meminfo *mi,
		      struct husk_err *err);

struct husk_vmstat {
	int64_t oom_kill; /* HUSK_DIAG_NONE before Linux 4.13 */
};

int husk_vmstat_read(const char *root, struct husk_vmstat *vm,
		     struct husk_err *err);

/* ---- OOM events of one memory cgroup ---- */

/*
 * Counters of a cgroup v2 memory.events (or memory.events.local) file or a
 * v1 memory.oom_control file (oom_kill there since Linux 4.13).
 */
struct husk_memory_events {
	int64_t low, high, max, oom, oom_kill, oom_group_kill; /* v2 */
	int64_t oom_kill_disable, under_oom;		       /* v1 */
};

int husk_memory_events_read(const char *path, struct husk_memory_events *ev,
			    struct husk_err *err);

struct husk_oom_watch; /* opaque */

/*
 * Watch one cgroup for OOM kills.  @path is the v1 memory.oom_control
 * (an eventfd is registered through the sibling cgroup.event_control) or,
 * with @v2, memory.events (watched with inotify).  Poll husk_oom_watch_fd()
 * for POLLIN, then call husk_oom_watch_read().
 */
int husk_oom_watch_open(const char *path, bool v2, struct husk_oom_watch **w,
			struct husk_err *err);
int husk_oom_watch_fd(const struct husk_oom_watch *w);
/*
 * Drain pending notifications (never blocks) and report the kills since
 * the previous call (or since open) in *new_kills and the cgroup's total
 * in *total.  On v1 kernels without the oom_kill key, OOM events count.
 */
int husk_oom_watch_read(struct husk_oom_watch *w, uint64_t *new_kills,
			uint64_t *total, struct husk_err *err);
void husk_oom_watch_close(struct husk_oom_watch *w);

/* ---- one container's cgroup, in the terms of runc's `events --stats` ---- */

struct husk_cgroup; /* cgroup/cgroup.h */

/* A limit cgroup2 reports as "max" (v1 reports its own huge number). */
#define HUSK_DIAG_UNLIMITED INT64_MAX

/* Every value HUSK_DIAG_NONE where the kernel has no such file or key. */
struct husk_ctr_mem {
	int64_t usage, limit, max, failcnt; /* bytes; max: peak usage */
};

struct husk_ctr_kv {
	char key[64];
	int64_t value;
};

struct husk_ctr_hugetlb {
	char size[16]; /* "2MB", as the kernel names the files */
	int64_t usage, max, failcnt, limit;
};

struct husk_ctr_stats {
	int64_t cpu_total, cpu_kernel, cpu_user; /* nanoseconds */
	int64_t *percpu;			 /* v1 cpuacct.usage_percpu */
	size_t n_percpu;
	int64_t periods, throttled_periods, throttled_time; /* time: ns */
	/* swap is memory+swap (v1 memsw; v2 summed, as runc reports it) */
	struct husk_ctr_mem mem, swap, kernel;
	int64_t cache, oom_kill;
	struct husk_ctr_kv *raw; /* memory.stat, in file order */
	size_t n_raw;
	int64_t pids_current, pids_limit;
	struct husk_ctr_hugetlb *hugetlb; /* sorted by file name */
	size_t n_hugetlb;
	struct husk_psi psi[HUSK_PSI_NRES]; /* cgroup2 <res>.pressure */
};

/*
 * Read everything the host's hierarchies provide for @cg.  Files that are
 * missing (controller not mounted, cgroup removed, older kernel) leave
 * their values HUSK_DIAG_NONE; other read errors fail.
 */
int husk_ctr_stats_read(struct husk_cgroup *cg, struct husk_ctr_stats *st,
			struct husk_err *err);
void husk_ctr_stats_free(struct husk_ctr_stats *st);
/*
 * Watch @cg's memory cgroup for OOM kills (husk_oom_watch_open on the file
 * its version has).  *w stays NULL when there is no memory controller.
 */
int husk_ctr_oom_watch_open(struct husk_cgroup *cg, struct husk_oom_watch **w,
			    struct husk_err *err);

#endif
