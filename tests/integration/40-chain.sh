#!/bin/sh
# 40-chain.sh - 12 concurrent writers keep one unbroken chain; verify finds
# an edited line and a deleted line in a real log.
. "$(dirname "$0")/../lib/common.sh"

new_case concurrent
set_uac "$BTG_DN" 66050
pids=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	if [ $((i % 2)) -eq 0 ]; then cmd=enable; else cmd=disable; fi
	"$BIN" -c "$T/breakglass.conf" $cmd --reason "race $i" \
	    >"$T/race-$i.out" 2>&1 &
	pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "12 concurrent enable/disable all succeeded ($fails failed)" test "$fails" -eq 0
bg verify
expect_rc 0 "the chain verifies after 12 concurrent writers"
seqs=$(/usr/bin/python3 -c '
import json, sys
s = [json.loads(l)["seq"] for l in open(sys.argv[1])]
print("ok" if s == list(range(1, len(s) + 1)) and len(s) == 36 else s)
' "$T/state/audit.log")
check "36 lines, seq 1..36, no gap or duplicate ($seqs)" test "$seqs" = ok
final=$(tail -n 1 "$T/state/audit.log" | pyjson 'j["to"]')
want=66050
[ "$final" = enabled ] && want=66048
expect_uac "$want" "AD matches the last audited change ($final)"

cp "$T/state/audit.log" "$T/audit.orig"
sed -i '5s/race/RACE/' "$T/state/audit.log"
bg verify
expect_rc 1 "verify: an edited line is detected"
expect_out "BROKEN at seq 5" "verify names the edited seq"
cp "$T/audit.orig" "$T/state/audit.log"
sed -i '7d' "$T/state/audit.log"
bg verify
expect_rc 1 "verify: a deleted line is detected"
expect_out "BROKEN at seq 7: .*deleted" "verify names the deleted seq"
cp "$T/audit.orig" "$T/state/audit.log"
sed -i '$d' "$T/state/audit.log"
bg verify
expect_rc 1 "verify: a line cut from the end is detected (state.json anchor)"
cp "$T/audit.orig" "$T/state/audit.log"
bg verify
expect_rc 0 "the restored log verifies again"
bg disable --reason cleanup
