#!/bin/sh
# SPDX-License-Identifier: ISC
# run.sh - run the unit and integration tests; the last line says
# "N passed, N failed" and the exit status is 1 if anything failed.
#   tests/run.sh [unit|integration|all] [integration test name ...]
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
BIN=${BIN:-$top/breakglass}
what=${1:-all}
[ $# -gt 0 ] && shift
passed=0
failed=0
failures=""
out=$(mktemp -d /tmp/bg-tests-XXXXXX)
export BIN BG_TEST_OUT="$out"
# sanitizer builds: every report goes to a file, and any report is a failure
# (an expected exit code must not hide one)
export ASAN_OPTIONS="detect_leaks=1:log_path=$out/sanitizer"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$out/sanitizer"

note_fail() {
	failed=$((failed + 1))
	failures="$failures
  $1"
}

run_unit() {
	for t in "$top/$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log="$out/$name.log"
		"$t" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log")
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log")
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# crashed before its summary
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" -gt 0 ]; then
			failures="$failures
  unit $name (see below)"
			cat "$log"
		fi
		echo "unit $name: $p passed, $f failed"
	done
}

run_integration() {
	dc="$out/dc"
	if ! "$top/tests/lib/dc.sh" start "$dc" >"$out/dc-start.log" 2>&1; then
		cat "$out/dc-start.log"
		note_fail "integration: the Samba AD DC did not start"
		return
	fi
	export DC_DIR="$dc"
	trap '"$top/tests/lib/dc.sh" stop "$dc" >/dev/null 2>&1' EXIT INT TERM
	for t in "$top"/tests/integration/[0-9]*.sh "$top"/tests/faults/[0-9]*.sh; do
		name=$(basename "$t" .sh)
		if [ $# -gt 0 ]; then
			case " $* " in *" $name "*) ;; *) continue ;; esac
		fi
		log="$out/$name.log"
		sh "$t" >"$log" 2>&1
		rc=$?
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "not ok - $name exited $rc" >>"$log"
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" -gt 0 ]; then
			failures="$failures
  integration $name"
			cat "$log"
		fi
		echo "integration $name: $p passed, $f failed"
		grep '^# figure: ' "$log"	# numbers for docs/reliability.md
	done
	"$top/tests/lib/dc.sh" stop "$dc" >/dev/null 2>&1
}

run_package() {
	log="$out/package.log"
	sh "$top/tests/package.sh" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures="$failures
  package"
		cat "$log"
	fi
	echo "package: $p passed, $f failed"
}

case "$what" in
unit)		run_unit ;;
integration)	run_integration "$@" ;;
package)	run_package ;;
all)		run_unit; run_integration "$@"
		[ $# -eq 0 ] && [ "${BREAKGLASS_SKIP_PACKAGE:-0}" != 1 ] && run_package ;;
*)		echo "usage: $0 [unit|integration|package|all] [name ...]" >&2; exit 2 ;;
esac

for f in "$out"/sanitizer.*; do
	[ -e "$f" ] || continue
	cat "$f"
	note_fail "sanitizer report $(basename "$f")"
done

if [ "$failed" -gt 0 ]; then
	echo "failed:$failures"
	echo "(logs kept in $out)"
else
	rm -rf "$out"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
