#!/usr/bin/env bash
# Run every husk test: the unit tests (ASan/UBSan build) and then each bats
# file under tests/integration, one at a time with its elapsed time.
# Ends with exactly one line "N passed, N failed" (", N skipped" when some
# were skipped) and exits 1 when anything failed.
#
# Environment:
#   UNIT_FILTER=SUBSTR       run only unit tests whose name contains SUBSTR
#   TEST_FILTER=REGEX        bats --filter: only integration tests matching
#   TEST_FILES="a.bats b"    only these files (names under tests/integration)
#   TEST_FILE_TIMEOUT=SECS   kill a bats file that runs longer (default 600)
#   SKIP_UNIT=1 / SKIP_INTEGRATION=1
set -uo pipefail

cd "$(dirname "$0")/.."

passed=0
failed=0
skipped=0
failures=()

# Tally one TAP-ish result line ("ok NAME", "ok 3 NAME # skip", "not ok 3 NAME")
# under the label of the suite it came from.
tally() {
	local label=$1 line=$2
	case $line in
	"not ok "*)
		failed=$((failed + 1))
		failures+=("$label: ${line#not ok }")
		;;
	"ok "*" # skip"*)
		skipped=$((skipped + 1))
		;;
	"ok "*)
		passed=$((passed + 1))
		;;
	*)
		return 1
		;;
	esac
}

# Run a command, echo its output live, tally result lines. When the command
# fails but printed no failing result (crash, sanitizer abort, bats syntax
# error, timeout) count one failure for it so it cannot pass silently.
run_suite() {
	local label=$1
	shift
	local before=$failed line rc start=$SECONDS

	local marker="__husk_run_status_$$="
	rc=
	while IFS= read -r line; do
		if [[ $line == "$marker"* ]]; then
			rc=${line#"$marker"}
			continue
		fi
		printf '%s\n' "$line"
		tally "$label" "$line" || true
	done < <("$@" </dev/null 2>&1; echo "$marker$?")
	if [ "$rc" != 0 ] && [ "$failed" = "$before" ]; then
		failed=$((failed + 1))
		failures+=("$label: exited with status $rc and no failing test")
	fi
	echo "# $label: $((SECONDS - start))s"
}

if [ "${SKIP_UNIT:-0}" != 1 ]; then
	if [ -x build/unit-tests ]; then
		echo "# unit tests"
		run_suite unit build/unit-tests ${UNIT_FILTER:+"$UNIT_FILTER"}
	else
		echo "# build/unit-tests missing (make build/unit-tests)"
		failed=$((failed + 1))
		failures+=("unit: build/unit-tests missing")
	fi
fi

bats_files=()
if [ "${SKIP_INTEGRATION:-0}" != 1 ] && [ -d tests/integration ]; then
	if [ -n "${TEST_FILES:-}" ]; then
		for f in $TEST_FILES; do
			bats_files+=("tests/integration/${f##*/}")
		done
	else
		shopt -s nullglob
		bats_files=(tests/integration/*.bats)
		shopt -u nullglob
	fi
fi

bats_args=(--tap)
[ -n "${TEST_FILTER:-}" ] && bats_args+=(--filter "$TEST_FILTER")
for f in "${bats_files[@]}"; do
	echo "# ${f#tests/integration/}"
	run_suite "${f#tests/integration/}" \
		timeout --kill-after=10 "${TEST_FILE_TIMEOUT:-600}" \
		bats "${bats_args[@]}" "$f"
done
[ ${#bats_files[@]} -eq 0 ] && echo "# no integration tests found"

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${failures[@]}"
fi
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
