/* SPDX-License-Identifier: MIT */
/* net/: bridge + veth over rtnetlink, IPAM, NAT and published ports. */
#ifndef HUSK_NET_H
#define HUSK_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../runtime/err.h"
#include "../runtime/spec.h"

/*
 * Give the container (init @pid, its netns already made) a network as
 * @net asks.  Everything made is recorded under @state_dir before it is
 * made, so husk_net_detach() can undo it after a crash at any point.
 * Writes @state_dir/resolv.conf, hosts and hostname for the runtime to
 * bind-mount.  @root is husk's --root (networks and leases live there).
 * net->network: NULL or "husk" is the default network (made on first
 * use), "none" brings up lo only, "host" does nothing.  On failure
 * nothing is left behind.
 */
int husk_net_attach(const char *root, const char *id,
		    const struct husk_net_spec *net, pid_t pid,
		    const char *state_dir, struct husk_err *err);
/* As husk_net_attach(), naming the container @hostname in /etc/hosts
 * (NULL: the container id). */
int husk_net_attach_host(const char *root, const char *id,
			 const struct husk_net_spec *net, const char *hostname,
			 pid_t pid, const char *state_dir,
			 struct husk_err *err);
/* Idempotent: remove the host veth, the lease and the nft rules. */
int husk_net_detach(const char *root, const char *id, const char *state_dir,
		    struct husk_err *err);

/* ---- Networks: <root>/.net/<name>.json ---- */

/* The store, <root>/.net: never a container id (those start [A-Za-z0-9]). */
#define HUSK_NET_STORE ".net"
#define HUSK_NET_DEFAULT "husk"
#define HUSK_NET_DEFAULT_BRIDGE "husk0"
/* Clear of podman (10.88.0.0/16, 10.89.x for its next networks) and
 * docker (172.17.0.0/16 and up). */
#define HUSK_NET_DEFAULT_SUBNET "10.209.0.0/16"
#define HUSK_NET_NAME_MAX 64
#define HUSK_IFNAME_MAX 15

struct husk_netconf {
	char name[HUSK_NET_NAME_MAX + 1];
	char bridge[HUSK_IFNAME_MAX + 1];
	uint32_t subnet; /* host byte order, host bits zero */
	unsigned prefix;
	uint32_t gateway;
	unsigned mtu;
	bool nat;
};

/* What `husk network create` was given; NULL / 0 fields take defaults. */
struct husk_network_args {
	const char *name;
	const char *subnet;  /* NULL: the first free 10.210.N.0/24 */
	const char *gateway; /* NULL: the subnet's first address */
	const char *bridge;  /* NULL: the first free huskN */
	const char *mtu;     /* NULL: 1500 */
	bool no_nat;
};

/* Validate, check against the other networks, and write the config. */
int husk_network_create(const char *root, const struct husk_network_args *a,
			struct husk_netconf *out, struct husk_err *err);
/* Load a network; the default one is created when missing. */
int husk_network_get(const char *root, const char *name,
		     struct husk_netconf *out, struct husk_err *err);
/* All networks, sorted by name; free(*out). */
int husk_network_list(const char *root, struct husk_netconf **out, size_t *n,
		      struct husk_err *err);
/* Refuses while a (live) container holds a lease; deletes the bridge. */
int husk_network_remove(const char *root, const char *name,
			struct husk_err *err);
/* The config as a JSON object text (malloc'd), as stored on disk. */
char *husk_netconf_to_json(const struct husk_netconf *c, struct husk_err *err);
int husk_netconf_from_json(const char *text, struct husk_netconf *c,
			   struct husk_err *err);
/* Range and consistency checks of a single config (not overlap). */
int husk_netconf_check(const struct husk_netconf *c, struct husk_err *err);
/* Does @c clash (subnet overlap, same name or bridge) with @other? */
int husk_netconf_clash(const struct husk_netconf *c,
		       const struct husk_netconf *other, struct husk_err *err);

/* ---- IPv4 addresses (host byte order) ---- */

int husk_ip_parse(const char *s, uint32_t *ip);
/* @buf must hold 16 bytes; returns @buf. */
char *husk_ip_format(uint32_t ip, char *buf);
/* "a.b.c.d/p"; host bits must be zero.  -EINVAL with a reason in @err. */
int husk_cidr_parse(const char *s, uint32_t *net, unsigned *prefix,
		    struct husk_err *err);
uint32_t husk_prefix_mask(unsigned prefix);
bool husk_cidr_overlap(uint32_t a, unsigned pa, uint32_t b, unsigned pb);
bool husk_cidr_contains(uint32_t net, unsigned prefix, uint32_t ip);

/* ---- Published ports: "HOSTPORT:CTRPORT[/tcp|udp]" ---- */

struct husk_port {
	char proto[4]; /* "tcp" or "udp" */
	uint16_t host, ctr;
};
int husk_port_parse(const char *s, struct husk_port *p, struct husk_err *err);

#endif
