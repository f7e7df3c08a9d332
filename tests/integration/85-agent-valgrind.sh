#!/bin/sh
# 85-agent-valgrind.sh - 200 agent polls under valgrind memcheck (healthy,
# outage with account changes, Graph faults): no error and no leak.
. "$(dirname "$0")/../lib/common.sh"

new_case vgagent
set_uac "$BTG_DN" 66050
start_graph
POLICY='mode = "auto"
  poll_interval = 1
  rise = 2
  fall = 2'
write_conf
ENTRA="{\"issues\": {\"items\": [$(issue AD1 'Microsoft Entra' serviceInterruption incident 'x')]}}"
BREAKGLASS_POLL_INTERVAL_MS=25 valgrind -q --leak-check=full \
    --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --error-exitcode=99 \
    "$BIN" -c "$T/breakglass.conf" run --polls 200 >"$T/agent.log" 2>&1 &
vg=$!
polls() { cat "$T/graph.log" 2>/dev/null | grep -c 'serviceAnnouncement/issues'; }
until_polls() {
	end=$(( $(date +%s) + 60 ))
	while [ "$(polls)" -lt "$1" ] && [ "$(date +%s)" -lt "$end" ] &&
	    kill -0 "$vg" 2>/dev/null; do
		sleep 0.2
	done
}
until_polls 30
scenario "$ENTRA"
until_polls 70
scenario '{"issues": {"mode": "500"}}'
until_polls 90
scenario '{"issues": {"mode": "garbage"}}'
until_polls 110
scenario '{}'
until_polls 150
scenario '{"issues": {"mode": "401"}}'
wait "$vg"
rc=$?
check "200 polls under valgrind: exit $rc, no error, no leak" test "$rc" -eq 0
if [ "$rc" -ne 0 ]; then sed 's/^/# /' "$T/agent.log" | grep '==' | head -60; fi
check "the agent toggled during the run" audit_has '"event":"enable".*"result":"ok"'
check "and disabled again" audit_has '"event":"disable".*"result":"ok"'
check "it made at least 200 polls (retries add requests)" test "$(polls)" -ge 200
bg verify
expect_rc 0 "the chain verifies"
stop_graph
