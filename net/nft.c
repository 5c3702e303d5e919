/* SPDX-License-Identifier: MIT */
/*
 * nftables through libnftables, in husk's own `table ip husk`:
 *
 *   set subnets      every husk network's subnet
 *   set nat_subnets  those with nat on: masqueraded when leaving them
 *   map ports        proto . host port : container ip . container port
 *   chain prerouting / output   dnat local-destined traffic via @ports
 *   chain postrouting           masquerade
 *
 * The chains hold fixed rules; containers and networks only add and
 * delete elements, keyed by what the state records name, so no rule
 * handles need to be kept.  The output hook makes published ports work
 * from the host itself (also via 127.0.0.1, with route_localnet on the
 * bridge and the masquerade of 127.0.0.0/8 below).
 */
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"

#define TABLE "ip husk"

/* Run nft commands; an error message names the first line of @cmds. */
static int run(struct husk_err *err, bool missing_ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int run(struct husk_err *err, bool missing_ok, const char *fmt, ...)
{
	char cmds[4096];
	struct nft_ctx *ctx;
	va_list ap;
	int n, ret = 0;

	va_start(ap, fmt);
	n = vsnprintf(cmds, sizeof(cmds), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmds))
		return husk_fail(err, E2BIG, "nft commands");
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return husk_fail(err, ENOMEM, "nft context");
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	if (nft_run_cmd_from_buffer(ctx, cmds) != 0) {
		const char *msg = nft_ctx_get_error_buffer(ctx);
		size_t len = strcspn(msg, "\n");
		bool missing = strstr(msg, "No such file or directory") ||
			       strstr(msg, "does not exist");

		if (!(missing_ok && missing))
			ret =
			    husk_fail(err, 0, "nft: %.*s (for: %.*s)", (int)len,
				      msg, (int)strcspn(cmds, "\n"), cmds);
	}
	nft_ctx_free(ctx);
	return ret;
}

/*
 * One transaction, safe to repeat and to run concurrently: `add` keeps
 * existing tables, sets and their elements; each chain is flushed and
 * refilled, so rules never pile up.
 */
static int ensure_table(struct husk_err *err)
{
	return run(
	    err, false,
	    "add table " TABLE "\n"
	    "add set " TABLE " subnets { type ipv4_addr; flags interval; }\n"
	    "add set " TABLE
	    " nat_subnets { type ipv4_addr; flags interval; }\n"
	    "add map " TABLE " ports { type inet_proto . inet_service : "
			     "ipv4_addr . inet_service; }\n"
	    "add chain " TABLE " prerouting { type nat hook prerouting "
			       "priority dstnat; policy accept; }\n"
	    "add chain " TABLE
	    " output { type nat hook output priority -100; policy accept; }\n"
	    "add chain " TABLE " postrouting { type nat hook postrouting "
			       "priority srcnat; policy accept; }\n"
	    "flush chain " TABLE " prerouting\n"
	    "flush chain " TABLE " output\n"
	    "flush chain " TABLE " postrouting\n"
	    "add rule " TABLE " prerouting fib daddr type local dnat ip to "
			      "meta l4proto . th dport map @ports\n"
	    "add rule " TABLE " output fib daddr type local dnat ip to meta "
			      "l4proto . th dport map @ports\n"
	    "add rule " TABLE " postrouting ip saddr @nat_subnets ip daddr != "
			      "@nat_subnets masquerade\n"
	    "add rule " TABLE
	    " postrouting ip saddr 127.0.0.0/8 ip daddr @subnets masquerade\n"
	    /* container -> host port -> container: replies must come
	     * back through the host, so hide the first container. */
	    "add rule " TABLE " postrouting ct status dnat ip saddr @subnets "
			      "ip daddr @subnets masquerade\n");
}

static void cidr(const struct husk_netconf *c, char *buf)
{
	char a[16];

	snprintf(buf, 20, "%s/%u", husk_ip_format(c->subnet, a), c->prefix);
}

int nft_setup(const struct husk_netconf *c, struct husk_err *err)
{
	char net[20];
	int r = ensure_table(err);

	if (r < 0)
		return r;
	cidr(c, net);
	return run(err, false, "add element " TABLE " subnets { %s }\n%s%s%s",
		   net, c->nat ? "add element " TABLE " nat_subnets { " : "",
		   c->nat ? net : "", c->nat ? " }\n" : "");
}

int nft_network_remove(const struct husk_netconf *c, struct husk_err *err)
{
	char net[20];
	int r;

	cidr(c, net);
	r = run(err, true, "delete element " TABLE " subnets { %s }", net);
	if (r == 0 && c->nat)
		r = run(err, true,
			"delete element " TABLE " nat_subnets { %s }", net);
	return r;
}

int nft_port_add(const struct husk_port *p, uint32_t ip, struct husk_err *err)
{
	char a[16];

	return run(err, false,
		   "add element " TABLE " ports { %s . %u : %s . %u }",
		   p->proto, p->host, husk_ip_format(ip, a), p->ctr);
}

int nft_port_del(const char *proto, unsigned host_port, struct husk_err *err)
{
	return run(err, true, "delete element " TABLE " ports { %s . %u }",
		   proto, host_port);
}
