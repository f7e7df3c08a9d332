#!/bin/sh
# SPDX-License-Identifier: ISC
# 96-drill.sh - Entra Connect delta sync after a change (sync.command), cloud
# confirmation through Graph (the Graph-shaped server's user follows only
# when the "sync" runs), drills with their timings, drill_every in check and
# in the agent's reminders.
. "$(dirname "$0")/../lib/common.sh"

UID1=11111111-2222-3333-4444-555555555555
cloud_user() {	# cloud_user ENABLED: the scenario with the user so
	scenario "{$EXTRA_SCEN\"users\": {\"items\": {\"btg-admin@corp.example.test\": {\"id\": \"$UID1\", \"userPrincipalName\": \"btg-admin@corp.example.test\", \"accountEnabled\": $1, \"onPremisesSyncEnabled\": true, \"onPremisesLastSyncDateTime\": \"2026-11-25T01:00:00Z\"}}}}"
}
cloud_enabled() {
	pyjson 'j["users"]["items"]["btg-admin@corp.example.test"]["accountEnabled"]' <"$T/scenario.json"
}
# check on a manual-mode copy of the config: no agent needed for an OK
plugin() {
	sed 's/mode = "auto"/mode = "manual"/' "$T/breakglass.conf" >"$T/manual.conf"
	"$BIN" -c "$T/manual.conf" check >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
subjects() { grep -h '^Subject:' "$T"/mail/*.eml 2>/dev/null; }

new_case drill
set_uac "$BTG_DN" 66050
start_graph
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
EXTRA_SCEN=""
cloud_user false
# the "delta sync": the cloud user follows AD, as Entra Connect would
cat >"$T/sync.sh" <<SH
#!/bin/sh
echo "\$BREAKGLASS_EVENT \$BREAKGLASS_STATE \$BREAKGLASS_UPN" >>"$T/sync.log"
[ -e "$T/sync.slow" ] && echo \$\$ >"$T/sync.pid" && exec sleep 30
[ -e "$T/sync.broken" ] && exit 3
[ -e "$T/sync.stalled" ] && exit 0
en=false; [ "\$BREAKGLASS_STATE" = enabled ] && en=true
/usr/bin/python3 - "$T/scenario.json" "\$en" <<'PY'
import json, os, sys
s = json.load(open(sys.argv[1]))
s["users"]["items"]["btg-admin@corp.example.test"]["accountEnabled"] = sys.argv[2] == "true"
json.dump(s, open(sys.argv[1] + ".t", "w"))
os.rename(sys.argv[1] + ".t", sys.argv[1])
PY
SH
chmod 755 "$T/sync.sh"
POLICY='mode = "auto"
  poll_interval = 1
  rise = 2
  fall = 2
  drill_every = 30d'
smtp_section
EXTRA="$EXTRA
sync {
  command        = \"$T/sync.sh\"
  timeout        = 10s
  confirm_within = 20s
}"
write_conf
bg config-check
expect_rc 0 "sync and drill_every are valid keys"
expect_out "drill_every +=" "config-check prints drill_every"

plugin
expect_rc 1 "check WARNs with no drill on record"
expect_out "no drill on record" "and says why"

export BREAKGLASS_DRILL_POLL_MS=200
bg drill --reason "Q4 drill"
expect_rc 0 "a drill"
expect_out "^drill PASSED" "it passed"
expect_out "confirmed in AD +[0-9]+ ms" "the AD confirmation is timed"
expect_out "confirmed in cloud +[0-9.]+ s" "the cloud confirmation is timed"
expect_out "disabled again +[0-9]+ ms \\(confirmed in AD\\)" "the disable is timed and confirmed"
expect_uac 66050 "the drill leaves the account disabled"
check "the drill ran the sync command for enable and disable" \
    test "$(grep -c '^sync ' "$T/sync.log")" -eq 2
check "audit: drill-started, enable, sync, disable, drill-finished with timings" /usr/bin/python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
i = names.index("drill-started")
assert names[i:] == ["drill-started", "enable", "enable", "sync", "disable", "disable", "sync", "drill-finished"], names[i:]
f = ev[-1]
assert f["result"] == "ok", f
for k in ("enable_ms", "ad_confirm_ms", "cloud_confirm_ms", "disable_ms", "total_ms"):
    assert isinstance(f[k], (int, float)), k
assert ev[i + 3]["result"] == "ok" and "elapsed_ms" in ev[i + 3]' "$T/state/audit.log"
bg verify
expect_rc 0 "the chain is whole after the drill"
check "the drill's mail arrived" sh -c 'grep -q "^Subject: .*DRILL PASSED" "$1"/mail/*.eml' - "$T"
plugin
expect_rc 0 "check is OK after a drill"

# the cloud does not follow: the drill says so, and still disables
touch "$T/sync.stalled"
sed -i 's/confirm_within = 20s/confirm_within = 2s/' "$T/breakglass.conf"
bg drill --reason "cloud stalled"
expect_rc 1 "a drill the cloud never confirms fails"
expect_out "confirmed in cloud +no: the cloud did not show it" "naming the cloud"
expect_uac 66050 "and the account is disabled anyway"
check "drill-finished says not confirmed in the cloud" sh -c \
    'tail -n 1 "$1/state/audit.log" | grep -q "\"event\":\"drill-finished\".*\"result\":\"failed: not confirmed in the cloud\""' - "$T"
rm -f "$T/sync.stalled"
sed -i 's/confirm_within = 2s/confirm_within = 20s/' "$T/breakglass.conf"
cloud_user false

# refused while the account is needed
bg enable --reason "INC-5 real outage"
bg drill --reason "not now"
expect_rc 3 "a drill during an override is refused"
expect_err "drill refused: an override holds the account" "saying why"
expect_uac 66048 "the account stays enabled for the people who need it"

# a failing sync command: recorded, mailed, the change stands
touch "$T/sync.broken"
bg disable --reason "INC-5 over"
expect_rc 0 "the disable succeeds even when sync.command fails"
check "the sync failure is audited" sh -c \
    'grep "\"event\":\"sync\"" "$1/state/audit.log" | tail -n 1 | grep -q "\"result\":\"failed: sync.command exited 3\""' - "$T"
check "and mailed" sh -c 'grep -q "^Subject: .*SYNC COMMAND FAILED" "$1"/mail/*.eml' - "$T"
rm -f "$T/sync.broken"
bg auto --reason "back to the agent"
cloud_user false

# killed while sync.command runs: the change is in state.json already, so
# the agent does not take breakglass's own change for drift
touch "$T/sync.slow"
syncs=$(wc -l <"$T/sync.log")
"$BIN" -c "$T/breakglass.conf" enable --reason "INC-6 killed mid-sync" \
    >"$T/killed.out" 2>&1 &
cli=$!
wait_for "the enable reaches sync.command" 10 sh -c \
    '[ "$(wc -l <"$1/sync.log")" -gt "$2" ]' - "$T" "$syncs"
BREAKGLASS_LOCK_WAIT=1 bg enable --reason "INC-6 a second admin"
expect_rc 0 "sync.command runs without the lock: a second admin is not kept out"
kill -9 "$cli"
wait "$cli" 2>/dev/null
kill "$(cat "$T/sync.pid")" 2>/dev/null	# this case's slow sync, no other
rm -f "$T/sync.slow"
expect_uac 66048 "the account was enabled before the kill"
pycheck "state.json already says enabled" "$T/state/state.json" \
    'assert j["account"]["state"] == "enabled" and j["account"]["last_set"] == "enabled", j["account"]'
drifts=$(audit_count '"event":"drift"')
BREAKGLASS_POLL_INTERVAL_MS=200 bg run --polls 3
check "the agent records no drift after the kill" test "$(audit_count '"event":"drift"')" -eq "$drifts"
expect_uac 66048 "and leaves the account enabled"
bg disable --reason "INC-6 over"
bg auto --reason "back to the agent"
cloud_user false

# the agent: an outage enables, the sync runs, the cloud confirms
EXTRA_SCEN="\"issues\": {\"items\": [$(entra_outage)]}, "
cloud_user false
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
wait_for "the outage enables the account" 10 uac_is 66048
wait_for "the agent records cloud-confirmed" 10 audit_has '"event":"cloud-confirmed"'
check "with the seconds it took" sh -c \
    'grep "\"event\":\"cloud-confirmed\"" "$1/state/audit.log" | grep -q "\"elapsed_s\":[0-9.]*"' - "$T"
wait_for "and mails it" 10 sh -c 'grep -q "^Subject: .*CONFIRMED IN THE CLOUD" "$1"/mail/*.eml' - "$T"
check "no drill-overdue mail while the last drill is recent" \
    sh -c '! grep -q "^Subject: .*DRILL OVERDUE" "$1"/mail/*.eml' - "$T"
stop_agent

# the cloud never follows the agent's disable: cloud-unconfirmed
touch "$T/sync.stalled"
sed -i 's/confirm_within = 20s/confirm_within = 2s/' "$T/breakglass.conf"
EXTRA_SCEN=""
cloud_user true
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
wait_for "recovery disables the account" 15 uac_is 66050
wait_for "the agent records cloud-unconfirmed after confirm_within" 15 \
    audit_has '"event":"cloud-unconfirmed"'
wait_for "and mails it" 10 sh -c 'grep -q "^Subject: .*NOT CONFIRMED IN THE CLOUD" "$1"/mail/*.eml' - "$T"
stop_agent

# drill overdue: the agent reminds once per drill_every
sed -i 's/drill_every = 30d/drill_every = 1s/' "$T/breakglass.conf"
rm -f "$T/sync.stalled"
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
wait_for "an overdue drill is mailed" 10 sh -c 'grep -q "^Subject: .*DRILL OVERDUE" "$1"/mail/*.eml' - "$T"
stop_agent
plugin
expect_rc 1 "check WARNs when the last drill is older than drill_every"
expect_out "the last drill was .* ago: run breakglass drill" "naming the last drill"
bg verify
expect_rc 0 "the chain verifies at the end"
