#!/bin/sh
# SPDX-License-Identifier: ISC
# 80-agent.sh - breakglass run with poll_interval = 1 against the fake Graph
# and the real DC: rise, fall, blips, faults mid-outage, overrides, drift,
# SIGHUP with a broken config, SIGTERM, the token probe, check.
. "$(dirname "$0")/../lib/common.sh"

# status_field EXPR: a value from status.json
status_field() { pyjson "$1" <"$T/state/status.json" 2>/dev/null; }

new_case agent
set_uac "$BTG_DN" 66050
start_graph
POLICY='mode = "auto"
  poll_interval = 1
  rise = 2
  fall = 3'
write_conf
ENTRA="{\"issues\": {\"items\": [$(issue AD77 'Azure Active Directory' serviceInterruption incident 'Users cannot sign in')]}}"
scenario "{\"issues\": {\"items\": [$(issue EX1 'Exchange Online' serviceInterruption incident 'Mail delayed')]}}"

start_agent
wait_for "the agent writes status.json" 10 test -s "$T/state/status.json"
after_polls 3
expect_uac 66050 "noise for 3 polls: the account stays disabled"
check "status.json says healthy" test "$(status_field 'j["verdict"]')" = healthy
check "agent-start is audited" audit_has '"event":"agent-start"'
check "the token is cached across polls (one token request)" \
    test "$(grep -c '/oauth2/v2.0/token' "$T/graph.log")" -eq 1
check "one connection is reused across polls" /usr/bin/python3 -c '
import json, sys
ports = {json.loads(l)["port"] for l in open(sys.argv[1])}
sys.exit(0 if len(ports) == 1 else 1)' "$T/graph.log"
check "every request sent a client-request-id" sh -c \
    '! grep -q "\"client_request_id\": null" "$1/graph.log"' - "$T"

scenario "{\"issues\": {\"items_first\": $(printf '%s' "$ENTRA" | pyjson 'json.dumps(j["issues"]["items"])'), \"items_first_times\": 1, \"items\": []}}"
after_polls 4
expect_uac 66050 "a one-poll blip does nothing"
check "the blip declared no outage" sh -c '! grep -q outage-declared "$1/state/audit.log"' - "$T"

scenario "$ENTRA"
wait_for "an Entra incident enables the account" 8 uac_is 66048
check "declared after exactly rise (2) outage polls" \
    audit_has '"event":"outage-declared".*"reason":"outage declared after 2 polls: AD77 (serviceInterruption)"'
check "the enable carries the evidence" \
    audit_has '"event":"enable".*"result":"ok".*"evidence":{"source":"service-health","issues":\[{"id":"AD77"'

for mode in 500 garbage 401 hang; do
	scenario "{\"issues\": {\"mode\": \"$mode\"}}"
	after_polls 3
	expect_uac 66048 "Graph answering $mode mid-outage: no change"
	check "status.json says unknown for $mode" test "$(status_field 'j["verdict"]')" = unknown
done
check "unknown polls never cleared the outage" sh -c '! grep -q outage-cleared "$1/state/audit.log"' - "$T"
check "several unknown polls were reported once per streak" \
    test "$(grep -c 'health unknown for 3 polls in a row' "$T/agent.log")" -eq 1

scenario '{}'
wait_for "recovery disables the account" 10 uac_is 66050
check "cleared after exactly fall (3) healthy polls" \
    audit_has '"event":"outage-cleared".*"reason":"outage cleared after 3 healthy polls"'

bg enable --reason "INC-9 manual override" --for 3s
expect_rc 0 "a CLI enable while the agent runs"
after_polls 2
expect_uac 66048 "the override holds against healthy verdicts"
wait_for "the override expires and the agent disables" 8 uac_is 66050
check "override-expired is audited" audit_has '"event":"override-expired"'

set_uac "$BTG_DN" 66048
wait_for "an out-of-band enable is detected as drift" 5 audit_has '"event":"drift","account":"[^"]*","from":"disabled","to":"enabled"'
after_polls 2
expect_uac 66048 "on_drift = alert leaves it enabled"
bg check
expect_rc 2 "check: enabled without override or outage is CRITICAL"
expect_out "^BREAKGLASS CRITICAL - .*ENABLED" "check says why"
set_uac "$BTG_DN" 66050
after_polls 2

cp "$T/breakglass.conf" "$T/good.conf"
printf 'policy {\n  mode = "sometimes"\n}\n' >"$T/breakglass.conf"
kill -HUP "$AGENT_PID"
wait_for "SIGHUP with a broken config is rejected" 5 grep -q "reload rejected" "$T/agent.log"
check "the agent is still running" kill -0 "$AGENT_PID"
after_polls 2 "and still polling on the old config"
cp "$T/good.conf" "$T/breakglass.conf"
kill -HUP "$AGENT_PID"
wait_for "SIGHUP with a good config reloads" 5 grep -q "configuration reloaded" "$T/agent.log"
# the override's window was a use: check WARNs until the password changed
"$LIB/dc.sh" set-password "$DC_DIR" btg-admin 'Rotated-80-agent.16!'
bg check
expect_rc 0 "check: disabled, agent running, chain intact is OK"
expect_out "^BREAKGLASS OK - .*\|enabled=0 audit_seq=[0-9]+ status_age=[0-9]+s" "check prints one status line with perfdata"

stop_agent
check "agent-stop is audited" audit_has '"event":"agent-stop"'
bg verify
expect_rc 0 "the chain verifies after all of it"
check "neither the Graph secret nor a token is in the agent's log" sh -c \
    '! grep -qF -f "$1/graph.secret" "$1/agent.log" && ! grep -qi bearer "$1/agent.log"' - "$T"
check "nor in the state dir" sh -c '! grep -rqF -f "$1/graph.secret" "$1/state"' - "$T"
cp "$T/state/audit.log" "$T/audit.orig"
sed -i '3s/agent/AGENT/' "$T/state/audit.log"
bg check
expect_rc 2 "check: a broken audit chain is CRITICAL"
expect_out "CRITICAL - audit chain broken at seq 3" "check names the broken seq"
cp "$T/audit.orig" "$T/state/audit.log"
sleep 4
bg check
expect_rc 2 "check: mode auto and status.json older than 3 polls is CRITICAL"
expect_out "is it running" "check says the agent may not run"
bg enable --reason "warning test" --for 1h
bg check
expect_rc 2 "check: still CRITICAL while the agent is stale"
POLICY='mode = "manual"'
write_conf
bg check
expect_rc 1 "check: enabled with an override is WARNING"
expect_out "WARNING - account enabled by override" "check names the override"
bg disable --reason "end of agent test"
URIS='"ldaps://127.0.0.1:1"'
write_conf
bg check
expect_rc 3 "check: AD unreadable is UNKNOWN"
printf 'bogus {' >"$T/breakglass.conf"
bg check
expect_rc 3 "check: config unreadable is UNKNOWN"
stop_graph

# on_drift = revert puts it back
new_case revert
set_uac "$BTG_DN" 66050
start_graph
POLICY='mode = "auto"
  poll_interval = 1
  on_drift = "revert"'
write_conf
start_agent
wait_for "the agent polls" 10 test -s "$T/state/status.json"
after_polls 4
set_uac "$BTG_DN" 66048
wait_for "on_drift = revert disables the account again" 6 uac_is 66050
check "the revert is audited with its reason" audit_has '"event":"disable".*"reason":"drift reverted (on_drift = revert)"'
stop_agent
stop_graph

# the token probe: token endpoint failing while the internet answers
new_case probe
set_uac "$BTG_DN" 66050
start_graph
POLICY="mode = \"auto\"
  poll_interval = 1
  unreachable_after = 2
  token_probe = \"act\"
  probe_url = \"$GRAPH_URL/probe\""
write_conf
scenario '{"token": {"mode": "500"}}'
start_agent
wait_for "token endpoint 5xx while the probe answers enables after 2 polls" 15 uac_is 66048
check "the outage names the token probe" audit_has '"event":"outage-declared".*"source":"token-probe"'
scenario '{"token": {"mode": "401"}}'
after_polls 4
check "a 4xx from the token endpoint never counts (no second declaration)" \
    test "$(audit_count '"event":"outage-declared"')" -eq 1
scenario '{}'
wait_for "recovery of the token endpoint disables" 12 uac_is 66050
stop_agent
stop_graph

# probe_url down too: our own network, not Entra: unknown, no action
new_case probedown
set_uac "$BTG_DN" 66050
start_graph
POLICY='mode = "auto"
  poll_interval = 1
  unreachable_after = 1
  probe_url = "https://127.0.0.1:1/"'
write_conf
scenario '{"token": {"mode": "500"}}'
start_agent
after_polls 4
expect_uac 66050 "token down and probe down: no outage"
check "status says unknown, naming the probe" sh -c 'grep -q "does not answer either" "$1/state/status.json"' - "$T"
stop_agent
stop_graph
