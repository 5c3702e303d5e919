#!/usr/bin/env bats
# husk exec: namespaces, cgroup, exit codes, --process, flags, detach.
load helpers

# start_sleeper ID: a running container whose init sleeps.
start_sleeper()
{
	make_bundle "$BUNDLE" sleep 60
	husk run -d --bundle "$BUNDLE" "$1"
	wait_for_status "$1" running
}

init_pid()
{
	husk state "$1" | jq -r .pid
}

@test "exec joins every namespace and the cgroup of PID 1" {
	id=$(new_cid)
	start_sleeper "$id"
	run husk exec "$id" sh -c 'for n in mnt uts ipc net pid cgroup; do
		[ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] || echo "differs: $n"
	done
	cmp /proc/self/cgroup /proc/1/cgroup || echo "cgroup differs"
	echo pid=$$'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *differs* ]]
	# A pid of the container's PID namespace, not of the host's.
	pid=$(sed -n 's/^pid=//p' <<<"$output")
	[ "$pid" -gt 1 ] && [ "$pid" -lt 100 ]
	# Seen from the host, through --detach --pid-file.
	husk exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$id" sleep 30
	p=$(cat "$BATS_TEST_TMPDIR/pid")
	ip=$(init_pid "$id")
	[ "$(cat /proc/$p/comm)" = sleep ]
	for n in mnt uts ipc net pid cgroup; do
		[ "$(readlink /proc/$p/ns/$n)" = "$(readlink /proc/$ip/ns/$n)" ]
	done
	diff /proc/$p/cgroup /proc/$ip/cgroup
}

@test "exec propagates exit codes and 128+N for signal N" {
	id=$(new_cid)
	start_sleeper "$id"
	run husk exec "$id" sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run husk exec "$id" sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	run husk exec "$id" true
	[ "$status" -eq 0 ]
}

@test "exec --process runs a JSON Process" {
	id=$(new_cid)
	start_sleeper "$id"
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'J'
	{"args": ["sh", "-c", "echo $FOO; pwd; id -u; id -g"],
	 "env": ["FOO=from-json", "PATH=/bin"], "cwd": "/etc",
	 "user": {"uid": 1000, "gid": 1001}, "terminal": false}
	J
	run husk exec --process "$BATS_TEST_TMPDIR/process.json" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-json ]
	[ "${lines[1]}" = /etc ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1001 ]
}

@test "exec flags: --env, --cwd, --user, --cap, --no-new-privs" {
	id=$(new_cid)
	start_sleeper "$id"
	run husk exec --env FOO=bar --cwd /tmp --user 7:8 "$id" \
		sh -c 'echo $FOO $(pwd) $(id -u) $(id -g)'
	[ "$status" -eq 0 ]
	[ "$output" = "bar /tmp 7 8" ]
	# CAP_SYS_ADMIN (21) is not in the default set; --cap adds it.
	run husk exec "$id" sh -c 'grep CapEff /proc/self/status'
	[ "$output" = "CapEff:	00000000a80425fb" ]
	run husk exec --cap CAP_SYS_ADMIN "$id" sh -c 'grep CapEff /proc/self/status'
	[ "$output" = "CapEff:	00000000a82425fb" ]
	bundle_edit "$BUNDLE" '.process.noNewPrivileges = false'
	id2=$(new_cid)
	husk run -d --bundle "$BUNDLE" "$id2"
	run husk exec "$id2" grep NoNewPrivs /proc/self/status
	[ "$output" = "NoNewPrivs:	0" ]
	run husk exec --no-new-privs "$id2" grep NoNewPrivs /proc/self/status
	[ "$output" = "NoNewPrivs:	1" ]
}

@test "exec --detach writes the host pid and returns at once" {
	id=$(new_cid)
	start_sleeper "$id"
	SECONDS=0
	husk exec --detach --pid-file "$BATS_TEST_TMPDIR/pid" "$id" sleep 20
	[ "$SECONDS" -lt 5 ]
	p=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$(cat /proc/$p/comm)" = sleep ]
	# The exec'd process is in the container's cgroup too.
	grep -q "$id" /proc/$p/cgroup
}

@test "exec refuses stopped, paused and missing containers clearly, status 1" {
	id=$(new_cid)
	make_bundle "$BUNDLE" true
	husk create --bundle "$BUNDLE" "$id"
	husk start "$id"
	wait_for_status "$id" stopped
	run husk exec "$id" true
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot exec in container $id: it is stopped"* ]]

	run husk exec nosuch-$id true
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not exist"* ]]

	id2=$(new_cid)
	start_sleeper "$id2"
	husk pause "$id2"
	wait_for_status "$id2" paused
	run husk exec "$id2" true
	[ "$status" -eq 1 ]
	[[ "$output" == *"it is paused"* ]]
}

@test "exec of a missing binary fails with the exec error and status 255" {
	id=$(new_cid)
	start_sleeper "$id"
	run husk exec "$id" /no/such/binary
	echo "$output"
	[ "$status" -eq 255 ]
	[[ "$output" == *'exec: "/no/such/binary"'* ]]
	run husk exec "$id" nosuchcmd
	echo "$output"
	[ "$status" -eq 255 ]
	[[ "$output" == *'executable file not found in $PATH'* ]]
}

@test "exec: /proc/self/fd holds only stdio (and --preserve-fds)" {
	id=$(new_cid)
	start_sleeper "$id"
	# ls opens the directory it lists as fd 3 itself.
	run husk exec "$id" ls /proc/self/fd
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "0 1 2 3" ]
	run husk exec --preserve-fds 1 "$id" ls /proc/self/fd 3</etc/hostname
	[ "$(echo $output)" = "0 1 2 3 4" ]
}
