#!/usr/bin/env bash
# make demo: run one real container with husk and show that it is one.
# The front door (husk run --rootfs): the busybox rootfs in build/rootfs as
# the read-only lower of an overlay, with memory, CPU and pids limits.  The
# container prints its hostname, its PID (1) and its namespace links, shown
# beside the host's, and writes a file that lands in its upper dir.
set -euo pipefail
cd "$(dirname "$0")/.."

HUSK=${HUSK:-$PWD/build/husk}
ROOTFS=$PWD/build/rootfs
ID=husk-demo

for need in "$HUSK" "$ROOTFS/bin/busybox"; do
	if ! [ -e "$need" ]; then
		echo "demo: $need missing (make all rootfs)" >&2
		exit 1
	fi
done

# What the container runs: a write (to show where it lands), one line
# "hostname pid memory-limit", then "NAME LINK" lines.
# shellcheck disable=SC2016 # expanded inside the container
script='echo "hello from the container" >/demo-write
mem=$(cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null | head -n1)
echo "$(hostname) $$ $mem"
for ns in /proc/self/ns/*; do echo "${ns##*/} $(readlink "$ns")"; done'

# A leftover from an interrupted demo would block the id.
"$HUSK" delete --force "$ID" >/dev/null 2>&1 || true

flags=(--rootfs "$ROOTFS" --overlay --memory 64m --cpus 0.5 --pids 64
	--hostname husk-demo --net none --name "$ID")
echo "\$ husk run ${flags[*]/#"$PWD"\//} -- /bin/sh -c '...'"
out=$("$HUSK" run "${flags[@]}" -- /bin/sh -c "$script" </dev/null)

read -r name pid mem <<<"$(head -n1 <<<"$out")"
echo "inside the container: hostname=$name pid=$pid memory limit=$mem bytes"
echo "(host: hostname=$(hostname) pid=$$)"
echo
printf '%-18s %-22s %-22s %s\n' namespace container host ""
tail -n +2 <<<"$out" | while read -r ns link; do
	host=$(readlink "/proc/self/ns/$ns" 2>/dev/null || echo "?")
	mark=shared
	[ "$link" != "$host" ] && mark=NEW
	printf '%-18s %-22s %-22s %s\n' "$ns" "$link" "$host" "$mark"
done

# The rootfs stayed read-only: the write is in the container's upper dir.
upper=/run/husk/$ID/overlay/upper
echo
echo "the container's writes, in its overlay upper dir $upper:"
(cd "$upper" && find . -type f | sed 's|^\./|  /|' | while read -r f; do
	echo "$f: $(cat ".$f")"
done)
[ -e "$ROOTFS/demo-write" ] || echo "build/rootfs/demo-write: absent (the lower is untouched)"
"$HUSK" delete "$ID"
[ -e "$upper" ] || echo "after husk delete $ID: the upper dir is gone"
