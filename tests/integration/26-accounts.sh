#!/bin/sh
# SPDX-License-Identifier: ISC
# 26-accounts.sh - two break-glass accounts, as Microsoft asks (issue 15):
# btg-admin ("first") and btg-admin2 ("second"), each with its own delegated
# right on the DC.  One enable acts on both, each with its own
# compare-and-swap, audit lines and notice; a wrong GUID pin refuses that one
# only; the agent enables both for an outage and disables both after it;
# drift and overrides are per account; a kill -9 between the two changes is
# reconciled for the interrupted one; a config of before (one untitled
# account) gives the status --json keys and audit lines of before.
. "$(dirname "$0")/../lib/common.sh"

# both UAC: both accounts' userAccountControl is UAC
both() { [ "$(uac "$BTG_DN")" = "$1" ] && [ "$(uac "$BTG2_DN")" = "$1" ]; }

OUTAGE="{\"issues\": {\"items\": [{\"id\": \"AD26\", \"service\": \"Microsoft Entra\", \"status\": \"serviceInterruption\", \"classification\": \"incident\", \"title\": \"MFA failures\", \"isResolved\": false}]}}"
HEALTHY='{"issues": {"items": []}}'

# dn_count DN EVENT RESULT: audit lines of that account, event and result
dn_count() {
	/usr/bin/python3 - "$T/state/audit.log" "$1" "$2" "$3" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if (e.get("account", "").lower() == sys.argv[2].lower() and
            e.get("event") == sys.argv[3] and
            e.get("result", "").startswith(sys.argv[4])):
        n += 1
print(n)
PY
}

# --- the command line: one enable, two accounts ------------------------------
new_case cli
set_uac "$BTG_DN" 66050
set_uac "$BTG2_DN" 66050
two_accounts
bg enable --reason "INC-26 MFA outage"
expect_rc 0 "enable acts on both accounts"
expect_uac 66048 "the first is enabled"
check "the second is enabled" test "$(uac "$BTG2_DN")" = 66048
lines="$(dn_count "$BTG_DN" enable started) $(dn_count "$BTG_DN" enable ok) $(dn_count "$BTG2_DN" enable started) $(dn_count "$BTG2_DN" enable ok)"
check "each its own started and ok lines ($lines)" test "$lines" = "1 1 1 1"
expect_out "== account second \\(CN=btg-admin2" "the output names each account"

bg status --json
expect_rc 0 "status --json"
pycheck "status --json: the first at the top, both in accounts[]" "$T/out" "
assert j['account_dn'] == '$BTG_DN', j
assert j['account_state'] == 'enabled', j
a = j['accounts']
assert [x['name'] for x in a] == ['first', 'second'], a
assert a[1]['account_dn'] == '$BTG2_DN' and a[1]['account_state'] == 'enabled', a
assert a[1]['override']['state'] == 'enabled', a"
bg status
expect_out "^account +second: CN=btg-admin2" "status: a row per account"
bg history
expect_out "ACCOUNT" "history: an ACCOUNT column with two accounts"
expect_out "enable +second +disabled->enabled" "history names the second"
bg history --account second --json
check "history --account keeps that account's lines" sh -c \
    '! printf "%s\n" "$1" | grep -q "CN=btg-admin,CN"' - "$OUT"

bg disable --account second --reason "INC-26 second done"
expect_rc 0 "disable --account second"
check "only the second is disabled" test \
    "$(uac "$BTG2_DN") $(uac "$BTG_DN")" = "66050 66048"
bg check
check "check WARNs: the first enabled by override (exit 1)" test "$RC" -eq 1
expect_out "first: account enabled by override" "check names the account"
expect_out "enabled_first=1 enabled_second=0" "check: perfdata per account"
bg enable --account nosuch --reason x
expect_rc 2 "an unknown --account is a usage error"
expect_err 'no account "nosuch".*accounts: first, second' \
    "the error names the accounts there are"
bg disable --reason "INC-26 over"
expect_rc 0 "disable acts on both"
check "both disabled" both 66050
bg auto --reason "INC-26 back to the agent"
expect_rc 0 "auto clears both overrides"
bg drill --reason "quarterly test of both"
expect_rc 0 "drill: each account in turn"
lines="$(dn_count "$BTG_DN" drill-finished ok) $(dn_count "$BTG2_DN" drill-finished ok)"
check "a drill-finished line for each account ($lines)" test "$lines" = "1 1"
check "both disabled after the drills" both 66050
bg doctor --json
pycheck "doctor runs the account checks for each account" "$T/out" "
c = {x['check']: x['status'] for x in j['checks']}
for n in ('first', 'second'):
    for k in ('account', 'GUID pin', 'disabled', 'write right'):
        assert c.get(n + ': ' + k) == 'pass', (n, k, c)
assert 'account' not in c, c"
bg verify
expect_rc 0 "one audit chain for both accounts"
cleanup_case

# --- a wrong GUID pin: that one refused, the other enabled ------------------
new_case guid
set_uac "$BTG_DN" 66050
set_uac "$BTG2_DN" 66050
two_accounts "00000000-0000-4000-8000-000000000026"
bg enable --reason "INC-26 wrong pin"
expect_rc 1 "one account refused: exit 1"
expect_uac 66048 "the first is enabled all the same"
check "the second is untouched in AD" test "$(uac "$BTG2_DN")" = 66050
check "the second's enable is audited failed" test \
    "$(dn_count "$BTG2_DN" enable failed)" = 1
expect_err "enable failed for: second" "the output says which failed"
cleanup_case

# --- the agent: an outage enables both, recovery disables both ---------------
mail_agent_case agent 2 2
two_accounts
scenario "$OUTAGE"
start_agent
wait_for "the outage enables both accounts" 20 both 66048
check "one outage-declared line, not one per account" test \
    "$(audit_count '"event":"outage-declared"')" = 1
bg disable --account second --for 1h --reason "INC-26 second not needed"
expect_rc 0 "an override on the second"
scenario "$HEALTHY"
wait_for "recovery disables the first" 20 uac_is 66050
after_polls 2
check "the second stays disabled by its override" test \
    "$(uac "$BTG2_DN")" = 66050
lines="$(dn_count "$BTG_DN" disable ok) $(dn_count "$BTG2_DN" disable ok)"
check "each account disabled once: the first by the agent, the second by its override ($lines)" \
    test "$lines" = "1 1"
bg auto --account second --reason "INC-26 back to the agent"
expect_rc 0 "auto --account second"
set_uac "$BTG_DN" 66048		# someone, outside breakglass
drift_first() { [ "$(dn_count "$BTG_DN" drift ok)" = 1 ]; }
wait_for "an out-of-band enable of the first is drift" 10 drift_first
after_polls 2
check "no drift for the second" test "$(dn_count "$BTG2_DN" drift ok)" = 0
bg check
check "check is CRITICAL (exit 2)" test "$RC" -eq 2
expect_out "first: account CN=btg-admin,.*ENABLED with no override" \
    "check names the drifted account"
stop_agent
bg status --json
pycheck "status.json lists both accounts" "$T/state/status.json" "
assert [x['name'] for x in j['accounts']] == ['first', 'second'], j"
set_uac "$BTG_DN" 66050
stop_graph
stop_mail
cleanup_case

# --- kill -9 between the two changes ----------------------------------------
if [ -n "${FAULT_BIN:-}" ] && [ -x "$FAULT_BIN" ]; then
	for p in after-ldap-write:1 after-started:2; do
		mail_agent_case "kill-$p" 1 2
		two_accounts
		scenario "$OUTAGE"
		BREAKGLASS_FAULT=$p BREAKGLASS_POLL_INTERVAL_MS=200 \
		    "$FAULT_BIN" -c "$T/breakglass.conf" run \
		    >"$T/agent-crash.log" 2>&1 &
		pid=$!
		wait_gone "$pid" 200 || kill -9 "$pid"
		wait "$pid"
		check "[$p] the agent was killed" test $? -eq 137
		BREAKGLASS_POLL_INTERVAL_MS=200 start_agent
		settled() { both 66048 && [ "$(spool_count)" -eq 0 ]; }
		wait_for "[$p] after the restart both accounts are enabled, every notice sent" \
		    20 settled
		stop_agent
		want=$BTG_DN
		[ "$p" = after-started:2 ] && want=$BTG2_DN
		check "[$p] a reconcile line for the interrupted account" \
		    test "$(dn_count "$want" reconcile "")" = 1
		bg status --json
		pycheck "[$p] status agrees with AD for both" "$T/out" "
assert [x['account_state'] for x in j['accounts']] == ['enabled', 'enabled'], j"
		check "[$p] every change and reconcile has its mail" \
		    /usr/bin/python3 - "$T/state/audit.log" "$T/mail" <<'PY'
import json, os, re, sys
need = set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "reconcile" or (e["event"] in ("enable", "disable")
            and e["result"] == "ok" and e.get("changed")):
        need.add(e["seq"])
seen = set()
for f in os.listdir(sys.argv[2]):
    raw = open(os.path.join(sys.argv[2], f), "rb").read().decode("utf-8", "replace")
    m = re.search(r"X-Breakglass-Audit: seq=(\d+)", raw)
    if m:
        seen.add(int(m.group(1)))
sys.exit(0 if need <= seen else 1)
PY
		bg verify
		expect_rc 0 "[$p] the chain verifies"
		set_uac "$BTG_DN" 66050
		set_uac "$BTG2_DN" 66050
		stop_graph
		stop_mail
		cleanup_case
	done
else
	notok "FAULT_BIN names the fault build (make fault-build)"
fi

# --- a config of before: the keys of before ----------------------------------
new_case single
set_uac "$BTG_DN" 66050
bg enable --reason "INC-26 one account"
expect_rc 0 "one untitled account: enable"
check "the audit lines' keys are those of before" /usr/bin/python3 - \
    "$T/state/audit.log" <<'PY'
import json, sys
base = {"seq", "time", "actor", "event", "account", "from", "to", "reason",
        "result", "prev"}
want = {"override-set": base | {"until"}, "enable": base}
for line in open(sys.argv[1]):
    e = json.loads(line)
    keys = set(e) - {"uac_from", "uac_to", "changed", "tries", "dc"}
    if keys != want[e["event"]]:
        print(e["event"], sorted(keys ^ want[e["event"]]), file=sys.stderr)
        sys.exit(1)
PY
bg status --json
pycheck "status --json has exactly the keys of before" "$T/out" "
assert sorted(j) == sorted(['account_dn', 'account_state', 'desired_state',
    'mode', 'override', 'health', 'userAccountControl', 'object_guid',
    'sAMAccountName', 'whenChanged', 'dc', 'audit_head']), sorted(j)"
bg history
check "history: no ACCOUNT column with one account" sh -c \
    '! printf "%s\n" "$1" | grep -q ACCOUNT' - "$OUT"
bg disable --reason "INC-26 done"
cleanup_case
