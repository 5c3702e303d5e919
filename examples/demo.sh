#!/usr/bin/env bash
# make demo: run one real container with husk and show that it is one.
# A bundle in build/demo (husk spec) over the busybox rootfs in build/rootfs;
# the container prints its hostname, its PID (1) and its namespace links,
# shown beside the host's.
set -euo pipefail
cd "$(dirname "$0")/.."

HUSK=${HUSK:-$PWD/build/husk}
ROOTFS=$PWD/build/rootfs
DEMO=$PWD/build/demo
ID=husk-demo

for need in "$HUSK" "$ROOTFS/bin/busybox"; do
	if ! [ -e "$need" ]; then
		echo "demo: $need missing (make all rootfs)" >&2
		exit 1
	fi
done

# What the container runs: one line "hostname pid" then "NAME LINK" lines.
# shellcheck disable=SC2016 # expanded inside the container
script='echo "$(hostname) $$"
for ns in /proc/self/ns/*; do echo "${ns##*/} $(readlink "$ns")"; done'

rm -rf "$DEMO"
mkdir -p "$DEMO"
"$HUSK" spec --bundle "$DEMO"
jq --arg root "$ROOTFS" --arg script "$script" \
	'.root.path = $root | .root.readonly = true |
	 .hostname = "husk-demo" |
	 .process.terminal = false |
	 .process.args = ["/bin/sh", "-c", $script]' \
	"$DEMO/config.json" >"$DEMO/config.json.new"
mv "$DEMO/config.json.new" "$DEMO/config.json"

# A leftover from an interrupted demo would block the id.
"$HUSK" delete --force "$ID" >/dev/null 2>&1 || true

echo "\$ ${HUSK#"$PWD"/} run --bundle build/demo $ID"
out=$("$HUSK" run --bundle "$DEMO" "$ID" </dev/null)

read -r name pid <<<"$(head -n1 <<<"$out")"
echo "inside the container: hostname=$name pid=$pid (host: hostname=$(hostname) pid=$$)"
echo
printf '%-18s %-22s %-22s %s\n' namespace container host ""
tail -n +2 <<<"$out" | while read -r ns link; do
	host=$(readlink "/proc/self/ns/$ns" 2>/dev/null || echo "?")
	mark=shared
	[ "$link" != "$host" ] && mark=NEW
	printf '%-18s %-22s %-22s %s\n' "$ns" "$link" "$host" "$mark"
done
