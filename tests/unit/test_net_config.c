/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "../../net/net.h"
#include "unit.h"

static const char good[] =
    "{\"name\":\"web\",\"bridge\":\"husk1\",\"subnet\":\"10.210.0.0/24\","
    "\"gateway\":\"10.210.0.1\",\"mtu\":1400,\"nat\":false}";

TEST(net_config_roundtrip)
{
	struct husk_netconf c, d;
	struct husk_err err;
	char *json;

	CHECK_INT(husk_netconf_from_json(good, &c, &err), 0);
	CHECK_STR(c.name, "web");
	CHECK_STR(c.bridge, "husk1");
	CHECK_INT(c.prefix, 24);
	CHECK_INT(c.mtu, 1400);
	CHECK(!c.nat);
	json = husk_netconf_to_json(&c, &err);
	CHECK(json != NULL);
	CHECK_INT(husk_netconf_from_json(json, &d, &err), 0);
	CHECK(memcmp(&c, &d, sizeof(c)) == 0);
	free(json);
}

static void bad(const char *json, const char *want)
{
	struct husk_netconf c;
	struct husk_err err;

	CHECK(husk_netconf_from_json(json, &c, &err) < 0);
	if (!strstr(err.msg, want))
		fprintf(stderr, "  got \"%s\", want \"%s\"\n", err.msg, want);
	CHECK(strstr(err.msg, want) != NULL);
	CHECK(strchr(err.msg, '\n') == NULL);
}

TEST(net_config_bad)
{
	bad("{", "line 1");
	bad("{\"name\":\"x\"}", "bridge");
	bad("{\"name\":\"x\",\"bridge\":\"b\",\"subnet\":\"10.0.0.0/24\","
	    "\"gateway\":\"10.0.0.1\",\"extra\":1}",
	    "extra");
	bad("{\"name\":\"x\",\"bridge\":\"averyveryverylongbr\",\"subnet\":"
	    "\"10.0.0.0/24\",\"gateway\":\"10.0.0.1\"}",
	    "bridge \"averyveryverylongbr\"");
	bad("{\"name\":\"x\",\"bridge\":\"b\",\"subnet\":\"10.0.0.0/33\","
	    "\"gateway\":\"10.0.0.1\"}",
	    "subnet: \"10.0.0.0/33\"");
	bad("{\"name\":\"x\",\"bridge\":\"b\",\"subnet\":\"10.0.0.0/24\","
	    "\"gateway\":\"10.0.1.1\"}",
	    "gateway \"10.0.1.1\"");
	bad("{\"name\":\"x\",\"bridge\":\"b\",\"subnet\":\"10.0.0.0/24\","
	    "\"gateway\":\"10.0.0.255\"}",
	    "gateway \"10.0.0.255\"");
	bad("{\"name\":\"x\",\"bridge\":\"b\",\"subnet\":\"10.0.0.0/24\","
	    "\"gateway\":\"10.0.0.1\",\"mtu\":20}",
	    "mtu \"20\"");
	bad("{\"name\":\"none\",\"bridge\":\"b\",\"subnet\":\"10.0.0.0/24\","
	    "\"gateway\":\"10.0.0.1\"}",
	    "name \"none\"");
	bad("{\"name\":\"x\",\"bridge\":\"b/r\",\"subnet\":\"10.0.0.0/24\","
	    "\"gateway\":\"10.0.0.1\"}",
	    "bridge \"b/r\"");
}

TEST(net_config_clash)
{
	struct husk_netconf a, b;
	struct husk_err err;

	CHECK_INT(husk_netconf_from_json(good, &a, &err), 0);
	b = a;
	CHECK(husk_netconf_clash(&a, &b, &err) < 0); /* same name */
	strcpy(b.name, "other");
	CHECK(husk_netconf_clash(&a, &b, &err) < 0); /* same bridge */
	CHECK(strstr(err.msg, "bridge \"husk1\"") != NULL);
	strcpy(b.bridge, "husk2");
	CHECK(husk_netconf_clash(&a, &b, &err) < 0); /* same subnet */
	CHECK(strstr(err.msg, "overlaps") != NULL);
	husk_ip_parse("10.211.0.0", &b.subnet);
	CHECK_INT(husk_netconf_clash(&a, &b, &err), 0);
}
