#!/usr/bin/env bats
# containerd 1.6 + ctr driving husk through the runc v2 shim
# (`ctr run --runc-binary /abs/path/build/husk --rootfs DIR`).  The file
# starts its own containerd: config, root and state under a temporary
# directory, its own socket, the CRI plugin disabled.
#
# HUSK=/usr/sbin/runc bats tests/integration/containerd.bats checks the
# tests themselves against runc.

load helpers
bats_require_minimum_version 1.5.0

setup_file()
{
	command -v containerd >/dev/null && command -v ctr >/dev/null || return 0
	[ -x "$HUSK" ] && [ -x "$ROOTFS/bin/busybox" ] || return 0
	export CTD_DIR CTD_NS=husk-ctd-$$
	# Under /run: the socket path must stay short.
	CTD_DIR=$(mktemp -d /run/husk-ctd.XXXXXX)
	cat >"$CTD_DIR/config.toml" <<EOF
version = 2
root = "$CTD_DIR/root"
state = "$CTD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTD_DIR/sock"
[ttrpc]
  address = "$CTD_DIR/sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
	# A private writable copy: containers write into their rootfs.
	cp -a "$ROOTFS" "$CTD_DIR/rootfs"
	containerd --config "$CTD_DIR/config.toml" >"$CTD_DIR/containerd.log" 2>&1 &
	echo $! >"$CTD_DIR/pid"
	local i
	for ((i = 0; i < 100; i++)); do
		ctr --address "$CTD_DIR/sock" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "containerd did not start:"
	cat "$CTD_DIR/containerd.log"
	return 1
}

teardown_file()
{
	[ -n "${CTD_DIR:-}" ] || return 0
	delete_all_tasks
	if [ -s "$CTD_DIR/pid" ]; then
		kill "$(cat "$CTD_DIR/pid")" 2>/dev/null || true
		local i
		for ((i = 0; i < 50; i++)); do
			kill -0 "$(cat "$CTD_DIR/pid")" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -rf "$CTD_DIR"
	# ctr's cgroupsPath is /NAMESPACE/ID: husk removes ID, the namespace's
	# parent cgroup (as with runc) is the test's to remove.
	local d
	for d in /sys/fs/cgroup/*/"$CTD_NS" /sys/fs/cgroup/"$CTD_NS"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}

setup()
{
	command -v containerd >/dev/null || skip "containerd not installed (make deps)"
	husk_setup
	[ -n "${CTD_DIR:-}" ] || skip "containerd setup did not run"
}

teardown()
{
	delete_all_tasks
	husk_teardown
}

c()
{
	ctr --address "$CTD_DIR/sock" --namespace "$CTD_NS" "$@"
}

# Without an image ctr sets no PATH: give the one an image would.
CTR_ENV=(--env PATH=/usr/sbin:/usr/bin:/sbin:/bin)

# ctr_run ID CMD...: ctr run --rm with husk on the file's rootfs; the shim
# keeps husk's state in this test's state root.
ctr_run()
{
	c run --rm "${CTR_ENV[@]}" --runc-binary "$HUSK" \
		--runc-root "$HUSK_ROOT" --rootfs "$CTD_DIR/rootfs" "$@"
}

# Start a long-running container ID [CMD...] (default sleep 1000).
ctr_daemon()
{
	local id=$1
	shift
	[ $# -gt 0 ] || set -- sleep 1000
	c run -d "${CTR_ENV[@]}" --runc-binary "$HUSK" --runc-root "$HUSK_ROOT" \
		${CTR_OPTS:-} --rootfs "$CTD_DIR/rootfs" "$id" "$@" >/dev/null
}

task_pid()
{
	c task ls | awk -v id="$1" '$1 == id { print $2 }'
}

task_status()
{
	c task ls | awk -v id="$1" '$1 == id { print $3 }'
}

# wait_task ID STATUS: poll (bounded) until ctr reports STATUS.
wait_task()
{
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(task_status "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "task $1: $(task_status "$1"), wanted $2"
	return 1
}

delete_all_tasks()
{
	local id
	[ -n "${CTD_DIR:-}" ] && [ -S "$CTD_DIR/sock" ] || return 0
	for id in $(c task ls -q 2>/dev/null); do
		c task kill -a -s KILL "$id" >/dev/null 2>&1 || true
		c task rm -f "$id" >/dev/null 2>&1 || true
	done
	for id in $(c container ls -q 2>/dev/null); do
		c container rm "$id" >/dev/null 2>&1 || true
	done
}

@test "containerd: run --rm echo, exit code 7" {
	local id
	id=$(new_cid)
	run ctr_run "$id" echo hello from husk
	[ "$status" -eq 0 ]
	[ "$output" = "hello from husk" ]
	[ -z "$(c container ls -q)" ]
	run -7 ctr_run "$(new_cid)" sh -c 'exit 7'
}

@test "containerd: a missing command: husk's error reaches ctr" {
	run ! ctr_run "$(new_cid)" no-such-command
	echo "$output"
	# The shim took the message from husk's log.json.
	[[ $output == *no-such-command* ]]
}

@test "containerd: -d then task exec" {
	require_command exec
	local id
	id=$(new_cid)
	ctr_daemon "$id"
	run c task exec --exec-id e1 "$id" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != 1 ]
	[ "${lines[1]}" = "sleep 1000 " ]
	run -5 c task exec --exec-id e2 "$id" sh -c 'exit 5'
}

@test "containerd: task ps lists the container's processes" {
	require_command ps
	local id pid
	id=$(new_cid)
	ctr_daemon "$id" sh -c 'sleep 1000 & exec sleep 999'
	pid=$(task_pid "$id")
	run c task ps "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	# Header plus init plus the background sleep, host PIDs.
	[ "${#lines[@]}" -eq 3 ]
	[[ $output == *"$pid"* ]]
}

@test "containerd: pause and resume" {
	require_command pause
	require_command resume
	local id pid f
	id=$(new_cid)
	ctr_daemon "$id"
	pid=$(task_pid "$id")
	f=$(host_cgroup_file "$pid" freezer freezer.state cgroup.freeze)
	c task pause "$id"
	wait_task "$id" PAUSED
	[[ $(cat "$f") == FROZEN || $(cat "$f") == 1 ]]
	c task resume "$id"
	wait_task "$id" RUNNING
	[[ $(cat "$f") == THAWED || $(cat "$f") == 0 ]]
}

@test "containerd: task kill --all reaches every process" {
	local id pid child i
	id=$(new_cid)
	# PID 1 ignores SIGTERM (no handler); its child does not.
	ctr_daemon "$id" sh -c 'sleep 1000 & exec sleep 999'
	pid=$(task_pid "$id")
	for ((i = 0; i < 50; i++)); do
		child=$(pgrep -P "$pid" sleep) && break
		sleep 0.05
	done
	[ -n "$child" ]
	c task kill --all -s TERM "$id"
	for ((i = 0; i < 50; i++)); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.05
	done
	! kill -0 "$child" 2>/dev/null
	# Only the child: init is still there.
	[ "$(task_status "$id")" = RUNNING ]
	c task kill --all -s KILL "$id"
	wait_task "$id" STOPPED
}

@test "containerd: --memory-limit sets the cgroup" {
	local id pid f
	id=$(new_cid)
	CTR_OPTS="--memory-limit 67108864" ctr_daemon "$id"
	pid=$(task_pid "$id")
	f=$(host_cgroup_file "$pid" memory memory.limit_in_bytes memory.max)
	[ "$(cat "$f")" = 67108864 ]
}
