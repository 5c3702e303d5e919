#!/usr/bin/env bats
# Diagnostics against the kernel: OOM events, iowait vs mpstat, hugetlb
# usage in stats, the stats table.  Run as root.

load helpers

MiB=1048576

setup()
{
	husk_setup
	require_command events
	require_command stats
}

teardown()
{
	if [ -n "${HUGEPAGES_SAVED:-}" ]; then
		echo "$HUGEPAGES_SAVED" >/proc/sys/vm/nr_hugepages
	fi
	husk_teardown
}

# mem_bundle LIMIT ARGS...: busybox bundle with a memory limit.
mem_bundle()
{
	local limit=$1
	shift
	make_bundle "$BUNDLE" "$@"
	bundle_edit "$BUNDLE" --argjson l "$limit" \
		'.linux.resources.memory = {limit: $l}'
}

# The kernel's oom_kill count of container $1's memory cgroup.
oom_kills()
{
	local f
	for f in /sys/fs/cgroup/memory/husk/"$1"/memory.oom_control \
		/sys/fs/cgroup/husk/"$1"/memory.events; do
		[ -r "$f" ] && awk '$1 == "oom_kill" { print $2 }' "$f" && return
	done
}

# wait_lines FILE PATTERN N [SECONDS=10]: until FILE has N lines matching.
wait_lines()
{
	local i
	for ((i = 0; i < ${4:-10} * 20; i++)); do
		[ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

# Wait (bounded) until a `husk events ID` process holds its OOM watch: an
# eventfd (cgroup v1) or an inotify fd (v2).
wait_for_oom_watch()
{
	local pid
	for _ in $(seq 100); do
		for pid in $(pgrep -f "events $1\$"); do
			ls -l /proc/"$pid"/fd 2>/dev/null |
				grep -qE 'eventfd|inotify' && return 0
		done
		sleep 0.05
	done
	echo "husk events $1 never started watching" >&2
	return 1
}

# Head of an OOM test's init script: wait (bounded) for the USR1 that
# watch_then_go sends once `husk events` is watching.
AWAIT_USR1='
		go=0
		trap "go=1" USR1
		for t in $(seq 300); do [ $go = 1 ] && break; sleep 0.1; done'

# watch_then_go ID SECONDS OUT: once ID runs, start `husk events ID` (for at
# most SECONDS) writing to OUT in the background, its pid in EV_PID; when it
# watches for OOM, send ID's init USR1.
watch_then_go()
{
	wait_for_status "$1" running
	timeout "$2" "$HUSK" --root "$HUSK_ROOT" events "$1" >"$3" &
	EV_PID=$!
	wait_for_oom_watch "$1"
	husk kill "$1" USR1
}

@test "events: an OOM kill is an oom event; the container exits 137" {
	local id out kill_ms event_ms
	id=$(new_cid)
	out=$BATS_TEST_TMPDIR/events
	# The init allocates once USR1 says `husk events` is watching.
	mem_bundle $((16 * MiB)) sh -c "$AWAIT_USR1"'
		head -c 67108864 /dev/zero > /dev/shm/x'
	husk run --bundle "$BUNDLE" "$id" >/dev/null 2>&1 &
	local run_pid=$!
	watch_then_go "$id" 20 "$out"
	# Note when the kernel's counter moves and when the line shows up.
	for ((i = 0; i < 200; i++)); do
		[ "$(oom_kills "$id")" -gt 0 ] 2>/dev/null && break
		sleep 0.01
	done
	kill_ms=$(date +%s%3N)
	wait_lines "$out" '"type":"oom"' 1 5
	event_ms=$(date +%s%3N)
	echo "oom_kill counter to event line: $((event_ms - kill_ms)) ms"
	local rc=0
	wait "$run_pid" || rc=$?
	[ "$rc" -eq 137 ]
	wait "$EV_PID" # events ends by itself when the container stops
	jq -e --arg id "$id" 'select(.type == "oom") | .id == $id' "$out"
	[ "$(grep -c '"type":"oom"' "$out")" -ge 1 ]
}

@test "events: 20 OOM kills in one container are 20 oom events" {
	local id out
	id=$(new_cid)
	out=$BATS_TEST_TMPDIR/events
	# Each child volunteers as the victim (raising oom_score_adj needs no
	# privilege) and grows an anonymous string past the limit, which the
	# kill frees again; the init shell survives all 20.
	# The init waits for USR1, sent once `husk events` is watching, so no
	# kill can happen before the watcher exists.
	mem_bundle $((16 * MiB)) sh -c "$AWAIT_USR1"'
		for i in $(seq 20); do
			sh -c "echo 1000 > /proc/self/oom_score_adj; exec awk \"BEGIN { s = \\\"x\\\"; for (i = 0; i < 27; i++) s = s s; print length(s) }\""
		done
		echo init-survived'
	husk run --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/run.out" 2>&1 &
	local run_pid=$!
	watch_then_go "$id" 60 "$out"
	# not `run wait`: the subshell of run cannot wait for our children
	local rc=0
	wait "$run_pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/run.out"
	[ "$rc" -eq 0 ]
	grep -q init-survived "$BATS_TEST_TMPDIR/run.out"
	wait "$EV_PID"
	[ "$(grep -c '"type":"oom"' "$out")" -eq 20 ]
}

# Mean %iowait of "all" from mpstat and from husk diag over one 5 s window.
iowait_pair()
{
	local m h
	LC_ALL=C mpstat 5 1 >"$BATS_TEST_TMPDIR/mpstat" &
	local mp=$!
	h=$("$HUSK" diag --interval 5 --json | jq .iowait.total)
	wait "$mp"
	m=$(awk '/^Average:/ && $2 == "all" { print $6 }' \
		"$BATS_TEST_TMPDIR/mpstat")
	echo "mpstat $m husk $h"
	awk -v m="$m" -v h="$h" 'BEGIN { d = m - h; if (d < 0) d = -d;
		exit !(m != "" && h != "" && d <= 0.5) }'
}

# One retry: the two tools cannot sample at the same instant.
iowait_agrees()
{
	iowait_pair || iowait_pair
}

@test "diag: iowait agrees with mpstat, idle and under direct I/O" {
	command -v mpstat >/dev/null || skip "sysstat not installed"
	iowait_agrees
	# A bounded O_DIRECT writer on the root disk (not tmpfs).
	local f
	f=$(mktemp /var/tmp/husk-diag-dd.XXXXXX)
	timeout 25 sh -c "while :; do dd if=/dev/zero of=$f bs=64k \
		count=2000 oflag=direct 2>/dev/null; done" &
	local dd_pid=$!
	sleep 1
	run iowait_agrees
	kill "$dd_pid" 2>/dev/null || true
	wait "$dd_pid" 2>/dev/null || true
	rm -f "$f"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "stats/events: hugetlb pages a container maps show as usage" {
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB pages"
	HUGEPAGES_SAVED=$(cat /proc/sys/vm/nr_hugepages)
	echo 4 >/proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 4 ] || skip "no huge pages"
	local id
	id=$(new_cid)
	make_bundle --copy "$BUNDLE" /hugetlb-map 30
	cp "$REPO_ROOT/build/helpers/hugetlb-map" "$BUNDLE/rootfs/"
	bundle_edit "$BUNDLE" --argjson l $((8 * MiB)) \
		'.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: $l}]'
	husk run --detach --bundle "$BUNDLE" "$id" >/dev/null
	local i usage=""
	for ((i = 0; i < 50; i++)); do
		usage=$(husk stats --no-stream --json --interval 0.1 "$id" |
			jq '.data.hugetlb["2MB"].usage')
		[ "$usage" = $((4 * MiB)) ] && break
		sleep 0.1
	done
	[ "$usage" = $((4 * MiB)) ]
	husk stats --no-stream --json --interval 0.1 "$id" |
		jq -e --argjson l $((8 * MiB)) '.data.hugetlb["2MB"].limit == $l'
	husk events --stats "$id" |
		jq -e --argjson u $((4 * MiB)) \
			'.type == "stats" and .data.hugetlb["2MB"].usage == $u'
}

@test "stats --no-stream lists running containers with their limits" {
	local a b
	a=$(new_cid)
	b=$(new_cid)
	make_bundle "$BUNDLE" sleep 30
	bundle_edit "$BUNDLE" --argjson l $((32 * MiB)) \
		'.linux.resources.memory = {limit: $l} |
		 .linux.resources.pids = {limit: 50}'
	husk run --detach --bundle "$BUNDLE" "$a" >/dev/null
	bundle_edit "$BUNDLE" --argjson l $((48 * MiB)) \
		'.linux.resources.memory = {limit: $l} |
		 .linux.resources.pids = {limit: 60}'
	husk run --detach --bundle "$BUNDLE" "$b" >/dev/null
	run husk stats --no-stream --interval 0.2
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -E "^$a +running .* / 32MiB .* / 50 "
	echo "$output" | grep -E "^$b +running .* / 48MiB .* / 60 "
	[ "$(echo "$output" | wc -l)" -eq 3 ]
	# The JSON view carries the kernel's numbers.
	run husk stats --no-stream --json --interval 0.2 "$a"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson l $((32 * MiB)) \
		'.data.memory.usage.limit == $l and .data.pids.limit == 50 and
		 .data.pids.current >= 1 and .oom_kill == 0'
	# A stopped container drops out of the all-containers view.
	husk kill "$b" KILL
	wait_for_status "$b" stopped
	run husk stats --no-stream --interval 0.2
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	! echo "$output" | grep -q "^$b "
}
