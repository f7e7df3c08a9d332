#!/bin/sh
# SPDX-License-Identifier: ISC
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
# 3 lines a command; a disable that ended a window adds its review
seqs=$(/usr/bin/python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
s = [l["seq"] for l in ls]
n = len([l for l in ls if l["event"] != "review"])
print("ok" if s == list(range(1, len(s) + 1)) and n == 36 else s)
' "$T/state/audit.log")
check "36 lines of the commands, seq 1..N, no gap or duplicate ($seqs)" test "$seqs" = ok
final=$(grep -E '"event":"(enable|disable)"' "$T/state/audit.log" | tail -n 1 | pyjson 'j["to"]')
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

# The anchor in state.json sits next to the log: delete a line, re-chain
# every later one, update the anchor, and verify is content.  The head a
# mail carried (X-Breakglass-Audit, and the body's "Audit head:") is the
# real anchor: verify --against it finds the rewrite.
new_case rewrite
set_uac "$BTG_DN" 66050
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
smtp_section
bg enable --reason "INC-1 rewrite"
bg disable --reason "INC-1 rewrite"
check "three mails (enable, disable, the review after use)" test "$(mail_count)" -eq 3
hdr=$(/usr/bin/python3 -c '
import email, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
print(m["X-Breakglass-Audit"])' "$T/mail/0002.eml")
body=$(/usr/bin/python3 -c '
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(re.search(r"Audit head:  (seq \d+ sha256 [0-9a-f]{64})", m.get_content()).group(1))' "$T/mail/0002.eml")
check "the mail's header carries the head as seq=N sha256=HEX ($hdr)" \
    sh -c 'printf "%s\n" "$1" | grep -Eq "^seq=6 sha256=[0-9a-f]{64}$"' - "$hdr"
bg enable --reason "INC-2 after the mail"
bg verify --against "$hdr"
expect_rc 0 "verify --against the mail's header head: the log holds it"
expect_out "^audit log .*: intact, 10 entries" "the contract line is unchanged"
expect_out "^anchor: seq 6 sha256 [0-9a-f]{64}, given with --against, is in the log unchanged$" \
    "and a second line says the anchor matched"
bg verify --against "$body"
expect_rc 0 "verify --against the body's form (seq N sha256 HEX)"
bg verify --against "${hdr#seq=6 sha256=}"
expect_rc 0 "verify --against the bare hash"
bg verify --against "seq=6 sha256=abc"
expect_rc 2 "a head that is not one is a usage error"
expect_err "^breakglass: --against: .*is not an audit head" "and says so"

cp "$T/state/audit.log" "$T/audit.orig"
/usr/bin/python3 - "$T/state" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
lines = open(d + "/audit.log", "rb").read().splitlines()
del lines[2]                       # seq 3: the enable's "started" goes
prev = hashlib.sha256(lines[1]).hexdigest()
for i in range(2, len(lines)):
    j = json.loads(lines[i])
    j["seq"], j["prev"] = i + 1, prev
    lines[i] = json.dumps(j, separators=(",", ":"), ensure_ascii=False).encode()
    prev = hashlib.sha256(lines[i]).hexdigest()
open(d + "/audit.log", "wb").write(b"".join(l + b"\n" for l in lines))
st = json.load(open(d + "/state.json"))
st["audit_head"] = {"seq": len(lines), "sha256": prev}
json.dump(st, open(d + "/state.json", "w"))
PY
bg verify
expect_rc 0 "a line deleted, the rest re-chained, state.json's anchor updated: plain verify says intact (why the head must leave the host)"
bg verify --against "$hdr"
expect_rc 1 "verify --against the mailed head finds the rewrite"
expect_out "^audit log .*: BROKEN at seq 6: seq 6's sha256 is [0-9a-f]{64}, the anchor says ${hdr#seq=6 sha256=}: the chain was rewritten" \
    "it names the seq, both hashes and what happened"
bg verify --against "${hdr#seq=6 sha256=}"
expect_rc 1 "verify --against the bare hash finds it too"
expect_out "^audit log .*: BROKEN: no line has sha256 ${hdr#seq=6 sha256=}" "no line has that hash"
cp "$T/audit.orig" "$T/state/audit.log"
bg disable --reason cleanup
