/* SPDX-License-Identifier: MIT */
#include "../../net/net.h"
#include "unit.h"

TEST(net_cidr_parse)
{
	struct husk_err err;
	uint32_t net;
	unsigned p;
	char buf[16];

	CHECK_INT(husk_cidr_parse("10.209.0.0/16", &net, &p, &err), 0);
	CHECK_STR(husk_ip_format(net, buf), "10.209.0.0");
	CHECK_INT(p, 16);
	CHECK(husk_cidr_parse("10.209.0.1/16", &net, &p, &err) < 0);
	CHECK(strstr(err.msg, "10.209.0.1/16") != NULL);
	CHECK(husk_cidr_parse("10.0.0.0/33", &net, &p, &err) < 0);
	CHECK(husk_cidr_parse("10.0.0.0", &net, &p, &err) < 0);
	CHECK(husk_cidr_parse("10.0.0/8", &net, &p, &err) < 0);
	CHECK(husk_cidr_parse("10.0.0.0/", &net, &p, &err) < 0);
	CHECK(husk_cidr_parse("10.0.0.0/8x", &net, &p, &err) < 0);
	CHECK(husk_cidr_parse("300.0.0.0/8", &net, &p, &err) < 0);
	CHECK_INT(husk_cidr_parse("0.0.0.0/0", &net, &p, &err), 0);
	CHECK_INT(p, 0);
}

TEST(net_cidr_overlap)
{
	uint32_t a, b;
	unsigned pa, pb;
	struct husk_err err;

	husk_cidr_parse("10.209.0.0/16", &a, &pa, &err);
	husk_cidr_parse("10.209.5.0/24", &b, &pb, &err);
	CHECK(husk_cidr_overlap(a, pa, b, pb));
	CHECK(husk_cidr_overlap(b, pb, a, pa));
	husk_cidr_parse("10.210.0.0/16", &b, &pb, &err);
	CHECK(!husk_cidr_overlap(a, pa, b, pb));
	husk_cidr_parse("10.0.0.0/8", &b, &pb, &err);
	CHECK(husk_cidr_overlap(a, pa, b, pb));
	CHECK(husk_cidr_contains(a, pa, a + 77));
	CHECK(!husk_cidr_contains(a, pa, a + 65536));
	CHECK_INT(husk_prefix_mask(0), 0);
	CHECK_INT(husk_prefix_mask(32), 0xffffffffu);
}

TEST(net_port_parse)
{
	struct husk_port p;
	struct husk_err err;

	CHECK_INT(husk_port_parse("8080:80", &p, &err), 0);
	CHECK_STR(p.proto, "tcp");
	CHECK_INT(p.host, 8080);
	CHECK_INT(p.ctr, 80);
	CHECK_INT(husk_port_parse("53:5353/udp", &p, &err), 0);
	CHECK_STR(p.proto, "udp");
	CHECK_INT(p.ctr, 5353);
	CHECK(husk_port_parse("0:80", &p, &err) < 0);
	CHECK(husk_port_parse("65536:80", &p, &err) < 0);
	CHECK(husk_port_parse("80", &p, &err) < 0);
	CHECK(husk_port_parse("80:80/sctp", &p, &err) < 0);
	CHECK(strstr(err.msg, "80:80/sctp") != NULL);
	CHECK(husk_port_parse(":80", &p, &err) < 0);
	CHECK(husk_port_parse("1/tcp:80", &p, &err) < 0);
}
