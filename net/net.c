/* SPDX-License-Identifier: MIT */
/*
 * husk_net_attach() / husk_net_detach().
 *
 * Every object attach makes for a container is first appended as a line
 * to <state_dir>/net.records, so detach can undo a crashed attach from
 * the records alone:
 *
 *   lease NETWORK IP    an address of NETWORK (freed only if still ours)
 *   veth NAME           the host end (deleting it deletes eth0 too)
 *   noveth NAME         NAME was taken by someone else: not ours
 *   port PROTO PORT     <root>/.net/ports/PROTO-PORT and its nft element
 *
 * The bridge, its address and the nft table are shared by all containers
 * of a network and are made idempotently; `network rm` removes them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "../runtime/fsutil.h"

#define RECORDS "net.records"
#define VETH_TRIES 8

struct attach {
	const char *root, *id, *state_dir;
	int records; /* fd, O_APPEND */
	int netns;   /* the container's */
	struct husk_netconf conf;
	uint32_t ip;
	struct rtnl host, ctr;
};

static int record(struct attach *a, struct husk_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int record(struct attach *a, struct husk_err *err, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return husk_fail(err, E2BIG, "net record");
	line[n++] = '\n';
	/* One write() per line: O_APPEND keeps lines whole. */
	if (write(a->records, line, (size_t)n) != n)
		return husk_fail(err, errno ? errno : EIO, "write %s/%s",
				 a->state_dir, RECORDS);
	return 0;
}

static int record_lease(void *ctx, uint32_t ip, struct husk_err *err)
{
	struct attach *a = ctx;
	char s[16];

	return record(a, err, "lease %s %s", a->conf.name,
		      husk_ip_format(ip, s));
}

static int write_sysctl(const char *path, const char *val, struct husk_err *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		return husk_fail(err, errno, "write %s to %s", val, path);
	return 0;
}

/* The network's bridge, up with its gateway address; forwarding on. */
static int ensure_bridge(struct attach *a, struct husk_err *err)
{
	const struct husk_netconf *c = &a->conf;
	char path[PATH_MAX];
	int index = rtnl_link_index(&a->host, c->bridge), r;

	if (index == -ENODEV) {
		r = rtnl_bridge_create(&a->host, c->bridge, c->mtu);
		if (r < 0 && r != -EEXIST)
			return husk_fail(err, -r, "create bridge %s",
					 c->bridge);
		index = rtnl_link_index(&a->host, c->bridge);
	}
	if (index < 0)
		return husk_fail(err, -index, "find bridge %s", c->bridge);
	r = rtnl_addr_add(&a->host, index, c->gateway, c->prefix);
	if (r < 0)
		return husk_fail(err, -r, "add address to bridge %s",
				 c->bridge);
	r = rtnl_link_up(&a->host, index);
	if (r < 0)
		return husk_fail(err, -r, "bring up bridge %s", c->bridge);
	/* Lets the output-hook DNAT send 127.0.0.1 traffic to the bridge. */
	snprintf(path, sizeof(path),
		 "/proc/sys/net/ipv4/conf/%s/route_localnet", c->bridge);
	r = write_sysctl(path, "1", err);
	if (r == 0)
		r = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1", err);
	return r < 0 ? r : index;
}

static uint32_t fnv1a(const char *s, unsigned salt)
{
	uint32_t h = 2166136261u ^ salt;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A veth pair: host end hkXXXXXXXX on the bridge, eth0 in the netns. */
static int make_veth(struct attach *a, int bridge, struct husk_err *err)
{
	char name[HUSK_IFNAME_MAX + 1];
	int r = -EEXIST, index;

	for (unsigned i = 0; i < VETH_TRIES && r == -EEXIST; i++) {
		snprintf(name, sizeof(name), "hk%08x", fnv1a(a->id, i));
		r = record(a, err, "veth %s", name);
		if (r < 0)
			return r;
		r = rtnl_veth_create(&a->host, name, bridge, a->conf.mtu,
				     "eth0", a->netns);
		if (r == -EEXIST && rtnl_link_index(&a->ctr, "eth0") > 0)
			return husk_fail(err, EEXIST,
					 "container already has an eth0");
		if (r == -EEXIST && record(a, err, "noveth %s", name) < 0)
			return err->code;
	}
	if (r < 0)
		return husk_fail(err, -r, "create veth %s", name);
	index = rtnl_link_index(&a->host, name);
	r = index < 0 ? index : rtnl_link_up(&a->host, index);
	return r < 0 ? husk_fail(err, -r, "bring up %s", name) : 0;
}

static int link_up(struct rtnl *r, const char *name, struct husk_err *err)
{
	int index = rtnl_link_index(r, name), ret;

	ret = index < 0 ? index : rtnl_link_up(r, index);
	if (ret < 0)
		return husk_fail(err, -ret, "bring up %s in container", name);
	return index;
}

static int config_eth0(struct attach *a, struct husk_err *err)
{
	int index = link_up(&a->ctr, "eth0", err), r;

	if (index < 0)
		return index;
	r = rtnl_addr_add(&a->ctr, index, a->ip, a->conf.prefix);
	if (r < 0)
		return husk_fail(err, -r, "add address to eth0");
	r = rtnl_route_default(&a->ctr, index, a->conf.gateway);
	if (r < 0)
		return husk_fail(err, -r, "add default route");
	return 0;
}

static int port_path(char *buf, const char *root, const char *proto,
		     unsigned port)
{
	return net_path(buf, root, "ports/%s-%u", proto, port);
}

/* Claim <root>/.net/ports/PROTO-PORT for us (under ports/lock). */
static int claim_port(struct attach *a, const struct husk_port *p,
		      const char *spec, struct husk_err *err)
{
	char path[PATH_MAX], owner[256];
	int r;

	if (port_path(path, a->root, p->proto, p->host) < 0)
		return husk_fail(err, ENAMETOOLONG, "%s", a->root);
	r = net_create_excl(path, a->id);
	if (r != -EEXIST)
		return r < 0 ? husk_fail(err, -r, "create %s", path) : 0;
	if (net_read_small(path, owner, sizeof(owner)) < 0)
		return husk_fail(err, errno, "read %s", path);
	if (strcmp(owner, a->id) != 0 && !net_owner_gone(a->root, owner))
		return husk_fail(err, EADDRINUSE,
				 "publish \"%s\": host port %u/%s already "
				 "published by container %s",
				 spec, p->host, p->proto, owner);
	/* Left by a container that is gone: take it over. */
	unlink(path);
	r = net_create_excl(path, a->id);
	return r < 0 ? husk_fail(err, -r, "create %s", path) : 0;
}

static int publish(struct attach *a, const struct husk_strv *specs,
		   const struct husk_port *ports, struct husk_err *err)
{
	char path[PATH_MAX];
	_cleanup_close_ int lock = -1;
	int r;

	if (specs->n == 0)
		return 0;
	if (net_path(path, a->root, "ports") < 0)
		return husk_fail(err, ENAMETOOLONG, "%s", a->root);
	r = husk_mkdir_p(path, 0700, err);
	if (r < 0)
		return r;
	strcat(path, "/lock");
	lock = net_lock(path, err);
	if (lock < 0)
		return lock;
	for (size_t i = 0; i < specs->n; i++) {
		r = record(a, err, "port %s %u", ports[i].proto, ports[i].host);
		if (r == 0)
			r = claim_port(a, &ports[i], specs->v[i], err);
		if (r == 0)
			r = nft_port_add(&ports[i], a->ip, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Write @text to @dir/@name whole (temp file + rename). */
static int write_file(const char *dir, const char *name, const char *text,
		      struct husk_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return husk_fail(err, errno, "create %s", tmp);
	if (write(fd, text, len) != (ssize_t)len || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;

		unlink(tmp);
		return husk_fail(err, e, "write %s", path);
	}
	return 0;
}

static bool loopback(const char *ip)
{
	return !strncmp(ip, "127.", 4) || !strcmp(ip, "::1");
}

/*
 * Append the usable nameservers of resolv.conf @path to @out (and, when
 * @keep_rest, its search/options lines).  Loopback ones (systemd-resolved's
 * 127.0.0.53) mean nothing inside the container's netns, and IPv6 ones
 * can't be reached over husk's IPv4-only networks: both are dropped.
 */
static int host_nameservers(const char *path, char *out, size_t size,
			    bool keep_rest)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[512], ip[256];
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		uint32_t v4;
		size_t len = strlen(out);

		if (sscanf(line, "nameserver %255s", ip) == 1) {
			if (loopback(ip) || husk_ip_parse(ip, &v4) < 0)
				continue;
			snprintf(out + len, size - len, "nameserver %s\n", ip);
			found++;
		} else if (keep_rest && (!strncmp(line, "search", 6) ||
					 !strncmp(line, "options", 7))) {
			snprintf(out + len, size - len, "%s%s", line,
				 strchr(line, '\n') ? "" : "\n");
		}
	}
	return found;
}

/*
 * resolv.conf: the host's nameservers minus loopback ones; when only
 * loopback ones remain, systemd-resolved's upstream list
 * (/run/systemd/resolve/resolv.conf); when still none, the gateway (where
 * a resolver may be run), or nothing for a container without network.
 */
static int write_resolv(const char *dir, const struct husk_netconf *c,
			struct husk_err *err)
{
	char text[4096] = "", gw[16];
	int n = host_nameservers("/etc/resolv.conf", text, sizeof(text), true);

	if (n == 0)
		n = host_nameservers("/run/systemd/resolve/resolv.conf", text,
				     sizeof(text), false);
	if (n == 0 && c) {
		size_t len = strlen(text);

		snprintf(text + len, sizeof(text) - len, "nameserver %s\n",
			 husk_ip_format(c->gateway, gw));
	}
	return write_file(dir, "resolv.conf", text, err);
}

/* /etc/hosts naming the container, and /etc/hostname to match. */
static int write_hosts(const char *dir, const char *hostname, uint32_t ip,
		       struct husk_err *err)
{
	char text[1024], a[16];

	snprintf(text, sizeof(text), "%s\n", hostname);
	if (write_file(dir, "hostname", text, err) < 0)
		return err->code;

	snprintf(text, sizeof(text),
		 "127.0.0.1\tlocalhost%s%s\n"
		 "::1\tlocalhost ip6-localhost ip6-loopback\n",
		 ip ? "" : " ", ip ? "" : hostname);
	if (ip) {
		size_t len = strlen(text);

		snprintf(text + len, sizeof(text) - len, "%s\t%s\n",
			 husk_ip_format(ip, a), hostname);
	}
	return write_file(dir, "hosts", text, err);
}

static int open_netns(pid_t pid, struct husk_err *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? husk_fail(err, errno, "open %s", path) : fd;
}

static int open_records(const char *state_dir, struct husk_err *err)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", state_dir, RECORDS);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
		  0600);
	if (fd < 0 && errno == EEXIST)
		return husk_fail(err, EEXIST, "already attached (%s exists)",
				 path);
	return fd < 0 ? husk_fail(err, errno, "create %s", path) : fd;
}

/* Check every input before anything is made. */
static int parse_ports(const struct husk_strv *specs, struct husk_port **out,
		       struct husk_err *err)
{
	*out = calloc(specs->n + 1, sizeof(**out));
	if (!*out)
		return husk_fail(err, ENOMEM, "publish");
	for (size_t i = 0; i < specs->n; i++) {
		if (husk_port_parse(specs->v[i], &(*out)[i], err) < 0)
			return err->code;
		for (size_t j = 0; j < i; j++)
			if ((*out)[j].host == (*out)[i].host &&
			    !strcmp((*out)[j].proto, (*out)[i].proto))
				return husk_fail(
				    err, EADDRINUSE,
				    "publish \"%s\": host port given twice",
				    specs->v[i]);
	}
	return 0;
}

static int attach_network(struct attach *a,
			  const struct husk_strv *publish_specs,
			  const struct husk_port *ports, const char *hostname,
			  struct husk_err *err)
{
	int bridge, r;

	r = rtnl_open(&a->host, -1, err);
	if (r < 0)
		return r;
	bridge = ensure_bridge(a, err);
	if (bridge < 0)
		return bridge;
	/* After the lease: nft_setup() keeps its note in the pool's dir. */
	r = ipam_alloc(a->root, &a->conf, a->id, record_lease, a, &a->ip, err);
	if (r == 0)
		r = nft_setup(a->root, &a->conf, err);
	if (r == 0)
		r = make_veth(a, bridge, err);
	if (r == 0)
		r = config_eth0(a, err);
	if (r == 0)
		r = publish(a, publish_specs, ports, err);
	if (r == 0)
		r = write_resolv(a->state_dir, &a->conf, err);
	if (r == 0)
		r = write_hosts(a->state_dir, hostname, a->ip, err);
	return r;
}

int husk_net_attach_host(const char *root, const char *id,
			 const struct husk_net_spec *net, const char *hostname,
			 pid_t pid, const char *state_dir, struct husk_err *err)
{
	const char *name = net->network ? net->network : HUSK_NET_DEFAULT;
	struct attach a = {.root = root,
			   .id = id,
			   .state_dir = state_dir,
			   .records = -1,
			   .netns = -1,
			   .host.fd = -1,
			   .ctr.fd = -1};
	_cleanup_free_ struct husk_port *ports = NULL;
	struct husk_err ignored = {0};
	bool none = !strcmp(name, "none"), own_records = false;
	int r;

	if (!strcmp(name, "host"))
		return 0;
	if (!hostname || !*hostname)
		hostname = id;
	if (parse_ports(&net->publish, &ports, err) < 0)
		return err->code;
	if (none && net->publish.n)
		return husk_fail(err, 0,
				 "publish \"%s\": network none has no ports",
				 net->publish.v[0]);
	if (!none && husk_network_get(root, name, &a.conf, err) < 0)
		return husk_err_prefix(err, "network");
	a.netns = open_netns(pid, err);
	if (a.netns < 0)
		return a.netns;
	r = rtnl_open(&a.ctr, a.netns, err);
	if (r == 0)
		r = link_up(&a.ctr, "lo", err);
	if (r >= 0 && none)
		r = write_resolv(state_dir, NULL, err);
	if (r >= 0 && none)
		r = write_hosts(state_dir, hostname, 0, err);
	if (r >= 0 && !none) {
		a.records = open_records(state_dir, err);
		own_records = a.records >= 0;
		r = !own_records ? a.records
				 : attach_network(&a, &net->publish, ports,
						  hostname, err);
	}
	rtnl_close(&a.ctr);
	rtnl_close(&a.host);
	husk_closep(&a.netns);
	husk_closep(&a.records);
	/* Leave nothing half-made (a records file we didn't make isn't ours).
	 */
	if (r < 0 && own_records)
		husk_net_detach(root, id, state_dir, &ignored);
	return r < 0 ? r : 0;
}

int husk_net_attach(const char *root, const char *id,
		    const struct husk_net_spec *net, pid_t pid,
		    const char *state_dir, struct husk_err *err)
{
	return husk_net_attach_host(root, id, net, NULL, pid, state_dir, err);
}

/* ---- detach: undo the records, newest first ---- */

struct records {
	char *text;
	char **lines;
	size_t n;
};

static void records_free(struct records *rs)
{
	free(rs->text);
	free(rs->lines);
}

static int records_load(const char *path, struct records *rs,
			struct husk_err *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	size_t cap = 0, len = 0, count = 0;
	ssize_t n;

	memset(rs, 0, sizeof(*rs));
	if (!f)
		return errno == ENOENT ? 0
				       : husk_fail(err, errno, "open %s", path);
	n = getdelim(&rs->text, &cap, '\0', f);
	if (n < 0)
		return feof(f) ? 0 : husk_fail(err, errno, "read %s", path);
	len = (size_t)n;
	rs->lines = calloc(len / 2 + 2, sizeof(*rs->lines));
	if (!rs->lines)
		return husk_fail(err, ENOMEM, "read %s", path);
	for (char *save = NULL, *l = strtok_r(rs->text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		rs->lines[count++] = l;
	rs->n = count;
	return 0;
}

static bool disowned(const struct records *rs, const char *veth)
{
	char key[160];

	snprintf(key, sizeof(key), "noveth %s", veth);
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->lines[i], key))
			return true;
	return false;
}

static int undo_port(const char *root, const char *id, const char *proto,
		     unsigned port, struct husk_err *err)
{
	char path[PATH_MAX], owner[256];
	int r;

	if (port_path(path, root, proto, port) < 0)
		return husk_fail(err, ENAMETOOLONG, "%s", root);
	/* The element exists only while the port file names us. */
	if (net_read_small(path, owner, sizeof(owner)) < 0 ||
	    strcmp(owner, id) != 0)
		return 0;
	r = nft_port_del(proto, port, err);
	if (r == 0 && unlink(path) < 0 && errno != ENOENT)
		r = husk_fail(err, errno, "remove %s", path);
	return r;
}

static int undo_veth(const char *name, struct husk_err *err)
{
	struct rtnl r;
	int ret = rtnl_open(&r, -1, err);

	if (ret < 0)
		return ret;
	ret = rtnl_link_del(&r, name);
	rtnl_close(&r);
	if (ret < 0 && ret != -ENODEV)
		return husk_fail(err, -ret, "delete %s", name);
	return 0;
}

static int undo_lease(const char *root, const char *id, const char *network,
		      const char *ip_text, struct husk_err *err)
{
	struct husk_netconf c;
	uint32_t ip;
	int r = net_config_load(root, network, &c, err);

	if (r == -ENOENT) /* network removed: its leases went with it */
		return 0;
	if (r < 0)
		return r;
	if (husk_ip_parse(ip_text, &ip) < 0 ||
	    !husk_cidr_contains(c.subnet, c.prefix, ip))
		return husk_fail(err, 0, "bad lease record \"%s\"", ip_text);
	return ipam_free(root, &c, id, ip, err);
}

static int undo(const char *root, const char *id, const struct records *rs,
		const char *line, struct husk_err *err)
{
	char a[128], b[128];
	unsigned port;

	if (sscanf(line, "port %3s %u", a, &port) == 2)
		return undo_port(root, id, a, port, err);
	if (sscanf(line, "veth %15s", a) == 1)
		return disowned(rs, a) ? 0 : undo_veth(a, err);
	if (sscanf(line, "lease %127s %127s", a, b) == 2)
		return undo_lease(root, id, a, b, err);
	if (sscanf(line, "noveth %15s", a) == 1)
		return 0;
	return husk_fail(err, 0, "unknown net record \"%s\"", line);
}

int husk_net_detach(const char *root, const char *id, const char *state_dir,
		    struct husk_err *err)
{
	char path[PATH_MAX];
	struct records rs;
	struct husk_err one = {0};
	int r, first = 0;

	snprintf(path, sizeof(path), "%s/%s", state_dir, RECORDS);
	r = records_load(path, &rs, err);
	if (r < 0)
		return r;
	/* Undo all we can; keep the records while anything failed. */
	for (size_t i = rs.n; i-- > 0;) {
		r = undo(root, id, &rs, rs.lines[i], &one);
		if (r < 0 && first == 0) {
			first = r;
			*err = one;
		}
	}
	records_free(&rs);
	if (first == 0 && unlink(path) < 0 && errno != ENOENT)
		first = husk_fail(err, errno, "remove %s", path);
	if (first < 0)
		husk_err_prefix(err, "network detach");
	return first;
}
