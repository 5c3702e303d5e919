/* SPDX-License-Identifier: MIT */
/*
 * husk's single error convention.
 *
 * Every function that can fail takes a `struct husk_err *err` as its last
 * argument and returns 0 on success or a negative errno on failure.  The
 * message is built where the failure is understood ("mount proc on /proc:
 * Operation not permitted") and callers may prefix context on the way up
 * ("create c1: mount proc on /proc: ...").  Only cli/ prints and exits.
 */
#ifndef HUSK_ERR_H
#define HUSK_ERR_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct husk_err {
	int code;	/* negative errno, 0 when unset */
	char msg[1024]; /* one line, no trailing newline */
};

/*
 * Set @err to "<fmt>: strerror(errnum)" (or just "<fmt>" when errnum is 0,
 * in which case the code is -EINVAL).  Returns the negative code so that
 * callers can write `return husk_fail(err, errno, "open %s", path);`.
 */
int husk_fail(struct husk_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Debug trace of the steps husk takes (`husk --debug`).  Library code
 * never prints: it hands each line to the sink the CLI installed, and
 * without one husk_debug() costs a branch.
 */
typedef void (*husk_debug_sink)(const char *msg);
void husk_debug_set_sink(husk_debug_sink sink);
void husk_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prefix "<fmt>: " to the message already in @err; returns err->code. */
int husk_err_prefix(struct husk_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void husk_err_clear(struct husk_err *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

/* Cleanup helpers: every resource is released on every path. */
/* Also for fds held in structs: -1 afterwards, so a second call is a no-op. */
static inline void husk_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
static inline void husk_freep(void *p)
{
	free(*(void **)p);
}
static inline void husk_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_close_ __attribute__((cleanup(husk_closep)))
#define _cleanup_free_ __attribute__((cleanup(husk_freep)))
#define _cleanup_fclose_ __attribute__((cleanup(husk_fclosep)))

/* Hand ownership out of a cleanup variable. */
#define husk_steal_fd(fd)                 \
	({                                \
		int _fd = (fd);           \
		(fd) = -1;                \
		_fd;                      \
	})
#define husk_steal_ptr(p)                 \
	({                                \
		__typeof__(p) _p = (p);   \
		(p) = NULL;               \
		_p;                       \
	})

#define HUSK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
