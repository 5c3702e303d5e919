#!/usr/bin/env bats
# Namespaces seen from inside and outside: new ones differ from the host's,
# linux.namespaces[].path joins an existing one, user namespaces map ids,
# hostname and domainname land in the new UTS namespace.

load helpers

setup()
{
	husk_setup
	NETNS=husk-core-$$-$BATS_TEST_NUMBER
}

teardown()
{
	ip netns del "$NETNS" 2>/dev/null || true
	[ -n "${USERNS_DIR:-}" ] && rm -rf "$USERNS_DIR"
	husk_teardown
}

@test "pid, mount, uts, ipc, network, cgroup namespaces are new" {
	make_bundle "$BUNDLE" sh -c \
		'for n in pid mnt uts ipc net cgroup user; do
			echo "$n $(readlink /proc/self/ns/$n)"; done'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	local n link
	for n in pid mnt uts ipc net cgroup; do
		link=$(echo "$output" | awk -v n="$n" '$1 == n { print $2 }')
		[[ "$link" == "$n:["*"]" ]]
		[ "$link" != "$(readlink /proc/self/ns/$n)" ]
	done
	# No user namespace asked for: the host's.
	link=$(echo "$output" | awk '$1 == "user" { print $2 }')
	[ "$link" = "$(readlink /proc/self/ns/user)" ]
}

@test "a namespace path joins an existing netns" {
	ip netns add "$NETNS"
	make_bundle "$BUNDLE" readlink /proc/self/ns/net
	bundle_edit "$BUNDLE" --arg p "/run/netns/$NETNS" \
		'.linux.namespaces |= map(if .type == "network"
			then .path = $p else . end)'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "$output" = "net:[$(stat -L -c %i "/run/netns/$NETNS")]" ]
	# A path that is no namespace is refused.
	bundle_edit "$BUNDLE" '.linux.namespaces |= map(if .type == "network"
			then .path = "/etc/hostname" else . end)'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/etc/hostname"* ]]
}

@test "user namespace with uid/gid mappings" {
	local base=200000
	# The mapped root must reach the bundle: bats' tmpdir is 0700.
	USERNS_DIR=$(mktemp -d /var/tmp/husk-core-userns.XXXXXX)
	chmod 755 "$USERNS_DIR"
	BUNDLE=$USERNS_DIR/bundle
	make_bundle --copy "$BUNDLE"
	chown -R "$base:$base" "$BUNDLE/rootfs"
	local shared=$USERNS_DIR/shared
	mkdir -p "$shared"
	chown "$base:$base" "$shared"
	bundle_set_args "$BUNDLE" sh -c \
		'id -u; id -g; readlink /proc/self/ns/user; touch /shared/made-inside'
	bundle_edit "$BUNDLE" --arg s "$shared" --argjson b "$base" \
		'.linux.namespaces += [{"type": "user"}] |
		 .linux.uidMappings = [{"containerID": 0, "hostID": $b, "size": 65536}] |
		 .linux.gidMappings = [{"containerID": 0, "hostID": $b, "size": 65536}] |
		 .mounts += [{"destination": "/shared", "type": "bind",
		              "source": $s, "options": ["rbind", "rw"]}]'
	local id
	id=$(new_cid)
	husk create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/out" 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/out"; false; }
	local pid
	pid=$(husk state "$id" | jq .pid)
	[ "$(echo $(cat /proc/$pid/uid_map))" = "0 $base 65536" ]
	[ "$(echo $(cat /proc/$pid/gid_map))" = "0 $base 65536" ]
	[ "$(stat -c %u /proc/$pid)" = "$base" ]
	husk start "$id"
	wait_for_status "$id" stopped
	cat "$BATS_TEST_TMPDIR/out"
	mapfile -t lines <"$BATS_TEST_TMPDIR/out"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[[ "${lines[2]}" == "user:["* ]]
	[ "${lines[2]}" != "$(readlink /proc/self/ns/user)" ]
	# Root inside is $base outside.
	[ "$(stat -c %u:%g "$shared/made-inside")" = "$base:$base" ]
}

@test "hostname and domainname" {
	make_bundle "$BUNDLE" sh -c \
		'cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname'
	bundle_edit "$BUNDLE" '.hostname = "husk-host" | .domainname = "husk.example"'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = husk-host ]
	[ "${lines[1]}" = husk.example ]
	[ "$(hostname)" != husk-host ]
}
