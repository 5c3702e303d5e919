#!/usr/bin/env bats
# Refused input and failure cleanup: bad ids, bad config.json, wrong state
# for a verb, a failing create step undoing everything, delete --force of a
# container in any state (including a create killed half way).

load helpers

# Print every trace container $1 left on the host: state dir, cgroup dirs
# (v1 controllers, unified, pure v2), mounts naming it.
traces_of()
{
	local id=$1
	[ -e "$HUSK_ROOT/$id" ] && echo "state dir $HUSK_ROOT/$id"
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "${id:0:150}*" \
		2>/dev/null | sed 's/^/cgroup /'
	grep -F "$id" /proc/self/mountinfo | sed 's/^/mount /'
	true
}

@test "ids: .., /, empty, bad first char, too long are refused; 1024 chars work" {
	make_bundle "$BUNDLE" true
	local id
	for id in .. . a/b /abs "" -x _x .x 'a b' 'a$'; do
		run husk create --bundle "$BUNDLE" -- "$id"
		[ "$status" -eq 1 ]
		[[ "$output" == *"container ID"* ]]
	done
	run husk create --bundle "$BUNDLE" "$(printf 'a%.0s' {1..1025})"
	[ "$status" -eq 1 ]
	[[ "$output" == *"too long"* ]]
	[ -z "$(ls -A "$HUSK_ROOT")" ]
	# state/kill/delete refuse them too, without touching anything.
	run husk delete --force ../x
	[ "$status" -eq 1 ]
	run husk state ../x
	[ "$status" -eq 1 ]

	id=${CID_PREFIX}$(printf 'b%.0s' {1..1024})
	id=${id:0:1024}
	husk create --bundle "$BUNDLE" "$id" >/dev/null
	[ "$(container_status "$id")" = created ]
	[ "$(husk list -q)" = "$id" ]
	husk start "$id"
	wait_for_status "$id" stopped
	husk delete "$id"
	[ -z "$(ls -A "$HUSK_ROOT")" ]
	[ -z "$(traces_of "$id")" ]
}

# create_fails FILTER PATH WORD: editing config.json with FILTER makes create
# fail with one line naming the JSON PATH and WORD, exit 1, and nothing made.
create_fails()
{
	local filter=$1 path=$2 word=$3 id
	make_bundle "$BUNDLE" true
	bundle_edit "$BUNDLE" "$filter"
	id=$(new_cid)
	run husk create --bundle "$BUNDLE" "$id"
	echo "$filter -> $output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"config.json: $path: "*"$word"* ]]
	[ -z "$(traces_of "$id")" ]
	[ -z "$(ls -A "$HUSK_ROOT")" ]
}

@test "config.json: wrong type, missing field, unknown enum name the JSON path" {
	create_fails '.process.args = "sh"' process.args array
	create_fails '.process.cwd = 5' process.cwd string
	create_fails '.process.user.uid = "root"' process.user.uid ""
	create_fails 'del(.ociVersion)' ociVersion required
	create_fails 'del(.process.args)' process.args required
	create_fails 'del(.root)' root.path required
	create_fails '.linux.namespaces[1].type = "bogus"' \
		'linux.namespaces[1].type' bogus
	create_fails '.mounts[2].options = [1]' 'mounts[2].options' ""
	create_fails '.process.rlimits[0].type = "RLIMIT_NOPE"' \
		'process.rlimits[0].type' RLIMIT_NOPE
	create_fails '.linux.rootfsPropagation = "sideways"' \
		linux.rootfsPropagation sideways
}

@test "config.json: unknown fields are ignored" {
	make_bundle "$BUNDLE" sh -c 'echo fine'
	bundle_edit "$BUNDLE" '.futureField = {"x": 1} | .process.newThing = [1] |
		.linux.somethingElse = true | .mounts[0].extra = "y"'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "$output" = fine ]
}

@test "invalid JSON is reported with line and column" {
	make_bundle "$BUNDLE" true
	printf '{\n  "ociVersion": "1.2.0",\n  "process": [1,\n}\n' \
		>"$BUNDLE/config.json"
	run husk create --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"line 4"*"column"* ]]
	[ -z "$(ls -A "$HUSK_ROOT")" ]
}

@test "missing bundle, missing config.json" {
	local id
	id=$(new_cid)
	run husk create --bundle "$BATS_TEST_TMPDIR/nope" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/nope"* ]]
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run husk create --bundle "$BATS_TEST_TMPDIR/empty" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"config.json"* ]]
	[ -z "$(ls -A "$HUSK_ROOT")" ]
}

@test "unknown id, duplicate id, start running, delete running without --force" {
	local v
	for v in start state kill delete; do
		run husk "$v" no-such-container
		[ "$status" -eq 1 ]
		[[ "$output" == *"no-such-container does not exist"* ]]
	done
	make_bundle "$BUNDLE" sleep 100
	local id
	id=$(new_cid)
	husk run -d --bundle "$BUNDLE" "$id"
	run husk create --bundle "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$id already exists"* ]]
	run husk start "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"running"* ]]
	run husk delete "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"running"*"--force"* ]]
	# The failed duplicate create did not harm the first container.
	[ "$(container_status "$id")" = running ]
	husk delete --force "$id"
	[ -z "$(traces_of "$id")" ]
}

@test "a failing mount undoes everything and names the source" {
	make_bundle "$BUNDLE" true
	# Resources make sure the cgroup is created and must be removed.
	bundle_edit "$BUNDLE" --arg src "$BATS_TEST_TMPDIR/no-such-src" \
		'.linux.resources = {"pids": {"limit": 50}} |
		 .mounts += [{"destination": "/mnt", "type": "bind",
		              "source": $src, "options": ["rbind"]}]'
	local id
	id=$(new_cid)
	run husk create --bundle "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/no-such-src"* ]]
	[ -z "$(traces_of "$id")" ]
	[ -z "$(ls -A "$HUSK_ROOT")" ]
	[ -z "$(leaked_mounts)" ]
	# A failing process (exec of a missing binary) is reported at create.
	make_bundle "$BUNDLE" /no/such/binary
	run husk create --bundle "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/no/such/binary"* ]]
	[ -z "$(traces_of "$id")" ]
}

@test "delete --force cleans up created, running, stopped and zombie containers" {
	make_bundle "$BUNDLE" sleep 100
	bundle_edit "$BUNDLE" '.linux.resources = {"pids": {"limit": 50}}'
	local c r s z
	c=$(new_cid)
	r=$(new_cid)
	s=$(new_cid)
	husk create --bundle "$BUNDLE" "$c"
	husk run -d --bundle "$BUNDLE" "$r"
	husk run -d --bundle "$BUNDLE" "$s"
	husk kill "$s" KILL
	wait_for_status "$s" stopped
	[ -n "$(find /sys/fs/cgroup -type d -name "$r" 2>/dev/null)" ]
	local pid
	pid=$(husk state "$r" | jq .pid)
	for id in "$c" "$r" "$s"; do
		husk delete --force "$id"
		[ -z "$(traces_of "$id")" ]
	done
	# The running init is gone (or a zombie PID 1 has not reaped yet).
	! grep -q '^State:.*[RS]' "/proc/$pid/status" 2>/dev/null

	# A killed init nobody has reaped yet counts as stopped.
	z=$(new_cid)
	husk run -d --bundle "$BUNDLE" "$z"
	pid=$(husk state "$z" | jq .pid)
	husk kill "$z" KILL
	wait_for_status "$z" stopped
	run husk delete "$z"
	[ "$status" -eq 0 ]
	[ -z "$(traces_of "$z")" ]
}

@test "delete --force after husk create was SIGKILLed half way" {
	make_bundle "$BUNDLE" sleep 100
	local marker=$BATS_TEST_TMPDIR/in-hook
	bundle_edit "$BUNDLE" --arg m "$marker" \
		'.linux.resources = {"pids": {"limit": 50}} |
		 .hooks.createRuntime = [{"path": "/bin/sh",
		   "args": ["sh", "-c", "touch \($m); exec sleep 3"]}]'
	local id
	id=$(new_cid)
	"$HUSK" --root "$HUSK_ROOT" create --bundle "$BUNDLE" "$id" \
		>/dev/null 2>&1 &
	local hpid=$!
	wait_for_path -e "$marker"
	local pid
	pid=$(jq .pid "$HUSK_ROOT/$id/state.json")
	[ "$pid" -gt 0 ]
	[ -n "$(find /sys/fs/cgroup -type d -name "$id" 2>/dev/null)" ]
	kill -KILL "$hpid"
	wait "$hpid" || true

	run husk state "$id"
	[ "$status" -eq 0 ]
	husk delete --force "$id"
	[ -z "$(traces_of "$id")" ]
	# The half-made init is dead (maybe a zombie until PID 1 reaps it).
	for ((i = 0; i < 50; i++)); do
		grep -q '^State:.*[RSD]' "/proc/$pid/status" 2>/dev/null || break
		sleep 0.1
	done
	! grep -q '^State:.*[RSD]' "/proc/$pid/status" 2>/dev/null
}
