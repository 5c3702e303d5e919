/* SPDX-License-Identifier: MIT */
/*
 * A test driver for net/ until the runtime calls it:
 *
 *   netcheck attach ROOT ID PID STATE_DIR NETWORK [PUBLISH...]
 *   netcheck detach ROOT ID STATE_DIR
 *   netcheck network ROOT create|ls|rm ...     (cmd_network as `husk` runs it)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/cli.h"
#include "../../net/net.h"

int cmd_network(const struct husk_global *g, int argc, char **argv);

/* cli/main.c's two printers, as far as cmd_network needs them. */
void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("husk: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cli_fail(const struct husk_err *err)
{
	cli_error("%s", err->msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct husk_net_spec spec = {0};
	struct husk_err err;

	if (argc >= 7 && !strcmp(argv[1], "attach")) {
		spec.network = argv[6];
		spec.publish.v = argv + 7;
		spec.publish.n = (size_t)(argc - 7);
		if (husk_net_attach(argv[2], argv[3], &spec, atoi(argv[4]),
				    argv[5], &err) < 0)
			return cli_fail(&err);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "detach")) {
		if (husk_net_detach(argv[2], argv[3], argv[4], &err) < 0)
			return cli_fail(&err);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "network")) {
		struct husk_global g = {.root = argv[2]};

		argv[2] = "network";
		return cmd_network(&g, argc - 2, argv + 2);
	}
	fprintf(stderr, "usage: see tests/helpers/netcheck.c\n");
	return 2;
}
