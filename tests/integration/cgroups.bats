#!/usr/bin/env bats
# cgroups: limits land in the kernel and act (OOM, CPU quota, pids, devices),
# the container sees only its own cgroup, update/pause/resume/ps work on a
# live container, delete leaves no cgroup, bad input leaves nothing behind.
# Runs on v1, hybrid (v2 tests use the hybrid host's cgroup2 at
# /sys/fs/cgroup/unified, as if it were a pure v2 host) and pure v2.

load helpers

CG=/sys/fs/cgroup

# cg_dir CTRL ID-PATH: host dir of cgroup ID-PATH ("/husk/x") for controller
# CTRL (v1 mount name, or "unified" for the cgroup2 hierarchy).
cg_dir()
{
	if [ -d "$CG/$1" ]; then
		echo "$CG/$1$2"
	else
		echo "$CG$2" # pure v2: one hierarchy
	fi
}

# Every cgroup dir named PATH in every hierarchy of this host.
cg_dirs()
{
	local m
	while read -r m; do
		[ -d "$m$1" ] && echo "$m$1"
	done < <(awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' \
		/proc/self/mountinfo)
}

require_v1()
{
	[ -f "$CG/memory/memory.limit_in_bytes" ] || skip "no v1 memory controller"
}

# The hybrid host's cgroup2 as a pure v2 host: husk reads a mount table
# holding only that mount (HUSK_MOUNTINFO), everything else stays real.
as_v2()
{
	grep -q ' - cgroup2 ' /proc/self/mountinfo || skip "no cgroup2 mount"
	grep ' - cgroup2 ' /proc/self/mountinfo >"$BATS_TEST_TMPDIR/mountinfo"
	export HUSK_MOUNTINFO=$BATS_TEST_TMPDIR/mountinfo
	V2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
}

# resources JSON: set linux.resources of $BUNDLE
set_resources()
{
	bundle_edit "$BUNDLE" --argjson r "$1" '.linux.resources = $r'
}

# run_limited ID RESOURCES ARGS...: make $BUNDLE running ARGS with
# linux.resources RESOURCES (JSON) and run it detached as ID.
run_limited()
{
	local id=$1 resources=$2
	shift 2
	make_bundle "$BUNDLE" "$@"
	set_resources "$resources"
	husk run -d --bundle "$BUNDLE" "$id"
}

# ps_count_is ID N: `husk ps` lists exactly N pids for ID.
ps_count_is()
{
	[ "$(husk ps --format json "$1" | jq length)" -eq "$2" ]
}

# memory_usage_at_least DIR BYTES: v1 memory cgroup DIR charges BYTES or more.
memory_usage_at_least()
{
	[ "$(cat "$1/memory.usage_in_bytes")" -ge "$2" ]
}

# A container's pid from its state.
cpid()
{
	husk state "$1" | jq -r .pid
}

@test "v1 cpuset: dirs left empty (a runtime killed mid-create) get their parent's cpus and mems" {
	require_v1
	local id top=husk-cgtest-$$-cpuset cs=$CG/cpuset
	[ -d "$cs" ] || skip "no v1 cpuset controller"
	id=$(new_cid)
	# Both levels exist already, with no cpus or mems: tasks refused.
	mkdir -p "$cs/$top/$id"
	[ -z "$(cat "$cs/$top/$id/cpuset.cpus")" ]
	make_bundle "$BUNDLE" sleep 100
	bundle_edit "$BUNDLE" --arg p "/$top/$id" '.linux.cgroupsPath = $p'
	husk run -d --bundle "$BUNDLE" "$id"
	for d in "$cs/$top" "$cs/$top/$id"; do
		[ "$(cat "$d/cpuset.cpus")" = "$(cat "$cs/cpuset.cpus")" ]
		[ "$(cat "$d/cpuset.mems")" = "$(cat "$cs/cpuset.mems")" ]
	done
	grep -qx "$(cpid "$id")" "$cs/$top/$id/cgroup.procs"
	husk delete -f "$id"
	while read -r d; do rmdir "$d"; done < <(cg_dirs "/$top")
}

@test "cgroupsPath: default /husk/<id>, absolute and relative, in every hierarchy" {
	local id1 id2 id3 top=husk-cgtest-$$-abs d
	id1=$(new_cid)
	id2=$(new_cid)
	id3=$(new_cid)
	make_bundle "$BUNDLE" sleep 100
	husk run -d --bundle "$BUNDLE" "$id1"
	bundle_edit "$BUNDLE" --arg p "/$top/$id2" '.linux.cgroupsPath = $p'
	husk run -d --bundle "$BUNDLE" "$id2"
	bundle_edit "$BUNDLE" --arg p "rel/$id3" '.linux.cgroupsPath = $p'
	husk run -d --bundle "$BUNDLE" "$id3"

	for pair in "/husk/$id1:$id1" "/$top/$id2:$id2" "/husk/rel/$id3:$id3"; do
		local path=${pair%%:*} id=${pair#*:} n=0 pid
		pid=$(cpid "$id")
		while read -r d; do
			grep -qx "$pid" "$d/cgroup.procs"
			n=$((n + 1))
		done < <(cg_dirs "$path")
		# every hierarchy of the host, named ones included
		[ "$n" -eq "$(awk '$9 == "cgroup" || $9 == "cgroup2"' /proc/self/mountinfo | wc -l)" ]
	done
	husk delete -f "$id2"
	husk delete -f "$id3"
	[ -z "$(cg_dirs "/$top/$id2")" ]
	[ -z "$(cg_dirs "/husk/rel/$id3")" ]
	while read -r d; do rmdir "$d"; done < <(cg_dirs "/$top")
	while read -r d; do rmdir "$d" 2>/dev/null || true; done < <(cg_dirs "/husk/rel")
}

@test "memory: limit, reservation, swap, swappiness, disableOOMKiller in v1 files" {
	require_v1
	local id d
	id=$(new_cid)
	run_limited "$id" '{"memory": {"limit": 67108864, "reservation": 33554432,
		"swap": 134217728, "swappiness": 10, "disableOOMKiller": true}}' \
		sleep 100
	d=$(cg_dir memory "/husk/$id")
	[ "$(cat "$d/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$d/memory.soft_limit_in_bytes")" = 33554432 ]
	if [ -f "$d/memory.memsw.limit_in_bytes" ]; then
		[ "$(cat "$d/memory.memsw.limit_in_bytes")" = 134217728 ]
	fi
	[ "$(cat "$d/memory.swappiness")" = 10 ]
	grep -qx "oom_kill_disable 1" "$d/memory.oom_control"
}

@test "memory: past a 32 MiB limit the process is OOM-killed (137, oom_kill rises)" {
	require_v1
	local id d
	id=$(new_cid)
	# tmpfs pages are charged to the writer's cgroup and, without swap,
	# cannot be reclaimed: 64 MiB into /dev/shm must hit the limit.
	make_bundle "$BUNDLE" dd if=/dev/zero of=/dev/shm/fill bs=1M count=60
	bundle_edit "$BUNDLE" '(.mounts[] | select(.destination == "/dev/shm") |
		.options) |= map(select(startswith("size=") | not)) + ["size=128m"]'
	set_resources '{"memory": {"limit": 33554432, "swap": 33554432}}'
	run husk run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 137 ]

	# Same again kept alive, to read the counter before delete.
	id=$(new_cid)
	bundle_set_args "$BUNDLE" sh -c \
		'dd if=/dev/zero of=/dev/shm/fill bs=1M count=60; exec sleep 100'
	husk run -d --bundle "$BUNDLE" "$id"
	d=$(cg_dir memory "/husk/$id")
	wait_until 50 grep -q "^oom_kill [1-9]" "$d/memory.oom_control" || true
	grep "^oom_kill " "$d/memory.oom_control"
	grep -q "^oom_kill [1-9]" "$d/memory.oom_control"
	[ "$(cat "$d/memory.usage_in_bytes")" -le 33554432 ]
}

@test "the init is born in its cgroup2 dir and enters its v1 cgroups itself; so does exec" {
	# A cgroup.procs write from outside waits for an RCU grace period:
	# the init is cloned into its cgroup2 dir (clone3 CLONE_INTO_CGROUP)
	# and moves itself through v1 'tasks' files.  Both, for run and create.
	local id cmd pid ep line
	for cmd in run create; do
		id=$(new_cid)
		make_bundle "$BUNDLE" sleep 100
		"$HUSK" --root "$HUSK_ROOT" --debug --log "$BATS_TEST_TMPDIR/$cmd.log" \
			$([ $cmd = run ] && echo run -d || echo create) \
			--bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
		if awk '$9 == "cgroup2"' /proc/self/mountinfo | grep -q .; then
			grep -q "cloned init .*, in its cgroup2 dir" "$BATS_TEST_TMPDIR/$cmd.log"
		fi
		pid=$(cpid "$id")
		# Every hierarchy, cgroup2 (0::) and named ones included.
		while read -r line; do
			[[ "$line" == *":/husk/$id" ]]
		done </proc/"$pid"/cgroup
		husk exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sleep 100
		ep=$(cat "$BATS_TEST_TMPDIR/exec.pid")
		diff /proc/"$pid"/cgroup /proc/"$ep"/cgroup
		husk delete -f "$id"
	done
}

@test "the cgroup view: every mount under /sys/fs/cgroup is nosuid,nodev,noexec, and ro unless the spec says rw" {
	local id mode line n
	for mode in ro rw; do
		id=$(new_cid)
		make_bundle "$BUNDLE" sh -c 'grep " /sys/fs/cgroup" /proc/self/mountinfo'
		bundle_edit "$BUNDLE" --arg m "$mode" \
			'(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) =
			 ["nosuid", "noexec", "nodev", $m]'
		run husk run --bundle "$BUNDLE" "$id"
		[ "$status" -eq 0 ]
		n=0
		while read -r line; do
			line=$(awk '{print $6}' <<<"$line")
			[[ ",$line," == *",$mode,"* && ",$line," == *,nosuid,* &&
				",$line," == *,nodev,* && ",$line," == *,noexec,* ]]
			n=$((n + 1))
		done <<<"$output"
		# The view itself and, on v1 or hybrid, one mount per hierarchy.
		[ "$n" -ge 1 ]
		if [ -d /sys/fs/cgroup/memory ]; then [ "$n" -gt 2 ]; fi
	done
}

@test "cgroup namespace: /proc/self/cgroup is / and the mount shows only its own cgroup" {
	require_v1
	local id out
	id=$(new_cid)
	make_bundle "$BUNDLE" sh -c 'cat /proc/self/cgroup; echo limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); ls /sys/fs/cgroup/memory'
	set_resources '{"memory": {"limit": 41943040}}'
	run husk run --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	# every line ends in ":/"
	[ "$(grep -c ':/$' <<<"$output")" -eq "$(grep -c '^[0-9]*:' /proc/self/cgroup)" ]
	grep -qx "limit=41943040" <<<"$output"
	# the host's other cgroups (husk/, ...) are not in the view
	! grep -qx husk <<<"$output"
	grep -qx cgroup.procs <<<"$output"
}

@test "cpu: shares, cpus, mems land; a busy loop under 20000/100000 gets ~20% of a CPU" {
	require_v1
	local id a b pct d
	id=$(new_cid)
	run_limited "$id" '{"cpu": {"shares": 512, "quota": 20000, "period": 100000,
		"cpus": "0", "mems": "0"}}' \
		sh -c 'while :; do :; done'
	d=$(cg_dir cpu "/husk/$id")
	[ "$(cat "$d/cpu.shares")" = 512 ]
	[ "$(cat "$d/cpu.cfs_quota_us")" = 20000 ]
	[ "$(cat "$d/cpu.cfs_period_us")" = 100000 ]
	[ "$(cat "$(cg_dir cpuset "/husk/$id")/cpuset.cpus")" = 0 ]
	[ "$(cat "$(cg_dir cpuset "/husk/$id")/cpuset.mems")" = 0 ]
	d=$(cg_dir cpuacct "/husk/$id")
	sleep 0.3
	a=$(cat "$d/cpuacct.usage")
	sleep 2
	b=$(cat "$d/cpuacct.usage")
	pct=$(((b - a) / 20000000)) # ns over 2 s, in percent of one CPU
	echo "cpu: $pct%"
	[ "$pct" -ge 10 ] && [ "$pct" -le 35 ]
}

@test "pids: a fork loop stops at the limit" {
	require_v1
	local id d
	id=$(new_cid)
	# a shell dies when fork fails: loop in a subshell, keep the init
	run_limited "$id" '{"pids": {"limit": 8}}' \
		sh -c '(i=0; while [ $i -lt 40 ]; do sleep 100 & i=$((i + 1)); done) 2>/dev/null; exec sleep 100'
	d=$(cg_dir pids "/husk/$id")
	[ "$(cat "$d/pids.max")" = 8 ]
	wait_until 50 grep -q "^max [1-9]" "$d/pids.events" # forks were refused
	[ "$(cat "$d/pids.current")" -le 8 ]
	[ "$(husk ps --format json "$id" | jq length)" -le 8 ]
	[ "$(container_status "$id")" = running ]
}

@test "hugetlb and unified land on the cgroup2 hierarchy (hybrid) or v2" {
	grep -q ' - cgroup2 ' /proc/self/mountinfo || skip "no cgroup2"
	local id d v2
	[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB pages"
	id=$(new_cid)
	run_limited "$id" '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
		"unified": {"cgroup.max.descendants": "3"}}' \
		sleep 100
	v2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	d=$v2/husk/$id
	if [ -f "$CG/hugetlb/hugetlb.2MB.limit_in_bytes" ]; then
		d=$CG/hugetlb/husk/$id
		[ "$(cat "$d/hugetlb.2MB.limit_in_bytes")" = 4194304 ]
	else
		[ "$(cat "$d/hugetlb.2MB.max")" = 4194304 ]
	fi
	[ "$(cat "$v2/husk/$id/cgroup.max.descendants")" = 3 ]
}

@test "blockIO weight lands where the host has a proportional I/O weight" {
	local id d f found=0
	id=$(new_cid)
	run_limited "$id" '{"blockIO": {"weight": 300}}' \
		sleep 100
	d=$(cg_dir blkio "/husk/$id")
	for f in blkio.weight blkio.bfq.weight; do
		if [ -f "$d/$f" ]; then
			grep -qw 300 "$d/$f"
			found=1
			break
		fi
	done
	[ "$found" = 1 ] || echo "# host has no blkio weight file: create still works"
	[ "$(container_status "$id")" = running ]
}

# The device checks, inside: deny c 1:5 -> /dev/zero unreadable and its
# mknod refused; c 1:11 allowed for mknod only -> open refused.
DEVICE_SCRIPT='head -c 1 /dev/zero >/dev/null 2>&1 && echo zero-read; mknod /dev/z2 c 1 5 2>/dev/null && echo mknod-zero; mknod /dev/km c 1 11 && echo mknod-kmsg; cat /dev/km </dev/null >/dev/null 2>&1 || echo kmsg-denied; head -c 1 /dev/urandom >/dev/null && echo urandom-ok'

device_bundle()
{
	make_bundle "$BUNDLE" sh -c "$DEVICE_SCRIPT"
	bundle_edit "$BUNDLE" '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"]) |
		.linux.resources.devices += [
		{"allow": false, "type": "c", "major": 1, "minor": 5, "access": "rwm"},
		{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "m"}]'
}

@test "devices (v1 devices.allow/deny): denied device unreadable, its mknod refused" {
	[ -d "$CG/devices" ] || skip "no v1 devices controller"
	local id
	id=$(new_cid)
	device_bundle
	run husk run --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'mknod-kmsg\nkmsg-denied\nurandom-ok')" ]
	# run's init writes the rules itself; create's parent does.
	id=$(new_cid)
	husk create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/out" 2>&1
	husk start "$id"
	wait_for_status "$id" stopped
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'mknod-kmsg\nkmsg-denied\nurandom-ok')" ]
}

@test "devices (v2 eBPF program): denied device unreadable, its mknod refused" {
	as_v2
	local id
	id=$(new_cid)
	device_bundle
	run husk run --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'mknod-kmsg\nkmsg-denied\nurandom-ok')" ]
}

# Percent of one CPU container $1 used over 1 s (cpuacct, v1).
cpu_percent()
{
	local d a b
	d=$(cg_dir cpuacct "/husk/$1")
	a=$(cat "$d/cpuacct.usage")
	sleep 1
	b=$(cat "$d/cpuacct.usage")
	echo $(((b - a) / 10000000))
}

@test "update: limits and their effect change on a running container; state stays" {
	require_v1
	local id d before after
	id=$(new_cid)
	run_limited "$id" '{"cpu": {"quota": 10000, "period": 100000},
		"memory": {"limit": 33554432, "swap": 33554432}, "pids": {"limit": 10}}' \
		sh -c 'while :; do :; done'
	sleep 0.3
	before=$(cpu_percent "$id")
	husk update --cpu-quota 80000 --memory 64m --memory-swap 64m "$id"
	[ "$(cat "$(cg_dir cpu "/husk/$id")/cpu.cfs_quota_us")" = 80000 ]
	d=$(cg_dir memory "/husk/$id")
	[ "$(cat "$d/memory.limit_in_bytes")" = 67108864 ]
	sleep 0.3
	after=$(cpu_percent "$id")
	echo "cpu before $before%, after $after%"
	# generous: other work on a small host takes its share of the CPUs
	[ "$before" -le 20 ] && [ "$after" -ge 30 ] &&
		[ "$after" -ge $((before * 2)) ]

	# LinuxResources JSON as podman writes it, from stdin; flags win.
	echo '{"pids": {"limit": 5}, "cpu": {"shares": 256, "quota": 30000}}' |
		husk update --resources - --cpu-quota 40000 "$id"
	[ "$(cat "$(cg_dir pids "/husk/$id")/pids.max")" = 5 ]
	[ "$(cat "$(cg_dir cpu "/husk/$id")/cpu.shares")" = 256 ]
	[ "$(cat "$(cg_dir cpu "/husk/$id")/cpu.cfs_quota_us")" = 40000 ]
	[ "$(container_status "$id")" = running ]
	husk state "$id" | jq -e --arg id "$id" '.id == $id and .pid > 0'
}

@test "update: bad values fail with one line naming resource, value and reason; nothing changes" {
	require_v1
	local id d
	id=$(new_cid)
	run_limited "$id" '{"memory": {"limit": 67108864}, "cpu": {"quota": 50000}}' \
		sh -c 'dd if=/dev/zero of=/dev/shm/f bs=1M count=8 2>/dev/null; exec sleep 100'
	d=$(cg_dir memory "/husk/$id")
	wait_until 50 memory_usage_at_least "$d" 8388608

	run husk update --memory 1m "$id"
	echo "$output"
	[ "$status" -ne 0 ] && [ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *memory*1048576*"below the current usage"* ]]
	[ "$(cat "$d/memory.limit_in_bytes")" = 67108864 ]

	run husk update --cpuset-cpus "$(($(nproc) + 3))" "$id"
	echo "$output"
	[ "$status" -ne 0 ] && [ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *cpuset*"$(($(nproc) + 3))"*"does not exist"* ]]

	run husk update --cpu-quota -7 "$id"
	echo "$output"
	[ "$status" -ne 0 ] && [ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *cpu*-7*negative* ]]
	[ "$(cat "$(cg_dir cpu "/husk/$id")/cpu.cfs_quota_us")" = 50000 ]
	[ "$(container_status "$id")" = running ]
}

@test "create with a CPU that does not exist or a negative quota leaves nothing" {
	local id
	id=$(new_cid)
	make_bundle "$BUNDLE" true
	set_resources "{\"cpu\": {\"cpus\": \"$(($(nproc) + 3))\"}}"
	run husk create --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -ne 0 ] && [ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *cpuset*"does not exist"* ]]
	[ ! -e "$HUSK_ROOT/$id" ]
	[ -z "$(cg_dirs "/husk/$id")" ]

	set_resources '{"cpu": {"quota": -5}}'
	run husk create --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -ne 0 ] && [ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *quota*-5* ]]
	[ ! -e "$HUSK_ROOT/$id" ]
	[ -z "$(cg_dirs "/husk/$id")" ]
}

# A counter the container bumps every 50 ms, read through /proc/PID/root.
counter_bundle()
{
	make_bundle "$BUNDLE" sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); echo $i >/dev/shm/n; sleep 0.05; done'
}

# pause_resume_check ID: pause stops the counter, resume restarts it.
pause_resume_check()
{
	local id=$1 pid a b
	pid=$(cpid "$id")
	sleep 0.3
	husk pause "$id"
	[ "$(container_status "$id")" = paused ]
	a=$(cat "/proc/$pid/root/dev/shm/n")
	sleep 0.5
	b=$(cat "/proc/$pid/root/dev/shm/n")
	[ "$a" = "$b" ]
	husk resume "$id"
	[ "$(container_status "$id")" = running ]
	sleep 0.5
	b=$(cat "/proc/$pid/root/dev/shm/n")
	[ "$b" -gt "$a" ]
}

@test "pause/resume (v1 freezer): progress stops and restarts, state says paused" {
	[ -d "$CG/freezer" ] || skip "no v1 freezer"
	local id
	id=$(new_cid)
	counter_bundle
	husk run -d --bundle "$BUNDLE" "$id"
	pause_resume_check "$id"
	husk pause "$id"
	[ "$(cat "$(cg_dir freezer "/husk/$id")/freezer.state")" = FROZEN ]
	# a paused container is deleted (thawed and killed) with --force
	husk delete -f "$id"
	[ -z "$(cg_dirs "/husk/$id")" ]
}

@test "pause/resume (v2 cgroup.freeze): progress stops and restarts" {
	as_v2
	local id
	id=$(new_cid)
	counter_bundle
	husk run -d --bundle "$BUNDLE" "$id"
	pause_resume_check "$id"
	husk pause "$id"
	[ "$(cat "$V2/husk/$id/cgroup.freeze")" = 1 ]
	grep -qx "frozen 1" "$V2/husk/$id/cgroup.events"
	run husk pause "$id"
	[ "$status" -ne 0 ]
	husk resume "$id"
	grep -qx "frozen 0" "$V2/husk/$id/cgroup.events"
}

@test "ps: lists the container's host PIDs (json and table)" {
	local id json pid
	id=$(new_cid)
	make_bundle "$BUNDLE" sh -c 'sleep 100 & sleep 100 & wait'
	husk run -d --bundle "$BUNDLE" "$id"
	pid=$(cpid "$id")
	wait_until 50 ps_count_is "$id" 3
	json=$(husk ps --format json "$id")
	echo "$json"
	[ "$(jq length <<<"$json")" -eq 3 ]
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$json"
	for p in $(jq -r '.[]' <<<"$json"); do
		[ "$p" = "$pid" ] || [ "$(cat "/proc/$p/comm")" = sleep ]
	done
	run husk ps "$id"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[1]}" == *sleep* || "${lines[1]}" == *sh* ]]
}

@test "delete kills what the init left behind and removes the cgroup in every hierarchy" {
	local id pid left
	id=$(new_cid)
	# no PID namespace: the children outlive their init
	make_bundle "$BUNDLE" sh -c 'sleep 100 & sleep 100 & exec sleep 100'
	bundle_edit "$BUNDLE" '.linux.namespaces |= map(select(.type != "pid"))'
	husk run -d --bundle "$BUNDLE" "$id"
	wait_until 50 ps_count_is "$id" 3
	left=$(husk ps --format json "$id" | jq -r '.[]')
	pid=$(cpid "$id")
	kill -9 "$pid"
	wait_for_status "$id" stopped
	[ -n "$(cg_dirs "/husk/$id")" ]
	husk delete "$id"
	for p in $left; do
		[ ! -d "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat")" = Z ]
	done
	[ -z "$(cg_dirs "/husk/$id")" ]
	[ ! -e "$HUSK_ROOT/$id" ]
}
