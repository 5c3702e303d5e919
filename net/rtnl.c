/* SPDX-License-Identifier: MIT */
/*
 * Netlink with libmnl: links, addresses and routes over rtnetlink (husk
 * never runs ip(8)), and the one nf_tables query nft.c needs.  libmnl
 * builds and parses the messages; the socket is husk's own.
 *
 * husk is linked statically and libmnl is dlopen()ed over a libc of its
 * own (net/dl.c), whose errno is not husk's.  So nothing here reads errno
 * after a libmnl call: socket calls are made directly, and the kernel's
 * answer to a request is taken from its NLMSG_ERROR by reply_error().
 *
 * A socket made inside a netns keeps working in it after the thread
 * leaves, so rtnl_open() enters the netns only for socket().
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* libmnl, loaded by net_dl_load() when a network first needs it. */
static struct {
	__typeof__(mnl_cb_run2) *cb_run2;
	__typeof__(mnl_nlmsg_put_header) *nlmsg_put_header;
	__typeof__(mnl_nlmsg_put_extra_header) *nlmsg_put_extra_header;
	__typeof__(mnl_nlmsg_get_payload) *nlmsg_get_payload;
	__typeof__(mnl_attr_put_u32) *attr_put_u32;
	__typeof__(mnl_attr_put_strz) *attr_put_strz;
	__typeof__(mnl_attr_nest_start) *attr_nest_start;
	__typeof__(mnl_attr_nest_end) *attr_nest_end;
	__typeof__(mnl_attr_parse) *attr_parse;
	__typeof__(mnl_attr_get_type) *attr_get_type;
	__typeof__(mnl_attr_get_u64) *attr_get_u64;
} mnl;

static int load_libmnl(struct husk_err *err)
{
#define SYM(f) { "mnl_" #f, (void **)&mnl.f }
	static const struct net_dl_sym syms[] = {
		SYM(cb_run2),
		SYM(nlmsg_put_header),
		SYM(nlmsg_put_extra_header),
		SYM(nlmsg_get_payload),
		SYM(attr_put_u32),
		SYM(attr_put_strz),
		SYM(attr_nest_start),
		SYM(attr_nest_end),
		SYM(attr_parse),
		SYM(attr_get_type),
		SYM(attr_get_u64),
	};
#undef SYM

	return net_dl_load("libmnl.so.0", syms, HUSK_ARRAY_SIZE(syms), err);
}

static int netlink_socket(int protocol)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
}

static int socket_in_netns(int protocol, int netns_fd, struct husk_err *err)
{
	_cleanup_close_ int self = -1;
	int fd, saved;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return husk_fail(err, errno, "open /proc/thread-self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return husk_fail(err, errno, "enter container netns");
	fd = netlink_socket(protocol);
	saved = errno;
	if (setns(self, CLONE_NEWNET) < 0)
		/* A thread stuck in the wrong netns must not go on. */
		abort();
	return fd >= 0 ? fd : husk_fail(err, saved, "netlink socket in netns");
}

int rtnl_open(struct rtnl *r, int netns_fd, struct husk_err *err)
{
	return nl_open(r, NETLINK_ROUTE, netns_fd, err);
}

int nl_open(struct rtnl *r, int protocol, int netns_fd, struct husk_err *err)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(addr);
	int fd, ret;

	r->fd = -1;
	if (load_libmnl(err) < 0)
		return err->code;
	if (netns_fd >= 0)
		fd = socket_in_netns(protocol, netns_fd, err);
	else if ((fd = netlink_socket(protocol)) < 0)
		fd = husk_fail(err, errno, "netlink socket");
	if (fd < 0)
		return fd;
	r->fd = fd;
	/* nl_pid 0: the kernel picks a free port id, read back for replies. */
	if (bind(r->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(r->fd, (struct sockaddr *)&addr, &len) < 0) {
		ret = husk_fail(err, errno, "bind netlink socket");
		rtnl_close(r);
		return ret;
	}
	r->portid = addr.nl_pid;
	r->seq = (unsigned)time(NULL);
	return 0;
}

void rtnl_close(struct rtnl *r)
{
	husk_closep(&r->fd);
}

/* What talk() hands mnl_cb_run2(): the caller's callback, and the answer. */
struct reply {
	mnl_cb_t cb;
	void *data;
	int error; /* the kernel's, positive */
};

static int reply_data(const struct nlmsghdr *nlh, void *data)
{
	struct reply *rep = data;

	return rep->cb ? rep->cb(nlh, rep->data) : MNL_CB_OK;
}

/* NLMSG_ERROR: an ack (error 0) ends the request, anything else fails it. */
static int reply_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl.nlmsg_get_payload(nlh);
	struct reply *rep = data;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
		rep->error = EBADMSG;
		return MNL_CB_ERROR;
	}
	rep->error = e->error < 0 ? -e->error : 0;
	return rep->error ? MNL_CB_ERROR : MNL_CB_STOP;
}

/* Send @nlh and read until its ack; -errno of the kernel's answer. */
static int talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	/* Not const: libmnl takes a plain pointer. */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_ERROR] = reply_error};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct reply rep = {.cb = cb, .data = data};
	unsigned seq = ++r->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(r->fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	do {
		n = recv(r->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		ret = mnl.cb_run2(buf, (size_t)n, seq, r->portid, reply_data,
				  &rep, ctl, HUSK_ARRAY_SIZE(ctl));
	} while (ret == MNL_CB_OK);
	if (ret == MNL_CB_ERROR)
		/* Without an NLMSG_ERROR: a reply libmnl found malformed. */
		return -(rep.error ? rep.error : EPROTO);
	return 0;
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags,
				 int ifindex)
{
	struct nlmsghdr *nlh = mnl.nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = mnl.nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

static int index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl.nlmsg_get_payload(nlh);

	*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

int rtnl_link_index(struct rtnl *r, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);
	int index = -ENODEV, ret;

	mnl.attr_put_strz(nlh, IFLA_IFNAME, name);
	ret = talk(r, nlh, index_cb, &index);
	return ret < 0 ? ret : index;
}

int rtnl_bridge_create(struct rtnl *r, const char *name, unsigned mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *info;

	mnl.attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl.attr_put_u32(nlh, IFLA_MTU, mtu);
	info = mnl.attr_nest_start(nlh, IFLA_LINKINFO);
	mnl.attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl.attr_nest_end(nlh, info);
	return talk(r, nlh, NULL, NULL);
}

int rtnl_veth_create(struct rtnl *r, const char *name, int master, unsigned mtu,
		     const char *peer, int peer_netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *info, *data, *peer_attr;
	struct ifinfomsg *peer_ifi;

	mnl.attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl.attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl.attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	info = mnl.attr_nest_start(nlh, IFLA_LINKINFO);
	mnl.attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl.attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_attr = mnl.attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer is born in the container's netns under its final name,
	 * so no half-moved interface can be left in the host's. */
	peer_ifi = mnl.nlmsg_put_extra_header(nlh, sizeof(*peer_ifi));
	memset(peer_ifi, 0, sizeof(*peer_ifi));
	mnl.attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl.attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl.attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl.attr_nest_end(nlh, peer_attr);
	mnl.attr_nest_end(nlh, data);
	mnl.attr_nest_end(nlh, info);
	return talk(r, nlh, NULL, NULL);
}

int rtnl_link_up(struct rtnl *r, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl.nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return talk(r, nlh, NULL, NULL);
}

int rtnl_link_del(struct rtnl *r, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, 0);

	mnl.attr_put_strz(nlh, IFLA_IFNAME, name);
	return talk(r, nlh, NULL, NULL);
}

int rtnl_addr_add(struct rtnl *r, int ifindex, uint32_t ip, unsigned prefix)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl.nlmsg_put_header(buf);
	uint32_t be = htonl(ip);
	uint32_t bcast = htonl(ip | ~husk_prefix_mask(prefix));
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	/* REPLACE: re-adding the bridge's address is no error. */
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl.nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl.attr_put_u32(nlh, IFA_LOCAL, be);
	mnl.attr_put_u32(nlh, IFA_ADDRESS, be);
	mnl.attr_put_u32(nlh, IFA_BROADCAST, bcast);
	return talk(r, nlh, NULL, NULL);
}

int rtnl_route_default(struct rtnl *r, int ifindex, uint32_t gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl.nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl.nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl.attr_put_u32(nlh, RTA_GATEWAY, htonl(gw));
	mnl.attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return talk(r, nlh, NULL, NULL);
}

struct table_reply {
	uint64_t handle;
	bool found;
};

static int table_attr(const struct nlattr *attr, void *data)
{
	struct table_reply *t = data;

	if (mnl.attr_get_type(attr) == NFTA_TABLE_HANDLE) {
		t->handle = be64toh(mnl.attr_get_u64(attr));
		t->found = true;
	}
	return MNL_CB_OK;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl.attr_parse(nlh, sizeof(struct nfgenmsg), table_attr, data);
}

int nfnl_table_handle(struct rtnl *r, uint8_t family, const char *name,
		      uint64_t *handle)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl.nlmsg_put_header(buf);
	struct table_reply t = {0};
	struct nfgenmsg *nfg;
	int ret;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	nfg = mnl.nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	mnl.attr_put_strz(nlh, NFTA_TABLE_NAME, name);
	ret = talk(r, nlh, table_cb, &t);
	if (ret < 0)
		return ret;
	if (!t.found)
		return -EPROTO;
	*handle = t.handle;
	return 0;
}
