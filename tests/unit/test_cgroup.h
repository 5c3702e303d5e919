/* SPDX-License-Identifier: MIT */
/* Shared by the fake-tree and the real cgroup unit tests. */
#ifndef HUSK_TEST_CGROUP_H
#define HUSK_TEST_CGROUP_H

/* One struct husk_device_rule initializer on one line. */
#define DEV_RULE(allow_, type_, major_, minor_, access_)                      \
	{                                                                      \
		.allow = (allow_), .type = (type_), .major = (major_),         \
		.minor = (minor_), .access = (access_)                         \
	}
/* The head of every device list: deny everything, then allow /dev/null. */
#define DEV_DENY_ALL DEV_RULE(false, 'a', -1, -1, "rwm")
#define DEV_ALLOW_NULL DEV_RULE(true, 'c', 1, 3, "rwm")

struct husk_resources;
/* Zero @r with every numeric limit unset (HUSK_UNSET), as the parser leaves
 * a spec without them. */
void cg_res_init(struct husk_resources *r);

#endif
