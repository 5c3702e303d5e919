/* SPDX-License-Identifier: MIT */
/*
 * IPAM: <root>/.net/<name>/leases/<ip> holds the id of the container that
 * leases <ip>; the file is made with O_EXCL, so it is the truth.  Two
 * hints, both under <name>/lock, keep allocation from walking the leases:
 * `bitmap` (one bit per address of the subnet, set = taken) and `next`
 * (the offset last handed out, so addresses are not reused at once).  A
 * search reads the bitmap from `next` on in chunks, so its cost depends
 * on the free space near the cursor, not on how many leases there are.
 * Only when the bitmap says the pool is full is it rebuilt from leases/,
 * dropping leases whose container is gone and bits left by a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "../runtime/fsutil.h"

#define CHUNK 4096

struct ipam_cost ipam_cost;

struct pool {
	const char *root;
	const struct husk_netconf *c;
	char dir[PATH_MAX / 2]; /* leaves room for the names below it */
	int bitmap;		/* fd */
	uint32_t size;
};

static void pool_close(struct pool *p)
{
	husk_closep(&p->bitmap);
}

/* leases/ (@lease false) or leases/<ip> into @buf (PATH_MAX). */
static int pool_file(const struct pool *p, char *buf, bool lease, uint32_t ip)
{
	char a[16];
	int n;

	if (lease)
		n = snprintf(buf, PATH_MAX, "%s/leases/%s", p->dir,
			     husk_ip_format(ip, a));
	else
		n = snprintf(buf, PATH_MAX, "%s/leases", p->dir);
	return n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Lock the pool and open its bitmap; returns the lock fd. */
static int pool_open(struct pool *p, const char *root,
		     const struct husk_netconf *c, struct husk_err *err)
{
	char path[PATH_MAX];
	int lock, r;

	p->root = root;
	p->c = c;
	p->bitmap = -1;
	p->size = UINT32_C(1) << (32 - c->prefix);
	if (net_path(path, root, "%s", c->name) < 0 ||
	    strlen(path) >= sizeof(p->dir))
		return husk_fail(err, ENAMETOOLONG, "network %s", c->name);
	strcpy(p->dir, path);
	if (pool_file(p, path, false, 0) < 0)
		return husk_fail(err, ENAMETOOLONG, "network %s", c->name);
	r = husk_mkdir_p(path, 0700, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/lock", p->dir);
	lock = net_lock(path, err);
	if (lock < 0)
		return lock;
	/* The network may have been removed while we waited. */
	if (net_path(path, root, "%s.json", c->name) == 0 &&
	    access(path, F_OK) < 0) {
		close(lock);
		return husk_fail(err, ENOENT, "network %s", c->name);
	}
	snprintf(path, sizeof(path), "%s/bitmap", p->dir);
	p->bitmap = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (p->bitmap < 0 || ftruncate(p->bitmap, (p->size + 7) / 8) < 0) {
		r = husk_fail(err, errno, "open %s", path);
		close(lock);
		pool_close(p);
		return r;
	}
	return lock;
}

static int set_bit(struct pool *p, uint32_t off, bool on)
{
	unsigned char byte;

	ipam_cost.bitmap_reads++;
	if (pread(p->bitmap, &byte, 1, off / 8) != 1)
		return -EIO;
	byte = on ? byte | (1u << (off % 8)) : byte & ~(1u << (off % 8));
	return pwrite(p->bitmap, &byte, 1, off / 8) == 1 ? 0 : -errno;
}

static bool reserved(const struct pool *p, uint32_t off)
{
	return off == 0 || off == p->size - 1 ||
	       off == p->c->gateway - p->c->subnet;
}

/* The first clear, unreserved bit in [from, to), or -1. */
static int64_t scan(struct pool *p, uint32_t from, uint32_t to)
{
	unsigned char buf[CHUNK];

	while (from < to) {
		uint32_t base = from / 8 * 8;
		ssize_t n = pread(p->bitmap, buf, sizeof(buf), base / 8);

		ipam_cost.bitmap_reads++;
		if (n <= 0)
			return -1;
		for (uint32_t off = from; off < to && off < base + n * 8;
		     off++) {
			unsigned char byte = buf[(off - base) / 8];

			if (byte == 0xff && off % 8 == 0) {
				off += 7; /* skip a full byte at once */
				continue;
			}
			if (!(byte & (1u << (off % 8))) && !reserved(p, off))
				return off;
		}
		from = base + (uint32_t)n * 8;
	}
	return -1;
}

static uint32_t read_next(const struct pool *p)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), "%s/next", p->dir);
	if (net_read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	return (uint32_t)strtoul(buf, NULL, 10);
}

static void write_next(const struct pool *p, uint32_t off)
{
	char path[PATH_MAX], tmp[PATH_MAX], buf[32];

	/* Only a hint: a lost update costs a longer scan, nothing else. */
	snprintf(path, sizeof(path), "%s/next", p->dir);
	snprintf(tmp, sizeof(tmp), "%s/next.tmp", p->dir);
	snprintf(buf, sizeof(buf), "%u\n", off);
	unlink(tmp);
	if (net_create_excl(tmp, buf) == 0 && rename(tmp, path) < 0)
		unlink(tmp);
}

/* Rebuild the bitmap from leases/, dropping stale leases. */
static int rebuild(struct pool *p, int *live, struct husk_err *err)
{
	char dir[sizeof(p->dir) + 16], path[PATH_MAX], id[256];
	struct dirent *de;
	DIR *d;
	int r = 0;

	*live = 0;
	snprintf(dir, sizeof(dir), "%s/leases", p->dir);
	if (ftruncate(p->bitmap, 0) < 0 ||
	    ftruncate(p->bitmap, (p->size + 7) / 8) < 0)
		return husk_fail(err, errno, "reset %s/bitmap", p->dir);
	d = opendir(dir);
	if (!d)
		return husk_fail(err, errno, "open %s", dir);
	while (r == 0 && (de = readdir(d))) {
		uint32_t ip;

		if (husk_ip_parse(de->d_name, &ip) < 0 ||
		    !husk_cidr_contains(p->c->subnet, p->c->prefix, ip))
			continue;
		ipam_cost.lease_files++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (net_read_small(path, id, sizeof(id)) == 0 &&
		    net_owner_gone(p->root, id)) {
			if (unlink(path) < 0 && errno != ENOENT)
				r = husk_fail(err, errno, "remove %s", path);
			continue;
		}
		(*live)++;
		if (set_bit(p, ip - p->c->subnet, true) < 0)
			r = husk_fail(err, EIO, "write %s/bitmap", p->dir);
	}
	closedir(d);
	return r;
}

/* Take the free offset @off: record it, then make its lease. */
static int take(struct pool *p, uint32_t off, const char *id,
		ipam_record_fn record, void *ctx, struct husk_err *err)
{
	char path[PATH_MAX];
	int r = set_bit(p, off, true);

	if (r < 0)
		return husk_fail(err, -r, "write %s/bitmap", p->dir);
	if (record) {
		r = record(ctx, p->c->subnet + off, err);
		if (r < 0)
			return r;
	}
	pool_file(p, path, true, p->c->subnet + off);
	ipam_cost.lease_files++;
	r = net_create_excl(path, id);
	if (r == -EEXIST)
		return r; /* the bitmap lagged behind leases/: keep looking */
	if (r < 0)
		return husk_fail(err, -r, "create %s", path);
	write_next(p, off);
	return 0;
}

static int alloc_locked(struct pool *p, const char *id, ipam_record_fn record,
			void *ctx, uint32_t *ip, struct husk_err *err)
{
	uint32_t start = read_next(p) + 1, tries = 0;
	int live;

	if (start >= p->size)
		start = 1;
	for (int pass = 0; pass < 2; pass++) {
		int64_t off;

		/* Bounded: every failed take() sets one more bit. */
		while (tries++ <= p->size) {
			int r;

			off = scan(p, start, p->size);
			if (off < 0)
				off = scan(p, 1, start);
			if (off < 0)
				break;
			r = take(p, (uint32_t)off, id, record, ctx, err);
			if (r != -EEXIST) {
				*ip = p->c->subnet + (uint32_t)off;
				return r;
			}
		}
		if (pass == 0 && rebuild(p, &live, err) < 0)
			return err->code;
	}
	char a[16];
	return husk_fail(err, ENOSPC,
			 "network %s: address pool %s/%u exhausted", p->c->name,
			 husk_ip_format(p->c->subnet, a), p->c->prefix);
}

int ipam_alloc(const char *root, const struct husk_netconf *c, const char *id,
	       ipam_record_fn record, void *ctx, uint32_t *ip,
	       struct husk_err *err)
{
	struct pool p;
	_cleanup_close_ int lock = pool_open(&p, root, c, err);
	int r;

	if (lock < 0)
		return lock;
	r = alloc_locked(&p, id, record, ctx, ip, err);
	pool_close(&p);
	return r;
}

int ipam_free(const char *root, const struct husk_netconf *c, const char *id,
	      uint32_t ip, struct husk_err *err)
{
	char path[PATH_MAX], owner[256];
	struct pool p;
	_cleanup_close_ int lock = pool_open(&p, root, c, err);
	int r = 0;

	if (lock < 0)
		return lock;
	pool_file(&p, path, true, ip);
	/* Only our own lease: the record may name one we never got. */
	if (net_read_small(path, owner, sizeof(owner)) == 0 &&
	    strcmp(owner, id) == 0) {
		if (unlink(path) < 0)
			r = husk_fail(err, errno, "remove %s", path);
		else if (set_bit(&p, ip - c->subnet, false) < 0)
			r = husk_fail(err, EIO, "write %s/bitmap", p.dir);
	}
	pool_close(&p);
	return r;
}

static int remove_pool(struct pool *p, struct husk_err *err)
{
	/* nft: nft_setup()'s note of the table its rules went into. */
	static const char *const files[] = {"next",   "bitmap", "leases",
					    "lock",   "nft"};
	char path[PATH_MAX];

	for (size_t i = 0; i < HUSK_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", p->dir, files[i]);
		if ((i == 2 ? rmdir(path) : unlink(path)) < 0 &&
		    errno != ENOENT)
			return husk_fail(err, errno, "remove %s", path);
	}
	if (rmdir(p->dir) < 0 && errno != ENOENT)
		return husk_fail(err, errno, "remove %s", p->dir);
	return 0;
}

int ipam_remove(const char *root, const struct husk_netconf *c,
		struct husk_err *err)
{
	char path[PATH_MAX];
	struct pool p;
	_cleanup_close_ int lock = pool_open(&p, root, c, err);
	int r, live;

	if (lock < 0)
		return lock;
	r = rebuild(&p, &live, err);
	pool_close(&p);
	if (r < 0)
		return r;
	if (live > 0)
		return husk_fail(err, EBUSY,
				 "network %s: %d container(s) still attached",
				 c->name, live);
	/* Unlinked under the pool lock: a waiting ipam_alloc() sees it. */
	if (net_path(path, root, "%s.json", c->name) < 0 || unlink(path) < 0)
		return husk_fail(err, errno, "remove %s", path);
	return remove_pool(&p, err);
}
