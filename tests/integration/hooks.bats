#!/usr/bin/env bats
# OCI hooks: order, state on stdin, failure semantics, timeouts.
load helpers

# hook KIND [SH-CODE]: a hook object running /bin/sh (the host's or, for
# startContainer, the container's) that logs "KIND <state json>" to
# /hooks.log of the container (the host sees it under the rootfs copy).
hook()
{
	local kind=$1 code=${2:-}
	local log=$BUNDLE/rootfs/hooks.log
	[ "$kind" = startContainer ] && log=/hooks.log
	jq -n --arg k "$kind" --arg log "$log" --arg code "$code" \
		'{path: "/bin/sh",
		  args: ["sh", "-c", "echo \($k) $(cat) >> \($log); \($code)"],
		  env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}'
}

set_hook()
{
	local kind=$1
	shift
	bundle_edit "$BUNDLE" --argjson h "$(hook "$kind" "$@")" \
		".hooks.$kind = [\$h]"
}

@test "every hook kind runs in order with the container's state on stdin" {
	id=$(new_cid)
	# Alive while poststart runs: its state says running only then.
	make_bundle --copy "$BUNDLE" sleep 0.5
	for k in prestart createRuntime createContainer startContainer \
		poststart poststop; do
		set_hook "$k"
	done
	husk create --bundle "$BUNDLE" "$id"
	husk start "$id"
	wait_for_status "$id" stopped
	husk delete "$id"
	log=$BUNDLE/rootfs/hooks.log
	cat "$log"
	[ "$(cut -d' ' -f1 "$log" | tr '\n' ' ')" = \
		"prestart createRuntime createContainer startContainer poststart poststop " ]
	state() { grep "^$1 " "$log" | cut -d' ' -f2-; }
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		[ "$(state $k | jq -r .id)" = "$id" ]
		[ "$(state $k | jq -r .bundle)" = "$BUNDLE" ]
		[ "$(state $k | jq -r .ociVersion)" != null ]
	done
	[ "$(state createRuntime | jq -r .status)" = creating ]
	[ "$(state createContainer | jq -r .status)" = creating ]
	[ "$(state poststop | jq -r .status)" = stopped ]
	[ "$(state prestart | jq -r .status)" = creating ]
	[ "$(state startContainer | jq -r .status)" = running ]
	[ "$(state poststart | jq -r .status)" = running ]
	pid=$(state createRuntime | jq -r .pid)
	[ "$pid" -gt 1 ]
	[ "$(state startContainer | jq -r .pid)" = "$pid" ]
}

@test "a failing createRuntime hook aborts create and leaves nothing" {
	id=$(new_cid)
	make_bundle --copy "$BUNDLE" true
	set_hook createRuntime 'echo broken >&2; exit 3'
	run husk create --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"exited with status 3"* ]]
	[[ "$output" == *broken* ]]
	[ ! -e "$HUSK_ROOT/$id" ]
	run husk state "$id"
	[ "$status" -ne 0 ]
	# No process of the container is left either.
	! pgrep -f "$id" >/dev/null
}

@test "a failing poststart or poststop hook only warns" {
	id=$(new_cid)
	make_bundle --copy "$BUNDLE" sleep 60
	set_hook poststart 'exit 4'
	set_hook poststop 'exit 5'
	husk create --bundle "$BUNDLE" "$id"
	run husk start "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: poststart hook"* ]]
	[ "$(container_status "$id")" = running ]
	run husk delete --force "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: poststop hook"* ]]
	[ ! -e "$HUSK_ROOT/$id" ]
}

@test "a hook past its timeout is killed and create fails" {
	id=$(new_cid)
	make_bundle --copy "$BUNDLE" true
	bundle_edit "$BUNDLE" '.hooks.prestart = [{"path": "/bin/sleep",
		"args": ["sleep", "30"], "timeout": 1}]'
	SECONDS=0
	run husk create --bundle "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	[[ "$output" == *"timed out after 1"* ]]
	[ "$SECONDS" -lt 10 ]
	[ ! -e "$HUSK_ROOT/$id" ]
}

@test "a failing createContainer hook aborts create" {
	id=$(new_cid)
	make_bundle --copy "$BUNDLE" true
	set_hook createContainer 'exit 6'
	run husk create --bundle "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	[[ "$output" == *"exited with status 6"* ]]
	[ ! -e "$HUSK_ROOT/$id" ]
}
