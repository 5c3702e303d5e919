/* SPDX-License-Identifier: MIT */
/* IPv4 address and CIDR arithmetic, all in host byte order. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

int husk_ip_parse(const char *s, uint32_t *ip)
{
	struct in_addr a;

	/* inet_pton() accepts only the dotted quad, no shorthand forms. */
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	return 0;
}

char *husk_ip_format(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
	return buf;
}

uint32_t husk_prefix_mask(unsigned prefix)
{
	return prefix == 0 ? 0 : ~UINT32_C(0) << (32 - prefix);
}

int husk_cidr_parse(const char *s, uint32_t *net, unsigned *prefix,
		    struct husk_err *err)
{
	char addr[16], *end;
	const char *slash = s ? strchr(s, '/') : NULL;
	size_t len;
	long p;

	if (!slash)
		return husk_fail(err, 0, "\"%s\": not ADDRESS/PREFIX",
				 s ? s : "");
	len = (size_t)(slash - s);
	if (len >= sizeof(addr))
		return husk_fail(err, 0, "\"%s\": invalid address", s);
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (husk_ip_parse(addr, net) < 0)
		return husk_fail(err, 0, "\"%s\": invalid address", s);
	errno = 0;
	p = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || p < 0 || p > 32)
		return husk_fail(err, 0, "\"%s\": invalid prefix length", s);
	if (*net & ~husk_prefix_mask((unsigned)p))
		return husk_fail(
		    err, 0, "\"%s\": address has bits set past the prefix", s);
	*prefix = (unsigned)p;
	return 0;
}

bool husk_cidr_overlap(uint32_t a, unsigned pa, uint32_t b, unsigned pb)
{
	uint32_t mask = husk_prefix_mask(pa < pb ? pa : pb);

	return (a & mask) == (b & mask);
}

bool husk_cidr_contains(uint32_t net, unsigned prefix, uint32_t ip)
{
	return (ip & husk_prefix_mask(prefix)) == net;
}

static int port_number(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int husk_port_parse(const char *s, struct husk_port *p, struct husk_err *err)
{
	const char *colon = strchr(s, ':'), *slash = strchr(s, '/');
	const char *ctr_end = slash ? slash : s + strlen(s);

	if (!colon || (slash && slash < colon) ||
	    port_number(s, (size_t)(colon - s), &p->host) < 0 ||
	    port_number(colon + 1, (size_t)(ctr_end - colon - 1), &p->ctr) < 0)
		return husk_fail(
		    err, 0,
		    "publish \"%s\": want HOSTPORT:CTRPORT[/tcp|udp] with "
		    "ports 1-65535",
		    s);
	if (!slash || strcmp(slash, "/tcp") == 0)
		strcpy(p->proto, "tcp");
	else if (strcmp(slash, "/udp") == 0)
		strcpy(p->proto, "udp");
	else
		return husk_fail(
		    err, 0, "publish \"%s\": protocol must be tcp or udp", s);
	return 0;
}
