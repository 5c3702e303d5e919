#!/usr/bin/env bash
# make bench: husk, runc, crun and the floor program (tests/helpers/floor.c)
# side by side in one run.  The machine is noisy, so every measurement loop
# interleaves the runtimes (rotating who goes first) and the table quotes
# medians and ratios.  A runtime that is missing or fails shows n/a.
#
# Environment:
#   BENCH_N=20      iterations of each timed operation
#   BENCH_SEQ=100   containers created in sequence (growth and list)
#   BENCH_SEQ_ROUNDS=2  sequences per runtime
#   BENCH_RSS_N=5   iterations under /usr/bin/time for peak RSS
#   BENCH_NETWORK=NAME  husk.network of the network row (default: a network
#                       of the bench's own, 10.250.250.0/24 on hk-bench0)
#   HUSK=build/husk RUNC=runc CRUN=crun   the binaries compared
#   BENCH_BASE=/path/to/husk   another husk build (say, before a change),
#                   interleaved like the others; a second table compares it
#   BENCH_STATE=tmpfs  where the runtimes' --root dirs live: a tmpfs, as /run
#                   is on a host (default), or "host": under the host's /run.
#                   With tmpfs the sequence of creates runs a second time
#                   under /run, to show what its filesystem costs.
set -uo pipefail
export LC_ALL=C

SELF=$(realpath "$0")
cd "$(dirname "$SELF")/../.."

# The bench runs in a private mount namespace, so that what it mounts goes
# away with it.  crun refuses a hybrid cgroup layout whose cgroup2 mount
# holds a controller (hugetlb on some hosts): then that mount is unmounted
# there, for every runtime alike; the v1 controllers, where the containers'
# cgroups go, are untouched.
if [ -z "${BENCH_IN_NS:-}" ]; then
	export BENCH_IN_NS=1
	exec unshare --mount --propagation private "$SELF" "$@"
fi
BENCH_NO_UNIFIED=
if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] &&
	umount /sys/fs/cgroup/unified; then
	BENCH_NO_UNIFIED=1
fi
REPO=$PWD
N=${BENCH_N:-20}
SEQ=${BENCH_SEQ:-100}
SEQ_ROUNDS=${BENCH_SEQ_ROUNDS:-2}
RSS_N=${BENCH_RSS_N:-5}
NETWORK=${BENCH_NETWORK:-husk-bench}
ROOTFS=$REPO/build/rootfs
FLOOR=$REPO/build/helpers/floor

declare -A BIN=(
	[husk]=${HUSK:-$REPO/build/husk}
	[runc]=${RUNC:-$(command -v runc)}
	[crun]=${CRUN:-$(command -v crun)}
)
RUNTIMES=(husk runc crun)
if [ -n "${BENCH_BASE:-}" ]; then
	BIN[base]=$BENCH_BASE
	RUNTIMES+=(base)
fi
declare -A SAMPLES FAILS
declare -A HAVE

WORK=$(mktemp -d /run/husk-bench.XXXXXX)
ERRLOG=$WORK/errors.log
: >"$ERRLOG"
# STATE: where the --root dirs are now; DISK: the same under /run itself.
STATE=$WORK/state DISK=

# Whichever phase was cut short: every container under either root, the
# bench's network, the tmpfs, the work dir.
cleanup()
{
	local root
	for root in "$WORK/state" ${DISK:+"$DISK"}; do
		STATE=$root
		declare -F delete_all >/dev/null && delete_all
	done
	STATE=$WORK/state
	[ -z "${BENCH_NETWORK:-}" ] && declare -F rt_cmd >/dev/null &&
		rt_cmd husk network rm "$NETWORK"
	mountpoint -q "$WORK/state" && umount "$WORK/state"
	rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$STATE"
case ${BENCH_STATE:-tmpfs} in
tmpfs)
	mount -t tmpfs -o mode=0711 husk-bench "$STATE" || exit 1
	DISK=$WORK/disk
	;;
host) ;;
*)
	echo "bench: BENCH_STATE is tmpfs or host" >&2
	exit 1
	;;
esac
RUN_FS=$(findmnt -no FSTYPE -T "$WORK")

for rt in "${RUNTIMES[@]}"; do
	mkdir -p "$STATE/root-$rt"
	[ -n "$DISK" ] && mkdir -p "$DISK/root-$rt"
	HAVE[$rt]=0
	[ -n "${BIN[$rt]}" ] && [ -x "${BIN[$rt]}" ] && HAVE[$rt]=1
	[ "${HAVE[$rt]}" = 1 ] || echo "bench: no $rt binary (${BIN[$rt]:-not found}); its columns are n/a" >&2
done
if ! [ -x "$FLOOR" ] || ! [ -x "$ROOTFS/bin/busybox" ]; then
	echo "bench: build first (make all rootfs)" >&2
	exit 1
fi

# rt ARGS...: run runtime $rt with its own state root, quietly.
rt_cmd()
{
	local rt=$1
	shift
	[ "${HAVE[$rt]:-0}" = 1 ] || return 1
	"${BIN[$rt]}" --root "$STATE/root-$rt" "$@" </dev/null >/dev/null 2>>"$ERRLOG"
}

# timed KEY RT CMD...: run CMD, add its wall time in ms to SAMPLES[KEY|RT]
# or count a failure.  Returns CMD's status.
timed()
{
	local key=$1 rt=$2 t0 t1 rc
	shift 2
	[ "${HAVE[$rt]:-1}" = 1 ] || return 1
	t0=${EPOCHREALTIME//[!0-9]/}
	"$@"
	rc=$?
	t1=${EPOCHREALTIME//[!0-9]/}
	if [ $rc -eq 0 ]; then
		SAMPLES[$key|$rt]+="$(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) "
	else
		FAILS[$key|$rt]=$((${FAILS[$key|$rt]:-0} + 1))
	fi
	return $rc
}

# The runtimes (and ARGS...) in a rotated order for iteration $1, so none
# always goes first or always follows the same one.
rotated()
{
	local i=$1 k
	shift
	local all=("${RUNTIMES[@]}" "$@")
	local n=${#all[@]}
	for ((k = 0; k < n; k++)); do
		echo "${all[(i + k) % n]}"
	done
}

# The floor as the runtimes are run: same redirections, same rotation.
floor_cmd()
{
	"$FLOOR" "$ROOTFS" /bin/true </dev/null >/dev/null 2>>"$ERRLOG"
}

# wait_stopped RT ID: poll state (bounded) until the container has stopped.
wait_stopped()
{
	local rt=$1 id=$2 i
	for ((i = 0; i < 200; i++)); do
		"${BIN[$rt]}" --root "$STATE/root-$rt" state "$id" 2>/dev/null |
			grep -q '"status": *"stopped"' && return 0
		sleep 0.01
	done
	return 1
}

# delete_rt RT: delete -f every container under RT's --root.
delete_rt()
{
	local rt=$1 d
	[ "${HAVE[$rt]:-0}" = 1 ] || return 0
	# All three keep one directory per container under --root.
	for d in "$STATE/root-$rt"/*/; do
		[ -d "$d" ] && rt_cmd "$rt" delete -f "$(basename "$d")"
	done
	return 0
}

delete_all()
{
	local rt
	for rt in "${RUNTIMES[@]}"; do
		delete_rt "$rt"
	done
}


# Bundles: runc's default spec, no terminal, writable shared rootfs.
make_bundle()
{
	local dir=$WORK/$1 filter=$2
	mkdir -p "$dir"
	runc spec --bundle "$dir"
	jq --arg root "$ROOTFS" \
		".root.path = \$root | .root.readonly = false |
		 .process.terminal = false | $filter" \
		"$dir/config.json" >"$dir/config.json.new" &&
		mv "$dir/config.json.new" "$dir/config.json"
}
make_bundle true '.process.args = ["/bin/true"]'
make_bundle sleep '.process.args = ["/bin/sleep", "3600"]'
make_bundle net ".process.args = [\"/bin/true\"] |
	.annotations[\"husk.network\"] = \"$NETWORK\""
# The same, checking that eth0 got an address: the row measures a real attach.
make_bundle netprobe ".process.args = [\"/bin/sh\", \"-c\",
	\"ip -o -4 addr show eth0 | grep -q 'inet 10'\"] |
	.annotations[\"husk.network\"] = \"$NETWORK\""

median()
{
	local v=${SAMPLES[$1]:-}
	[ -n "$v" ] || { echo n/a; return; }
	printf '%s\n' $v | sort -g |
		awk '{ a[NR] = $1 }
		     END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			   printf "%.1f\n", m }'
}

# A runtime that cannot run /bin/true once is left out of every loop.
for rt in "${RUNTIMES[@]}"; do
	if [ "${HAVE[$rt]}" = 1 ] &&
		! rt_cmd "$rt" run --bundle "$WORK/true" "probe-$rt"; then
		echo "bench: $rt cannot run a container; its columns are n/a" >&2
		HAVE[$rt]=0
	fi
done

echo "bench: N=$N SEQ=$SEQ RSS_N=$RSS_N on $(nproc) CPUs, $(uname -r)" >&2

phase() { echo "bench: $*" >&2; }

phase "run /bin/true"
for ((i = 0; i < N; i++)); do
	for rt in $(rotated "$i" floor); do
		if [ "$rt" = floor ]; then
			timed run floor floor_cmd
		else
			timed run "$rt" rt_cmd "$rt" run --bundle "$WORK/true" "run-$rt-$i"
		fi
	done
done

phase "create, start, kill, delete; delete -f of a running container"
for ((i = 0; i < N; i++)); do
	for rt in $(rotated "$i"); do
		id=life-$rt-$i
		timed create "$rt" rt_cmd "$rt" create --bundle "$WORK/sleep" "$id" &&
			timed start "$rt" rt_cmd "$rt" start "$id" &&
			timed kill "$rt" rt_cmd "$rt" kill "$id" KILL &&
			wait_stopped "$rt" "$id" &&
			timed delete "$rt" rt_cmd "$rt" delete "$id"
		id=force-$rt-$i
		rt_cmd "$rt" run -d --bundle "$WORK/sleep" "$id" &&
			timed delete_f "$rt" rt_cmd "$rt" delete -f "$id"
	done
done

phase "peak RSS"
for ((i = 0; i < RSS_N; i++)); do
	for rt in $(rotated "$i" floor); do
		if [ "$rt" = floor ]; then
			cmd=("$FLOOR" "$ROOTFS" /bin/true)
		else
			[ "${HAVE[$rt]}" = 1 ] || continue
			cmd=("${BIN[$rt]}" --root "$STATE/root-$rt" run
				--bundle "$WORK/true" "rss-$rt-$i")
		fi
		if /usr/bin/time -f %M -o "$WORK/rss" "${cmd[@]}" \
			</dev/null >/dev/null 2>>"$ERRLOG"; then
			SAMPLES[rss|$rt]+="$(($(tail -n1 "$WORK/rss") / 1024)).$(($(tail -n1 "$WORK/rss") % 1024 * 10 / 1024)) "
		else
			FAILS[rss|$rt]=$((${FAILS[rss|$rt]:-0} + 1))
		fi
	done
done

phase "exec latency"
for rt in "${RUNTIMES[@]}"; do
	[ "${HAVE[$rt]}" = 1 ] && rt_cmd "$rt" run -d --bundle "$WORK/sleep" "exec-$rt"
done
for ((i = 0; i < N; i++)); do
	for rt in $(rotated "$i"); do
		timed exec "$rt" rt_cmd "$rt" exec "exec-$rt" /bin/true
	done
done
for rt in "${RUNTIMES[@]}"; do
	[ "${HAVE[$rt]}" = 1 ] && rt_cmd "$rt" delete -f "exec-$rt"
done

# seq_phase SUFFIX: each runtime alone makes $SEQ containers in sequence
# (the first and the last ten timed apart), lists them, deletes them.  The
# runtimes take turns, in rotated order, for $SEQ_ROUNDS rounds: a
# runtime's growth is then its own, not that of the others' containers.
seq_phase()
{
	local sfx=$1 r i rt key
	for ((r = 0; r < SEQ_ROUNDS; r++)); do
		for rt in $(rotated "$r"); do
			[ "${HAVE[$rt]}" = 1 ] || continue
			for ((i = 0; i < SEQ; i++)); do
				key=seq_mid
				((i < 10)) && key=seq_first
				((i >= SEQ - 10)) && key=seq_last
				timed "$key$sfx" "$rt" rt_cmd "$rt" create --bundle "$WORK/sleep" "seq-$rt-$i"
			done
			for ((i = 0; i < (N + SEQ_ROUNDS - 1) / SEQ_ROUNDS; i++)); do
				timed "list$sfx" "$rt" rt_cmd "$rt" list
			done
			delete_rt "$rt"
		done
	done
}

phase "$SEQ containers created in sequence, then list"
seq_phase ""
if [ -n "$DISK" ]; then
	phase "the same with the --root dirs under /run ($RUN_FS)"
	STATE=$DISK
	seq_phase _disk
	STATE=$WORK/state
fi

phase "network setup (husk.network=$NETWORK)"
[ -n "${BENCH_NETWORK:-}" ] || rt_cmd husk network create \
	--subnet 10.250.250.0/24 --bridge hk-bench0 "$NETWORK"
N_NET=$N
if ! rt_cmd husk run --bundle "$WORK/netprobe" net-probe; then
	echo "bench: husk.network=$NETWORK gave no eth0 address; no network row" >&2
	N_NET=0
fi
for ((i = 0; i < N_NET; i++)); do
	timed net husk rt_cmd husk run --bundle "$WORK/net" "net-$i"
done

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"
		else printf "%.2fx\n", a / b }'
}

ROWS=(
	"run:run /bin/true (ms)"
	"create:create (ms)"
	"start:start (ms)"
	"kill:kill (ms)"
	"delete:delete (ms)"
	"delete_f:delete -f running (ms)"
	"rss:peak RSS of run (MiB)"
	"exec:exec /bin/true (ms)"
	"seq_first:create, first 10 of $SEQ (ms)"
	"seq_last:create, last 10 of $SEQ (ms)"
	"list:list with $SEQ containers (ms)"
	"net:run /bin/true + network (ms)"
)
[ -n "$DISK" ] && ROWS+=(
	"seq_first_disk:  first 10, _disk (ms)"
	"seq_last_disk:  last 10, _disk (ms)"
	"list_disk:  list, _disk (ms)"
)

printf '\n%-32s %8s %8s %8s %8s | %9s %10s %9s %10s %10s\n' metric husk runc crun floor \
	husk/crun husk/floor runc/crun runc/floor crun/floor
for row in "${ROWS[@]}"; do
	key=${row%%:*}
	declare -A m=()
	for rt in husk runc crun floor; do
		m[$rt]=$(median "$key|$rt")
	done
	printf '%-32s %8s %8s %8s %8s | %9s %10s %9s %10s %10s\n' "${row#*:}" \
		"${m[husk]}" "${m[runc]}" "${m[crun]}" "${m[floor]}" \
		"$(ratio "${m[husk]}" "${m[crun]}")" "$(ratio "${m[husk]}" "${m[floor]}")" \
		"$(ratio "${m[runc]}" "${m[crun]}")" "$(ratio "${m[runc]}" "${m[floor]}")" \
		"$(ratio "${m[crun]}" "${m[floor]}")"
done

if [ -n "${BENCH_BASE:-}" ]; then
	printf '\n%-32s %8s %8s | %9s\n' "husk vs BENCH_BASE" base husk husk/base
	for row in "${ROWS[@]}"; do
		key=${row%%:*}
		b=$(median "$key|base") h=$(median "$key|husk")
		printf '%-32s %8s %8s | %9s\n' "${row#*:}" "$b" "$h" "$(ratio "$h" "$b")"
	done
fi

echo
for sfx in "" ${DISK:+_disk}; do
	for rt in "${RUNTIMES[@]}"; do
		g=$(ratio "$(median "seq_last$sfx|$rt")" "$(median "seq_first$sfx|$rt")")
		echo "per-container create cost growth, last 10 / first 10$sfx: $rt $g"
	done
done
net=$(median "net|husk") plain=$(median "run|husk")
[ "$net" != n/a ] && [ "$plain" != n/a ] &&
	echo "network setup cost (husk, run with network minus without): $(awk -v a="$net" -v b="$plain" 'BEGIN { printf "%.1f ms", a - b }')"
if [ -n "$DISK" ]; then
	echo "--root of every runtime: a tmpfs (as /run is on a host); the _disk rows: under this machine's /run ($RUN_FS)"
else
	echo "--root of every runtime: under this machine's /run ($RUN_FS)"
fi
[ -n "${BENCH_NO_UNIFIED:-}" ] &&
	echo "note: ran in a mount namespace without /sys/fs/cgroup/unified (crun rejects a hybrid host whose cgroup2 holds controllers); every runtime saw the same v1-only layout"
for k in "${!FAILS[@]}"; do
	echo "failures: ${k/|/ } ${FAILS[$k]}"
done | sort
if [ -s "$ERRLOG" ]; then
	echo "first errors (of $(wc -l <"$ERRLOG") lines):"
	sort "$ERRLOG" | uniq -c | sort -rn | head -5
fi
exit 0
