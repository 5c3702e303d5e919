/* SPDX-License-Identifier: MIT */
/*
 * Network configs: <root>/.net/<name>.json, one JSON object each.  Creating
 * and removing happen under <root>/.net/lock so that the overlap checks
 * see every other network.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "../runtime/fsutil.h"

#define DEFAULT_MTU 1500

static bool name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > HUSK_NET_NAME_MAX)
		return false;
	/* Reserved: the special networks and the ports/ directory. */
	if (!strcmp(s, "none") || !strcmp(s, "host") || !strcmp(s, "ports"))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || !strchr("_.-", ch)))
			return false;
	}
	return true;
}

static bool ifname_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > HUSK_IFNAME_MAX || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

int husk_netconf_check(const struct husk_netconf *c, struct husk_err *err)
{
	uint32_t bcast = c->subnet | ~husk_prefix_mask(c->prefix);
	char a[16], b[16];

	if (!name_ok(c->name))
		return husk_fail(err, 0,
				 "name \"%s\": want 1-%d of [A-Za-z0-9_.-] "
				 "starting alphanumeric, not none/host/ports",
				 c->name, HUSK_NET_NAME_MAX);
	if (!ifname_ok(c->bridge))
		return husk_fail(err, 0,
				 "bridge \"%s\": want 1-%d printable "
				 "characters without '/', ':' or spaces",
				 c->bridge, HUSK_IFNAME_MAX);
	if (c->prefix < 8 || c->prefix > 30)
		return husk_fail(err, 0,
				 "subnet \"%s/%u\": prefix length must be 8-30",
				 husk_ip_format(c->subnet, a), c->prefix);
	if (!husk_cidr_contains(c->subnet, c->prefix, c->gateway) ||
	    c->gateway == c->subnet || c->gateway == bcast)
		return husk_fail(
		    err, 0,
		    "gateway \"%s\": not a host address of subnet %s/%u",
		    husk_ip_format(c->gateway, a), husk_ip_format(c->subnet, b),
		    c->prefix);
	if (c->mtu < 68 || c->mtu > 65535)
		return husk_fail(err, 0, "mtu \"%u\": must be 68-65535",
				 c->mtu);
	return 0;
}

int husk_netconf_clash(const struct husk_netconf *c,
		       const struct husk_netconf *o, struct husk_err *err)
{
	char a[16], b[16];

	if (!strcmp(c->name, o->name))
		return husk_fail(err, EEXIST, "network %s", c->name);
	if (!strcmp(c->bridge, o->bridge))
		return husk_fail(err, 0,
				 "bridge \"%s\": already used by network %s",
				 c->bridge, o->name);
	if (husk_cidr_overlap(c->subnet, c->prefix, o->subnet, o->prefix))
		return husk_fail(
		    err, 0, "subnet \"%s/%u\": overlaps %s/%u of network %s",
		    husk_ip_format(c->subnet, a), c->prefix,
		    husk_ip_format(o->subnet, b), o->prefix, o->name);
	return 0;
}

char *husk_netconf_to_json(const struct husk_netconf *c, struct husk_err *err)
{
	char net[16], gw[16], subnet[20];
	json_t *o;
	char *s;

	snprintf(subnet, sizeof(subnet), "%s/%u",
		 husk_ip_format(c->subnet, net), c->prefix);
	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:b}", "name", c->name,
		      "bridge", c->bridge, "subnet", subnet, "gateway",
		      husk_ip_format(c->gateway, gw), "mtu", (json_int_t)c->mtu,
		      "nat", c->nat);
	s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!s)
		husk_fail(err, ENOMEM, "network %s to JSON", c->name);
	return s;
}

static int copy_field(char *dst, size_t size, const char *field,
		      const char *val, struct husk_err *err)
{
	if (strlen(val) >= size)
		return husk_fail(err, 0,
				 "%s \"%s\": longer than %zu characters", field,
				 val, size - 1);
	strcpy(dst, val);
	return 0;
}

int husk_netconf_from_json(const char *text, struct husk_netconf *c,
			   struct husk_err *err)
{
	const char *name, *bridge, *subnet, *gateway;
	json_int_t mtu = DEFAULT_MTU;
	json_error_t jerr;
	json_t *o = json_loads(text, 0, &jerr);
	int nat = 1, r;

	if (!o)
		return husk_fail(err, 0, "line %d: %s", jerr.line, jerr.text);
	r = json_unpack_ex(o, &jerr, JSON_STRICT,
			   "{s:s, s:s, s:s, s:s, s?:I, s?:b}", "name", &name,
			   "bridge", &bridge, "subnet", &subnet, "gateway",
			   &gateway, "mtu", &mtu, "nat", &nat);
	if (r < 0) {
		husk_fail(err, 0, "%s", jerr.text);
		goto out;
	}
	memset(c, 0, sizeof(*c));
	r = copy_field(c->name, sizeof(c->name), "name", name, err);
	if (r == 0)
		r = copy_field(c->bridge, sizeof(c->bridge), "bridge", bridge,
			       err);
	if (r == 0 && husk_cidr_parse(subnet, &c->subnet, &c->prefix, err) < 0)
		r = husk_err_prefix(err, "subnet");
	if (r == 0 && husk_ip_parse(gateway, &c->gateway) < 0)
		r = husk_fail(err, 0, "gateway \"%s\": invalid address",
			      gateway);
	if (r == 0 && (mtu < 0 || mtu > 65535))
		r = husk_fail(err, 0, "mtu \"%lld\": must be 68-65535",
			      (long long)mtu);
	c->mtu = (unsigned)mtu;
	c->nat = nat;
	if (r == 0)
		r = husk_netconf_check(c, err);
out:
	json_decref(o);
	return r;
}

static int load(const char *path, struct husk_netconf *c, struct husk_err *err)
{
	char text[4096];
	int r = net_read_small(path, text, sizeof(text));

	if (r < 0)
		return husk_fail(err, -r, "read %s", path);
	if (husk_netconf_from_json(text, c, err) < 0)
		return husk_err_prefix(err, "%s", path);
	return 0;
}

int net_config_load(const char *root, const char *name, struct husk_netconf *c,
		    struct husk_err *err)
{
	char path[PATH_MAX];

	memset(c, 0, sizeof(*c)); /* defined even when the load fails */
	if (!name_ok(name))
		return husk_fail(err, 0, "network \"%s\": invalid name", name);
	if (net_path(path, root, "%s.json", name) < 0)
		return husk_fail(err, ENAMETOOLONG, "network %s", name);
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return husk_fail(err, ENOENT, "network %s", name);
	return load(path, c, err);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct husk_netconf *)a)->name,
		      ((const struct husk_netconf *)b)->name);
}

int husk_network_list(const char *root, struct husk_netconf **out, size_t *n,
		      struct husk_err *err)
{
	char dir[PATH_MAX];
	struct husk_netconf *v = NULL;
	size_t len = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (net_path(dir, root, "%s", "") < 0)
		return husk_fail(err, ENAMETOOLONG, "%s", root);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0
				       : husk_fail(err, errno, "open %s", dir);
	while (r == 0 && (de = readdir(d))) {
		size_t nl = strlen(de->d_name);
		char name[HUSK_NET_NAME_MAX + 1];
		struct husk_netconf *grown;

		if (nl <= 5 || nl - 5 > HUSK_NET_NAME_MAX ||
		    strcmp(de->d_name + nl - 5, ".json") != 0 ||
		    de->d_name[0] == '.')
			continue;
		memcpy(name, de->d_name, nl - 5);
		name[nl - 5] = '\0';
		grown = realloc(v, (len + 1) * sizeof(*v));
		if (!grown) {
			r = husk_fail(err, ENOMEM, "list networks");
			break;
		}
		v = grown;
		r = net_config_load(root, name, &v[len], err);
		if (r == 0)
			len++;
	}
	closedir(d);
	if (r < 0) {
		free(v);
		return r;
	}
	if (len > 1)
		qsort(v, len, sizeof(*v), cmp_name);
	*out = v;
	*n = len;
	return 0;
}

static int parse_args(const struct husk_network_args *a, struct husk_netconf *c,
		      struct husk_err *err)
{
	memset(c, 0, sizeof(*c));
	if (copy_field(c->name, sizeof(c->name), "name", a->name, err) < 0)
		return err->code;
	if (a->bridge && copy_field(c->bridge, sizeof(c->bridge), "bridge",
				    a->bridge, err) < 0)
		return err->code;
	if (a->subnet &&
	    husk_cidr_parse(a->subnet, &c->subnet, &c->prefix, err) < 0)
		return husk_err_prefix(err, "subnet");
	if (a->gateway && husk_ip_parse(a->gateway, &c->gateway) < 0)
		return husk_fail(err, 0, "gateway \"%s\": invalid address",
				 a->gateway);
	c->mtu = DEFAULT_MTU;
	if (a->mtu) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(a->mtu, &end, 10);
		if (errno || end == a->mtu || *end || v < 68 || v > 65535)
			return husk_fail(err, 0, "mtu \"%s\": must be 68-65535",
					 a->mtu);
		c->mtu = (unsigned)v;
	}
	c->nat = !a->no_nat;
	return 0;
}

static bool clashes_any(const struct husk_netconf *c,
			const struct husk_netconf *v, size_t n)
{
	struct husk_err ignored = {0};

	for (size_t i = 0; i < n; i++)
		if (husk_netconf_clash(c, &v[i], &ignored) < 0)
			return true;
	return false;
}

/* Pick what the user left out: a free bridge and a free /24. */
static int fill_defaults(const struct husk_network_args *a,
			 struct husk_netconf *c, const struct husk_netconf *v,
			 size_t n, struct husk_err *err)
{
	bool is_default = !strcmp(c->name, HUSK_NET_DEFAULT);

	if (!a->subnet && is_default) {
		husk_cidr_parse(HUSK_NET_DEFAULT_SUBNET, &c->subnet, &c->prefix,
				err);
	} else if (!a->subnet) {
		c->prefix = 24;
		for (unsigned i = 0; i < 256; i++) {
			c->subnet = (10u << 24) | (210u << 16) | (i << 8);
			if (!clashes_any(c, v, n))
				break;
			if (i == 255)
				return husk_fail(
				    err, 0,
				    "subnet: no free /24 left in "
				    "10.210.0.0/16, give --subnet");
		}
	}
	if (!a->gateway)
		c->gateway = c->subnet + 1;
	if (!a->bridge && is_default) {
		strcpy(c->bridge, HUSK_NET_DEFAULT_BRIDGE);
	} else if (!a->bridge) {
		for (unsigned i = 1; i < 1000; i++) {
			bool used = false;

			snprintf(c->bridge, sizeof(c->bridge), "husk%u", i);
			for (size_t j = 0; j < n; j++)
				used |= !strcmp(v[j].bridge, c->bridge);
			if (!used)
				break;
		}
	}
	return 0;
}

static int write_config(const char *root, const struct husk_netconf *c,
			struct husk_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	_cleanup_free_ char *json = husk_netconf_to_json(c, err);
	int r;

	if (!json)
		return err->code;
	if (net_path(path, root, "%s.json", c->name) < 0 ||
	    net_path(tmp, root, ".%s.json.%d", c->name, (int)getpid()) < 0)
		return husk_fail(err, ENAMETOOLONG, "network %s", c->name);
	unlink(tmp);
	r = net_create_excl(tmp, json);
	if (r < 0)
		return husk_fail(err, -r, "write %s", tmp);
	/* link() publishes the complete file, and only if none exists. */
	r = link(tmp, path) < 0 ? -errno : 0;
	unlink(tmp);
	if (r == -EEXIST)
		return husk_fail(err, EEXIST, "network %s", c->name);
	if (r < 0)
		return husk_fail(err, -r, "link %s", path);
	return 0;
}

int husk_network_create(const char *root, const struct husk_network_args *a,
			struct husk_netconf *out, struct husk_err *err)
{
	_cleanup_free_ struct husk_netconf *v = NULL;
	_cleanup_close_ int lock = -1;
	char path[PATH_MAX];
	size_t n;
	int r;

	r = parse_args(a, out, err);
	if (r < 0)
		return r;
	if (!name_ok(out->name)) /* before the name makes a path */
		return husk_netconf_check(out, err);
	if (net_path(path, root, "%s", "") < 0)
		return husk_fail(err, ENAMETOOLONG, "%s", root);
	r = husk_mkdir_p(path, 0700, err);
	if (r < 0)
		return r;
	if (net_path(path, root, "lock") < 0)
		return husk_fail(err, ENAMETOOLONG, "%s", root);
	lock = net_lock(path, err);
	if (lock < 0)
		return lock;
	r = husk_network_list(root, &v, &n, err);
	if (r < 0)
		return r;
	r = fill_defaults(a, out, v, n, err);
	if (r == 0)
		r = husk_netconf_check(out, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = husk_netconf_clash(out, &v[i], err);
	return r < 0 ? r : write_config(root, out, err);
}

int husk_network_get(const char *root, const char *name,
		     struct husk_netconf *out, struct husk_err *err)
{
	struct husk_network_args a = {.name = HUSK_NET_DEFAULT};
	int r = net_config_load(root, name, out, err);

	if (r != -ENOENT || strcmp(name, HUSK_NET_DEFAULT) != 0)
		return r;
	r = husk_network_create(root, &a, out, err);
	if (r == -EEXIST) /* made by a concurrent husk meanwhile */
		r = net_config_load(root, name, out, err);
	if (r < 0)
		husk_err_prefix(err, "create default network");
	return r;
}

int husk_network_remove(const char *root, const char *name,
			struct husk_err *err)
{
	_cleanup_close_ int lock = -1;
	char path[PATH_MAX];
	struct husk_netconf c;
	struct rtnl r = {.fd = -1};
	int ret;

	if (net_config_load(root, name, &c, err) < 0)
		return err->code;
	if (net_path(path, root, "lock") < 0)
		return husk_fail(err, ENAMETOOLONG, "%s", root);
	lock = net_lock(path, err);
	if (lock < 0)
		return lock;
	ret = ipam_remove(root, &c, err);
	if (ret < 0)
		return ret;
	if (nft_network_remove(&c, err) < 0 || rtnl_open(&r, -1, err) < 0)
		return husk_err_prefix(err, "network %s removed, but", name);
	ret = rtnl_link_del(&r, c.bridge);
	rtnl_close(&r);
	if (ret < 0 && ret != -ENODEV)
		return husk_fail(err, -ret,
				 "network %s removed, but delete bridge %s",
				 name, c.bridge);
	return 0;
}
