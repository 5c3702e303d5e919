/* SPDX-License-Identifier: MIT */
/* husk.network=host in the spec: the host's netns, so no new one. */
#include <string.h>

#include "../../runtime/spec.h"
#include "unit.h"

#define NS(x) "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}" x "]}"
#define DOC(net, ns)                                                           \
	"{\"ociVersion\":\"1.0.2\",\"annotations\":{\"husk.network\":\"" net \
	"\"}," ns "}"

static int parse(const char *json, struct husk_spec *s, struct husk_err *err)
{
	memset(s, 0, sizeof(*s));
	return husk_spec_parse(json, strlen(json), "/b", s, err);
}

TEST(net_spec_host_drops_netns)
{
	struct husk_spec s;
	struct husk_err err;

	CHECK_INT(parse(DOC("host", NS(",{\"type\":\"network\"},"
				       "{\"type\":\"uts\"}")),
			&s, &err),
		  0);
	CHECK(husk_spec_ns(&s, HUSK_NS_NET) == NULL);
	CHECK(husk_spec_ns(&s, HUSK_NS_UTS) != NULL);
	CHECK(husk_spec_ns(&s, HUSK_NS_MOUNT) != NULL);
	CHECK_INT(s.n_namespaces, 2);
	CHECK_STR(s.net.network, "host");
	husk_spec_free(&s);
	/* Any other network keeps its netns. */
	CHECK_INT(parse(DOC("n1", NS(",{\"type\":\"network\"}")), &s, &err),
		  0);
	CHECK(husk_spec_ns(&s, HUSK_NS_NET) != NULL);
	husk_spec_free(&s);
	/* host and "join this netns" contradict each other. */
	CHECK(parse(DOC("host", NS(",{\"type\":\"network\",\"path\":\"/x\"}")),
		    &s, &err) < 0);
	CHECK(strstr(err.msg, "husk.network=host: linux.namespaces joins "
			      "network namespace /x") != NULL);
	husk_spec_free(&s);
}
