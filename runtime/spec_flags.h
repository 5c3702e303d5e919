/* SPDX-License-Identifier: MIT */
/*
 * The front door's spec builder: `husk run --rootfs DIR [flags] CMD` and
 * `husk spec --rootfs DIR [flags]` describe a container with flags; this
 * turns them into the same typed spec that config.json parses into,
 * starting from husk_spec_default().  Nothing here touches the kernel: the
 * result is an ordinary struct husk_spec (overlay and network included, as
 * the annotations of README "Annotations" say).
 */
#ifndef HUSK_SPEC_FLAGS_H
#define HUSK_SPEC_FLAGS_H

#include <stdbool.h>

#include "err.h"
#include "spec.h"

/* The front door's flags, as given (NULL / false / empty: not given). */
struct husk_spec_flags {
	const char *rootfs;	   /* required */
	bool overlay;		   /* --overlay: rootfs as the read-only lower */
	const char *overlay_upper; /* --overlay-upper DIR (implies --overlay) */
	const char *memory;	   /* "64m": bytes, k/m/g suffixes (1024) */
	const char *cpus;	   /* "0.5": quota/period of 100000 us */
	const char *pids;
	const char *hostname;
	const char *workdir;
	const char *user;	   /* "U[:G]", names from rootfs /etc/passwd */
	const char *net;	   /* NULL: the default network "husk" */
	bool tty;
	struct husk_strv env;	   /* "K=V" */
	struct husk_strv volumes;  /* "SRC:DST[:ro|rw]" */
	struct husk_strv publish;  /* "HOSTPORT:CTRPORT[/tcp|udp]" */
	char *const *args;	   /* the command; none: the default "sh" */
	size_t n_args;
};

/* husk_spec_default(), then every flag of @f applied; errors name the flag. */
int husk_spec_from_flags(const struct husk_spec_flags *f,
			 struct husk_spec *spec, struct husk_err *err);

/* "64m" -> 67108864; -EINVAL for anything but digits and one k/m/g[b]. */
int husk_parse_size(const char *s, int64_t *bytes);
/* "0.5" -> quota 50000 with period 100000; at most 5 decimals, > 0. */
int husk_parse_cpus(const char *s, int64_t *quota, int64_t *period);

void husk_spec_flags_free(struct husk_spec_flags *f);

#endif
