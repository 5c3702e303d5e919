/* SPDX-License-Identifier: MIT */
/* husk network create|ls|rm: manage the networks containers attach to. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../net/net.h"
#include "cli.h"

static const char usage[] =
    "usage: husk network create [--subnet CIDR] [--gateway IP] [--bridge NAME] "
    "[--mtu N] [--no-nat] NAME\n"
    "       husk network ls [--format table|json] [-q]\n"
    "       husk network rm NAME...";

static int bad_usage(const char *what)
{
	if (what)
		cli_error("network: %s", what);
	fprintf(stderr, "%s\n", usage);
	return 2;
}

static int network_create(const struct husk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"subnet", required_argument, NULL, 's'},
	    {"gateway", required_argument, NULL, 'g'},
	    {"bridge", required_argument, NULL, 'b'},
	    {"mtu", required_argument, NULL, 'm'},
	    {"no-nat", no_argument, NULL, 'n'},
	    {0}};
	struct husk_network_args a = {0};
	struct husk_netconf c;
	struct husk_err err = {0};
	int opt;

	optind = 0; /* full getopt reset: argv is ours, not main's */
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			a.subnet = optarg;
			break;
		case 'g':
			a.gateway = optarg;
			break;
		case 'b':
			a.bridge = optarg;
			break;
		case 'm':
			a.mtu = optarg;
			break;
		case 'n':
			a.no_nat = true;
			break;
		default:
			return bad_usage(NULL);
		}
	}
	if (optind != argc - 1)
		return bad_usage("create takes exactly one NAME");
	a.name = argv[optind];
	if (husk_network_create(g->root, &a, &c, &err) < 0) {
		husk_err_prefix(&err, "network create %s", a.name);
		return cli_fail(&err);
	}
	printf("%s\n", c.name);
	return 0;
}

static void print_table(const struct husk_netconf *v, size_t n)
{
	char net[16], gw[16], subnet[20];

	printf("%-20s %-16s %-18s %-15s %-5s %s\n", "NAME", "BRIDGE", "SUBNET",
	       "GATEWAY", "MTU", "NAT");
	for (size_t i = 0; i < n; i++) {
		snprintf(subnet, sizeof(subnet), "%s/%u",
			 husk_ip_format(v[i].subnet, net), v[i].prefix);
		printf("%-20s %-16s %-18s %-15s %-5u %s\n", v[i].name,
		       v[i].bridge, subnet, husk_ip_format(v[i].gateway, gw),
		       v[i].mtu, v[i].nat ? "yes" : "no");
	}
}

static int print_json(const struct husk_netconf *v, size_t n)
{
	struct husk_err err = {0};

	printf("[");
	for (size_t i = 0; i < n; i++) {
		char *obj = husk_netconf_to_json(&v[i], &err);

		if (!obj)
			return cli_fail(&err);
		printf("%s\n%s", i ? "," : "", obj);
		free(obj);
	}
	printf("%s]\n", n ? "\n" : "");
	return 0;
}

static int network_ls(const struct husk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {0}};
	const char *format = "table";
	struct husk_netconf *v;
	struct husk_err err = {0};
	bool quiet = false;
	size_t n;
	int opt, ret = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+qf:", opts, NULL)) != -1) {
		if (opt == 'f')
			format = optarg;
		else if (opt == 'q')
			quiet = true;
		else
			return bad_usage(NULL);
	}
	if (optind != argc)
		return bad_usage("ls takes no arguments");
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return bad_usage("--format must be table or json");
	if (husk_network_list(g->root, &v, &n, &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; quiet && i < n; i++)
		printf("%s\n", v[i].name);
	if (!quiet && !strcmp(format, "json"))
		ret = print_json(v, n);
	else if (!quiet)
		print_table(v, n);
	free(v);
	return ret;
}

static int network_rm(const struct husk_global *g, int argc, char **argv)
{
	struct husk_err err = {0};
	int ret = 0;

	if (argc < 2)
		return bad_usage("rm takes a NAME");
	for (int i = 1; i < argc; i++) {
		if (husk_network_remove(g->root, argv[i], &err) < 0) {
			husk_err_prefix(&err, "network rm %s", argv[i]);
			ret = cli_fail(&err);
		}
	}
	return ret;
}

int cmd_network(const struct husk_global *g, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (!strcmp(sub, "create"))
		return network_create(g, argc - 1, argv + 1);
	if (!strcmp(sub, "ls") || !strcmp(sub, "list"))
		return network_ls(g, argc - 1, argv + 1);
	if (!strcmp(sub, "rm") || !strcmp(sub, "remove"))
		return network_rm(g, argc - 1, argv + 1);
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		printf("%s\n", usage);
		return 0;
	}
	return bad_usage(*sub ? "unknown subcommand" : "missing subcommand");
}
