#!/usr/bin/env bats
# The front door: husk run --rootfs DIR [flags] -- CMD, and husk spec --rootfs.
# Each flag is checked by its effect inside the container.  --net none
# unless the test is about networking, so no test touches the default
# network's bridge.

load helpers

# The network test's own network goes even when the test fails.
teardown()
{
	if [ -n "${NET:-}" ]; then
		delete_all_containers
		husk network rm "$NET" >/dev/null 2>&1 ||
			ip link del "husk-$NET" 2>/dev/null || true
	fi
	husk_teardown
}

fd() { husk run --rootfs "$ROOTFS" --net none "$@"; }

@test "runs a command, keeps the stopped container unless --rm" {
	run fd --name c1 -- /bin/sh -c 'echo hi; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = hi ]
	[ "$(container_status c1)" = stopped ]
	[ "$(jq -r '.annotations["husk.network"]' "$HUSK_ROOT/c1/config.json")" = none ]
	husk delete c1
	run fd --rm --name c2 -- /bin/true
	[ "$status" -eq 0 ]
	[ ! -e "$HUSK_ROOT/c2" ]
}

@test "without --name an id is generated" {
	# To a file: $(...) would wait for the container, which shares stdout.
	fd -d -- /bin/sleep 5 >"$BATS_TEST_TMPDIR/id"
	id=$(cat "$BATS_TEST_TMPDIR/id")
	[[ "$id" =~ ^husk-[0-9a-f]{12}$ ]]
	[ "$(container_status "$id")" = running ]
	husk delete --force "$id"
}

@test "--overlay: writes land in the upper, the rootfs is untouched; delete removes it" {
	run fd --overlay --name o1 -- /bin/sh -c 'echo w >/written; rm /etc/group; ls /etc/group'
	[ "$status" -ne 0 ]
	[ "$(cat "$HUSK_ROOT/o1/overlay/upper/written")" = w ]
	[ -c "$HUSK_ROOT/o1/overlay/upper/etc/group" ]
	[ ! -e "$ROOTFS/written" ]
	[ -e "$ROOTFS/etc/group" ]
	husk delete o1
	[ ! -e "$HUSK_ROOT/o1" ]
}

@test "--overlay-upper DIR keeps the writes across containers" {
	up=$BATS_TEST_TMPDIR/keep/upper
	fd --rm --overlay-upper "$up" -- /bin/sh -c 'echo one >/data'
	[ "$(cat "$up/data")" = one ]
	run fd --rm --overlay-upper "$up" -- /bin/cat /data
	[ "$output" = one ]
	[ -d "$up" ]
}

@test "--memory, --cpus, --pids set the cgroup limits" {
	run fd --rm --memory 64m --cpus 0.5 --pids 33 -- /bin/sh -c '
		cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null
		cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null
		cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null; true'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *67108864* ]]
	[[ "$output" == *"50000 100000"* ]] || [[ "$output" == *$'50000\n100000'* ]]
	[[ "$output" == *33* ]]
}

@test "--pids is enforced" {
	run fd --rm --pids 5 -- /bin/sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 2 & done 2>&1; wait'
	[[ "$output" == *"Resource temporarily unavailable"* ]] || [[ "$output" == *"can't fork"* ]]
}

@test "--hostname, --env, --workdir" {
	run fd --rm --hostname fdhost -e FOO=bar --env PATH=/bin -w /etc -- \
		/bin/sh -c 'hostname; echo "$FOO $PATH"; pwd'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = fdhost ]
	[ "${lines[1]}" = "bar /bin" ]
	[ "${lines[2]}" = /etc ]
}

@test "--user by name and by number" {
	run fd --rm --user nobody -- id
	echo "$output"
	[ "$output" = "uid=65534(nobody) gid=65534(nogroup)" ]
	run fd --rm -u 1234:65534 -- id -u
	[ "$output" = 1234 ]
	run fd --rm -u 1234:65534 -- id -g
	[ "$output" = 65534 ]
}

@test "--volume rw and ro" {
	mkdir -p "$BATS_TEST_TMPDIR/rw" "$BATS_TEST_TMPDIR/ro"
	echo host >"$BATS_TEST_TMPDIR/ro/f"
	run fd --rm -v "$BATS_TEST_TMPDIR/rw:/mnt/rw" --volume "$BATS_TEST_TMPDIR/ro:/mnt/ro:ro" -- \
		/bin/sh -c 'echo c >/mnt/rw/out; cat /mnt/ro/f; echo x >/mnt/ro/f'
	[ "$(cat "$BATS_TEST_TMPDIR/rw/out")" = c ]
	[[ "$output" == *host* ]]
	[[ "$output" == *"Read-only file system"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/ro/f")" = host ]
}

@test "-t gives the command a terminal" {
	run timeout 10 script -qec "$HUSK --root $HUSK_ROOT run --rootfs $ROOTFS --net none --rm -t -- /bin/sh -c 'tty; test -t 0 && echo is-a-tty'" /dev/null
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *is-a-tty* ]]
	run fd --rm -- /bin/sh -c 'test -t 0 || echo no-tty'
	[ "$output" = no-tty ]
}

@test "-d returns at once; -d --rm deletes the container when it exits" {
	fd -d --rm --name dr -- /bin/sleep 1 >"$BATS_TEST_TMPDIR/id"
	[ "$(cat "$BATS_TEST_TMPDIR/id")" = dr ]
	[ "$(container_status dr)" = running ]
	for _ in $(seq 60); do [ -e "$HUSK_ROOT/dr" ] || break; sleep 0.1; done
	[ ! -e "$HUSK_ROOT/dr" ]
}

@test "--net none: loopback only; --net host: the host's network namespace" {
	run fd --rm -- /bin/sh -c 'ls /sys/class/net; readlink /proc/self/ns/net'
	[ "${lines[0]}" = lo ]
	[ "${lines[1]}" != "$(readlink /proc/self/ns/net)" ]
	run husk run --rootfs "$ROOTFS" --net host --rm -- /bin/readlink /proc/self/ns/net
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
}

@test "--net NAME and --publish: a request to the host port reaches the container" {
	NET=fd$$
	net=$NET
	husk network create --subnet 10.248.7.0/24 --bridge "husk-$NET" "$net"
	mkdir -p "$BATS_TEST_TMPDIR/www"
	echo front-door >"$BATS_TEST_TMPDIR/www/index.html"
	husk run --rootfs "$ROOTFS" --net "$net" --publish 18391:80 \
		-v "$BATS_TEST_TMPDIR/www:/www:ro" -d --name web --hostname web -- httpd -f -p 80 -h /www
	addr=$(awk '$2 == "web" { print $1 }' "$HUSK_ROOT/web/hosts")
	[[ "$addr" == 10.248.7.* ]]
	run wait_http "http://$addr/"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = front-door ]
	run timeout 5 wget -qO- http://127.0.0.1:18391/
	[ "$output" = front-door ]
	husk delete --force web
	husk network rm "$net"
}

@test "husk spec --rootfs writes the same config, reusable with run -b" {
	husk spec --rootfs "$ROOTFS" --overlay --memory 32m --hostname sp \
		--net none -b "$BUNDLE" -- /bin/hostname
	[ "$(jq -r '.annotations["husk.overlay.lower"]' "$BUNDLE/config.json")" = "$ROOTFS" ]
	[ "$(jq -r .linux.resources.memory.limit "$BUNDLE/config.json")" = 33554432 ]
	run husk run -b "$BUNDLE" sp1
	[ "$status" -eq 0 ]
	[ "$output" = sp ]
	# The front door keeps byte-for-byte what spec writes.
	fd --overlay --memory 32m --hostname sp --name sp2 -- /bin/hostname
	diff <(jq -S . "$BUNDLE/config.json") <(jq -S . "$HUSK_ROOT/sp2/config.json")
	run husk spec --help
	[[ "$output" == *husk.overlay.lower* ]]
	[[ "$output" == *husk.overlay.readonly* ]]
}

@test "bad input: clear errors, nothing left" {
	run husk run --rootfs /nonexistent-husk --rm -- /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *"--rootfs /nonexistent-husk: No such file or directory"* ]]
	run fd --memory lots -- /bin/true
	[[ "$output" == *'--memory "lots"'* ]]
	run fd --cpus 0 -- /bin/true
	[[ "$output" == *'--cpus "0"'* ]]
	run fd --user ghost -- /bin/true
	[[ "$output" == *'no user "ghost"'* ]]
	run fd -v /nonexistent-husk:/x -- /bin/true
	[[ "$output" == *"--volume /nonexistent-husk"* ]]
	run fd --publish 80:80 -- /bin/true
	[[ "$output" == *"--publish needs a network"* ]]
	run fd -d -t -- /bin/true
	[[ "$output" == *"-t with -d"* ]]
	run fd
	[[ "$output" == *"a command is required"* ]]
	run fd --overlay-upper /proc/husk-up -- /bin/true
	[ "$status" -ne 0 ]
	[ -z "$(ls "$HUSK_ROOT")" ]
	run fd --name taken -- /bin/true
	run fd --name taken -- /bin/true
	[ "$status" -ne 0 ]
}
