#!/bin/sh
# SPDX-License-Identifier: ISC
# 82-probe.sh - what the token probe may count as an outage, and TLS that is
# verified everywhere: a certificate from another CA or a name that does not
# resolve is "possible interception" (unknown, an alert), never an outage; a
# token 4xx or 429 never counts; the probe alone only warns unless
# policy.token_probe = "act"; Graph, the probe and the webhook refuse a
# certificate from a foreign CA.
. "$(dirname "$0")/../lib/common.sh"

# a second Graph-shaped server whose certificate comes from another CA
start_foreign() {
	sh "$LIB/pki.sh" "$T/pki2" >/dev/null 2>&1
	/usr/bin/python3 "$LIB/fake_graph.py" --cert "$T/pki2/server.pem" \
	    --key "$T/pki2/server.key" --port-file "$T/foreign.port" \
	    --scenario "$T/scenario.json" --log "$T/foreign.log" \
	    --tenant test-tenant --client-id test-client \
	    --client-secret-file "$T/graph.expected" >"$T/foreign.out" 2>&1 &
	FOREIGN_PID=$!
	wait_port_file "$T/foreign.port"
	FOREIGN_URL="https://127.0.0.1:$(cat "$T/foreign.port")"
}
stop_foreign() { kill "$FOREIGN_PID" 2>/dev/null; wait "$FOREIGN_PID" 2>/dev/null; }

# graph_with AUTHORITY ENDPOINT: the graph section with these two URLs
graph_with() {
	GRAPH_SECTION="graph {
  tenant_id          = \"test-tenant\"
  client_id          = \"test-client\"
  client_secret_file = \"$T/graph.secret\"
  authority          = \"$1\"
  endpoint           = \"$2\"
  ca_file            = \"$CA_FILE\"
  timeout            = 3s
}"
}

probe_policy() {
	POLICY="mode = \"auto\"
  poll_interval = 1
  rise = 1
  unreachable_after = 1
  probe_url = \"$GRAPH_URL/probe\"
  $1"
}

# -- the token endpoint behind a certificate from another CA ----------------
new_case foreign-token
set_uac "$BTG_DN" 66050
start_graph
start_foreign
graph_with "$FOREIGN_URL" "$GRAPH_URL"
probe_policy 'token_probe = "act"'
write_conf
verdict unknown "token endpoint with a foreign CA's certificate, probe answering"
expect_out 'possible interception' "health names a possible interception"
start_agent
wait_for "the agent polls" 10 test -s "$T/state/status.json"
after_polls 3
expect_uac 66050 "a foreign certificate on the token endpoint never enables"
check "no outage is declared" test "$(audit_count '"event":"outage-declared"')" -eq 0
check "one alert is audited for the episode" \
    test "$(audit_count '"event":"alert".*possible interception')" -eq 1
stop_agent
stop_foreign
stop_graph

# -- a login name that does not resolve -------------------------------------
new_case dns
set_uac "$BTG_DN" 66050
start_graph
graph_with "https://login.breakglass-test.invalid" "$GRAPH_URL"
probe_policy 'token_probe = "act"'
write_conf
verdict unknown "a token endpoint whose name does not resolve"
expect_out 'possible interception' "health names a possible interception (DNS)"
stop_graph

# -- a token 4xx or 429 never counts, from healthy --------------------------
new_case token4xx
set_uac "$BTG_DN" 66050
start_graph
probe_policy 'token_probe = "act"'
write_conf
for mode in 401 429; do
	scenario "{\"token\": {\"mode\": \"$mode\"}}"
	verdict unknown "token endpoint answering $mode (unreachable_after = 1)"
done
scenario '{"token": {"mode": "401"}}'
start_agent
wait_for "the agent polls" 10 test -s "$T/state/status.json"
after_polls 3
expect_uac 66050 "token 401 for 3 polls from healthy: the account stays disabled"
check "no outage is declared on a token 401" \
    test "$(audit_count '"event":"outage-declared"')" -eq 0
stop_agent
stop_graph

# -- the probe alone only warns, unless the admin opts in -------------------
new_case warn
set_uac "$BTG_DN" 66050
start_graph
probe_policy ''
write_conf
scenario '{"token": {"mode": "500"}}'
verdict unknown "token 5xx while the probe answers, token_probe = warn (default)"
expect_out 'not acting alone' "health says the probe only warns"
start_agent
wait_for "the agent polls" 10 test -s "$T/state/status.json"
after_polls 3
expect_uac 66050 "token_probe = warn: the account stays disabled"
check "one warn line is audited for the episode" \
    test "$(audit_count '"event":"warn"')" -eq 1
check "the warning says what to do if confirmed" audit_has '"event":"warn".*breakglass enable'
stop_agent
probe_policy 'token_probe = "act"'
write_conf
verdict outage "the same with token_probe = act"
stop_graph

# -- Graph, the probe and the webhook refuse a foreign CA -------------------
new_case foreign-graph
set_uac "$BTG_DN" 66050
start_graph
start_foreign
graph_with "$FOREIGN_URL" "$FOREIGN_URL"
POLICY='mode = "auto"'
write_conf
scenario "{\"issues\": {\"items\": [{\"id\": \"AD1\", \"service\": \"Microsoft Entra\", \"status\": \"serviceInterruption\", \"classification\": \"incident\", \"title\": \"Sign-in failures\", \"isResolved\": false}]}}"
verdict unknown "Graph behind a foreign CA's certificate, outage served"
expect_out 'certificate|SSL|TLS' "the verdict names the certificate error"
# the probe: token 5xx from the trusted server, the probe behind a foreign CA
graph_with "$GRAPH_URL" "$GRAPH_URL"
POLICY="mode = \"auto\"
  unreachable_after = 1
  token_probe = \"act\"
  probe_url = \"$FOREIGN_URL/probe\""
scenario '{"token": {"mode": "500"}}'
write_conf
verdict unknown "a probe_url behind a foreign CA does not count as answering"
expect_out 'does not answer either' "health says the probe does not answer"
# the webhook: the notice stays spooled
POLICY='mode = "manual"'
EXTRA="notify {
  webhook { url = \"$FOREIGN_URL/webhook\"  ca_file = \"$CA_FILE\" }
}"
write_conf
bg notify-test
check "notify-test fails against a webhook with a foreign CA (exit $RC)" test "$RC" -ne 0
expect_out 'certificate' "notify-test names the certificate error"
bg enable --reason "webhook behind a foreign CA"
expect_rc 0 "the enable itself succeeds"
check "its notice stays in the spool" sh -c 'ls "$1"/state/spool/*.json >/dev/null 2>&1' - "$T"
check "the webhook server got no request" sh -c '! grep -qs webhook "$1/foreign.log"' - "$T"
bg disable --reason "webhook test done"
expect_uac 66050 "disabled again"
stop_foreign
stop_graph
