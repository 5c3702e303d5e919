#!/usr/bin/env bats
# overlay/: the root from read-only lowers plus an upper, through the
# husk.overlay.* annotations of config.json.

load helpers

# overlay_bundle DIR LOWERS [ARGS...]: a bundle whose root is an overlay of
# LOWERS ("a:b:c", top first), mounted on a fresh empty root.path.
overlay_bundle()
{
	local dir=$1 lowers=$2
	shift 2
	make_bundle "$dir" "$@"
	mkdir -p "$dir/root"
	bundle_edit "$dir" --arg l "$lowers" --arg r "$dir/root" \
		'.root.path = $r | .root.readonly = false |
		 .annotations["husk.overlay.lower"] = $l'
}

# A layer holding only FILE with CONTENT.
layer()
{
	mkdir -p "$(dirname "$1/$2")"
	echo "$3" >"$1/$2"
}

@test "writes land in the upper dir, the lower stays untouched" {
	id=$(new_cid)
	overlay_bundle "$BUNDLE" "$ROOTFS" /bin/sh -c \
		'echo new >/created; echo changed >/etc/hostname; cat /etc/hostname'
	before=$(cat "$ROOTFS/etc/hostname")
	husk create --bundle "$BUNDLE" "$id"
	husk start "$id"
	wait_for_status "$id" stopped
	upper=$HUSK_ROOT/$id/overlay/upper
	[ "$(cat "$upper/created")" = new ]
	[ "$(cat "$upper/etc/hostname")" = changed ]
	[ ! -e "$ROOTFS/created" ]
	[ "$(cat "$ROOTFS/etc/hostname")" = "$before" ]
	husk delete "$id"
	[ ! -e "$HUSK_ROOT/$id" ]
}

@test "two containers on one lower do not see each other's writes" {
	a=$(new_cid)
	b=$(new_cid)
	overlay_bundle "$BUNDLE/a" "$ROOTFS" /bin/sh -c \
		'echo a >/mine; sleep 0.5; ls /theirs 2>&1; cat /mine'
	overlay_bundle "$BUNDLE/b" "$ROOTFS" /bin/sh -c \
		'echo b >/theirs; sleep 0.5; ls /mine 2>&1; cat /theirs'
	husk run -d --bundle "$BUNDLE/a" "$a"
	husk run -d --bundle "$BUNDLE/b" "$b"
	[ "$(container_status "$a")" = running ] || [ "$(container_status "$a")" = stopped ]
	wait_for_status "$a" stopped
	wait_for_status "$b" stopped
	[ "$(cat "$HUSK_ROOT/$a/overlay/upper/mine")" = a ]
	[ ! -e "$HUSK_ROOT/$a/overlay/upper/theirs" ]
	[ "$(cat "$HUSK_ROOT/$b/overlay/upper/theirs")" = b ]
	[ ! -e "$HUSK_ROOT/$b/overlay/upper/mine" ]
}

@test "both running at once share the lower and each sees only its own file" {
	a=$(new_cid)
	b=$(new_cid)
	overlay_bundle "$BUNDLE/a" "$ROOTFS" /bin/sh -c 'echo a >/only; sleep 30'
	overlay_bundle "$BUNDLE/b" "$ROOTFS" /bin/sh -c 'echo b >/only; sleep 30'
	husk run -d --bundle "$BUNDLE/a" "$a"
	husk run -d --bundle "$BUNDLE/b" "$b"
	wait_for_status "$a" running
	wait_for_status "$b" running
	pa=$(husk state "$a" | jq .pid)
	pb=$(husk state "$b" | jq .pid)
	for _ in $(seq 50); do
		[ -e "/proc/$pa/root/only" ] && [ -e "/proc/$pb/root/only" ] && break
		sleep 0.05
	done
	[ "$(cat "/proc/$pa/root/only")" = a ]
	[ "$(cat "/proc/$pb/root/only")" = b ]
	[ ! -e "$ROOTFS/only" ]
}

@test "delete removes the ephemeral upper and work, also after a killed create" {
	id=$(new_cid)
	overlay_bundle "$BUNDLE" "$ROOTFS" /bin/true
	husk create --bundle "$BUNDLE" "$id"
	[ -d "$HUSK_ROOT/$id/overlay/upper" ]
	[ -d "$HUSK_ROOT/$id/overlay/work" ]
	husk delete --force "$id"
	[ ! -e "$HUSK_ROOT/$id" ]

	# A create killed before it finished: the state dir holds the overlay
	# record; delete --force must still clean it up.
	id=$(new_cid)
	hookpid=$BATS_TEST_TMPDIR/hook.pid
	bundle_edit "$BUNDLE" --arg p "$hookpid" '.hooks.createRuntime = [{"path": "/bin/sh",
		"args": ["sh", "-c", ("echo $$ >" + $p + "; exec sleep 30")]}]'
	# Not the husk() wrapper: $! must be husk itself.
	"$HUSK" --root "$HUSK_ROOT" create --bundle "$BUNDLE" "$id" \
		</dev/null >/dev/null 2>&1 3>&- &
	cpid=$!
	# Half way: mounted, the createRuntime hook running.
	for _ in $(seq 100); do
		[ -s "$hookpid" ] && break
		sleep 0.05
	done
	[ -d "$HUSK_ROOT/$id/overlay/upper" ]
	ipid=$(jq .pid "$HUSK_ROOT/$id/state.json")
	[ "$ipid" -gt 0 ]
	# Stop both first: either would undo everything itself on seeing
	# the other die.
	kill -STOP "$cpid" "$ipid"
	kill -9 "$cpid" "$ipid" "$(cat "$hookpid")"
	wait "$cpid" || true
	[ -d "$HUSK_ROOT/$id/overlay/upper" ]
	husk delete --force "$id"
	[ ! -e "$HUSK_ROOT/$id" ]
}

@test "a persistent upper survives delete and is reused; a second user is refused" {
	a=$(new_cid)
	b=$(new_cid)
	up=$BATS_TEST_TMPDIR/persist/upper # its parent is made too
	overlay_bundle "$BUNDLE" "$ROOTFS" /bin/sh -c 'cat /kept 2>/dev/null; echo run >>/kept; sleep 30'
	bundle_edit "$BUNDLE" --arg u "$up" '.annotations["husk.overlay.upper"] = $u'
	husk run -d --bundle "$BUNDLE" "$a"
	wait_for_status "$a" running
	run husk create --bundle "$BUNDLE" "$b"
	[ "$status" -ne 0 ]
	[[ "$output" == *"overlay upper $up: in use by container $a"* ]]
	[ ! -e "$HUSK_ROOT/$b" ]
	husk kill "$a" KILL
	wait_for_status "$a" stopped
	husk delete "$a"
	[ "$(cat "$up/kept")" = run ]
	# The next container sees the first one's write.
	bundle_set_args "$BUNDLE" /bin/cat /kept
	run husk run --bundle "$BUNDLE" "$b"
	[ "$status" -eq 0 ]
	[ "$output" = run ]
	[ -d "$up" ]
}

@test "a 120-layer stack mounts and the top layer wins" {
	id=$(new_cid)
	lowers=""
	for i in $(seq 1 120); do
		l=$BATS_TEST_TMPDIR/layers/l$i
		layer "$l" who "layer $i"
		layer "$l" "only/$i" "$i"
		lowers="$l${lowers:+:$lowers}" # the last made is the top
	done
	overlay_bundle "$BUNDLE" "$lowers:$ROOTFS" /bin/sh -c \
		'cat /who; ls /only | wc -l; cat /only/1 /only/120'
	run husk run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "layer 120" ]
	[ "${lines[1]}" = 120 ]
	[ "${lines[2]}" = 1 ]
	[ "${lines[3]}" = 120 ]
}

@test "a file deleted in the container is whited out in the upper" {
	id=$(new_cid)
	low=$BATS_TEST_TMPDIR/low
	layer "$low" data/gone keep-me
	layer "$low" data/stays here
	overlay_bundle "$BUNDLE" "$low:$ROOTFS" /bin/sh -c \
		'rm /data/gone; ls /data'
	run husk run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	[ "$output" = stays ]
	[ "$(cat "$low/data/gone")" = keep-me ]
}

@test "the whiteout is a 0:0 character device in the upper" {
	id=$(new_cid)
	low=$BATS_TEST_TMPDIR/low
	layer "$low" gone x
	overlay_bundle "$BUNDLE" "$low:$ROOTFS" /bin/rm /gone
	husk create --bundle "$BUNDLE" "$id"
	husk start "$id"
	wait_for_status "$id" stopped
	w=$HUSK_ROOT/$id/overlay/upper/gone
	[ -c "$w" ]
	[ "$(stat -c %t:%T "$w")" = 0:0 ]
}

@test "read-only overlay: writes fail, nothing on disk" {
	id=$(new_cid)
	overlay_bundle "$BUNDLE" "$BATS_TEST_TMPDIR/empty:$ROOTFS" /bin/sh -c \
		'touch /x 2>&1; echo rc=$?'
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	bundle_edit "$BUNDLE" '.annotations["husk.overlay.readonly"] = "true"'
	run husk run --bundle "$BUNDLE" "$id"
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *"rc=1"* ]]
}

# Bad input: a clear error, nothing mounted, no state left.
bad_overlay()
{
	local id want=$1
	id=$(new_cid)
	run husk run --bundle "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$want"* ]] || { echo "got: $output, want: $want"; return 1; }
	[ ! -e "$HUSK_ROOT/$id" ]
	! grep -q " $BUNDLE/root " /proc/self/mountinfo
}

@test "bad input: missing lower, relative lower, upper on overlayfs, readonly+upper" {
	overlay_bundle "$BUNDLE" "/nonexistent-husk-lower:$ROOTFS" /bin/true
	bad_overlay "overlay lower /nonexistent-husk-lower: No such file or directory"

	overlay_bundle "$BUNDLE" "relative/lower" /bin/true
	bad_overlay "overlay lower"

	# An upper inside another overlay mount cannot hold an upper dir.
	o=$BATS_TEST_TMPDIR/ovl
	mkdir -p "$o/l" "$o/u" "$o/w" "$o/m"
	mount -t overlay overlay -o "lowerdir=$o/l,upperdir=$o/u,workdir=$o/w" "$o/m"
	overlay_bundle "$BUNDLE" "$ROOTFS" /bin/true
	bundle_edit "$BUNDLE" --arg u "$o/m/upper" '.annotations["husk.overlay.upper"] = $u'
	run bad_overlay "on an overlay filesystem"
	umount "$o/m"
	[ "$status" -eq 0 ]

	overlay_bundle "$BUNDLE" "$ROOTFS" /bin/true
	bundle_edit "$BUNDLE" '.annotations["husk.overlay.upper"] = "/tmp/x" |
		.annotations["husk.overlay.readonly"] = "true"'
	bad_overlay "readonly"
}
