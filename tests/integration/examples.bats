#!/usr/bin/env bats
# examples/config/*.json: each example runs as shipped, with only its paths
# pointed at this test's rootfs and layers.

load helpers

EX=$REPO_ROOT/examples/config

# example NAME: $BUNDLE/config.json from examples/config/NAME.json, its
# "rootfs" a link to the shared busybox rootfs.
example()
{
	cp "$EX/$1.json" "$BUNDLE/config.json"
	ln -sfn "$ROOTFS" "$BUNDLE/rootfs"
}

@test "every example is valid JSON with husk's keys only where documented" {
	for f in "$EX"/*.json; do
		jq -e . "$f" >/dev/null
		! jq -r '.annotations // {} | keys[]' "$f" | grep -v '^husk\.\(overlay\.lower\|overlay\.upper\|overlay\.readonly\|network\|publish\)$'
	done
}

@test "minimal: runs, own hostname, PID 1" {
	example minimal
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from minimal, pid 1" ]
}

@test "limits: the cgroup holds the limits" {
	example limits
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 67108864 ] || [ "${lines[0]}" = max ]
	[[ "$output" == *67108864* ]]
	[ "${lines[1]}" = 32 ]
}

@test "user namespace: root inside is 100000 outside" {
	example userns
	id=$(new_cid)
	# The init, uid 100000 on the host, must reach its exec.fifo and
	# the rootfs: the test's private tmp dir is closed to it.
	chmod 0711 "$HUSK_ROOT"
	bundle_edit "$BUNDLE" --arg r "$ROOTFS" '.root.path = $r'
	run husk run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
}

@test "two-layer overlay: the app layer over the base, writes in the upper" {
	example overlay
	base=$BATS_TEST_TMPDIR/layers/base
	app=$BATS_TEST_TMPDIR/layers/app
	mkdir -p "$BATS_TEST_TMPDIR/layers"
	cp -a "$ROOTFS" "$base"
	mkdir -p "$base/app" "$app/app"
	echo base >"$base/app/greeting"
	echo app >"$app/app/greeting"
	mkdir -p "$BUNDLE/root"
	bundle_edit "$BUNDLE" --arg l "$app:$base" --arg r "$BUNDLE/root" \
		'.annotations["husk.overlay.lower"] = $l | .root.path = $r'
	id=$(new_cid)
	husk create --bundle "$BUNDLE" "$id"
	husk start "$id"
	wait_for_status "$id" stopped
	[ "$(cat "$HUSK_ROOT/$id/overlay/upper/app/out")" = written ]
	[ ! -e "$app/app/out" ] && [ ! -e "$base/app/out" ]
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$output" = app ]
}

teardown()
{
	if [ -n "${NET:-}" ]; then
		delete_all_containers
		husk network rm "$NET" >/dev/null 2>&1 ||
			ip link del "husk-ex$$" 2>/dev/null || true
	fi
	husk_teardown
}

@test "httpd: wget from the host reaches the server on the test's network" {
	example httpd
	NET=examples
	husk network create --subnet 10.248.9.0/24 --bridge "husk-ex$$" examples
	bundle_edit "$BUNDLE" '.annotations["husk.publish"] = "18393:80/tcp"'
	id=$(new_cid)
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	addr=$(awk '$2 == "web" { print $1 }' "$HUSK_ROOT/$id/hosts")
	[[ "$addr" == 10.248.9.* ]]
	run wait_http "http://$addr/hosts"
	echo "$output"
	[ "$status" -eq 0 ]
	# /etc/hosts as the network wrote it, served from inside.
	[[ "$output" == *"$addr	web"* ]]
}
