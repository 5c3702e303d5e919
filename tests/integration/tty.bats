#!/usr/bin/env bats
# Terminals: --console-socket for create/start and exec -t, and the
# foreground proxy without a socket.
load helpers

RECV=$REPO_ROOT/build/helpers/console-recv

# recv_start SOCKET TEXT: console-recv in the background, output in $RECV_OUT.
recv_start()
{
	RECV_OUT=$BATS_TEST_TMPDIR/recv.out
	"$RECV" -t 10 -v -w "$2" "$1" >"$RECV_OUT" 2>"$RECV_OUT.err" &
	RECV_PID=$!
	wait_for_path -S "$1"
}

@test "create+start with terminal: the pty master comes over --console-socket" {
	[ -x "$RECV" ] || skip "console-recv not built"
	id=$(new_cid)
	sock=$BATS_TEST_TMPDIR/console.sock
	make_bundle "$BUNDLE" sh -c 'read x; echo "got:$x"; tty; stty size'
	bundle_edit "$BUNDLE" '.process.terminal = true |
		.process.consoleSize = {"height": 33, "width": 101}'
	recv_start "$sock" hello
	husk create --bundle "$BUNDLE" --console-socket "$sock" "$id"
	husk start "$id"
	wait "$RECV_PID"
	cat "$RECV_OUT"
	grep -q 'got:hello' "$RECV_OUT"
	grep -q '^/dev/pts/[0-9]' "$RECV_OUT"
	grep -q '^33 101' "$RECV_OUT"
	grep -q 'named "/dev/ptmx"' "$RECV_OUT.err"
}

@test "exec -t --console-socket gets a pty inside the container" {
	[ -x "$RECV" ] || skip "console-recv not built"
	id=$(new_cid)
	sock=$BATS_TEST_TMPDIR/exec.sock
	make_bundle "$BUNDLE" sleep 60
	husk run -d --bundle "$BUNDLE" "$id"
	recv_start "$sock" world
	run husk exec -t --console-socket "$sock" "$id" \
		sh -c 'read x; echo "got:$x"; tty; [ -t 0 ] && echo stdin-is-tty; exit 3'
	[ "$status" -eq 3 ]
	wait "$RECV_PID"
	cat "$RECV_OUT"
	grep -q 'got:world' "$RECV_OUT"
	grep -q '^/dev/pts/[0-9]' "$RECV_OUT"
	grep -q 'stdin-is-tty' "$RECV_OUT"
	# The slave lives in the container's devpts, not the host's.
	ip=$(husk state "$id" | jq -r .pid)
	[ "$(stat -c %d /proc/$ip/root/dev/pts)" != "$(stat -c %d /dev/pts)" ]
}

@test "exec --detach --tty --console-socket (conmon's way)" {
	[ -x "$RECV" ] || skip "console-recv not built"
	id=$(new_cid)
	sock=$BATS_TEST_TMPDIR/d.sock
	make_bundle "$BUNDLE" sleep 60
	husk run -d --bundle "$BUNDLE" "$id"
	recv_start "$sock" ping
	husk exec -d -t --console-socket "$sock" --pid-file "$BATS_TEST_TMPDIR/pid" \
		"$id" sh -c 'read x; echo "detached:$x"'
	[ -s "$BATS_TEST_TMPDIR/pid" ]
	wait "$RECV_PID"
	grep -q 'detached:ping' "$RECV_OUT"
}

@test "foreground exec -t without a socket proxies the terminal" {
	command -v script >/dev/null || skip "no script(1)"
	id=$(new_cid)
	make_bundle "$BUNDLE" sleep 60
	husk run -d --bundle "$BUNDLE" "$id"
	# script(1) gives husk a real terminal to put in raw mode.
	run timeout 20 script -qec "$HUSK --root $HUSK_ROOT exec -t $id sh -c 'tty; exit 5'" /dev/null </dev/null
	echo "$output"
	[[ "$output" == */dev/pts/* ]]
	[ "$status" -eq 5 ]
}
