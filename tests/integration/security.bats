#!/usr/bin/env bats
# Process security (caps, NNP, rlimits, seccomp, masked/ro paths, sysctl)
# and the escapes that must not work.
load helpers

teardown()
{
	[ -z "${HOST_MOUNT:-}" ] || umount "$HOST_MOUNT"
	husk_teardown
}

@test "husk spec has safe defaults" {
	make_bundle "$BUNDLE"
	c=$BUNDLE/config.json
	[ "$(jq -r '.process.capabilities.bounding | length' "$c")" -eq 14 ]
	[ "$(jq -r '.process.capabilities.bounding | index("CAP_SYS_ADMIN")' "$c")" = null ]
	[ "$(jq -r .process.noNewPrivileges "$c")" = true ]
	[ "$(jq -r '.linux.seccomp | type' "$c")" = object ]
	jq -e '.linux.maskedPaths | index("/proc/kcore")' "$c"
	jq -e '.linux.readonlyPaths | index("/proc/sys")' "$c"
	for n in pid network ipc uts mount; do
		jq -e --arg n $n '[.linux.namespaces[].type] | index($n)' "$c"
	done
}

@test "CapEff, CapBnd, CapAmb and NoNewPrivs match the spec" {
	make_bundle "$BUNDLE" grep -E '^(CapEff|CapBnd|CapPrm|CapAmb|CapInh|NoNewPrivs)' /proc/self/status
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[[ "$output" == *"CapEff:	00000000a80425fb"* ]]
	[[ "$output" == *"CapBnd:	00000000a80425fb"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	# A non-root user with one ambient capability (NET_BIND_SERVICE = 10).
	bundle_edit "$BUNDLE" '.process.user = {"uid": 1000, "gid": 1000} |
		.process.noNewPrivileges = false |
		.process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
		 "effective": ["CAP_NET_BIND_SERVICE"], "permitted": ["CAP_NET_BIND_SERVICE"],
		 "inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]}'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[[ "$output" == *"CapBnd:	0000000000000401"* ]]
	[[ "$output" == *"CapEff:	0000000000000400"* ]]
	[[ "$output" == *"CapAmb:	0000000000000400"* ]]
	[[ "$output" == *"NoNewPrivs:	0"* ]]
}

@test "a capability the host's bounding set lacks is refused by name, before anything is made" {
	# This VM has no CAP_SYS_RESOURCE (24) to give; elsewhere drop it
	# from a shell's bounding set first.
	local id drop=()
	id=$(new_cid)
	if (($(printf '%d' "0x$(awk '/^CapBnd/ { print $2 }' /proc/self/status)") >> 24 & 1)); then
		command -v capsh >/dev/null || skip "no capsh to drop CAP_SYS_RESOURCE"
		# capsh runs bash with what follows --: have it exec husk
		drop=(capsh --drop=cap_sys_resource -- -c 'exec "$@"' sh)
	fi
	make_bundle "$BUNDLE" true
	bundle_edit "$BUNDLE" '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"] |
		.process.capabilities.permitted += ["CAP_SYS_RESOURCE"]'
	run "${drop[@]}" "$HUSK" --root "$HUSK_ROOT" run --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$output" = "husk: capabilities: CAP_SYS_RESOURCE is not in the host's bounding set (requested in process.capabilities.permitted)" ]
	# no state dir (and, as after every test, no cgroup or mount) left
	[ ! -e "$HUSK_ROOT/$id" ]
}

@test "rlimits, oomScoreAdj and umask are applied" {
	make_bundle "$BUNDLE" sh -c 'ulimit -n; cat /proc/self/oom_score_adj; umask'
	bundle_edit "$BUNDLE" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}] |
		.process.oomScoreAdj = 123 | .process.user.umask = 23'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "${lines[0]}" = 321 ]
	[ "${lines[1]}" = 123 ]
	[ "${lines[2]}" = 0027 ]
}

@test "seccomp: a denied syscall returns the configured errno, in init and exec" {
	id=$(new_cid)
	make_bundle "$BUNDLE" sh -c 'mkdir /tmp/x; sleep 60'
	bundle_edit "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
		 {"names": ["unshare"], "action": "SCMP_ACT_ERRNO",
		  "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_NE"}]}]}'
	husk run -d --bundle "$BUNDLE" "$id"
	run husk exec "$id" mkdir /tmp/y
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Function not implemented"* ]]
	run husk exec "$id" grep Seccomp: /proc/1/status
	[ "$output" = "Seccomp:	2" ]
	# Conditional rule: unshare(CLONE_NEWUTS) is EPERM (the default errno).
	run husk exec "$id" unshare -u true
	[[ "$output" == *"Operation not permitted"* ]]
	# Other syscalls still work.
	run husk exec "$id" ls /
	[ "$status" -eq 0 ]
}

@test "an unknown seccomp syscall or action is refused at create" {
	make_bundle "$BUNDLE" true
	bundle_edit "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["no_such_syscall"], "action": "SCMP_ACT_ERRNO"}]}'
	run husk create --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -ne 0 ]
	[[ "$output" == *no_such_syscall* ]]
}

@test "masked paths are unreadable and read-only paths unwritable" {
	# /proc/kcore where the kernel has it, else another masked file.
	f=/proc/kcore
	[ -e $f ] || f=/proc/timer_list
	make_bundle "$BUNDLE" sh -c "echo masked=\$(head -c 1 $f | wc -c); ls /proc/acpi 2>&1 | wc -l;"'
		echo 1 >/proc/sys/vm/overcommit_memory 2>&1 || echo ro-refused;
		grep " /proc/sys " /proc/self/mountinfo | grep -c " ro,"'
	jq -e --arg f $f '.linux.maskedPaths | index($f)' "$BUNDLE/config.json"
	[ "$(head -c 1 $f | wc -c)" = 1 ]
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "${lines[0]}" = masked=0 ]
	[ "${lines[1]}" = 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *ro-refused* ]]
}

@test "read-only paths keep their other mount flags, in a user namespace too; mounts below keep theirs" {
	# A host dir on a nosuid,nodev,noexec tmpfs: bound into a container in
	# a user namespace, the kernel locks those flags on the bind, and a
	# remount that dropped them would be refused.
	local host=$BATS_TEST_TMPDIR/host plain plain_status userns userns_status
	mkdir -p "$host"
	mount -t tmpfs -o nosuid,nodev,noexec,size=1m tmpfs "$host"
	HOST_MOUNT=$host # unmounted by teardown should the test stop early
	mkdir "$host/sub"
	# The last mount listed at a path is the one on top.
	make_bundle --copy "$BUNDLE" sh -c 'for d in /data /data/sub; do
			grep " $d " /proc/self/mountinfo | tail -n1 | cut -d" " -f6
		done
		touch /data/f 2>&1 || echo data-refused
		touch /data/sub/f && echo sub-written'
	bundle_edit "$BUNDLE" --arg h "$host" '.mounts += [
		{"destination": "/data", "type": "bind", "source": $h,
		 "options": ["rbind"]},
		{"destination": "/data/sub", "type": "tmpfs", "source": "tmpfs",
		 "options": ["nosuid", "size=64k"]}] |
		.linux.readonlyPaths += ["/data"]'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	plain_status=$status plain=$output
	bundle_edit "$BUNDLE" '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	userns_status=$status userns=$output
	umount "$host"
	HOST_MOUNT=
	for out in "$plain_status:$plain" "$userns_status:$userns"; do
		echo "$out"
		mapfile -t l <<<"${out#*:}"
		[ "${out%%:*}" = 0 ]
		[ "${l[0]}" = ro,nosuid,nodev,noexec,relatime ]
		[ "${l[1]}" = rw,nosuid,relatime ]
		[[ "$out" == *"Read-only file system"*data-refused* ]]
		[[ "$out" == *sub-written* ]]
	done
}

@test "linux.sysctl: namespaced keys are set inside, others refused" {
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	want=$((1 - host))
	make_bundle "$BUNDLE" cat /proc/sys/net/ipv4/ip_forward
	bundle_edit "$BUNDLE" --arg v "$want" '.linux.sysctl = {"net.ipv4.ip_forward": $v}'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
	bundle_edit "$BUNDLE" '.linux.sysctl = {"vm.swappiness": "10"}'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *vm.swappiness* ]]
}

@test "apparmor and selinux are refused clearly when the host lacks them" {
	make_bundle "$BUNDLE" true
	if ! grep -qs Y /sys/module/apparmor/parameters/enabled; then
		bundle_edit "$BUNDLE" '.process.apparmorProfile = "husk-test"'
		run husk run --bundle "$BUNDLE" "$(new_cid)"
		[ "$status" -ne 0 ]
		[[ "$output" == *"AppArmor is not enabled"* ]]
		bundle_edit "$BUNDLE" 'del(.process.apparmorProfile)'
	fi
	if [ ! -e /sys/fs/selinux/enforce ]; then
		bundle_edit "$BUNDLE" '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
		run husk run --bundle "$BUNDLE" "$(new_cid)"
		echo "$output"
		[ "$status" -ne 0 ]
		[[ "$output" == *SELinux* ]]
	fi
}

# --- escapes ---

# CVE-2019-5736: the container reaches husk's binary only through a process
# that runs it in the container: "#!/proc/self/exe" as the program, or
# /proc/PID/exe of the init (until start) and of exec's final child.

@test "CVE-2019-5736: a #!/proc/self/exe program runs the sealed trampoline, not husk" {
	# A copy: if the defence fails, only the copy is damaged.
	cp "$REPO_ROOT/build/husk" "$BATS_TEST_TMPDIR/husk"
	HUSK=$BATS_TEST_TMPDIR/husk
	before=$(sha256sum <"$HUSK")
	make_bundle --copy "$BUNDLE" /evil
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
	chmod 755 "$BUNDLE/rootfs/evil"
	# The kernel resolved /proc/self/exe to husk-exec, which refuses it.
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 126 ]
	[[ "$output" == *"husk: exec /proc/self/exe: not a husk-exec call"* ]]
	id=$(new_cid)
	bundle_set_args "$BUNDLE" sleep 60
	husk run -d --bundle "$BUNDLE" "$id"
	run husk exec "$id" /evil
	echo "$output"
	[ "$status" -eq 126 ]
	[[ "$output" == *"not a husk-exec call"* ]]
	[ "$(sha256sum <"$HUSK")" = "$before" ]
}

@test "CVE-2019-5736: the init holds husk-exec in a sealed memfd, gone after start" {
	id=$(new_cid)
	make_bundle "$BUNDLE" sleep 60
	husk create --bundle "$BUNDLE" "$id"
	pid=$(husk state "$id" | jq -r .pid)
	fd=
	for f in /proc/$pid/fd/*; do
		[ "$(readlink "$f")" = "/memfd:husk-exec (deleted)" ] && fd=$f
	done
	[ -n "$fd" ]
	cmp "$fd" "$REPO_ROOT/build/husk-exec"
	# Sealed: no write, truncate, nor growth, even by host root.
	run sh -c "echo PWNED >>$fd"
	[ "$status" -ne 0 ]
	run truncate -s 0 "$fd"
	[ "$status" -ne 0 ]
	cmp "$fd" "$REPO_ROOT/build/husk-exec"
	husk start "$id"
	wait_for_status "$id" running
	# start returns at the trampoline's exec; busybox follows at once.
	for i in $(seq 50); do
		[[ "$(readlink /proc/$pid/exe)" == */bin/busybox ]] && break
		sleep 0.02
	done
	[[ "$(readlink /proc/$pid/exe)" == */bin/busybox ]]
	run ls -l /proc/$pid/fd
	[[ "$output" != *memfd* ]]
}

@test "CVE-2019-5736: /proc/PID/exe of a husk process in the container cannot be opened" {
	id=$(new_cid)
	make_bundle "$BUNDLE" sleep 60
	# Root of a user namespace mapped onto the host's root, with
	# CAP_SYS_PTRACE there: the capability checks let it at the init
	# (same namespace, same uid); only non-dumpable keeps it out.
	bundle_edit "$BUNDLE" '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}] |
		.process.capabilities |= map_values(. + ["CAP_SYS_PTRACE"])'
	husk create --bundle "$BUNDLE" "$id"
	# The init still runs husk, waiting for start: non-dumpable.
	run husk exec "$id" sh -c 'cat /proc/1/exe >/dev/null'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	run husk exec "$id" readlink /proc/1/exe
	[ "$status" -ne 0 ]
	# Once it runs the container's program, its exe is that program.
	husk start "$id"
	wait_for_status "$id" running
	[ "$(husk exec "$id" readlink /proc/1/exe)" = /bin/busybox ]
}

@test "CVE-2024-21626: no runtime fd leaks into init or exec, cwd /proc/self/fd/N fails" {
	id=$(new_cid)
	make_bundle "$BUNDLE" sh -c 'ls /proc/self/fd; sleep 60'
	husk run -d --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/out"
	run husk exec "$id" ls -l /proc/1/fd
	echo "$output"
	# The init (sh) holds stdio only; its ls child fd 3 is its own dir.
	[ "$(husk exec "$id" ls /proc/1/fd | tr '\n' ' ')" = "0 1 2 " ]
	for n in 3 4 5 6 7 8 9 10; do
		run husk exec --cwd /proc/self/fd/$n "$id" pwd
		echo "$n: $output"
		[ "$status" -ne 0 ]
	done
	# As the container's own cwd too.
	bundle_edit "$BUNDLE" '.process.cwd = "/proc/self/fd/5"'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -ne 0 ]
}

@test "CVE-2021-30465: symlinks in a cwd or mount destination stay in the rootfs" {
	make_bundle --copy "$BUNDLE" sh -c 'pwd; ls /outside-link'
	r=$BUNDLE/rootfs
	mkdir -p "$BATS_TEST_TMPDIR/hostdir"
	touch "$BATS_TEST_TMPDIR/hostdir/host-secret"
	# Absolute and ../-climbing links to the host directory.
	ln -s "$BATS_TEST_TMPDIR/hostdir" "$r/outside-link"
	ln -s "../../../../../../../../$BATS_TEST_TMPDIR/hostdir" "$r/climb"
	bundle_edit "$BUNDLE" '.process.cwd = "/climb" |
		.mounts += [{"destination": "/outside-link", "type": "tmpfs", "source": "tmpfs"}]'
	run husk run --bundle "$BUNDLE" "$(new_cid)"
	echo "$output"
	[[ "$output" != *host-secret* ]]
	# The host directory got no mount and no new file.
	[ "$(ls "$BATS_TEST_TMPDIR/hostdir")" = host-secret ]
	! grep -q " $BATS_TEST_TMPDIR/hostdir " /proc/self/mountinfo
}
