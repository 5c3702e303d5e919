#!/usr/bin/env bats
# podman (Debian 12's 4.3, with conmon) driving husk through
# `podman --runtime /abs/path/build/husk`.  Every podman state directory,
# the network config and the events log live in a temporary directory; the
# image is a busybox rootfs brought in with `podman import`.
#
# HUSK=/usr/sbin/runc bats tests/integration/podman.bats checks the tests
# themselves against runc.

load helpers
bats_require_minimum_version 1.5.0

# What a new user of this VM needs (see the comments in write_conf).
write_conf()
{
	cat >"$PM_DIR/containers.conf" <<EOF
[containers]
# The hard RLIMIT_NOFILE here is 20000 and CAP_SYS_RESOURCE is gone from
# the bounding set: podman's default (1048576) cannot be set.
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[network]
default_subnet = "$PM_SUBNET.0/24"
network_config_dir = "$PM_DIR/net"

[engine]
# No systemd here (PID 1 is not systemd), so no systemd cgroup manager and
# no journald.
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM_DIR/events.log"
# podman passes --log-format=json --log FILE only to runtimes named here
# (by base name) and reads FILE back to turn errors into messages and
# exit codes (127 for a command that is not found).
runtime_supports_json = ["crun", "runc", "husk"]
EOF
}

setup_file()
{
	command -v podman >/dev/null || return 0
	[ -x "$HUSK" ] && [ -x "$ROOTFS/bin/busybox" ] || return 0
	export PM_DIR
	PM_DIR=$(mktemp -d /run/husk-podman.XXXXXX)
	# A /24 podman's default (10.88.0.0/16) would not use.
	export PM_SUBNET=10.89.$((RANDOM % 200 + 20))
	mkdir -p "$PM_DIR/net"
	write_conf
	export CONTAINERS_CONF=$PM_DIR/containers.conf
	tar -C "$ROOTFS" -c . | pm import - husk-bb:latest >/dev/null
}

teardown_file()
{
	[ -n "${PM_DIR:-}" ] || return 0
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm rmi -af >/dev/null 2>&1 || true
	# vfs layers are plain directories, but containers' /dev/shm are
	# mounts: podman unmounts them on rm; anything left is a leak.
	local left
	left=$(awk -v p="$PM_DIR" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo)
	rm -rf "$PM_DIR" 2>/dev/null
	# The default network's bridge, once no container is on it.
	if ip link show cni-podman0 >/dev/null 2>&1 &&
		[ -z "$(ip -o link show master cni-podman0)" ]; then
		ip link del cni-podman0 || true
	fi
	[ -z "$left" ] || { echo "leaked mounts: $left"; return 1; }
}

setup()
{
	command -v podman >/dev/null || skip "podman not installed (make deps)"
	husk_setup
	[ -n "${PM_DIR:-}" ] || skip "podman setup did not run"
}

teardown()
{
	pm rm -af -t 0 >/dev/null 2>&1 || true
	husk_teardown
}

# podman with this file's private storage and husk as the runtime.
pm()
{
	podman --root "$PM_DIR/root" --runroot "$PM_DIR/runroot" \
		--tmpdir "$PM_DIR/tmp" --storage-driver vfs \
		--runtime "$HUSK" "$@"
}

# Start a long-running container; print its id.
pm_daemon()
{
	pm run -d "$@" husk-bb sleep 1000
}

pm_pid()
{
	pm inspect -f '{{.State.Pid}}' "$1"
}

# Inside a container: the memory limit, v1 or v2 names.
MEM_IN='cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
CPU_IN='if [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
		echo "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
	else cat /sys/fs/cgroup/cpu.max; fi'

@test "podman: run --rm echo" {
	run pm run --rm husk-bb echo hello from husk
	[ "$status" -eq 0 ]
	[ "$output" = "hello from husk" ]
	# --rm: nothing left, in podman or in the runtime's state.
	run pm ps -aq
	[ -z "$output" ]
}

@test "podman: exit code 7 and 127 for a missing command" {
	run pm run --rm husk-bb sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run -127 pm run --rm husk-bb no-such-command
	echo "$output"
	# The runtime's message reached podman through the JSON log.
	[[ $output == *no-such-command* ]]
}

@test "podman: -d then exec, exec -t, exec -d" {
	require_command exec
	local id
	id=$(pm_daemon)
	run pm exec "$id" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	# Not PID 1 and in the container's PID namespace (PID 1 is sleep).
	[ "${lines[0]}" != 1 ]
	[ "${lines[1]}" = "sleep 1000 " ]
	run pm exec "$id" sh -c 'exit 5'
	[ "$status" -eq 5 ]

	run pm exec -t "$id" tty
	[ "$status" -eq 0 ]
	[[ $output == /dev/pts/* ]]

	run pm exec -d "$id" sh -c 'echo detached >/tmp/marker'
	[ "$status" -eq 0 ]
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(pm exec "$id" cat /tmp/marker 2>/dev/null)" = detached ] && break
		sleep 0.1
	done
	[ "$i" -lt 50 ]
}

@test "podman: kill" {
	local id
	id=$(pm_daemon)
	run pm kill "$id"
	[ "$status" -eq 0 ]
	run pm wait "$id"
	[ "$output" = 137 ]
	[ "$(pm inspect -f '{{.State.Status}}' "$id")" = exited ]
}

@test "podman: stop -t 2 (PID 1 ignores SIGTERM, SIGKILL after 2s)" {
	local id t0
	id=$(pm_daemon)
	t0=$SECONDS
	run pm stop -t 2 "$id"
	[ "$status" -eq 0 ]
	[ $((SECONDS - t0)) -ge 1 ]
	[ $((SECONDS - t0)) -le 10 ]
	[ "$(pm inspect -f '{{.State.ExitCode}}' "$id")" = 137 ]
}

@test "podman: stop delivers SIGTERM" {
	local id
	id=$(pm run -d husk-bb sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done')
	run pm stop -t 10 "$id"
	[ "$status" -eq 0 ]
	[ "$(pm inspect -f '{{.State.ExitCode}}' "$id")" = 3 ]
}

@test "podman: pause and unpause freeze the cgroup" {
	require_command pause
	require_command resume
	local id pid f
	id=$(pm_daemon)
	pid=$(pm_pid "$id")
	pm pause "$id"
	[ "$(pm inspect -f '{{.State.Status}}' "$id")" = paused ]
	f=$(host_cgroup_file "$pid" freezer freezer.state cgroup.freeze)
	[[ $(cat "$f") == FROZEN || $(cat "$f") == 1 ]]
	pm unpause "$id"
	[ "$(pm inspect -f '{{.State.Status}}' "$id")" = running ]
	[[ $(cat "$f") == THAWED || $(cat "$f") == 0 ]]
}

@test "podman: update --memory" {
	require_command update
	local id pid f
	id=$(pm_daemon -m 64m)
	pid=$(pm_pid "$id")
	f=$(host_cgroup_file "$pid" memory memory.limit_in_bytes memory.max)
	[ "$(cat "$f")" = 67108864 ]
	run pm update --memory 48m "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$f")" = 50331648 ]
	run pm exec "$id" sh -c "$MEM_IN"
	[ "$output" = 50331648 ]
}

@test "podman: -m 64m and --cpus 0.5 seen inside the container" {
	run pm run --rm -m 64m --cpus 0.5 husk-bb sh -c "$MEM_IN; $CPU_IN"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 67108864 ]
	# quota/period = 0.5, whatever period podman picked.
	set -- ${lines[1]}
	[ "$1" != max ]
	[ $(($1 * 2)) -eq "$2" ]
}

@test "podman: --network none has only lo" {
	run pm run --rm --network none husk-bb sh -c 'ls /sys/class/net'
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
}

@test "podman: default network: an address, and the host reaches it" {
	local id ip
	id=$(pm_daemon)
	ip=$(pm inspect -f '{{.NetworkSettings.IPAddress}}' "$id")
	echo "ip: $ip"
	[[ $ip == "$PM_SUBNET".* ]]
	run nsenter -t "$(pm_pid "$id")" -n ip -o -4 addr show eth0
	[[ $output == *" $ip/24 "* ]]
	busybox ping -c 1 -W 2 "$ip"
}
