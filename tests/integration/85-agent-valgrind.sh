#!/bin/sh
# SPDX-License-Identifier: ISC
# 85-agent-valgrind.sh - VG_POLLS agent polls (200 in make check, 1000 in
# make check-long) under valgrind memcheck through two outages and every
# Graph fault kind (5xx, 429, garbage, truncated, 64 MiB, wrong type, loop,
# hang, token errors): no error, no leak.
. "$(dirname "$0")/../lib/common.sh"

N=${VG_POLLS:-200}
new_case vgagent
set_uac "$BTG_DN" 66050
GRAPH_TIMEOUT=1s
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
    "${PLAIN_BIN:-$BIN}" -c "$T/breakglass.conf" run --polls "$N" >"$T/agent.log" 2>&1 &
vg=$!
polls() { cat "$T/graph.log" 2>/dev/null | grep -c 'serviceAnnouncement/issues\|oauth2/v2.0/token'; }
# until_polls N: until the agent's own count of polls (status.json, see
# agent_polls in common.sh) is N -- not requests: a Retry-After wait is a poll
# without a request
until_polls() {
	end=$(( $(date +%s) + 120 ))
	while [ "$(agent_polls)" -lt "$1" ] && [ "$(date +%s)" -lt "$end" ] &&
	    kill -0 "$vg" 2>/dev/null; do
		sleep 0.2
	done
}
# 16 phases of N/16 polls each
step=$((N / 16))
p=0
for s in '{}' "$ENTRA" '{"issues": {"mode": "500"}}' \
    '{"issues": {"mode": "429", "retry_after": 1}}' \
    '{"issues": {"mode": "garbage"}}' '{}' "$ENTRA" \
    '{"issues": {"mode": "truncated"}}' '{"issues": {"mode": "huge"}}' \
    '{"issues": {"mode": "wrongtype"}}' '{"issues": {"mode": "loop"}}' \
    '{"issues": {"mode": "401"}, "token": {"mode": "503"}}' \
    '{"issues": {"mode": "401"}, "token": {"mode": "garbage"}}' \
    '{"issues": {"mode": "hang"}}' '{}' '{"issues": {"mode": "401"}}'; do
	scenario "$s"
	p=$((p + step))
	until_polls "$p"
done
wait "$vg"
rc=$?
check "$N polls under valgrind: exit $rc, no error, no leak" test "$rc" -eq 0
echo "# figure: $N agent polls under valgrind memcheck: exit $rc (99 = errors or leaks)"
if [ "$rc" -ne 0 ]; then sed 's/^/# /' "$T/agent.log" | grep '==' | head -60; fi
check "the agent toggled during the run" audit_has '"event":"enable".*"result":"ok"'
check "and disabled again" audit_has '"event":"disable".*"result":"ok"'
check "the run went through all 16 phases ($(agent_polls) polls, $(polls) requests)" \
    test "$(agent_polls)" -eq "$N"
bg verify
expect_rc 0 "the chain verifies"
stop_graph
