#!/usr/bin/env bats
# The runc-compatible CLI and the container lifecycle, against the kernel:
# create/start/state/kill/delete, run (foreground and detached), list, spec,
# logging, concurrent creates, PID reuse, fd hygiene.

load helpers

@test "--version, --help and COMMAND --help" {
	run husk --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"husk version "* ]]
	run husk --help
	[ "$status" -eq 0 ]
	for c in create start run state kill delete list spec; do
		[[ "$output" == *"  $c "* ]]
		run husk "$c" --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: husk $c"* ]]
		run husk --help
	done
	run husk no-such-command
	[ "$status" -eq 1 ]
	[[ "$output" == *'unknown command "no-such-command"'* ]]
}

@test "--log FILE with --log-format json and text; --debug" {
	local log=$BATS_TEST_TMPDIR/log.json
	run "$HUSK" --root "$HUSK_ROOT" --debug --log "$log" --log-format json \
		state no-such-ctr
	[ "$status" -eq 1 ]
	run "$HUSK" --root "$HUSK_ROOT" --log "$log" --log-format json \
		start "bad/id"
	[ "$status" -eq 1 ]
	[ "$(wc -l <"$log")" -ge 2 ]
	# Every line is one JSON object with msg, level and time.
	while IFS= read -r line; do
		echo "$line" | jq -e '(.msg | type == "string") and
			.level == "error" and (.time | test("^[0-9]{4}-"))'
	done <"$log"
	grep -q 'no-such-ctr' "$log"

	local tlog=$BATS_TEST_TMPDIR/log.txt
	run "$HUSK" --root "$HUSK_ROOT" --log "$tlog" --log-format text \
		state no-such-ctr
	[ "$status" -eq 1 ]
	grep -q 'level=error msg=.*no-such-ctr' "$tlog"
	! grep -q '^{' "$tlog"

	run "$HUSK" --log-format xml list
	[ "$status" -eq 1 ]
}

@test "--debug traces create and delete steps; without it the log has none" {
	make_bundle "$BUNDLE" true
	local id log=$BATS_TEST_TMPDIR/debug.json
	id=$(new_cid)
	"$HUSK" --root "$HUSK_ROOT" --debug --log "$log" --log-format json \
		create -b "$BUNDLE" "$id" >/dev/null
	"$HUSK" --root "$HUSK_ROOT" --debug --log "$log" --log-format json \
		delete --force "$id"
	jq -e 'select(.level == "debug")' "$log" >/dev/null
	grep -q '"level":"debug","msg":"'"$id"': cloned init [0-9]* with flags' "$log"
	grep -q '"msg":"'"$id"': init [0-9]* is set up' "$log"
	grep -q '"msg":"'"$id"': tearing down' "$log"

	local quiet=$BATS_TEST_TMPDIR/quiet.json
	id=$(new_cid)
	"$HUSK" --root "$HUSK_ROOT" --log "$quiet" --log-format json \
		create -b "$BUNDLE" "$id" >/dev/null
	husk delete --force "$id"
	! grep -q debug "$quiet"
}

@test "create does not exec; start does; state follows created/running/stopped" {
	make_bundle --copy "$BUNDLE" sh -c 'touch /ran; exec sleep 100'
	bundle_edit "$BUNDLE" '.annotations = {"org.test.a": "b"}'
	local id
	id=$(new_cid)
	# Default bundle: the cwd.  Not `run`: the init holds stdout open.
	(cd "$BUNDLE" && husk create --pid-file "$BATS_TEST_TMPDIR/pid" "$id" \
		>/dev/null)
	# husk create has exited; the init waits, the process has not run.
	[ "$(container_status "$id")" = created ]
	[ ! -e "$BUNDLE/rootfs/ran" ]
	run husk state "$id"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$id" --arg b "$BUNDLE" \
		--arg pid "$(cat "$BATS_TEST_TMPDIR/pid")" \
		'.ociVersion != null and .id == $id and .status == "created" and
		 .pid == ($pid | tonumber) and .pid > 0 and .bundle == $b and
		 .annotations["org.test.a"] == "b"'
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	kill -0 "$pid"
	sleep 0.2
	[ ! -e "$BUNDLE/rootfs/ran" ]

	husk start "$id"
	wait_for_status "$id" running
	wait_for_path -e "$BUNDLE/rootfs/ran"
	[ "$(husk state "$id" | jq .pid)" = "$pid" ]

	husk kill "$id" # default TERM; sleep as PID 1 ignores TERM
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	husk delete "$id"
	[ ! -e "$HUSK_ROOT/$id" ]
	run husk state "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not exist"* ]]
}

@test "create --bundle / -b; kill delivers TERM by default, TERM, SIGTERM, 15" {
	make_bundle "$BUNDLE" sh -c \
		'trap "echo got >>/dev/shm/got" TERM; while :; do sleep 0.05; done'
	local sig id pid
	for sig in "" TERM SIGTERM 15; do
		id=$(new_cid)
		husk create -b "$BUNDLE" "$id"
		husk start "$id"
		wait_for_status "$id" running
		pid=$(husk state "$id" | jq .pid)
		sleep 0.1 # let the shell install its trap
		run husk kill "$id" $sig
		[ "$status" -eq 0 ]
		# The trap ran (PID 1 has no default action: only a handler sees it).
		wait_for_path -s "/proc/$pid/root/dev/shm/got" || true
		[ "$(cat "/proc/$pid/root/dev/shm/got")" = got ]
		[ "$(container_status "$id")" = running ]
		husk kill "$id" 9
		wait_for_status "$id" stopped
		husk delete "$id"
	done
	id=$(new_cid)
	husk create --bundle "$BUNDLE" "$id"
	run husk kill "$id" NOSUCHSIG
	[ "$status" -eq 1 ]
	[[ "$output" == *'unknown signal "NOSUCHSIG"'* ]]
	husk kill "$id" SIGKILL
	wait_for_status "$id" stopped
}

@test "create --console-socket hands over the pty master" {
	local sock=$BATS_TEST_TMPDIR/console.sock id i
	make_bundle "$BUNDLE" sh -c 'tty; read line; echo "got $line"'
	bundle_edit "$BUNDLE" '.process.terminal = true'
	"$REPO_ROOT/build/helpers/console-recv" -t 10 -w hello "$sock" \
		>"$BATS_TEST_TMPDIR/console" 2>&1 &
	local rpid=$!
	wait_for_path -S "$sock"
	id=$(new_cid)
	husk create --bundle "$BUNDLE" --console-socket "$sock" "$id"
	husk start "$id"
	wait "$rpid"
	cat "$BATS_TEST_TMPDIR/console"
	grep -q '^/dev/pts/0' "$BATS_TEST_TMPDIR/console"
	grep -q 'got hello' "$BATS_TEST_TMPDIR/console"
	# Without a socket a terminal container is refused up front.
	run husk create --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--console-socket"* ]]
}

@test "run exits with the process's code, 128+N on signal N" {
	make_bundle "$BUNDLE" sh -c 'exit 7'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 7 ]
	# PID 1 ignores signals it has no handler for: use a child shell.
	bundle_set_args "$BUNDLE" sh -c 'sh -c "echo out; kill -USR1 \$\$"; exit $?'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq $((128 + 10)) ]
	[[ "$output" == out* ]]
	# Nothing left behind in the state root.
	[ -z "$(ls "$HUSK_ROOT")" ]
}

# A prestart hook runs while the init waits in its namespaces; its parent
# is the husk that made the init.  kcmp(KCMP_VM) compares the two.
@test "run's init shares husk's memory until exec; create's has a copy" {
	local hook=$BATS_TEST_TMPDIR/vm-hook out=$BATS_TEST_TMPDIR/vm.out id
	printf '#!/bin/sh\npid=$(jq -r .pid)\n%s "$PPID" "$pid" >>%s\n' \
		"$REPO_ROOT/build/helpers/kcmp-vm" "$out" >"$hook"
	chmod +x "$hook"
	make_bundle "$BUNDLE" true
	bundle_edit "$BUNDLE" ".hooks.prestart = [{\"path\": \"$hook\"}]"
	husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$(cat "$out")" = shared ]
	# run makes no exec.fifo (it starts its own container); create does.
	id=$(new_cid)
	: >"$out"
	husk create --bundle "$BUNDLE" "$id"
	[ "$(cat "$out")" = separate ]
	[ -p "$HUSK_ROOT/$id/exec.fifo" ]
	husk delete --force "$id"
}

@test "run without prestart hooks goes straight to the exec; a failure on the way still rolls back" {
	local id log=$BATS_TEST_TMPDIR/debug.log hook=$BATS_TEST_TMPDIR/hook.sh
	make_bundle "$BUNDLE" sh -c 'echo ran'
	id=$(new_cid)
	run "$HUSK" --root "$HUSK_ROOT" --debug --log "$log" run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ] && [ "$output" = ran ]
	grep -q "$id: init [0-9]* went straight to its exec" "$log"
	# A prestart hook needs the stop at MOUNTED: the stepped way.
	printf '#!/bin/sh\necho hook >%s\n' "$BATS_TEST_TMPDIR/hooked" >"$hook"
	chmod +x "$hook"
	bundle_edit "$BUNDLE" --arg h "$hook" '.hooks.prestart = [{"path": $h}]'
	id=$(new_cid)
	: >"$log"
	run "$HUSK" --root "$HUSK_ROOT" --debug --log "$log" run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ] && [ "$output" = ran ]
	[ "$(cat "$BATS_TEST_TMPDIR/hooked")" = hook ]
	grep -q "$id: init [0-9]* is set up and waits for start" "$log"
	! grep -q "went straight" "$log"
	# The init's own error still comes back as one line, nothing left.
	make_bundle "$BUNDLE" true
	bundle_edit "$BUNDLE" '.mounts += [{"destination": "/nowhere/x", "type": "nosuchfs", "source": "none"}]'
	id=$(new_cid)
	run husk run --bundle "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ] && [[ "$output" == *"/nowhere/x: No such device"* ]]
	[ ! -e "$HUSK_ROOT/$id" ]
	[ ! -d /sys/fs/cgroup/memory/husk/"$id" ]
}

@test "husk maps no shared object at startup (static PIE)" {
	# No loader and no libc.so to map and relocate at every call; the
	# networking libraries are loaded on first use (network.bats).
	run readelf -h -d -l "$HUSK"
	[ "$status" -eq 0 ]
	[[ "$output" == *"DYN (Position-Independent Executable"* ]]
	[[ "$output" != *NEEDED* && "$output" != *INTERP* ]]
}

@test "foreground run forwards TERM to the container" {
	make_bundle "$BUNDLE" sh -c 'trap "exit 42" TERM; echo up >/dev/shm/up; while :; do sleep 0.05; done'
	local id
	id=$(new_cid)
	# Not the husk function: $! must be husk itself, not a subshell.
	"$HUSK" --root "$HUSK_ROOT" run --bundle "$BUNDLE" "$id" \
		>"$BATS_TEST_TMPDIR/out" 2>&1 &
	local hpid=$!
	wait_for_status "$id" running
	# Wait until the trap is installed (the shell wrote /tmp/up).
	local cpid
	cpid=$(husk state "$id" | jq .pid)
	wait_for_path -e "/proc/$cpid/root/dev/shm/up" || true
	kill -TERM "$hpid"
	local rc=0
	wait "$hpid" || rc=$?
	[ "$rc" -eq 42 ]
	[ ! -e "$HUSK_ROOT/$id" ]
}

@test "run --detach and --pid-file; list table, json and -q" {
	make_bundle "$BUNDLE" sleep 100
	local a b
	a=$(new_cid)
	b=$(new_cid)
	husk run -d --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$a"
	[ "$(container_status "$a")" = running ]
	[ "$(husk state "$a" | jq .pid)" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
	husk create --bundle "$BUNDLE" "$b"

	run husk list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*PID*STATUS*BUNDLE* ]]
	[[ "$output" == *"$a "*running*"$BUNDLE"* ]]
	[[ "$output" == *"$b "*created*"$BUNDLE"* ]]
	run husk list --format json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg a "$a" --arg b "$b" \
		'length == 2 and
		 (map(select(.id == $a))[0].status == "running") and
		 (map(select(.id == $b))[0].status == "created")'
	run husk list -q
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$a" "$b" | sort)" = "$(echo "$output" | sort)" ]
	run husk list --format yaml
	[ "$status" -eq 1 ]
}

@test "spec writes a valid default config that runs sh in ./rootfs" {
	local dir=$BATS_TEST_TMPDIR/specb
	mkdir -p "$dir"
	husk spec --bundle "$dir"
	jq -e '.ociVersion and .root.path == "rootfs" and
	       .process.args == ["sh"] and .process.noNewPrivileges == true and
	       (.linux.namespaces | map(.type) | index("mount") != null) and
	       (.process.capabilities.bounding | index("CAP_SYS_ADMIN") == null)' \
		"$dir/config.json"
	# A second spec refuses to overwrite it.
	run husk spec --bundle "$dir"
	[ "$status" -eq 1 ]
	cp -a "$ROOTFS" "$dir/rootfs"
	# terminal is true by default: run it with the terminal off, sh reads stdin.
	jq '.process.terminal = false' "$dir/config.json" >"$dir/c" &&
		mv "$dir/c" "$dir/config.json"
	cd "$dir"
	run husk run "$(new_cid)" <<<'echo spec-ok; exit 3'
	cd - >/dev/null
	[ "$status" -eq 3 ]
	[ "$output" = spec-ok ]
}

@test "no runtime fd leaks into the container" {
	make_bundle "$BUNDLE" sh -c 'cd /proc/self/fd && ls'
	local id
	id=$(new_cid)
	run husk run --bundle "$BUNDLE" "$id" 3>/dev/null 4</dev/null
	[ "$status" -eq 0 ]
	# 0 1 2, and the directory fd ls opened itself.
	[ "$(echo $output)" = "0 1 2 3" ]
	# The same through create + start (the init survives husk create).
	husk create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/o" 2>&1
	husk start "$id"
	wait_for_status "$id" stopped
	[ "$(echo $(cat "$BATS_TEST_TMPDIR/o"))" = "0 1 2 3" ]
}

@test "20 concurrent creates of distinct ids all succeed" {
	make_bundle "$BUNDLE" sleep 100
	local i pids=() ids=()
	for ((i = 0; i < 20; i++)); do
		ids+=("$(new_cid)")
	done
	for id in "${ids[@]}"; do
		husk create --bundle "$BUNDLE" "$id" &
		pids+=($!)
	done
	local failed=0
	for p in "${pids[@]}"; do
		wait "$p" || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ]
	[ "$(husk list -q | wc -l)" -eq 20 ]
	[ "$(husk list --format json | jq '[.[] | select(.status == "created")] | length')" -eq 20 ]
}

@test "concurrent creates of the same id: exactly one wins" {
	make_bundle "$BUNDLE" sleep 100
	local id i pids=() ok=0
	id=$(new_cid)
	for ((i = 0; i < 8; i++)); do
		husk create --bundle "$BUNDLE" "$id" 2>"$BATS_TEST_TMPDIR/err$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" && ok=$((ok + 1))
	done
	[ "$ok" -eq 1 ]
	grep -l "already exists" "$BATS_TEST_TMPDIR"/err* | wc -l | grep -qx 7
	[ "$(container_status "$id")" = created ]
	[ "$(husk list -q)" = "$id" ]
}

@test "status is not fooled by a reused pid" {
	make_bundle "$BUNDLE" sleep 100
	local id
	id=$(new_cid)
	husk run -d --bundle "$BUNDLE" "$id"
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	# Point the record at a live process: same pid, other start time.
	sleep 100 &
	local other=$!
	jq --argjson p "$other" '.pid = $p' "$HUSK_ROOT/$id/state.json" \
		>"$HUSK_ROOT/$id/s" && mv "$HUSK_ROOT/$id/s" "$HUSK_ROOT/$id/state.json"
	[ "$(container_status "$id")" = stopped ]
	# kill and delete must not touch the unrelated process.
	run husk kill "$id" KILL
	[ "$status" -eq 1 ]
	husk delete "$id"
	kill -0 "$other"
	kill "$other"
	wait "$other" || true
}

@test "the state dir is the lock: pause waits for its holder, and follows a dir made anew" {
	make_bundle "$BUNDLE" sleep 100
	local id dir t=$BATS_TEST_TMPDIR
	id=$(new_cid)
	husk run -d --bundle "$BUNDLE" "$id"
	dir=$HUSK_ROOT/$id
	[ ! -e "$dir/lock" ]
	# Hold the dir's flock; pause must wait until it is let go.
	flock "$dir" sh -c "touch $t/held; sleep 0.5; touch $t/released" &
	wait_for_path -e "$t/held"
	husk pause "$id"
	[ -e "$t/released" ]
	wait
	[ "$(container_status "$id")" = paused ]
	husk resume "$id"

	# While pause waits, the dir is deleted and made anew (as by delete
	# and a new create of the same id): pause acts on the new one.
	flock "$dir" sh -c "touch $t/held2; sleep 0.5
		mkdir '$dir.new' &&
		cp '$dir/state.json' '$dir/config.json' '$dir.new/' &&
		mv '$dir' '$dir.old' && mv '$dir.new' '$dir'" &
	wait_for_path -e "$t/held2"
	husk pause "$id"
	wait
	[ -d "$dir.old" ]
	[ "$(container_status "$id")" = paused ]
	husk resume "$id"
	rm -rf "$dir"
	mv "$dir.old" "$dir"

	# Deleted while pause waits: pause says so.
	flock "$dir" sh -c "touch $t/held3; sleep 0.5; mv '$dir' '$dir.old'" &
	wait_for_path -e "$t/held3"
	run husk pause "$id"
	wait
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container $id does not exist"* ]]
	mv "$dir.old" "$dir"
	[ "$(container_status "$id")" = running ]
	husk delete -f "$id"
}
