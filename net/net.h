/* SPDX-License-Identifier: MIT */
/* net/: bridge + veth over rtnetlink, IPAM, NAT and published ports. */
#ifndef HUSK_NET_H
#define HUSK_NET_H

#include <sys/types.h>

#include "../runtime/err.h"
#include "../runtime/spec.h"

/*
 * Give the container (init @pid, its netns already made) a network as
 * @net asks.  Everything made is recorded under @state_dir before it is
 * made, so husk_net_detach() can undo it after a crash at any point.
 * Writes @state_dir/resolv.conf and @state_dir/hosts for the runtime to
 * bind-mount.  @root is husk's --root (networks and leases live there).
 */
int husk_net_attach(const char *root, const char *id,
		    const struct husk_net_spec *net, pid_t pid,
		    const char *state_dir, struct husk_err *err);
/* Idempotent: remove the host veth, the lease and the nft rules. */
int husk_net_detach(const char *root, const char *id, const char *state_dir,
		    struct husk_err *err);

#endif
