#!/bin/sh
# SPDX-License-Identifier: ISC
# 10-toggle.sh - enable/disable against the real DC: only ACCOUNTDISABLE
# moves, idempotence, dry run, status, history, the audit lines.
. "$(dirname "$0")/../lib/common.sh"

new_case toggle
set_uac "$BTG_DN" 66050

# --reason is required: without one (or a blank one), a usage error that
# changes nothing
for cmd in enable disable auto drill; do
	bg $cmd
	expect_rc 2 "$cmd without --reason is a usage error"
	expect_err "^breakglass: $cmd: --reason TEXT is required" "$cmd: the error asks for --reason"
done
bg enable --reason "   "
expect_rc 2 "enable with a blank --reason is a usage error"
expect_err "^breakglass: --reason: must say why" "the error says the reason must say why"
expect_uac 66050 "without a reason nothing changed in AD"
check "nor in the state dir (no audit line, no state.json)" \
    test "$(audit_lines)" -eq 0 -a ! -e "$T/state/state.json"

bg enable --reason "INC-123 MFA outage" --dry-run
expect_rc 0 "enable --dry-run"
expect_out "would set .* enabled .*66050 -> 66048" "dry run says what would change"
expect_uac 66050 "dry run changed nothing in AD"
check "dry run wrote no audit line" test "$(audit_lines)" -eq 0

bg enable --reason "INC-123 MFA outage"
expect_rc 0 "enable"
expect_out "^enabled CN=btg-admin.*66050 -> 66048" "enable reports the change"
expect_out "Start-ADSyncSyncCycle" "enable says how to sync now"
expect_uac 66048 "only ACCOUNTDISABLE cleared (66050 -> 66048)"

bg enable --reason "INC-123 again"
expect_rc 0 "enable again is idempotent"
expect_out "already enabled" "second enable says nothing changed"
expect_uac 66048 "second enable left the account as it was"

bg disable --reason "INC-123 resolved" --for 30m
expect_rc 0 "disable"
expect_uac 66050 "only ACCOUNTDISABLE set again (66048 -> 66050)"
expect_out "held disabled for 30m" "override length from --for"

# the audit trail: override-set, started, ok for each command
events=$(/usr/bin/python3 - "$T/state/audit.log" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join("%s/%s" % (r["event"], r["result"].split(":")[0]) for r in rows))
PY
)
check "audit events in order ($events)" test "$events" = \
    "override-set/ok enable/started enable/ok override-set/ok enable/started enable/ok override-set/ok disable/started disable/ok review/ok"

# the disable's result line (the review after use follows it: issue 16)
grep '"event":"disable"' "$T/state/audit.log" | tail -n 1 >"$T/last.json"
pycheck "audit line has the contract fields" "$T/last.json" '
for k in ("seq", "time", "actor", "event", "account", "from", "to", "reason",
          "result", "prev"):
    assert k in j, k
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", j["time"]), j["time"]
assert re.fullmatch(r"cli:[^()]+\(uid=\d+\)", j["actor"]), j["actor"]
assert j["from"] == "enabled" and j["to"] == "disabled", j
assert j["uac_from"] == 66048 and j["uac_to"] == 66050, j
assert re.fullmatch(r"[0-9a-f]{64}", j["prev"])'

SUDO_USER=alice SUDO_UID=4242 "$BIN" -c "$T/breakglass.conf" enable \
    --reason "as alice via sudo" >/dev/null 2>&1
check "actor is SUDO_USER with its uid" sh -c \
    "tail -n 1 '$T/state/audit.log' | grep -q '\"actor\":\"cli:alice(uid=4242)\"'"

bg status --json
expect_rc 0 "status --json"
pycheck "status --json has the contract keys" "$T/out" "
assert j['account_dn'] == '$BTG_DN', j
assert j['account_state'] == 'enabled', j
assert j['desired_state'] == 'enabled', j
assert j['mode'] == 'manual', j
assert j['override']['state'] == 'enabled', j
assert j['override']['reason'] == 'as alice via sudo', j
assert 'health' in j and j['health'] is None, j"
bg status
expect_rc 0 "status"
expect_out "^state +enabled \\(userAccountControl 66048" "status shows the live state"

bg auto --reason "back to the agent"
expect_rc 0 "auto clears the override"
bg status --json
pycheck "override is null after auto" "$T/out" "assert j['override'] is None, j"
bg disable --reason "end of test"

bg history
expect_rc 0 "history"
expect_out "^TIME +ACTOR +EVENT +CHANGE +RESULT +REASON" "history has a header"
expect_out "enable +disabled->enabled +ok +INC-123 MFA outage" "history shows the enable"
expect_out "override-cleared" "history shows the cleared override"
bg history --limit 2
check "history --limit 2 prints two entries" test "$(printf '%s\n' "$OUT" | wc -l)" -eq 3
bg history --json --limit 1
check "history --json prints the stored line" test "$OUT" = "$(audit_last)"
bg history --since 2000-01-01
expect_out "override-set" "history --since a date"

bg verify
expect_rc 0 "verify an intact chain"
expect_out "intact, [0-9]+ entries" "verify reports the entry count"

check "the bind password is a real string" test -s "$T/ldap.secret"
check "the bind password is nowhere in the state dir" \
    sh -c '! grep -rqF -f "$1/ldap.secret" "$1/state"' - "$T"
check "the bind password is in no output" \
    sh -c '! grep -qF -f "$1/ldap.secret" "$1/all-output"' - "$T"

# the shipped example: refused while it has placeholders, valid once filled
new_case example
top=$(cd "$LIB/../.." && pwd)
cp "$top/docs/breakglass.conf.example" "$T/example.conf"
"$BIN" -c "$T/example.conf" config-check >"$T/out" 2>"$T/err"
RC=$?; ERR=$(cat "$T/err")
expect_rc 2 "the example configuration is refused as shipped"
expect_err "example.conf:11: .*account.dn: .*placeholder" "naming the first placeholder by line and key"
mkdir -m 700 "$T/etc"
sed -e 's/"<\([^>]*\)>"/"\1"/g' -e "s#/etc/breakglass/#$T/etc/#g" \
    -e "s#/var/lib/breakglass#$T/state#" "$T/example.conf" >"$T/filled.conf"
cp "$CA_FILE" "$T/etc/ad-ca.pem"
cp "$DC_DIR/pki/server.pem" "$T/etc/graph-cert.pem"
for f in ldap.secret graph-key.pem; do echo x >"$T/etc/$f"; chmod 600 "$T/etc/$f"; done
"$BIN" -c "$T/filled.conf" config-check >"$T/out" 2>"$T/err"
RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
expect_rc 0 "the example with its placeholders filled is valid"
expect_out "drill_every +=" "and shows every section, drill_every too"
expect_out "^watch \\{" "the watch section"
