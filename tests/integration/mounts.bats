#!/usr/bin/env bats
# The container's filesystem: root.path/readonly, pivot_root, propagation,
# mounts and their options as the kernel reports them in mountinfo, default
# and configured devices, and the process settings (user, env, cwd, umask,
# rlimits, oomScoreAdj).

load helpers

# mount_line MOUNTINFO POINT: the mountinfo line of mount point POINT (the
# last one: the one on top).
mount_line()
{
	echo "$1" | awk -v p="$2" '$5 == p { l = $0 } END { print l }'
}

# mount_opts MOUNTINFO POINT: per-mount options, then fstype after " - ".
mount_opts()
{
	mount_line "$1" "$2" | awk '{ for (i = 7; $i != "-"; i++) ;
		print $6, $(i + 1), $(i + 3) }'
}

has_opt()
{
	local opts=$1 opt=$2
	[[ ",${opts%% *}," == *",$opt,"* ]] || {
		echo "missing $opt in $opts"
		return 1
	}
}

@test "root.path relative to the bundle, readonly, pivot_root hides the host" {
	make_bundle --copy "$BUNDLE"
	echo in-rootfs >"$BUNDLE/rootfs/marker"
	bundle_edit "$BUNDLE" '.root.path = "rootfs" | .root.readonly = true'
	bundle_set_args "$BUNDLE" sh -c \
		'cat /marker; touch /new 2>&1; [ -e /work ] && echo host-visible;
		 awk "{ print \$5 }" /proc/self/mountinfo'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in-rootfs ]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
	[ ! -e "$BUNDLE/rootfs/new" ]
	[[ "$output" != *host-visible* ]]
	# After pivot_root the old root is gone: every mount is under the new /.
	[[ "$output" != *"$BUNDLE"* ]]
	[ "$(echo "$output" | grep -c '^/$')" -eq 1 ]
	[ "$(husk list -q)" = "" ]
}

@test "linux.rootfsPropagation" {
	make_bundle --copy "$BUNDLE" cat /proc/self/mountinfo
	bundle_edit "$BUNDLE" '.root.readonly = true'
	# A shared rootfs on the host, so slave and shared have a peer group.
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	mount --make-shared "$BUNDLE/rootfs"
	local p rc=0
	for p in private slave shared; do
		bundle_edit "$BUNDLE" --arg p "$p" '.linux.rootfsPropagation = $p'
		run husk run --bundle "$BUNDLE" "$(new_cid)"
		[ "$status" -eq 0 ] || rc=1
		local root
		root=$(mount_line "$output" /)
		echo "$p: $root"
		case $p in
		private) [[ "$root" != *shared:* && "$root" != *master:* ]] ;;
		slave) [[ "$root" == *master:* && "$root" != *shared:* ]] ;;
		shared) [[ "$root" == *shared:* ]] ;;
		esac || rc=1
	done
	umount "$BUNDLE/rootfs"
	[ "$rc" -eq 0 ]
}

@test "mounts: proc sysfs tmpfs devpts mqueue cgroup bind rbind with options" {
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src/sub"
	echo hello >"$src/file"
	mount -t tmpfs husk-core-sub "$src/sub"
	echo nested >"$src/sub/n"
	make_bundle "$BUNDLE" sh -c \
		'cat /b/file /r/sub/n; ls /b/sub; touch /b/x 2>&1;
		 cat /proc/self/mountinfo'
	bundle_edit "$BUNDLE" --arg s "$src" '.mounts += [
		{"destination": "/t", "type": "tmpfs", "source": "tmpfs",
		 "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=700"]},
		{"destination": "/t/two/deep", "type": "tmpfs", "source": "tmpfs",
		 "options": ["size=64k"]},
		{"destination": "/b", "type": "bind", "source": $s,
		 "options": ["bind", "ro", "nosuid", "nodev", "noexec", "relatime",
		             "private"]},
		{"destination": "/r", "type": "bind", "source": $s,
		 "options": ["rbind", "rw", "rshared"]}]'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	umount "$src/sub"
	echo "$output" | head -5
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = nested ] # rbind took the submount along
	[[ "${lines[2]}" == *"Read-only file system"* ]] # bind: no submount, ro
	local mi=$output o
	o=$(mount_opts "$mi" /t)
	[[ "$o" == *" tmpfs "*"mode=700"* && "$o" == *"size=1024k"* ]]
	for x in rw nosuid nodev noexec; do has_opt "$o" $x; done
	# Both missing levels made, each in its parent.
	[[ "$(mount_opts "$mi" /t/two/deep)" == *" tmpfs "*"size=64k"* ]]
	o=$(mount_opts "$mi" /b)
	for x in ro nosuid nodev noexec relatime; do has_opt "$o" $x; done
	[[ "$(mount_line "$mi" /b)" != *shared:* ]]
	o=$(mount_opts "$mi" /r)
	has_opt "$o" rw
	[[ "$(mount_line "$mi" /r)" == *shared:* ]]
	[[ "$(mount_line "$mi" /r/sub)" == *shared:* ]]
	# The default spec's mounts.
	[[ "$(mount_opts "$mi" /proc)" == *" proc "* ]]
	o=$(mount_opts "$mi" /sys)
	[[ "$o" == *" sysfs "* ]]
	for x in ro nosuid nodev noexec; do has_opt "$o" $x; done
	o=$(mount_opts "$mi" /dev/pts)
	[[ "$o" == *" devpts "*"ptmxmode=666"* ]]
	for x in nosuid noexec; do has_opt "$o" $x; done
	o=$(mount_opts "$mi" /dev/mqueue)
	[[ "$o" == *" mqueue "* ]]
	for x in nosuid nodev noexec; do has_opt "$o" $x; done
	o=$(mount_opts "$mi" /dev/shm)
	for x in nosuid nodev noexec; do has_opt "$o" $x; done
	# cgroup: /sys/fs/cgroup itself (tmpfs on v1, cgroup2 on v2) read-only.
	has_opt "$(mount_opts "$mi" /sys/fs/cgroup)" ro
	echo "$mi" | grep -Eq ' - cgroup2? '
}

@test "default devices and linux.devices" {
	make_bundle "$BUNDLE" sh -c \
		'cd /dev && stat -c "%n %F %t:%T %a" null zero full random urandom tty ptmx husk-dev;
		 stat -c "%n %N" fd stdin stdout stderr ptmx;
		 echo x >/dev/null && head -c 3 /dev/zero | wc -c;
		 (echo x >/dev/full) 2>&1 || true'
	bundle_edit "$BUNDLE" '.linux.devices = [{"path": "/dev/husk-dev",
		"type": "c", "major": 1, "minor": 7, "fileMode": 416,
		"uid": 0, "gid": 0}]'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"null character special file 1:3 666"* ]]
	[[ "$output" == *"zero character special file 1:5 666"* ]]
	[[ "$output" == *"full character special file 1:7 666"* ]]
	[[ "$output" == *"random character special file 1:8 666"* ]]
	[[ "$output" == *"urandom character special file 1:9 666"* ]]
	[[ "$output" == *"tty character special file 5:0 666"* ]]
	# /dev/ptmx: the devpts instance's ptmx (a link or a bind of 5:2).
	[[ "$output" == *"ptmx character special file 5:2"* ]] ||
		[[ "$output" == *"ptmx 'ptmx' -> 'pts/ptmx'"* ]]
	[[ "$output" == *"husk-dev character special file 1:7 640"* ]]
	[[ "$output" == *"fd 'fd' -> '/proc/self/fd'"* ]]
	[[ "$output" == *"stdin 'stdin' -> '/proc/self/fd/0'"* ]]
	[[ "$output" == *"stdout 'stdout' -> '/proc/self/fd/1'"* ]]
	[[ "$output" == *"stderr 'stderr' -> '/proc/self/fd/2'"* ]]
	[[ "$output" == *$'\n'"3"$'\n'* ]]
	[[ "$output" == *"No space left on device"* ]]
	# Without a /dev tmpfs, whatever the rootfs has at a device's path
	# is replaced by the node.
	make_bundle --copy "$BUNDLE" stat -c "%n %F %t:%T" /dev/husk-dev
	echo stale >"$BUNDLE/rootfs/dev/husk-dev"
	# (no /dev/null to mask files with either)
	bundle_edit "$BUNDLE" 'del(.mounts[] | select(.destination == "/dev")) |
		.linux.maskedPaths = [] | .linux.devices = [{"path": "/dev/husk-dev", "type": "c",
		"major": 1, "minor": 7}]'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "/dev/husk-dev character special file 1:7" ]
}

@test "process: args, env, cwd, user, additionalGids, umask" {
	make_bundle "$BUNDLE"
	bundle_set_args "$BUNDLE" sh -c \
		'echo "$FOO|$BAR|$1"; pwd; id -u; id -g; id -G; umask;
		 touch /dev/shm/f; stat -c %a /dev/shm/f' arg0 'with space'
	bundle_edit "$BUNDLE" '.process.env += ["FOO=foo", "BAR=b a r"] |
		.process.cwd = "/etc" |
		.process.user = {"uid": 1000, "gid": 1001,
		                 "additionalGids": [10, 20], "umask": 23}'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "foo|b a r|with space" ]
	[ "${lines[1]}" = /etc ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1001 ]
	[ "$(echo "${lines[4]}" | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "10 20 1001 " ]
	[ "${lines[5]}" = 0027 ] # 23 is 0o27
	[ "${lines[6]}" = 640 ]
}

@test "rlimits and oomScoreAdj" {
	make_bundle "$BUNDLE" sh -c \
		'grep -E "open files|processes|core file" /proc/self/limits;
		 cat /proc/self/oom_score_adj'
	bundle_edit "$BUNDLE" '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 777, "hard": 888},
		{"type": "RLIMIT_NPROC", "soft": 300, "hard": 400},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}] |
		.process.oomScoreAdj = 123'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Max open files"*" 777 "*" 888 "* ]]
	[[ "$output" == *"Max processes"*" 300 "*" 400 "* ]]
	[[ "$output" == *"Max core file size"*" 0 "*" 0 "* ]]
	[ "${lines[3]}" = 123 ]
}
