#!/bin/sh
# SPDX-License-Identifier: ISC
# run.sh - mutation testing (make mutants): each tests/mutants/NN-name.patch
# is one small deliberate bug in a dangerous place.  It is applied with
# patch -p1 to a scratch copy of the tree, the copy is built, and the suites
# its "# suites:" line names ("unit" and/or integration/fault script names)
# run in a network namespace of their own; they must fail.  One line per
# mutant, killed or SURVIVED, then the score.
#   tests/mutants/run.sh [NN ...]   only these mutants (number or name)
# Exit 0 all killed; 1 a survivor, or a mutant that no longer applies or
# builds (an error, never a pass); 2 the set-up is broken (the suites fail
# on the unmutated copy, a suite named that does not exist, no root).
# MUTANTS_BASELINE=0 skips the unmutated run; MUTANT_TIMEOUT (s, default
# 1200) bounds each mutant's suites (a timeout counts as killed).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
mdir=$top/tests/mutants
MUTANT_TIMEOUT=${MUTANT_TIMEOUT:-1200}
work=$(mktemp -d /tmp/bg-mutants-XXXXXX)
logs=$work/logs
mkdir "$logs"

die() { echo "mutants: $*" >&2; exit 2; }

suites_of() { sed -n 's/^# suites: *//p' "$1" | head -n 1; }

# the mutants asked for, in order
list=""
for p in "$mdir"/[0-9]*.patch; do
	[ -e "$p" ] || continue
	n=$(basename "$p" .patch)
	if [ $# -gt 0 ]; then
		hit=0
		for a in "$@"; do
			case "$n" in "$a"|"$a"-*) hit=1 ;; esac
		done
		[ $hit -eq 1 ] || continue
	fi
	[ -n "$(suites_of "$p")" ] || die "$n: no '# suites:' line"
	list="$list $p"
done
[ -n "$list" ] || die "no mutant matches: $*"

# every suite named exists; the union, for the baseline
all_suites=""
for p in $list; do
	for s in $(suites_of "$p"); do
		[ "$s" = unit ] || [ -e "$top/tests/integration/$s.sh" ] ||
		    [ -e "$top/tests/faults/$s.sh" ] ||
		    die "$(basename "$p"): no suite $s (tests/integration, tests/faults)"
		case " $all_suites " in *" $s "*) ;; *) all_suites="$all_suites $s" ;; esac
	done
done
unshare -n true 2>/dev/null || die "unshare -n failed (needs root)"

# the tree as it is, tracked files with any uncommitted edits, built once
base=$work/base
mkdir "$base"
(cd "$top" && git ls-files --deleted >"$work/deleted" &&
    git ls-files | grep -vxF -f "$work/deleted" |
    xargs -d '\n' cp -a --parents -t "$base") || die "cannot copy the tree"
build() {
	# shellcheck disable=SC2046
	make -C "$1" -j2 all fault-build \
	    $(cd "$1" && ls tests/unit/test_*.c | sed 's|tests/unit/\(.*\)\.c|build/tests/\1|') \
	    >"$2" 2>&1
}
echo "mutants: building the scratch copy in $base"
build "$base" "$logs/base-build.log" || { tail -n 20 "$logs/base-build.log"; die "the unmutated copy does not build"; }

# suites DIR LOG SUITE...: run them in DIR, in a network namespace of their
# own (the DC binds 389/636); the exit status of tests/run.sh
suites() {
	d=$1
	log=$2
	shift 2
	timeout -k 30 "$MUTANT_TIMEOUT" unshare -n sh -c '
	ip link set lo up || exit 2
	d=$1; shift
	cd "$d" || exit 2
	unit=0; integ=""
	for s; do [ "$s" = unit ] && unit=1 || integ="$integ $s"; done
	export BUILD=build BIN="$d/breakglass" FAULT_BIN="$d/build-fault/breakglass"
	rc=0
	if [ $unit -eq 1 ]; then tests/run.sh unit || rc=1; fi
	# shellcheck disable=SC2086
	if [ -n "$integ" ]; then tests/run.sh integration $integ || rc=1; fi
	exit $rc' - "$d" "$@" >"$log" 2>&1
	rc=$?
	# run.sh keeps the logs of a failed run (with a DC dir): keep the logs
	for kept in $(sed -n 's/^(logs kept in \(.*\))$/\1/p' "$log"); do
		cp "$kept"/*.log "$(dirname "$log")/" 2>/dev/null
		rm -rf "$kept"
	done
	return $rc
}

# what failed, from run.sh's lines: "25-cas: 3 failed; unit: 1 failed"
failures() {
	sed -n 's/^\(unit \|integration \)\([^:]*\): [0-9]* passed, \([1-9][0-9]*\) failed$/\2: \3 failed/p' "$1" |
	    tr '\n' ';' | sed 's/;$//; s/;/; /g'
}

if [ "${MUTANTS_BASELINE:-1}" != 0 ]; then
	echo "mutants: the suites on the unmutated copy:$all_suites"
	# shellcheck disable=SC2086
	if ! suites "$base" "$logs/baseline.log" $all_suites; then
		tail -n 30 "$logs/baseline.log"
		die "the suites fail without any mutant (logs in $logs): no score"
	fi
fi

killed=0
survived=0
errors=0
total=0
for p in $list; do
	n=$(basename "$p" .patch)
	total=$((total + 1))
	m=$work/$n
	cp -a "$base" "$m"
	if ! patch -d "$m" -p1 --fuzz=0 --no-backup-if-mismatch -s \
	    <"$p" >"$logs/$n.patch.log" 2>&1; then
		echo "ERROR    $n: no longer applies ($(head -n 1 "$logs/$n.patch.log"))"
		errors=$((errors + 1))
		rm -rf "$m"
		continue
	fi
	if ! build "$m" "$logs/$n.build.log"; then
		echo "ERROR    $n: does not build (see $logs/$n.build.log)"
		errors=$((errors + 1))
		rm -rf "$m"
		continue
	fi
	mkdir -p "$logs/$n"
	# shellcheck disable=SC2046
	suites "$m" "$logs/$n/run.log" $(suites_of "$p")
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "killed   $n (timeout after ${MUTANT_TIMEOUT}s)"
		killed=$((killed + 1))
	elif [ $rc -ne 0 ]; then
		why=$(failures "$logs/$n/run.log")
		echo "killed   $n (${why:-its suites exited $rc})"
		killed=$((killed + 1))
	else
		echo "SURVIVED $n: $(suites_of "$p") all pass with it; $(sed -n 's/^# what: //p' "$p")"
		survived=$((survived + 1))
	fi
	rm -rf "$m"
done

echo "mutants: $killed killed, $survived survived, $errors errors of $total; score $killed/$total"
if [ $survived -gt 0 ] || [ $errors -gt 0 ]; then
	echo "(logs in $logs)"
	rm -rf "$base"
	exit 1
fi
rm -rf "$work"
exit 0
