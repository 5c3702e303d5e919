/* SPDX-License-Identifier: MIT */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../net/internal.h"
#include "unit.h"

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A root with one container dir per id we want counted as alive. */
static char *make_root(void)
{
	static char root[64];

	strcpy(root, "/tmp/husk-net-ut-XXXXXX");
	return mkdtemp(root);
}

static void make_ctr(const char *root, const char *id)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, id);
	mkdir(path, 0700);
}

static int make_net(const char *root, const char *name, const char *subnet,
		    struct husk_netconf *c)
{
	struct husk_network_args a = {.name = name, .subnet = subnet};
	struct husk_err err;
	int r = husk_network_create(root, &a, c, &err);

	if (r < 0)
		fprintf(stderr, "  %s\n", err.msg);
	return r;
}

TEST(net_ipam_small_pool)
{
	char *root = make_root(), id[32], a[16];
	struct husk_netconf c;
	struct husk_err err;
	uint32_t ip, got[5];

	CHECK(root != NULL);
	/* /29: 8 addresses - network - broadcast - gateway = 5 */
	CHECK_INT(make_net(root, "small", "10.250.0.0/29", &c), 0);
	CHECK_STR(husk_ip_format(c.gateway, a), "10.250.0.1");
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		make_ctr(root, id);
		CHECK_INT(ipam_alloc(root, &c, id, NULL, NULL, &got[i], &err),
			  0);
		CHECK(got[i] != c.gateway && got[i] > c.subnet &&
		      got[i] < c.subnet + 7);
		for (int j = 0; j < i; j++)
			CHECK(got[i] != got[j]);
	}
	make_ctr(root, "c5");
	CHECK_INT(ipam_alloc(root, &c, "c5", NULL, NULL, &ip, &err), -ENOSPC);
	CHECK(strstr(err.msg, "10.250.0.0/29 exhausted") != NULL);
	/* Freeing needs the right owner. */
	CHECK_INT(ipam_free(root, &c, "c4", got[1], &err), 0);
	CHECK_INT(ipam_alloc(root, &c, "c5", NULL, NULL, &ip, &err), -ENOSPC);
	CHECK_INT(ipam_free(root, &c, "c1", got[1], &err), 0);
	CHECK_INT(ipam_alloc(root, &c, "c5", NULL, NULL, &ip, &err), 0);
	CHECK_INT(ip, got[1]);
	/* A container that is gone: its lease is reclaimed when needed. */
	snprintf(id, sizeof(id), "%s/c3", root);
	rmdir(id);
	make_ctr(root, "c6");
	CHECK_INT(ipam_alloc(root, &c, "c6", NULL, NULL, &ip, &err), 0);
	CHECK_INT(ip, got[3]);
	/* rm refuses while live leases exist. */
	CHECK_INT(husk_network_remove(root, "small", &err), -EBUSY);
	CHECK(strstr(err.msg, "still attached") != NULL);
	rm_rf(root);
}

TEST(net_ipam_cursor_and_rebuild)
{
	char *root = make_root(), path[PATH_MAX];
	struct husk_netconf c;
	struct husk_err err;
	uint32_t a, b, d;

	CHECK_INT(make_net(root, "big", NULL, &c), 0);
	CHECK_INT(c.prefix, 24);
	make_ctr(root, "x");
	CHECK_INT(ipam_alloc(root, &c, "x", NULL, NULL, &a, &err), 0);
	CHECK_INT(ipam_free(root, &c, "x", a, &err), 0);
	/* The cursor moves on instead of reusing a just-freed address. */
	CHECK_INT(ipam_alloc(root, &c, "x", NULL, NULL, &b, &err), 0);
	CHECK(b != a);
	/* A lost bitmap is only a hint: leases still win. */
	snprintf(path, sizeof(path), "%s/.net/big/bitmap", root);
	CHECK_INT(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/.net/big/next", root);
	CHECK_INT(unlink(path), 0);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(ipam_alloc(root, &c, "x", NULL, NULL, &d, &err), 0);
		CHECK(d != b);
	}
	rm_rf(root);
}

TEST(net_ipam_many)
{
	char *root = make_root();
	struct husk_netconf c;
	struct husk_err err;
	uint32_t ip, prev = 0;

	CHECK_INT(make_net(root, "wide", "10.251.0.0/16", &c), 0);
	make_ctr(root, "y");
	/* Sequential: each allocation starts at the cursor, no rescans. */
	for (int i = 0; i < 2000; i++) {
		CHECK_INT(ipam_alloc(root, &c, "y", NULL, NULL, &ip, &err), 0);
		CHECK(ip > prev);
		prev = ip;
	}
	rm_rf(root);
}

/* The allocator's work for one allocation, as counted by ipam_cost. */
static struct ipam_cost alloc_cost(const char *root,
				   const struct husk_netconf *c, const char *id,
				   uint32_t *ip)
{
	struct ipam_cost before = ipam_cost, d;
	struct husk_err err;

	if (ipam_alloc(root, c, id, NULL, NULL, ip, &err) < 0)
		fprintf(stderr, "  %s\n", err.msg);
	d.bitmap_reads = ipam_cost.bitmap_reads - before.bitmap_reads;
	d.lease_files = ipam_cost.lease_files - before.lease_files;
	return d;
}

/* Cost by count, not by clock: the 1st and the 3000th allocation in a /16
 * read the same number of bitmap chunks and touch one lease file. */
TEST(net_ipam_cost_flat)
{
	char *root = make_root(), path[PATH_MAX];
	struct husk_netconf c;
	struct ipam_cost first, last, d;
	uint32_t ip;

	CHECK_INT(make_net(root, "flat", "10.251.0.0/16", &c), 0);
	make_ctr(root, "z");
	first = alloc_cost(root, &c, "z", &ip);
	for (int i = 0; i < 3000; i++) {
		d = alloc_cost(root, &c, "z", &ip);
		CHECK(d.bitmap_reads <= first.bitmap_reads);
		CHECK_INT(d.lease_files, 1);
	}
	last = alloc_cost(root, &c, "z", &ip);
	CHECK_INT(last.bitmap_reads, first.bitmap_reads);
	CHECK_INT(last.lease_files, 1);
	/* The counters do see lease walks: a lost bitmap costs one try per
	 * lease (3002 here) once, then allocation is flat again. */
	snprintf(path, sizeof(path), "%s/.net/flat/bitmap", root);
	CHECK_INT(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/.net/flat/next", root);
	CHECK_INT(unlink(path), 0);
	d = alloc_cost(root, &c, "z", &ip);
	CHECK(d.lease_files > 3000);
	d = alloc_cost(root, &c, "z", &ip);
	CHECK_INT(d.lease_files, 1);
	CHECK(d.bitmap_reads <= first.bitmap_reads);
	rm_rf(root);
}

/* The store is <root>/.net: a container named "net" is just a container. */
TEST(net_store_apart_from_containers)
{
	char *root = make_root(), path[PATH_MAX];
	struct husk_netconf c;
	struct stat st;
	uint32_t ip;
	struct husk_err err;

	make_ctr(root, "net");
	CHECK_INT(make_net(root, "n", "10.251.0.0/24", &c), 0);
	CHECK_INT(ipam_alloc(root, &c, "net", NULL, NULL, &ip, &err), 0);
	snprintf(path, sizeof(path), "%s/.net/n.json", root);
	CHECK_INT(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/net", root);
	CHECK_INT(rmdir(path), 0); /* still empty: nothing of the store */
	rm_rf(root);
}

TEST(net_network_create_checks)
{
	char *root = make_root();
	struct husk_netconf c;
	struct husk_network_args a = {.name = "n1", .subnet = "10.252.0.0/16"};
	struct husk_err err;

	CHECK_INT(husk_network_create(root, &a, &c, &err), 0);
	CHECK_STR(c.bridge, "husk1");
	a.name = "n2";
	a.subnet = "10.252.8.0/24";
	CHECK(husk_network_create(root, &a, &c, &err) < 0);
	CHECK(strstr(err.msg, "subnet \"10.252.8.0/24\": overlaps") != NULL);
	a.subnet = "10.253.0.0/24";
	a.bridge = "averyveryverylongbr";
	CHECK(husk_network_create(root, &a, &c, &err) < 0);
	CHECK(strstr(err.msg, "bridge \"averyveryverylongbr\"") != NULL);
	a.bridge = NULL;
	a.gateway = "10.9.9.9";
	CHECK(husk_network_create(root, &a, &c, &err) < 0);
	CHECK(strstr(err.msg, "gateway \"10.9.9.9\"") != NULL);
	a.gateway = "bogus";
	CHECK(husk_network_create(root, &a, &c, &err) < 0);
	CHECK(strstr(err.msg, "gateway \"bogus\"") != NULL);
	a.gateway = NULL;
	a.mtu = "9x";
	CHECK(husk_network_create(root, &a, &c, &err) < 0);
	CHECK(strstr(err.msg, "mtu \"9x\"") != NULL);
	a.mtu = NULL;
	CHECK_INT(husk_network_create(root, &a, &c, &err), 0);
	CHECK_STR(c.bridge, "husk2");
	CHECK_INT(husk_network_create(root, &a, &c, &err), -EEXIST);
	/* The default network comes into being on first use. */
	CHECK_INT(husk_network_get(root, "husk", &c, &err), 0);
	CHECK_STR(c.bridge, "husk0");
	CHECK_INT(husk_network_get(root, "nope", &c, &err), -ENOENT);
	rm_rf(root);
}
