/* SPDX-License-Identifier: MIT */
/* Pieces of net/ shared between its files; not for other modules. */
#ifndef HUSK_NET_INTERNAL_H
#define HUSK_NET_INTERNAL_H

#include <libmnl/libmnl.h>

#include "net.h"

/* ---- files (fsutil.c) ---- */

/* <root>/.net[/<rest>] into @buf (PATH_MAX); -ENAMETOOLONG when it won't fit. */
int net_path(char *buf, const char *root, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* flock(LOCK_EX) @path (created); returns the fd that holds the lock. */
int net_lock(const char *path, struct husk_err *err);
/* Read a small file whole, NUL-terminated, trailing newline dropped. */
int net_read_small(const char *path, char *buf, size_t size);
/* Write @data to a new file @path (O_EXCL); -EEXIST when it exists. */
int net_create_excl(const char *path, const char *data);
/* Is @id's state dir <root>/<id> gone (so anything it owned is stale)? */
bool net_owner_gone(const char *root, const char *id);

/* ---- configs (config.c) ---- */

/* Load <root>/.net/<name>.json; -ENOENT when there is none. */
int net_config_load(const char *root, const char *name, struct husk_netconf *c,
		    struct husk_err *err);

/* ---- IPAM (ipam.c) ---- */

/*
 * What the allocator touched, so tests can check its cost without timing:
 * bitmap_reads counts pread()s of the bitmap, lease_files every lease
 * file it opened or found in leases/.  Only counters; nothing reads them.
 */
struct ipam_cost {
	unsigned long bitmap_reads, lease_files;
};
extern struct ipam_cost ipam_cost;

/* Called with the chosen address before its lease is created. */
typedef int (*ipam_record_fn)(void *ctx, uint32_t ip, struct husk_err *err);

int ipam_alloc(const char *root, const struct husk_netconf *c, const char *id,
	       ipam_record_fn record, void *ctx, uint32_t *ip,
	       struct husk_err *err);
/* Free @ip if @id holds it; no error when it is already free. */
int ipam_free(const char *root, const struct husk_netconf *c, const char *id,
	      uint32_t ip, struct husk_err *err);
/* Drop stale leases; -EBUSY if live ones remain, else remove the
 * config and the pool. */
int ipam_remove(const char *root, const struct husk_netconf *c,
		struct husk_err *err);

/* ---- shared objects loaded on first use (dl.c) ---- */

struct net_dl_sym {
	const char *name;
	void **slot; /* where the address goes: (void **)&table.fn */
};
/* dlopen @soname and fill every slot, or fail with all of them NULL;
 * a no-op once they are filled. */
int net_dl_load(const char *soname, const struct net_dl_sym *syms, size_t n,
		struct husk_err *err);

/* ---- rtnetlink (rtnl.c) ---- */

struct rtnl {
	int fd; /* -1: closed */
	unsigned seq, portid;
};

/* A NETLINK_ROUTE socket in the netns @netns_fd (-1: the current one). */
int rtnl_open(struct rtnl *r, int netns_fd, struct husk_err *err);
/* The same for another netlink @protocol (NETLINK_NETFILTER). */
int nl_open(struct rtnl *r, int protocol, int netns_fd, struct husk_err *err);
void rtnl_close(struct rtnl *r);
/* The ifindex of @name, or -ENODEV. */
int rtnl_link_index(struct rtnl *r, const char *name);
int rtnl_bridge_create(struct rtnl *r, const char *name, unsigned mtu);
int rtnl_veth_create(struct rtnl *r, const char *name, int master, unsigned mtu,
		     const char *peer, int peer_netns_fd);
int rtnl_link_up(struct rtnl *r, int ifindex);
int rtnl_link_del(struct rtnl *r, const char *name);
/* Add (or keep) @ip/@prefix on @ifindex. */
int rtnl_addr_add(struct rtnl *r, int ifindex, uint32_t ip, unsigned prefix);
int rtnl_route_default(struct rtnl *r, int ifindex, uint32_t gw);
/*
 * The kernel's handle of nf_tables table @name of @family (NFPROTO_IPV4),
 * over a NETLINK_NETFILTER socket; -ENOENT when there is none.  Handles
 * are never reused: a table deleted and made again has a new one.
 */
int nfnl_table_handle(struct rtnl *r, uint8_t family, const char *name,
		      uint64_t *handle);

/* ---- nftables (nft.c): table ip husk ---- */

/* Make sure table ip husk holds the rules and the subnet of @c. */
int nft_setup(const char *root, const struct husk_netconf *c,
	      struct husk_err *err);
int nft_network_remove(const struct husk_netconf *c, struct husk_err *err);
int nft_port_add(const struct husk_port *p, uint32_t ip, struct husk_err *err);
/* No error when the element (or the whole table) is already gone. */
int nft_port_del(const char *proto, unsigned host_port, struct husk_err *err);

#endif
