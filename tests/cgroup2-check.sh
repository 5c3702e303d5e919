#!/bin/sh
# SPDX-License-Identifier: MIT
#
# *** TO BE RUN on a real pure cgroup v2 host.  NOT RUN YET: written against
# *** the husk CLI as specified while the runtime was being built; expect to
# *** adjust it the first time it runs.
#
# Checks husk's cgroup v2 backend end to end: the limits of config.json land
# in memory.max / memory.low / memory.swap.max / cpu.max / cpu.weight /
# pids.max / cpuset.cpus, `update --memory` changes memory.max, pause/resume
# freeze through cgroup.freeze, an over-limit process is OOM-killed (exit
# 137), the eBPF device program denies a device, delete removes the cgroup.
#
# Plain POSIX sh: the host has no bats, no ip, no busybox.  Needs root.
#   usage: tests/cgroup2-check.sh [HUSK] [ROOTFS]
#     HUSK    the husk binary (default build/husk); set LD_LIBRARY_PATH for
#             carried-in libraries
#     ROOTFS  a rootfs with a busybox-like sh, sleep, dd, head, mknod
#             (default build/rootfs)
# `cond && ok .. || fail ..` is safe here: ok and fail always succeed.
# shellcheck disable=SC2015
set -u

HUSK=${1:-build/husk}
ROOTFS=${2:-build/rootfs}
CG=/sys/fs/cgroup
TOP=husk-cgroup2-check
WORK=$(mktemp -d /tmp/husk-cgroup2-check.XXXXXX) || exit 1
STATE=$WORK/state
PASS=0
FAIL=0
IDS=""

case $ROOTFS in /*) ;; *) ROOTFS=$(pwd)/$ROOTFS ;; esac

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }

husk() { "$HUSK" --root "$STATE" "$@"; }

cleanup() {
	for id in $IDS; do husk delete -f "$id" >/dev/null 2>&1; done
	rmdir "$CG/$TOP" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# expect FILE VALUE: the cgroup file holds exactly VALUE
expect() {
	got=$(cat "$1" 2>/dev/null || echo "(missing)")
	if [ "$got" = "$2" ]; then ok "$1 = $2"; else fail "$1 = '$got', want '$2'"; fi
}

# events_has FILE "KEY VALUE": a flat-keyed file has that line
events_has() {
	if grep -qx "$2" "$1" 2>/dev/null; then ok "$1 has '$2'"
	else fail "$1 lacks '$2': $(tr '\n' ' ' <"$1" 2>/dev/null)"; fi
}

# bundle NAME ARGS_JSON RESOURCES_JSON: write $WORK/NAME/config.json
bundle() {
	mkdir -p "$WORK/$1"
	cat >"$WORK/$1/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "root": { "path": "$ROOTFS", "readonly": true },
  "hostname": "$1",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": $2,
    "env": [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ "CAP_MKNOD", "CAP_KILL", "CAP_SETUID", "CAP_SETGID" ],
      "effective": [ "CAP_MKNOD", "CAP_KILL", "CAP_SETUID", "CAP_SETGID" ],
      "permitted": [ "CAP_MKNOD", "CAP_KILL", "CAP_SETUID", "CAP_SETGID" ]
    }
  },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
      "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
  ],
  "linux": {
    "cgroupsPath": "/$TOP/$1",
    "resources": $3,
    "namespaces": [
      { "type": "pid" }, { "type": "mount" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "cgroup" }
    ]
  }
}
EOF
	IDS="$IDS $1"
}

# ---- preconditions ----
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 2; }
[ -x "$HUSK" ] || { echo "no husk binary at $HUSK"; exit 2; }
[ -x "$ROOTFS/bin/sh" ] || { echo "no $ROOTFS/bin/sh"; exit 2; }
if ! grep -q " $CG .* - cgroup2 " /proc/self/mountinfo; then
	echo "$CG is not cgroup2: this check is for pure v2 hosts"; exit 2
fi
grep -q . /proc/self/cgroup && [ "$(grep -c . /proc/self/cgroup)" = 1 ] ||
	echo "note: /proc/self/cgroup has v1 lines; host may be hybrid"
echo "controllers: $(cat $CG/cgroup.controllers)"

# ---- limits land in the right files ----
bundle lim '["sleep", "1000"]' '{
    "memory": { "limit": 67108864, "reservation": 33554432, "swap": 67108864 },
    "cpu": { "shares": 1024, "quota": 20000, "period": 100000, "cpus": "0" },
    "pids": { "limit": 32 }
  }'
if husk run -d -b "$WORK/lim" lim; then
	ok "run -d lim"
	D=$CG/$TOP/lim
	expect "$D/memory.max" 67108864
	expect "$D/memory.low" 33554432
	expect "$D/memory.swap.max" 0
	expect "$D/cpu.max" "20000 100000"
	expect "$D/cpu.weight" 39
	expect "$D/pids.max" 32
	expect "$D/cpuset.cpus" 0
	[ -n "$(cat "$D/cgroup.procs")" ] && ok "lim has processes" ||
		fail "lim: cgroup.procs empty"
	husk state lim | grep -q '"running"' && ok "state running" ||
		fail "state: $(husk state lim)"

	# ---- update ----
	if husk update --memory 134217728 lim; then
		expect "$D/memory.max" 134217728
	else
		fail "update --memory"
	fi

	# ---- freeze / thaw ----
	if husk pause lim; then
		events_has "$D/cgroup.events" "frozen 1"
		expect "$D/cgroup.freeze" 1
		husk state lim | grep -q '"paused"' && ok "state paused" ||
			fail "state after pause: $(husk state lim)"
	else
		fail "pause lim"
	fi
	if husk resume lim; then
		events_has "$D/cgroup.events" "frozen 0"
		husk state lim | grep -q '"running"' && ok "state running again" ||
			fail "state after resume: $(husk state lim)"
	else
		fail "resume lim"
	fi

	# ---- delete removes the cgroup ----
	husk delete -f lim && ok "delete -f lim" || fail "delete -f lim"
	[ ! -d "$D" ] && ok "$D removed" || fail "$D still there"
else
	fail "run -d lim"
fi

# ---- OOM: 64 MiB in a 32 MiB cgroup without swap exits 137 ----
bundle oom '["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]' '{
    "memory": { "limit": 33554432, "swap": 33554432 }
  }'
husk run -b "$WORK/oom" oom >/dev/null 2>&1
rc=$?
[ "$rc" = 137 ] && ok "OOM kill exits 137" || fail "OOM: exit $rc, want 137"
husk delete -f oom >/dev/null 2>&1
[ ! -d "$CG/$TOP/oom" ] && ok "oom cgroup removed" || fail "$CG/$TOP/oom left"

# ---- devices: the eBPF program denies what the rules deny ----
bundle dev '["sh", "-c", "mknod /dev/hz c 1 5 2>/dev/null; head -c 1 /dev/hz >/dev/null 2>&1 && echo OPEN || echo DENIED"]' '{
    "devices": [
      { "allow": false, "access": "rwm" },
      { "allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm" }
    ]
  }'
out=$(husk run -b "$WORK/dev" dev 2>/dev/null)
[ "$out" = DENIED ] && ok "device 1:5 denied by eBPF" ||
	fail "device 1:5: '$out', want DENIED"
husk delete -f dev >/dev/null 2>&1

# ---- nothing left behind ----
rmdir "$CG/$TOP" 2>/dev/null
[ ! -d "$CG/$TOP" ] && ok "no $CG/$TOP left" || fail "$CG/$TOP left: $(ls "$CG/$TOP")"

echo "cgroup2-check: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
