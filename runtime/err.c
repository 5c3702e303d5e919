/* SPDX-License-Identifier: MIT */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

int husk_fail(struct husk_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (errnum > 0 && n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s",
			 strerror(errnum));
	err->code = errnum > 0 ? -errnum : -EINVAL;
	return err->code;
}

int husk_err_prefix(struct husk_err *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* A long message is cut at the end: the prefix matters more. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) < 0)
		err->msg[0] = '\0';
	if (err->code == 0)
		err->code = -EINVAL;
	return err->code;
}

static husk_debug_sink debug_sink;

void husk_debug_set_sink(husk_debug_sink sink)
{
	debug_sink = sink;
}

void husk_debug(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!debug_sink)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	debug_sink(msg);
}
