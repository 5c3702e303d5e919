# Common setup for husk's bats tests.  In a .bats file:
#
#   load helpers
#   @test "runs true" {
#           make_bundle "$BUNDLE" /bin/true
#           run husk run --bundle "$BUNDLE" "$(new_cid)"
#           [ "$status" -eq 0 ]
#   }
#
# Every test gets its own state root (--root) and bundle directory; teardown
# force-deletes every container left under that root and fails the test when
# a mount or a cgroup leaked.  HUSK=/usr/sbin/runc bats ... runs a file
# against another runc-compatible runtime.
#
# A file that defines its own setup/teardown must call husk_setup and
# husk_teardown from them.

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
HUSK=${HUSK:-$REPO_ROOT/build/husk}
ROOTFS=$REPO_ROOT/build/rootfs

# Container ids made by new_cid start with this; the leak check looks for
# cgroups named after them.  $$ keeps concurrent runs apart.
CID_PREFIX="husk-test-$$-"

husk_setup()
{
	[ -x "$HUSK" ] || skip "$HUSK not built"
	[ -x "$ROOTFS/bin/busybox" ] || skip "$ROOTFS missing (make rootfs)"
	# /run is where real state roots live (tmpfs, short paths for sockets).
	HUSK_ROOT=$(mktemp -d /run/husk-test.XXXXXX)
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$BUNDLE"
	CID_COUNT=0
}

husk_teardown()
{
	local leaks=""

	if [ -n "${HUSK_ROOT:-}" ] && [ -d "$HUSK_ROOT" ]; then
		delete_all_containers
		leaks+=$(leaked_mounts)
		leaks+=$(leaked_cgroups)
		rm -rf "$HUSK_ROOT"
	fi
	if [ -n "$leaks" ]; then
		echo "leaked after the test:"
		echo "$leaks"
		return 1
	fi
}

setup()
{
	husk_setup
}

teardown()
{
	husk_teardown
}

# The runtime under test with this test's state root.
husk()
{
	"$HUSK" --root "$HUSK_ROOT" "$@"
}

# Print a fresh container id for this test (husk-test-<pid>-<n>).
# Call it as `id=$(new_cid)` only once per id: the counter lives in a file
# because $(...) runs in a subshell.
new_cid()
{
	local n=0
	[ -f "$BATS_TEST_TMPDIR/.cid" ] && n=$(<"$BATS_TEST_TMPDIR/.cid")
	n=$((n + 1))
	echo "$n" >"$BATS_TEST_TMPDIR/.cid"
	echo "${CID_PREFIX}${BATS_TEST_NUMBER}-$n"
}

# make_bundle [--copy] DIR [ARGS...]
# Write DIR/config.json: the runtime's default spec (husk spec; runc spec
# until husk has one), no terminal, ARGS as process.args when given.
# The root is the shared build/rootfs mounted read-only, or with --copy a
# private writable copy in DIR/rootfs.
make_bundle()
{
	local copy=0
	if [ "${1:-}" = --copy ]; then
		copy=1
		shift
	fi
	local dir=$1
	shift
	mkdir -p "$dir"
	rm -f "$dir/config.json"
	if ! "$HUSK" spec --bundle "$dir" >/dev/null 2>&1 ||
		! [ -s "$dir/config.json" ]; then
		rm -f "$dir/config.json"
		runc spec --bundle "$dir"
	fi

	local root=$ROOTFS readonly=true
	if [ "$copy" = 1 ]; then
		rm -rf "$dir/rootfs"
		cp -a "$ROOTFS" "$dir/rootfs"
		root=$dir/rootfs
		readonly=false
	fi
	bundle_edit "$dir" \
		--arg root "$root" --argjson ro "$readonly" \
		'.root.path = $root | .root.readonly = $ro |
		 .process.terminal = false'
	if [ $# -gt 0 ]; then
		bundle_set_args "$dir" "$@"
	fi
}

# bundle_edit DIR [jq options] FILTER: rewrite DIR/config.json through jq.
bundle_edit()
{
	local dir=$1
	shift
	jq "$@" <"$dir/config.json" >"$dir/config.json.new" &&
		[ -s "$dir/config.json.new" ] &&
		mv "$dir/config.json.new" "$dir/config.json"
}

# bundle_set_args DIR ARGS...: set process.args.
bundle_set_args()
{
	local dir=$1
	shift
	# --arg, not --args: jq would still parse an argument like "-c" as
	# one of its own options.
	local opts=() list="" i=0 a
	for a in "$@"; do
		opts+=(--arg "a$i" "$a")
		list+="${list:+,}\$a$i"
		i=$((i + 1))
	done
	bundle_edit "$dir" "${opts[@]}" ".process.args = [$list]"
}

# Print the status ("created", "running", "stopped", ...) of container $1.
container_status()
{
	husk state "$1" 2>/dev/null | jq -r .status
}

# wait_for_path TEST PATH: poll (bounded, 5 s) until `test TEST PATH` holds.
wait_for_path()
{
	local i
	for ((i = 0; i < 100; i++)); do
		test "$1" "$2" && return 0
		sleep 0.05
	done
	return 1
}

# wait_for_status ID STATUS [SECONDS=5]: poll until ID reaches STATUS.
wait_for_status()
{
	local id=$1 want=$2 tries=$((${3:-5} * 20)) i
	for ((i = 0; i < tries; i++)); do
		[ "$(container_status "$id")" = "$want" ] && return 0
		sleep 0.05
	done
	echo "container $id: status $(container_status "$id"), wanted $want" >&2
	return 1
}

# wait_until TRIES CMD...: run CMD every 0.1 s until it succeeds, at most
# TRIES times (bounded); fails when it never did.
wait_until()
{
	local tries=$1 i
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# wait_http URL [TRIES=50]: poll until URL answers (bounded); prints the body.
wait_http()
{
	local i
	for ((i = 0; i < ${2:-50}; i++)); do
		timeout 3 wget -qO- "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# host_cgroup_file PID CONTROLLER FILE_V1 FILE_V2: print the path of the
# cgroup file of process PID, v1 controller or unified.
host_cgroup_file()
{
	local pid=$1 ctrl=$2 v1=$3 v2=$4 rel
	rel=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
	if [ -n "$rel" ] && [ -e "/sys/fs/cgroup/$ctrl$rel/$v1" ]; then
		echo "/sys/fs/cgroup/$ctrl$rel/$v1"
		return
	fi
	rel=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	echo "/sys/fs/cgroup$rel/$v2"
}

# Force-delete every container in this test's state root.  Ids come from the
# state directories themselves so a broken `list` cannot hide a container.
delete_all_containers()
{
	local d id
	for d in "$HUSK_ROOT"/*/; do
		[ -d "$d" ] || continue
		id=$(basename "$d")
		husk delete --force "$id" >/dev/null 2>&1 ||
			husk delete --force "$id" >/dev/null 2>&1 || true
	done
}

# Host mounts under this test's state root or temporary directory, or under
# the shared rootfs (container mounts must stay in the container's namespace).
leaked_mounts()
{
	local m
	for m in "$HUSK_ROOT" "$BATS_TEST_TMPDIR" "$ROOTFS/"; do
		awk -v p="$m" 'index($5, p) == 1 { print "mount " $5 }' \
			/proc/self/mountinfo
	done
}

# Cgroup directories (v1 controllers, unified, or pure v2) named after this
# test's containers.
leaked_cgroups()
{
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d \
		-name "*${CID_PREFIX}${BATS_TEST_NUMBER}-*" 2>/dev/null |
		sed 's/^/cgroup /'
}

# Skip unless the runtime knows subcommand $1 (for features still landing).
require_command()
{
	"$HUSK" "$1" --help >/dev/null 2>&1 || skip "$HUSK has no '$1'"
}
