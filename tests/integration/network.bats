#!/usr/bin/env bats
# net/ against the kernel, through build/helpers/netcheck until the
# runtime calls husk_net_attach itself.  Traffic only goes to loopback and
# to the netns made here.  Needs root.

NC=build/helpers/netcheck

setup() {
	R=$(mktemp -d /tmp/husk-net-bats-XXXXXX)
	PIDS=()
	# A network of the test's own, clear of the default husk0.
	$NC network "$R" create --subnet 10.249.0.0/24 --bridge husk-nt0 nt >/dev/null
}

# A process holding a fresh netns, as a container's init would.
netns() {
	unshare -n sleep 300 >/dev/null 2>&1 3>&- &
	PIDS+=($!)
	NSPID=$!
	for _ in $(seq 50); do
		[ "$(readlink /proc/$NSPID/ns/net)" != "$(readlink /proc/self/ns/net)" ] && return
		sleep 0.05
	done
}

attach() { # ID NETWORK [PUBLISH...]
	local id=$1
	shift
	netns
	mkdir -p "$R/$id"
	$NC attach "$R" "$id" "$NSPID" "$R/$id" "$@"
}

addr_of() { awk -v id="$1" '$2 == id { print $1 }' "$R/$1/hosts"; }

teardown() {
	for d in "$R"/*/; do
		id=$(basename "$d")
		[ "$id" = net ] || $NC detach "$R" "$id" "$d" || true
	done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	$NC network "$R" rm nt big tiny 2>/dev/null || true
	rm -rf "$R"
}

leftovers() { # veths, leases, port files, nft port elements of this test
	local n=0
	n=$((n + $(ip -o link show master husk-nt0 2>/dev/null | wc -l)))
	n=$((n + $(find "$R/.net" -path '*/leases/*' -o -path '*/ports/*-*' | wc -l)))
	n=$((n + $(nft list map ip husk ports 2>/dev/null | grep -c '10\.249\.')))
	echo "$n"
}

@test "two containers reach each other, the gateway and a published port" {
	attach c1 nt 18081:80
	attach c2 nt
	a1=$(addr_of c1)
	a2=$(addr_of c2)
	[ -n "$a1" ] && [ -n "$a2" ] && [ "$a1" != "$a2" ]
	pid1=${PIDS[0]}
	pid2=${PIDS[1]}
	timeout 10 nsenter -t "$pid2" -n busybox ping -c1 -W3 "$a1"
	timeout 10 nsenter -t "$pid1" -n busybox ping -c1 -W3 10.249.0.1
	nsenter -t "$pid1" -n ip route | grep -q 'default via 10.249.0.1 dev eth0'
	mkdir -p "$R/www" && echo hello-husk >"$R/www/index.html"
	nsenter -t "$pid1" -n busybox httpd -p 80 -h "$R/www"
	# busybox httpd -p daemonizes; it dies with the netns holder's kill below
	hostaddr=$(ip -4 -o addr show scope global | awk '{sub("/.*","",$4); print $4; exit}')
	run timeout 10 wget -qO- http://127.0.0.1:18081/
	[ "$output" = hello-husk ]
	if [ -n "$hostaddr" ]; then
		run timeout 10 wget -qO- "http://$hostaddr:18081/"
		[ "$output" = hello-husk ]
	fi
	run timeout 10 nsenter -t "$pid2" -n wget -qO- "http://$a1/"
	[ "$output" = hello-husk ]
	nsenter -t "$pid1" -n pkill -f "busybox httpd -p 80 -h $R/www" || true
	grep -q "nameserver" "$R/c1/resolv.conf"
	! grep -q "nameserver 127\." "$R/c1/resolv.conf"
	[ "$(leftovers)" -gt 0 ]
	$NC detach "$R" c1 "$R/c1"
	$NC detach "$R" c2 "$R/c2"
	$NC detach "$R" c2 "$R/c2" # idempotent
	[ "$(leftovers)" -eq 0 ]
	[ ! -e "$R/c1/net.records" ]
}

@test "50 concurrent attaches get 50 distinct addresses" {
	for i in $(seq 50); do
		netns
		mkdir -p "$R/p$i"
		echo "$NSPID" >"$R/p$i/pid"
	done
	jobs=()
	for i in $(seq 50); do
		$NC attach "$R" "p$i" "$(cat "$R/p$i/pid")" "$R/p$i" nt &
		jobs+=($!)
	done
	for j in "${jobs[@]}"; do wait "$j"; done # not the netns holders
	for i in $(seq 50); do addr_of "p$i"; done | sort -u >"$R/addrs"
	[ "$(wc -l <"$R/addrs")" -eq 50 ]
	[ "$(ls "$R/.net/nt/leases" | wc -l)" -eq 50 ]
	jobs=()
	for i in $(seq 50); do
		$NC detach "$R" "p$i" "$R/p$i" &
		jobs+=($!)
	done
	for j in "${jobs[@]}"; do wait "$j"; done
	[ "$(leftovers)" -eq 0 ]
}

@test "detach works from the records after the container was SIGKILLed" {
	attach k1 nt 18082:80/udp
	kill -9 "$NSPID"
	wait "$NSPID" 2>/dev/null || true
	# A crash in the middle of attach: recorded, half made.
	mkdir -p "$R/k2"
	printf 'lease nt 10.249.0.200\nveth hkdeadbeef\n' >"$R/k2/net.records"
	echo k2 >"$R/.net/nt/leases/10.249.0.200"
	$NC detach "$R" k1 "$R/k1"
	$NC detach "$R" k2 "$R/k2"
	[ "$(leftovers)" -eq 0 ]
}

@test "a second publisher of a port fails and leaves nothing behind" {
	attach d1 nt 18083:80
	before=$(leftovers)
	netns
	mkdir -p "$R/d2"
	run $NC attach "$R" d2 "$NSPID" "$R/d2" nt 18084:81 18083:80
	[ "$status" -eq 1 ]
	[[ "$output" == *'publish "18083:80": host port 18083/tcp already published by container d1'* ]]
	[ "$(leftovers)" -eq "$before" ]
	[ ! -e "$R/d2/net.records" ]
	[ -z "$(nsenter -t "$NSPID" -n ip -o link show eth0 2>/dev/null)" ]
}

@test "an exhausted pool fails cleanly" {
	$NC network "$R" create --subnet 10.248.0.0/30 --bridge husk-nt1 tiny
	attach e1 tiny
	netns # outside `run`, so teardown knows the pid
	mkdir -p "$R/e2"
	run $NC attach "$R" e2 "$NSPID" "$R/e2" tiny
	[ "$status" -eq 1 ]
	[[ "$output" == *"address pool 10.248.0.0/30 exhausted"* ]]
	[ "$(ip -o link show master husk-nt1 | wc -l)" -eq 1 ]
	run $NC network "$R" rm tiny
	[ "$status" -eq 1 ]
	[[ "$output" == *"still attached"* ]]
	$NC detach "$R" e1 "$R/e1"
	$NC network "$R" rm tiny
	! ip link show husk-nt1 2>/dev/null
}

@test "network none brings up lo only; host does nothing" {
	attach n1 none
	nsenter -t "$NSPID" -n ip -o link show lo | grep -q 'UP'
	[ "$(nsenter -t "$NSPID" -n ip -o link | wc -l)" -eq 1 ]
	grep -q "localhost n1" "$R/n1/hosts"
	attach h1 host
	[ ! -e "$R/h1/hosts" ]
}

@test "network create/ls/rm and bad input" {
	run $NC network "$R" create --subnet 10.249.0.128/25 other
	[ "$status" -eq 1 ]
	[[ "$output" == *'subnet "10.249.0.128/25": overlaps 10.249.0.0/24 of network nt'* ]]
	run $NC network "$R" create --subnet 10.1.2.3/8 x
	[[ "$output" == *'subnet: "10.1.2.3/8": address has bits set past the prefix'* ]]
	run $NC network "$R" create --bridge averyveryverylongname x
	[[ "$output" == *'bridge "averyveryverylongname": longer than 15 characters'* ]]
	run $NC network "$R" create --subnet 10.247.0.0/24 --gateway 10.247.1.1 x
	[[ "$output" == *'gateway "10.247.1.1"'* ]]
	[ ! -e "$R/.net/x.json" ]
	$NC network "$R" create --subnet 10.246.0.0/16 --mtu 1400 --no-nat big
	run $NC network "$R" ls -q
	[ "$output" = "$(printf 'big\nnt')" ]
	run $NC network "$R" ls --format json
	[[ "$output" == *'"subnet": "10.246.0.0/16"'* ]]
	[[ "$output" == *'"nat": false'* ]]
	run $NC network "$R" ls
	[[ "${lines[0]}" == NAME* ]]
	$NC network "$R" rm big
	run $NC network "$R" rm big
	[ "$status" -eq 1 ]
	[[ "$output" == *"network big"* ]]
}
