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
#include <dlfcn.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"

#define TABLE "ip husk"

/*
 * libnftables (with libnftnl, libxtables and libgmp behind it) is loaded
 * only when a network needs it: linked in, the dynamic loader maps and
 * relocates it on every husk call, a large share of `husk run`'s time.
 */
static struct {
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	int (*buffer_output)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	const char *(*get_error_buffer)(struct nft_ctx *ctx);
	int (*run_cmd)(struct nft_ctx *ctx, const char *buf);
} nft;

static int nft_load(struct husk_err *err)
{
	void *lib;

	if (nft.run_cmd)
		return 0;
	lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return husk_fail(err, ENOENT, "load libnftables: %s",
				 dlerror());
	/* POSIX: a function pointer may be copied out of dlsym's void *. */
	*(void **)&nft.ctx_new = dlsym(lib, "nft_ctx_new");
	*(void **)&nft.ctx_free = dlsym(lib, "nft_ctx_free");
	*(void **)&nft.buffer_output = dlsym(lib, "nft_ctx_buffer_output");
	*(void **)&nft.buffer_error = dlsym(lib, "nft_ctx_buffer_error");
	*(void **)&nft.get_error_buffer =
	    dlsym(lib, "nft_ctx_get_error_buffer");
	*(void **)&nft.run_cmd = dlsym(lib, "nft_run_cmd_from_buffer");
	if (!nft.ctx_new || !nft.ctx_free || !nft.buffer_output ||
	    !nft.buffer_error || !nft.get_error_buffer || !nft.run_cmd) {
		nft.run_cmd = NULL;
		return husk_fail(err, ENOENT, "libnftables: missing symbols");
	}
	return 0;
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

int nft_setup(const struct husk_netconf *c, struct husk_err *err)
{
	char net[20];

	cidr(c, net);
	return run(err, false,
		   ENSURE_TABLE "add element " TABLE " subnets { %s }\n%s%s%s",
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
