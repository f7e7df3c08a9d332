#!/bin/sh
# SPDX-License-Identifier: ISC
# 87-takeover.sh - issue 18, the safe take-over: a second agent (its own
# state_dir) that starts after the first enabled the account for an outage
# and died must not call that drift and disable it mid-outage (it did:
# drift, disable, then enable again once it declared the outage itself).
# It records "adopted", holds the account as found until its own view of
# the health has had its polls, and decides as always after that; a change
# out of band after the hold is drift again.  A state_dir restored from a
# backup is the same case.
. "$(dirname "$0")/../lib/common.sh"

OUTAGE="{\"issues\": {\"items\": [$(entra_outage)]}}"
HEALTHY='{"issues": {"items": []}}'

# --- host A enables for the outage and dies; host B takes over ---------------
mail_agent_case takeover 2 2
POLICY="$POLICY
  on_drift = \"revert\""
write_conf				# host B: $T/state
mkdir -m 0700 "$T/stateA"
sed "s|^state_dir = .*|state_dir = \"$T/stateA\"|" "$T/breakglass.conf" \
    >"$T/a.conf"			# host A: its own state_dir

scenario "$HEALTHY"
start_agent				# B runs a while, healthy, then stops
after_polls 3 "host B ran 3 healthy polls (its state: disabled)"
stop_agent

scenario "$OUTAGE"
"$BIN" -c "$T/a.conf" run >"$T/agent-a.log" 2>&1 &
A_PID=$!
wait_for "host A enables the account for the outage" 20 uac_is 66048
kill -9 "$A_PID"
wait "$A_PID" 2>/dev/null

start_agent				# B takes over, the outage still on
wait_for "host B records adopted" 15 audit_has '"event":"adopted".*"to":"enabled"'
after_polls 5 "host B ran 5 polls with the outage on"
expect_uac 66048 "host B never disabled the account mid-outage"
check "no drift and no disable by host B" sh -c \
    '! grep -q "\"event\":\"drift\"\|\"event\":\"disable\"" "$1"' - "$T/state/audit.log"
check "the adopted line names whenChanged and the hold" \
    audit_has '"event":"adopted".*"whenChanged":"[0-9]*\.0Z".*"hold_polls":2'
wait_for "one take-over notice" 10 sh -c \
    'grep -l "^X-Breakglass-Event: adopted" "$1"/mail/*.eml 2>/dev/null | grep -q .' - "$T"

scenario "$HEALTHY"
wait_for "after recovery host B disables the account" 20 uac_is 66050
check "once, for the outage's end (fall healthy polls)" test \
    "$(audit_count '"event":"disable".*no outage (2 healthy polls)","result":"ok"')" -eq 1

set_uac "$BTG_DN" 66048			# out of band, after the hold
wait_for "an out-of-band enable after the hold is drift" 10 \
    audit_has '"event":"drift".*"to":"enabled"'
wait_for "and reverted (on_drift = revert)" 10 uac_is 66050
stop_agent
stop_graph
stop_mail
cleanup_case

# --- state_dir restored from a backup ---------------------------------------
agent_case restore 2 3
scenario "$OUTAGE"
start_agent
wait_for "the outage enables the account" 20 uac_is 66048
stop_agent
cp -a "$T/state" "$T/backup"		# enabled, the outage declared
scenario "$HEALTHY"
start_agent
wait_for "recovery disables it" 20 uac_is 66050
stop_agent
enables=$(audit_count '"event":"enable".*"result":"ok"')
rm -rf "$T/state"
cp -a "$T/backup" "$T/state"		# the restore: an old state.json
start_agent
wait_for "the restored agent records adopted" 15 \
    audit_has '"event":"adopted".*"to":"disabled"'
after_polls 5 "the restored agent ran 5 healthy polls"
expect_uac 66050 "the restored state's outage does not enable the account"
check "no enable after the restore" test \
    "$(audit_count '"event":"enable".*"result":"ok"')" -eq "$enables"
bg status --json
pycheck "no endless disable hold (the drift hold of before)" "$T/out" "
assert j['override'] is None, j"
check "no drift line" sh -c '! grep -q "\"event\":\"drift\"" "$1"' - \
    "$T/state/audit.log"
stop_agent
stop_graph
cleanup_case
