/* SPDX-License-Identifier: MIT */
/*
 * cgroup2 has no devices.allow: device access is decided by an eBPF
 * program of type CGROUP_DEVICE attached to the cgroup.  We translate the
 * OCI rules into one, with v1's meaning: the last rule that matches wins,
 * and a device no rule matches is allowed (as in a fresh v1 cgroup).
 * Without it a cgroup2 container can mknod and open any device.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "internal.h"

#define MAX_RULES 400
#define MAX_INSNS (8 + MAX_RULES * 10)

struct prog {
	struct bpf_insn v[MAX_INSNS];
	size_t n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src,
		 int16_t off, int32_t imm)
{
	p->v[p->n++] = (struct bpf_insn){.code = code,
					 .dst_reg = dst,
					 .src_reg = src,
					 .off = off,
					 .imm = imm};
}

/* r1 = ctx; registers: r2 access, r3 type, r4 major, r5 minor. */
static void emit_prologue(struct prog *p)
{
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
	emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1,
	     offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
}

static int32_t access_bits(const char *a)
{
	int32_t m = 0;

	for (; *a; a++)
		m |= *a == 'm'	 ? BPF_DEVCG_ACC_MKNOD
		     : *a == 'r' ? BPF_DEVCG_ACC_READ
		     : *a == 'w' ? BPF_DEVCG_ACC_WRITE
				 : 0;
	return m ? m : 7;
}

static void emit_return(struct prog *p, int32_t v)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, v);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static bool matches_all(const struct husk_device_rule *r)
{
	return r->type == 'a' && r->major < 0 && r->minor < 0 &&
	       access_bits(r->access) == 7;
}

/*
 * One rule: every test that fails jumps past the block.  An allow rule
 * covers a request whose accesses are all in it; a deny rule one that asks
 * for any access in it.
 */
static void emit_rule(struct prog *p, const struct husk_device_rule *r)
{
	size_t jumps[4], nj = 0;
	int32_t acc = access_bits(r->access);

	if (r->type == 'b' || r->type == 'c') {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0,
		     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	}
	if (r->major >= 0) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0,
		     (int32_t)r->major);
	}
	if (r->minor >= 0) {
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0,
		     (int32_t)r->minor);
	}
	if (acc != 7) {
		emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0,
		     r->allow ? (~acc & 7) : acc);
		jumps[nj++] = p->n;
		emit(p, BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K,
		     BPF_REG_1, 0, 0, 0);
	}
	emit_return(p, r->allow ? 1 : 0);
	for (size_t i = 0; i < nj; i++)
		p->v[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
}

int cg_bpf_devices_build(const struct husk_device_rule *rules, size_t n,
			 struct bpf_insn **insns, size_t *n_insns)
{
	struct prog *p;
	bool caught = false;

	if (n > MAX_RULES)
		return -E2BIG;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	emit_prologue(p);
	for (size_t i = n; i-- > 0 && !caught;) {
		emit_rule(p, &rules[i]);
		/* a rule matching everything hides all before it (and the
		 * verifier refuses unreachable code) */
		caught = matches_all(&rules[i]);
	}
	if (!caught)
		emit_return(p, 1);
	*n_insns = p->n;
	*insns = (struct bpf_insn *)p; /* v is the first member */
	return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cg_bpf_devices_load(const struct bpf_insn *insns, size_t n)
{
	static const char license[] = "MIT";
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)license;
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	return fd < 0 ? -errno : (int)fd;
}

/* Ids of the device programs attached to @cgfd now (ours from before). */
static int query_attached(int cgfd, uint32_t *ids, uint32_t *n)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = *n;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return -errno;
	*n = a.query.prog_cnt < *n ? a.query.prog_cnt : *n;
	return 0;
}

static void detach_id(int cgfd, uint32_t id)
{
	union bpf_attr a;
	_cleanup_close_ int fd = -1;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	if (fd < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	sys_bpf(BPF_PROG_DETACH, &a);
}

int cg_bpf_devices(int cgfd, const struct husk_device_rule *rules, size_t n,
		   struct husk_err *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	_cleanup_close_ int prog = -1;
	uint32_t old[64], n_old = HUSK_ARRAY_SIZE(old);
	union bpf_attr a;
	size_t n_insns;
	int r;

	r = cg_bpf_devices_build(rules, n, &insns, &n_insns);
	if (r < 0)
		return husk_fail(err, -r, "devices: %zu rules", n);
	prog = cg_bpf_devices_load(insns, n_insns);
	if (prog < 0)
		return husk_fail(err, -prog,
				 "devices: load eBPF device program");
	if (query_attached(cgfd, old, &n_old) < 0)
		n_old = 0;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return husk_fail(err, errno,
				 "devices: attach eBPF device program");
	/* the new program is in place: only now drop the old ones */
	for (uint32_t i = 0; i < n_old; i++)
		detach_id(cgfd, old[i]);
	return 0;
}
