#!/bin/sh
# SPDX-License-Identifier: ISC
# run.sh SECONDS TARGET... - run each libFuzzer target SECONDS on a copy of its
# seed corpus (tests/fuzz/corpus/NAME); a crash, leak or timeout fails it.
# Ends with "N passed, N failed"; crash inputs are kept in build-fuzz/.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=$1
shift
passed=0
failed=0
for t in "$@"; do
	name=${t#fuzz_}
	work=$top/build-fuzz/corpus/$name
	mkdir -p "$work" "$top/build-fuzz/crashes"
	log=$top/build-fuzz/$t.log
	"$top/build-fuzz/$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$top/build-fuzz/crashes/$t-" \
	    "$work" "$top/tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -eq 0 ]; then
		echo "ok - $t: ${runs:-?} runs in ${secs}s, no crash"
		passed=$((passed + 1))
	else
		echo "not ok - $t: exit $rc (log $log)"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
