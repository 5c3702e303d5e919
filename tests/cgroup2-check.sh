#!/bin/sh
# SPDX-License-Identifier: MIT
#
# For a real pure cgroup v2 host.  Sections whose controller the host lacks
# are skipped, so it also runs on a hybrid host's cgroup2 made to look pure
# v2 in a private mount namespace (what was done while writing it; there
# only hugetlb is on cgroup2, so limits/update/OOM were not run yet):
#   unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup &&
#     mount -t cgroup2 none /sys/fs/cgroup && tests/cgroup2-check.sh'
#
# Checks husk's cgroup v2 backend end to end: the limits of config.json land
# in memory.max / memory.low / memory.swap.max / cpu.max / cpu.weight /
# pids.max / cpuset.cpus / hugetlb.2MB.max / unified files, `update` changes
# them, pause/resume freeze through cgroup.freeze, `ps` lists the PIDs, the
# container sees "0::/" in its cgroup namespace, an over-limit process is
# OOM-killed (exit 137), the eBPF device program denies a device, a bad
# cpuset leaves nothing behind, delete removes the cgroup.
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
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "nodev", "noexec", "mode=1777", "size=65536k" ] },
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
[ "$(grep -c . /proc/self/cgroup)" = 1 ] ||
	echo "note: /proc/self/cgroup has v1 lines; host may be hybrid"
CTRLS=$(cat $CG/cgroup.controllers)
echo "controllers: $CTRLS"

# has CTRL...: every controller is available at the root
has() {
	for c in "$@"; do
		case " $CTRLS " in *" $c "*) ;; *) return 1 ;; esac
	done
}
skip() { echo "skip $*"; }

# ---- any v2 host: procs, namespace view, pause/resume, ps, unified ----
bundle frz '["sh", "-c", "grep ^0:: /proc/self/cgroup >/dev/shm/cg; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); echo $i >/dev/shm/n; sleep 0.05; done"]' '{
    "unified": { "cgroup.max.descendants": "3" }
  }'
if husk run -d -b "$WORK/frz" frz; then
	ok "run -d frz"
	D=$CG/$TOP/frz
	PID=$(husk state frz | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
	grep -qx "$PID" "$D/cgroup.procs" && ok "init $PID in $D" ||
		fail "init $PID not in $D/cgroup.procs"
	expect "$D/cgroup.max.descendants" 3
	sleep 0.3
	expect "/proc/$PID/root/dev/shm/cg" "0::/"
	husk ps --format json frz | grep -Eq "[[,]$PID[],]" &&
		ok "ps json has $PID" ||
		fail "ps: $(husk ps --format json frz)"
	if husk pause frz; then
		events_has "$D/cgroup.events" "frozen 1"
		expect "$D/cgroup.freeze" 1
		husk state frz | grep -q '"paused"' && ok "state paused" ||
			fail "state after pause: $(husk state frz)"
		a=$(cat "/proc/$PID/root/dev/shm/n"); sleep 0.5
		b=$(cat "/proc/$PID/root/dev/shm/n")
		[ "$a" = "$b" ] && ok "no progress while paused" ||
			fail "counter moved while paused: $a -> $b"
	else
		fail "pause frz"
	fi
	if husk resume frz; then
		events_has "$D/cgroup.events" "frozen 0"
		husk state frz | grep -q '"running"' && ok "state running again" ||
			fail "state after resume: $(husk state frz)"
		sleep 0.5
		b=$(cat "/proc/$PID/root/dev/shm/n")
		[ "$b" -gt "$a" ] && ok "progress after resume" ||
			fail "counter stuck after resume: $a -> $b"
	else
		fail "resume frz"
	fi
	husk delete -f frz && ok "delete -f frz" || fail "delete -f frz"
	[ ! -d "$D" ] && ok "$D removed" || fail "$D still there"
else
	fail "run -d frz"
fi

# ---- limits land in the right files; update changes them ----
if has memory cpu pids cpuset; then
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
		if husk update --memory 134217728 --memory-swap 134217728 \
			--cpu-quota 50000 --pids-limit 16 lim; then
			expect "$D/memory.max" 134217728
			expect "$D/cpu.max" "50000 100000"
			expect "$D/pids.max" 16
		else
			fail "update lim"
		fi
		husk update --memory 4096 lim 2>/dev/null &&
			fail "update --memory below usage accepted" ||
			ok "update --memory below usage refused"
		expect "$D/memory.max" 134217728
		husk delete -f lim && ok "delete -f lim" || fail "delete -f lim"
		[ ! -d "$D" ] && ok "$D removed" || fail "$D still there"
	else
		fail "run -d lim"
	fi
else
	skip "limits: needs memory cpu pids cpuset"
fi

# ---- OOM: 64 MiB in a 32 MiB cgroup without swap exits 137 ----
if has memory; then
	bundle oom '["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]' '{
    "memory": { "limit": 33554432, "swap": 33554432 }
  }'
	husk run -b "$WORK/oom" oom >/dev/null 2>&1
	rc=$?
	[ "$rc" = 137 ] && ok "OOM kill exits 137" || fail "OOM: exit $rc, want 137"
	husk delete -f oom >/dev/null 2>&1
	[ ! -d "$CG/$TOP/oom" ] && ok "oom cgroup removed" || fail "$CG/$TOP/oom left"
else
	skip "OOM: needs memory"
fi

# ---- hugetlb ----
if has hugetlb && [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
	bundle huge '["sleep", "1000"]' '{
    "hugepageLimits": [ { "pageSize": "2MB", "limit": 4194304 } ]
  }'
	if husk run -d -b "$WORK/huge" huge; then
		expect "$CG/$TOP/huge/hugetlb.2MB.max" 4194304
		husk delete -f huge >/dev/null 2>&1
	else
		fail "run -d huge"
	fi
else
	skip "hugetlb: needs hugetlb and 2MB pages"
fi

# ---- devices: the eBPF program denies what the rules deny ----
# c 1:5 (/dev/zero) is one of the defaults: the explicit deny after the
# deny-all must still win, for open and for mknod.
bundle dev '["sh", "-c", "mknod /dev/hz c 1 5 2>/dev/null && echo MKNOD; head -c 1 /dev/zero >/dev/null 2>&1 && echo OPEN || echo DENIED"]' '{
    "devices": [
      { "allow": false, "access": "rwm" },
      { "allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm" },
      { "allow": false, "type": "c", "major": 1, "minor": 5, "access": "rwm" }
    ]
  }'
out=$(husk run -b "$WORK/dev" dev 2>/dev/null)
[ "$out" = DENIED ] && ok "device 1:5 denied by eBPF" ||
	fail "device 1:5: '$out', want DENIED"
husk delete -f dev >/dev/null 2>&1

# ---- a CPU that does not exist: one line, nothing left ----
if has cpuset; then
	bundle badcpu '["true"]' '{ "cpu": { "cpus": "4095" } }'
	err=$(husk create -b "$WORK/badcpu" badcpu 2>&1)
	[ $? != 0 ] && [ "$(echo "$err" | wc -l)" = 1 ] &&
		case $err in *cpuset*4095*) true ;; *) false ;; esac &&
		ok "bad cpuset refused: $err" || fail "bad cpuset: '$err'"
	[ ! -e "$STATE/badcpu" ] && [ ! -d "$CG/$TOP/badcpu" ] &&
		ok "bad cpuset left nothing" || fail "bad cpuset left state or cgroup"
else
	skip "bad cpuset: needs cpuset"
fi

# ---- nothing left behind ----
rmdir "$CG/$TOP" 2>/dev/null
[ ! -d "$CG/$TOP" ] && ok "no $CG/$TOP left" || fail "$CG/$TOP left: $(ls "$CG/$TOP")"

echo "cgroup2-check: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
