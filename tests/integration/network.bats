#!/usr/bin/env bats
# Networking through the real CLI: containers made by `husk run|create` with
# the husk.network / husk.publish annotations, networks by `husk network`.
# Each test has its own subnet 10.231.N.0/24, bridge nt2brN and host ports
# from 18600 + 60 N, so parallel test files do not collide.  Traffic goes
# only to loopback, the test's containers and a netns the test made.

load helpers

setup()
{
	husk_setup
	N=$BATS_TEST_NUMBER
	SUB=10.231.$N
	BR=nt2br$N
	PORT=$((18600 + 60 * N))
	NETS=()
	OUTNS=""
	SERVER=""
	HOOKPID=""
}

teardown()
{
	local n
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
	[ -n "$HOOKPID" ] && kill "$HOOKPID" 2>/dev/null
	[ -n "${HUSK_ROOT:-}" ] && [ -d "$HUSK_ROOT" ] && delete_all_containers
	for n in "${NETS[@]}"; do
		husk network rm "$n" >/dev/null 2>&1 || echo "network rm $n failed"
	done
	if [ -n "$OUTNS" ]; then
		ip netns del "$OUTNS" 2>/dev/null
		ip link del "nt2o$$h" 2>/dev/null
	fi
	husk_teardown
}

# mknet NAME SUBNET BRIDGE [ARGS...]: `husk network create`, removed at teardown.
mknet()
{
	local name=$1 subnet=$2 bridge=$3
	shift 3
	husk network create --subnet "$subnet" --bridge "$bridge" "$@" "$name"
	NETS+=("$name")
}

# net_bundle DIR NETWORK PUBLISH ARGS...: a bundle on NETWORK publishing
# PUBLISH ("" for none), with CAP_NET_RAW for ping.
net_bundle()
{
	local dir=$1 net=$2 pub=$3
	shift 3
	make_bundle "$dir" "$@"
	bundle_edit "$dir" --arg net "$net" --arg pub "$pub" \
		'.annotations["husk.network"] = $net |
		 if $pub != "" then .annotations["husk.publish"] = $pub else . end |
		 .process.capabilities.bounding += ["CAP_NET_RAW"] |
		 .process.capabilities.effective += ["CAP_NET_RAW"] |
		 .process.capabilities.permitted += ["CAP_NET_RAW"]'
}

pid_of() { husk state "$1" | jq -r .pid; }

# The address on eth0 of container $1, as the kernel has it.
addr_of()
{
	nsenter -t "$(pid_of "$1")" -n ip -4 -o addr show dev eth0 |
		awk '{ sub("/.*", "", $4); print $4 }'
}

# Host veth names container $1 owns, from its net.records.
veths_of()
{
	awk '$1 == "veth" { v[$2] = 1 } $1 == "noveth" { delete v[$2] }
	     END { for (n in v) print n }' "$HUSK_ROOT/$1/net.records"
}

# Counts of what containers leave on network $1 / bridge $2 / subnet $3.
leases() { find "$HUSK_ROOT/.net/$1/leases" -type f 2>/dev/null | wc -l; }
bridge_ports() { ip -o link show master "$1" 2>/dev/null | wc -l; }
nft_ports() { nft list map ip husk ports 2>/dev/null | grep -o "$1\.[0-9]* \. [0-9]*" | wc -l; }
nft_subnet() { nft list table ip husk 2>/dev/null | grep -c "$1\.0/"; }

# fails CMD...: CMD must fail (a bare `! CMD` never fails a bats test).
fails() { ! "$@"; }

# refused ID MESSAGE RUN-ARGS...: `husk run RUN-ARGS... ID` fails with one
# line holding MESSAGE and leaves no state dir for ID.
refused()
{
	local id=$1 want=$2
	shift 2
	run husk run "$@" "$id"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$want"* ]]
	[ ! -e "$HUSK_ROOT/$id" ]
}

@test "two containers reach each other and the gateway; /etc/hosts, resolv.conf" {
	mknet n1 "$SUB.0/24" "$BR"
	net_bundle "$BUNDLE" n1 "" sleep 300
	c1=$(new_cid)
	husk run --detach --bundle "$BUNDLE" "$c1" >/dev/null 2>&1
	a1=$(addr_of "$c1")
	[[ "$a1" == "$SUB".* ]]
	nsenter -t "$(pid_of "$c1")" -n ip route | grep -q "default via $SUB.1 dev eth0"

	# A container named "net" is fine: the store is <root>/.net.
	net_bundle "$BUNDLE/2" n1 "" sh -c "
		ping -c1 -W3 $a1 >/dev/null || echo FAIL ping $a1
		ping -c1 -W3 $SUB.1 >/dev/null || echo FAIL ping gateway
		ip -4 -o addr show dev eth0
		cat /etc/hosts /etc/resolv.conf"
	bundle_edit "$BUNDLE/2" '.hostname = "peer-two"'
	run husk run --bundle "$BUNDLE/2" net
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *FAIL* ]]
	a2=$(awk '$2 == "eth0" { sub("/.*", "", $4); print $4 }' <<<"$output")
	[[ "$a2" == "$SUB".* ]] && [ "$a2" != "$a1" ]
	grep -qx "$a2	peer-two" <<<"$output"
	grep -q "^127.0.0.1	localhost" <<<"$output"
	# The host's nameservers minus loopback ones.
	want=$(awk '$1 == "nameserver" && $2 !~ /^127\./ && $2 !~ /:/' /etc/resolv.conf)
	got=$(grep '^nameserver' <<<"$output")
	if [ -n "$want" ]; then [ "$got" = "$want" ]; else [ "$got" = "nameserver $SUB.1" ]; fi
	[ ! -e "$HUSK_ROOT/net" ]
}

@test "busybox httpd answers on a published port from the host and other containers" {
	mknet n1 "$SUB.0/24" "$BR"
	net_bundle "$BUNDLE" n1 "$PORT:80" httpd -f -p 80 -h /etc
	bundle_edit "$BUNDLE" '.hostname = "web-'$$'"'
	c1=$(new_cid)
	husk run --detach --bundle "$BUNDLE" "$c1" >/dev/null 2>&1
	a1=$(addr_of "$c1")
	wait_http "http://127.0.0.1:$PORT/hostname"
	[ "$(timeout 5 wget -qO- "http://127.0.0.1:$PORT/hostname")" = "web-$$" ]
	# The host's address on the bridge.
	[ "$(timeout 5 wget -qO- "http://$SUB.1:$PORT/hostname")" = "web-$$" ]
	# Another container: directly, and through the published port.
	net_bundle "$BUNDLE/2" n1 "" sh -c "
		timeout 5 wget -qO- http://$a1/hostname
		timeout 5 wget -qO- http://$SUB.1:$PORT/hostname"
	run husk run --bundle "$BUNDLE/2" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'web-%s\nweb-%s' $$ $$)" ]
	[ "$(nft_ports "$SUB")" -eq 1 ]
	husk delete --force "$c1"
	[ "$(nft_ports "$SUB")" -eq 0 ]
	fails timeout 3 wget -qO- "http://127.0.0.1:$PORT/hostname"
}

@test "50 containers started in parallel get 50 addresses; delete leaves nothing" {
	mknet n1 "$SUB.0/24" "$BR"
	ids=()
	net_bundle "$BUNDLE" n1 "" sleep 300
	for i in $(seq 50); do
		ids+=("$(new_cid)")
		mkdir "$BUNDLE/$i"
		jq --arg pub "$((PORT + i)):80" '.annotations["husk.publish"] = $pub' \
			"$BUNDLE/config.json" >"$BUNDLE/$i/config.json"
	done
	for i in $(seq 50); do
		# At most 8 at once; `wait -n` reaps one before the next starts.
		(($(jobs -pr | wc -l) < 8)) || wait -n
		{ husk run --detach --bundle "$BUNDLE/$i" "${ids[i - 1]}" \
			>"$BUNDLE/$i/log" 2>&1; echo $? >"$BUNDLE/$i/rc"; } &
	done
	wait
	cat "$BUNDLE"/*/log
	[ "$(cat "$BUNDLE"/*/rc | sort -u)" = 0 ]
	for id in "${ids[@]}"; do addr_of "$id"; done | sort -u >"$BUNDLE/addrs"
	[ "$(grep -c "^$SUB\." "$BUNDLE/addrs")" -eq 50 ]
	[ "$(leases n1)" -eq 50 ]
	[ "$(bridge_ports "$BR")" -eq 50 ]
	[ "$(nft_ports "$SUB")" -eq 50 ]
	for id in "${ids[@]}"; do veths_of "$id"; done >"$BUNDLE/veths"
	[ "$(sort -u "$BUNDLE/veths" | wc -l)" -eq 50 ]

	for id in "${ids[@]}"; do
		(($(jobs -pr | wc -l) < 8)) || wait -n
		husk delete --force "$id" &
	done
	wait
	[ -z "$(husk list -q 2>/dev/null)" ]
	[ "$(leases n1)" -eq 0 ]
	[ "$(bridge_ports "$BR")" -eq 0 ]
	[ "$(nft_ports "$SUB")" -eq 0 ]
	while read -r v; do fails ip link show "$v" 2>/dev/null || return 1; done <"$BUNDLE/veths"
}

@test "kill -9 of husk create after the network was attached; delete --force leaves nothing" {
	mknet n1 "$SUB.0/24" "$BR"
	net_bundle "$BUNDLE" n1 "$PORT:80" sleep 300
	bundle_edit "$BUNDLE" --arg f "$BATS_TEST_TMPDIR/hook.pid" \
		'.hooks.createRuntime = [{ "path": "/bin/sh",
		  "args": ["sh", "-c", "echo $$ >\($f); exec sleep 60"] }]'
	id=$(new_cid)
	# The binary itself, not the husk() wrapper's subshell, gets the kill.
	"$HUSK" --root "$HUSK_ROOT" create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 &
	create=$!
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/hook.pid" ] && break
		sleep 0.1
	done
	HOOKPID=$(cat "$BATS_TEST_TMPDIR/hook.pid")
	# Mid-create, with everything of the network made.
	v=$(veths_of "$id")
	ip link show "$v" | grep -q "master $BR"
	[ "$(leases n1)" -eq 1 ]
	[ "$(nft_ports "$SUB")" -eq 1 ]
	init=$(jq -r .pid "$HUSK_ROOT/$id/state.json")
	kill -9 "$create"
	wait "$create" || true
	kill "$HOOKPID"
	[ -e "$HUSK_ROOT/$id/net.records" ]

	husk delete --force "$id"
	[ ! -e "$HUSK_ROOT/$id" ]
	# Dead (a zombie at most: who reaps orphans is the host's business).
	[[ "$(awk '{ print $3 }' "/proc/$init/stat" 2>/dev/null)" =~ ^Z?$ ]]
	fails ip link show "$v" 2>/dev/null
	[ "$(leases n1)" -eq 0 ]
	[ "$(bridge_ports "$BR")" -eq 0 ]
	[ "$(nft_ports "$SUB")" -eq 0 ]
	[ ! -e "$HUSK_ROOT/.net/ports/tcp-$PORT" ]
}

# A netns playing "the outside": 10.232.N.2, reached via the host's
# 10.232.N.1; its httpd's CGI echoes the peer address it sees.
make_outside()
{
	OUTNS=husk-nt2-out-$$
	ip netns add "$OUTNS"
	ip link add "nt2o$$h" type veth peer name "nt2o$$n"
	ip link set "nt2o$$n" netns "$OUTNS"
	ip addr add "10.232.$N.1/24" dev "nt2o$$h"
	ip link set "nt2o$$h" up
	ip -n "$OUTNS" addr add "10.232.$N.2/24" dev "nt2o$$n"
	ip -n "$OUTNS" link set "nt2o$$n" up
	ip -n "$OUTNS" link set lo up
	mkdir -p "$BATS_TEST_TMPDIR/www/cgi-bin"
	printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho "$REMOTE_ADDR"\n' \
		>"$BATS_TEST_TMPDIR/www/cgi-bin/peer"
	chmod +x "$BATS_TEST_TMPDIR/www/cgi-bin/peer"
	ip netns exec "$OUTNS" busybox httpd -f -p "10.232.$N.2:8080" \
		-h "$BATS_TEST_TMPDIR/www" &
	SERVER=$!
	wait_http "http://10.232.$N.2:8080/cgi-bin/peer"
}

@test "outbound traffic is masqueraded; a --no-nat network keeps its source" {
	mknet n1 "$SUB.0/24" "$BR"
	mknet plain "10.231.$((N + 100)).0/24" "nt2pl$N" --no-nat
	make_outside
	url=http://10.232.$N.2:8080/cgi-bin/peer
	net_bundle "$BUNDLE" n1 "" timeout 5 wget -qO- "$url"
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "$output" = "10.232.$N.1" ]
	# Without NAT the outside sees the container itself (given a route back).
	ip -n "$OUTNS" route add "10.231.$((N + 100)).0/24" via "10.232.$N.1"
	net_bundle "$BUNDLE/2" plain "" sh -c "ip -4 -o addr show dev eth0; timeout 5 wget -qO- $url"
	run husk run --bundle "$BUNDLE/2" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 0 ]
	a=$(awk '$2 == "eth0" { sub("/.*", "", $4); print $4 }' <<<"$output")
	[[ "$a" == 10.231.$((N + 100)).* ]]
	[ "${lines[1]}" = "$a" ]
}

@test "bad network input: one-line errors, nothing made" {
	mknet n1 "$SUB.0/24" "$BR"
	before=$(husk network ls -q)
	check() { # EXPECTED-MESSAGE husk network create ARGS...
		local want=$1
		shift
		run husk network create "$@"
		echo "$output"
		[ "$status" -ne 0 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *"$want"* ]]
		[ "$(husk network ls -q)" = "$before" ]
	}
	check 'subnet: "10.233.0.3/24": address has bits set past the prefix' \
		--subnet 10.233.0.3/24 x
	check 'subnet' --subnet 10.233.0.0/33 x
	check 'subnet' --subnet bogus x
	check 'gateway "10.233.1.1": not a host address of subnet 10.233.0.0/24' \
		--subnet 10.233.0.0/24 --gateway 10.233.1.1 x
	check 'gateway "10.233.0.255"' --subnet 10.233.0.0/24 --gateway 10.233.0.255 x
	check 'bridge "nt2averyverylongname": longer than 15 characters' \
		--subnet 10.233.0.0/24 --bridge nt2averyverylongname x
	check "subnet \"$SUB.128/25\": overlaps $SUB.0/24 of network n1" \
		--subnet "$SUB.128/25" --bridge "nt2x$N" x
	check "bridge \"$BR\": already used by network n1" \
		--subnet 10.233.0.0/24 --bridge "$BR" x
	check 'network n1' --subnet 10.233.0.0/24 --bridge "nt2x$N" n1
	fails ip link show "nt2x$N" 2>/dev/null
	[ ! -e "$HUSK_ROOT/.net/x.json" ]
}

@test "a host port already published: the second container fails, leaves nothing" {
	mknet n1 "$SUB.0/24" "$BR"
	net_bundle "$BUNDLE" n1 "$PORT:80" sleep 300
	c1=$(new_cid)
	husk run --detach --bundle "$BUNDLE" "$c1" >/dev/null 2>&1
	net_bundle "$BUNDLE/2" n1 "$((PORT + 1)):81,$PORT:80" sleep 300
	refused "$(new_cid)" \
		"publish \"$PORT:80\": host port $PORT/tcp already published by container $c1" \
		--detach --bundle "$BUNDLE/2"
	[ "$(leases n1)" -eq 1 ]
	[ "$(bridge_ports "$BR")" -eq 1 ]
	[ "$(nft_ports "$SUB")" -eq 1 ]
	[ ! -e "$HUSK_ROOT/.net/ports/tcp-$((PORT + 1))" ]
	# The same port twice in one container is refused before anything.
	net_bundle "$BUNDLE/3" n1 "$((PORT + 2)):80,$((PORT + 2)):81" true
	run husk run --bundle "$BUNDLE/3" "$(new_cid)"
	[ "$status" -ne 0 ]
	[[ "$output" == *"host port given twice"* ]]
	[ "$(leases n1)" -eq 1 ]
}

@test "bad container network input: one-line errors, no state dir" {
	mknet n1 "$SUB.0/24" "$BR"
	check() { # EXPECTED-MESSAGE NETWORK PUBLISH
		net_bundle "$BUNDLE" "$2" "$3" true
		refused "$(new_cid)" "$1" --bundle "$BUNDLE"
		[ "$(leases n1)" -eq 0 ]
		[ "$(bridge_ports "$BR")" -eq 0 ]
	}
	check 'network nosuch' nosuch ""
	check 'publish "99999:80"' n1 "99999:80"
	check 'publish "80"' n1 "80"
	check 'publish "1:2/sctp"' n1 "1:2/sctp"
	check 'network none has no ports' none "$PORT:80"
}

@test "an exhausted pool (/30): one-line error, nothing half-made; rm waits for it" {
	mknet tiny "$SUB.0/30" "$BR"
	net_bundle "$BUNDLE" tiny "" sleep 300
	c1=$(new_cid)
	husk run --detach --bundle "$BUNDLE" "$c1" >/dev/null 2>&1
	[ "$(addr_of "$c1")" = "$SUB.2" ]
	refused "$(new_cid)" "address pool $SUB.0/30 exhausted" \
		--detach --bundle "$BUNDLE"
	[ "$(leases tiny)" -eq 1 ]
	[ "$(bridge_ports "$BR")" -eq 1 ]
	run husk network rm tiny
	[ "$status" -ne 0 ]
	[[ "$output" == *"still attached"* ]]
	husk delete --force "$c1"
	husk network rm tiny
	NETS=()
	fails ip link show "$BR" 2>/dev/null
	[ "$(nft_subnet "$SUB")" -eq 0 ]
}

@test "a container with a long id (hashed state dir) keeps its lease" {
	mknet tiny "$SUB.0/30" "$BR"
	net_bundle "$BUNDLE" tiny "" sleep 300
	local c1
	c1=$(new_cid)-$(printf 'l%.0s' {1..230})
	husk run --detach --bundle "$BUNDLE" "$c1" >/dev/null 2>&1
	[ ! -e "$HUSK_ROOT/$c1" ] # its dir name is a hash: the id is too long
	[ "$(addr_of "$c1")" = "$SUB.2" ]
	# The lease's owner is alive: the pool stays exhausted, no reuse.
	# (A second bundle running true: were it let in, it would not hold
	# the output pipe of `run` open.)
	net_bundle "$BATS_TEST_TMPDIR/b2" tiny "" true
	refused "$(new_cid)" "address pool $SUB.0/30 exhausted" \
		--detach --bundle "$BATS_TEST_TMPDIR/b2"
	[ "$(leases tiny)" -eq 1 ]
	husk delete --force "$c1"
	[ "$(leases tiny)" -eq 0 ]
	husk network rm tiny
	NETS=()
}

@test "husk network create|ls|rm" {
	mknet n1 "$SUB.0/24" "$BR" --mtu 1400 --no-nat --gateway "$SUB.254"
	mknet n0 "10.231.$((N + 100)).0/24" "nt2pl$N"
	run husk network ls -q
	[ "$output" = "$(printf 'n0\nn1')" ]
	run husk network ls --format json
	[ "$(jq -r '.[] | select(.name == "n1") | "\(.subnet) \(.gateway) \(.bridge) \(.mtu) \(.nat)"' <<<"$output")" = \
		"$SUB.0/24 $SUB.254 $BR 1400 false" ]
	run husk network ls
	[[ "${lines[0]}" == NAME* ]]
	[[ "$output" == *n1*"$BR"*"$SUB.0/24"* ]]
	# The settings reach the kernel on first use.
	net_bundle "$BUNDLE" n1 "" sh -c 'ip -o link show dev eth0; ip route'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"mtu 1400"* ]]
	[[ "$output" == *"default via $SUB.254"* ]]
	ip -4 -o addr show dev "$BR" | grep -q "$SUB.254/24"
	[ "$(nft list set ip husk subnets | grep -c "$SUB.0/24")" -eq 1 ]
	[ "$(nft list set ip husk nat_subnets | grep -c "$SUB.0/24")" -eq 0 ]
	husk network rm n1 n0
	NETS=()
	fails ip link show "$BR" 2>/dev/null
	[ "$(nft_subnet "$SUB")" -eq 0 ]
	[ -z "$(husk network ls -q)" ]
	run husk network rm n1
	[ "$status" -ne 0 ]
	[[ "$output" == *"network n1"* ]]
	run husk network rm host
	[ "$status" -ne 0 ]
}

@test "network none is loopback only; host has no network namespace" {
	make_bundle "$BUNDLE" sh -c 'ip -o link; cat /etc/hosts'
	bundle_edit "$BUNDLE" '.annotations["husk.network"] = "none" | .hostname = "solo"'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^[0-9]*: ' <<<"$output")" -eq 1 ]
	[[ "${lines[0]}" == "1: lo: <LOOPBACK,UP,LOWER_UP>"* ]]
	grep -q "^127.0.0.1	localhost solo" <<<"$output"

	make_bundle "$BUNDLE/h" sleep 300
	bundle_edit "$BUNDLE/h" '.annotations["husk.network"] = "host"'
	jq -e '.linux.namespaces | any(.type == "network")' "$BUNDLE/h/config.json"
	id=$(new_cid)
	husk run --detach --bundle "$BUNDLE/h" "$id" >/dev/null 2>&1
	pid=$(pid_of "$id")
	[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink /proc/self/ns/net)" ]
	[ "$(readlink "/proc/$pid/ns/uts")" != "$(readlink /proc/self/ns/uts)" ]
	[ ! -e "$HUSK_ROOT/$id/net.records" ]
	# Without the annotation the spec's netns is made as asked.
	make_bundle "$BUNDLE/d" sleep 300
	id=$(new_cid)
	husk run --detach --bundle "$BUNDLE/d" "$id" >/dev/null 2>&1
	[ "$(readlink "/proc/$(pid_of "$id")/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

@test "a network's nft rules go in once per table; a deleted table is put back" {
	local before after
	mknet n1 "$SUB.0/24" "$BR"
	net_bundle "$BUNDLE" n1 "" true
	husk run --bundle "$BUNDLE" "$(new_cid)"
	before=$(nft -a list chain ip husk postrouting)
	[[ "$before" == *masquerade* ]]
	husk run --bundle "$BUNDLE" "$(new_cid)"
	after=$(nft -a list chain ip husk postrouting)
	# Same rules, same handles: nothing flushed and refilled them.
	[ "$before" = "$after" ]
	# husk's table removed behind its back (as a ruleset flush would; the
	# suite runs one file at a time, so no other test is using it).
	nft delete table ip husk
	husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$(nft list set ip husk subnets | grep -c "$SUB.0/24")" -eq 1 ]
	[ "$(nft list set ip husk nat_subnets | grep -c "$SUB.0/24")" -eq 1 ]
	nft list chain ip husk postrouting | grep -q masquerade
}
