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
#include <limits.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdarg.h>
#include <string.h>

#include "../runtime/fsutil.h"
#include "internal.h"

#define TABLE_NAME "husk"
#define TABLE "ip " TABLE_NAME

/* libnftables, loaded by net_dl_load() when a network first needs it. */
static struct {
	__typeof__(nft_ctx_new) *ctx_new;
	__typeof__(nft_ctx_free) *ctx_free;
	__typeof__(nft_ctx_buffer_output) *buffer_output;
	__typeof__(nft_ctx_buffer_error) *buffer_error;
	__typeof__(nft_ctx_get_error_buffer) *get_error_buffer;
	__typeof__(nft_run_cmd_from_buffer) *run_cmd;
} nft;

static int nft_load(struct husk_err *err)
{
#define SYM(field, name) { name, (void **)&nft.field }
	static const struct net_dl_sym syms[] = {
		SYM(ctx_new, "nft_ctx_new"),
		SYM(ctx_free, "nft_ctx_free"),
		SYM(buffer_output, "nft_ctx_buffer_output"),
		SYM(buffer_error, "nft_ctx_buffer_error"),
		SYM(get_error_buffer, "nft_ctx_get_error_buffer"),
		SYM(run_cmd, "nft_run_cmd_from_buffer"),
	};
#undef SYM

	return net_dl_load("libnftables.so.1", syms, HUSK_ARRAY_SIZE(syms),
			   err);
}

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
	if (nft_load(err) < 0)
		return err->code;
	ctx = nft.ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return husk_fail(err, ENOMEM, "nft context");
	nft.buffer_output(ctx);
	nft.buffer_error(ctx);
	if (nft.run_cmd(ctx, cmds) != 0) {
		const char *msg = nft.get_error_buffer(ctx);
		size_t len = strcspn(msg, "\n");
		bool missing = strstr(msg, "No such file or directory") ||
			       strstr(msg, "does not exist");

		if (!(missing_ok && missing))
			ret =
			    husk_fail(err, 0, "nft: %.*s (for: %.*s)", (int)len,
				      msg, (int)strcspn(cmds, "\n"), cmds);
	}
	nft.ctx_free(ctx);
	return ret;
}

/*
 * Safe to repeat and to run concurrently: `add` keeps existing tables,
 * sets and their elements; each chain is flushed and refilled, so rules
 * never pile up.  Sent in the same transaction as the caller's elements:
 * each libnftables call fetches the whole ruleset into a fresh cache
 * first, which costs far more than the commands themselves.
 */
#define ENSURE_TABLE                                                          \
	"add table " TABLE "\n"                                               \
	"add set " TABLE " subnets { type ipv4_addr; flags interval; }\n"     \
	"add set " TABLE " nat_subnets { type ipv4_addr; flags interval; }\n" \
	"add map " TABLE " ports { type inet_proto . inet_service : "          \
	"ipv4_addr . inet_service; }\n"                                       \
	"add chain " TABLE " prerouting { type nat hook prerouting "           \
	"priority dstnat; policy accept; }\n"                                 \
	"add chain " TABLE                                                     \
	" output { type nat hook output priority -100; policy accept; }\n"    \
	"add chain " TABLE " postrouting { type nat hook postrouting "         \
	"priority srcnat; policy accept; }\n"                                 \
	"flush chain " TABLE " prerouting\n"                                  \
	"flush chain " TABLE " output\n"                                      \
	"flush chain " TABLE " postrouting\n"                                 \
	"add rule " TABLE " prerouting fib daddr type local dnat ip to "       \
	"meta l4proto . th dport map @ports\n"                                \
	"add rule " TABLE " output fib daddr type local dnat ip to meta "      \
	"l4proto . th dport map @ports\n"                                     \
	"add rule " TABLE " postrouting ip saddr @nat_subnets ip daddr != "    \
	"@nat_subnets masquerade\n"                                           \
	"add rule " TABLE                                                      \
	" postrouting ip saddr 127.0.0.0/8 ip daddr @subnets masquerade\n"    \
	/* container -> host port -> container: replies must come back    \
	 * through the host, so hide the first container. */                  \
	"add rule " TABLE " postrouting ct status dnat ip saddr @subnets "     \
	"ip daddr @subnets masquerade\n"

static void cidr(const struct husk_netconf *c, char *buf)
{
	char a[16];

	snprintf(buf, 20, "%s/%u", husk_ip_format(c->subnet, a), c->prefix);
}

static int ensure_network(const struct husk_netconf *c, struct husk_err *err)
{
	char net[20];

	cidr(c, net);
	return run(err, false,
		   ENSURE_TABLE "add element " TABLE " subnets { %s }\n%s%s%s",
		   net, c->nat ? "add element " TABLE " nat_subnets { " : "",
		   c->nat ? net : "", c->nat ? " }\n" : "");
}

/* The handle of table ip husk, or 0 when it is not there. */
static uint64_t table_handle(void)
{
	struct husk_err ignored = {0};
	struct rtnl r;
	uint64_t h = 0;

	if (nl_open(&r, NETLINK_NETFILTER, -1, &ignored) < 0)
		return 0;
	if (nfnl_table_handle(&r, NFPROTO_IPV4, TABLE_NAME, &h) < 0)
		h = 0;
	rtnl_close(&r);
	return h;
}

/*
 * A network's rules go in once per table: the ruleset is left as it was
 * when the table that <net>/nft names still exists.  Each transaction
 * costs a libnftables load, a fetch of the whole ruleset and, when its
 * socket closes, an RCU grace period (~14 ms a container here), for
 * nothing when the rules are there.  A flushed ruleset or a re-created
 * table has a new handle, so the next container puts the rules back; a
 * chain flushed by hand inside the table is not noticed.
 */
int nft_setup(const char *root, const struct husk_netconf *c,
	      struct husk_err *err)
{
	char path[PATH_MAX], seen[32], now[32];
	uint64_t before = table_handle(), after;
	struct husk_err ignored = {0};

	if (net_path(path, root, "%s/nft", c->name) < 0)
		return husk_fail(err, ENAMETOOLONG, "%s", root);
	snprintf(now, sizeof(now), "%llu", (unsigned long long)before);
	if (before && net_read_small(path, seen, sizeof(seen)) == 0 &&
	    !strcmp(seen, now))
		return 0;
	if (ensure_network(c, err) < 0)
		return err->code;
	/* Remembered only if no one replaced the table meanwhile. */
	after = table_handle();
	if (after && (!before || after == before)) {
		snprintf(now, sizeof(now), "%llu", (unsigned long long)after);
		husk_write_file_atomic(path, now, strlen(now), 0600, &ignored);
	}
	return 0;
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
