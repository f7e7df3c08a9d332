#!/bin/sh
# SPDX-License-Identifier: ISC
# 70-health.sh - one poll (breakglass health) against the fake Graph: what
# counts as an outage, noise that never does, and every fault giving unknown.
. "$(dirname "$0")/../lib/common.sh"

new_case health
start_graph
POLICY='mode = "auto"'
write_conf

scenario '{}'
verdict healthy "no issues"
expect_rc 0 "health exits 0 on a verdict"

noise_items="$(issue EX1 'Exchange Online' serviceInterruption incident 'Mail delayed'),
$(issue AD2 'Microsoft Entra' serviceInterruption advisory 'Portal slow'),
$(issue AD3 'Microsoft Entra' serviceRestored incident 'Sign-in failures' '' resolved),
$(issue AD4 'Microsoft Entra' falsePositive incident 'Sign-in failures'),
$(issue AD5 'Microsoft Entra' investigating incident 'Sign-in failures'),
$(issue MO6 'Microsoft 365 suite' serviceDegradation advisory 'MFA registration slow' 'multi-factor registration page is slow'),
$(issue SP7 'SharePoint Online' serviceInterruption incident 'Sites down')"
noise="[$noise_items]"
scenario "{\"issues\": {\"items\": $noise}}"
verdict healthy "noise (other services, advisories, resolved, false positive, MFA words in an advisory)"

scenario "{\"issues\": {\"items\": [$(issue MO1 'Microsoft 365 suite' serviceDegradation incident 'Unable to sign in to Microsoft 365 services' 'Users may be unable to sign in using multi-factor authentication.')]}}"
verdict outage "an MFA incident under Microsoft 365 suite"
check "evidence names the issue" sh -c "printf '%s' '$OUT' | grep -q '\"id\": *\"MO1\"'"

for alias in "Identity Service" "Azure Active Directory" "Microsoft Entra" "Microsoft Entra ID"; do
	scenario "{\"issues\": {\"items\": [$(issue AD9 "$alias" serviceInterruption incident 'Sign-in failures')]}}"
	verdict outage "an Entra incident under \"$alias\""
done
scenario "{\"issues\": {\"items\": [$(issue AD8 'microsoft entra id' ServiceDegradation Incident 'x')]}}"
verdict outage "enum values and names compared case-insensitively"

scenario "{\"issues\": {\"page_size\": 2, \"items\": [$noise_items,
$(issue AD10 'Azure Active Directory' extendedRecovery incident 'Late page')]}}"
verdict outage "an Entra incident on a later page"
pages=$(grep -c '"page_skip": [1-9]' "$T/graph.log")
check "nextLink was followed to the 3 later pages ($pages)" test "$pages" -eq 3

for mode in 500 503 garbage truncated html 401 loop foreign; do
	scenario "{\"issues\": {\"mode\": \"$mode\", \"items\": [$(issue AD11 'Microsoft Entra' serviceInterruption incident x)]}}"
	verdict unknown "issues answer \"$mode\""
done
check "a foreign nextLink was never requested" sh -c '! grep -q evil "$1/graph.log"' - "$T"

GRAPH_TIMEOUT=2s
stop_graph
start_graph
write_conf
scenario "{\"issues\": {\"mode\": \"hang\"}}"
start=$(date +%s)
verdict unknown "issues hang past the timeout"
took=$(( $(date +%s) - start ))
check "a hang ends with the timeout (${took}s for 2s)" test "$took" -le 4

GRAPH_TIMEOUT=5s	# room for a Retry-After of 3 s
stop_graph
start_graph
write_conf
before=$(issue_reqs)
scenario "{\"issues\": {\"mode\": \"429\", \"retry_after\": 3, \"fail_times\": 1, \"items\": [$(issue AD12 'Microsoft Entra' serviceInterruption incident x)]}}"
verdict outage "429 with Retry-After 3, then the answer"
waited_as_told "the retry waited Retry-After (3 s, which the 1-2-4 s back-off never waits)" "$before" 3

scenario "{\"issues\": {\"mode\": \"429\", \"retry_after\": 30}}"
verdict unknown "429 with a Retry-After beyond the poll budget"
GRAPH_TIMEOUT=2s
stop_graph
start_graph
write_conf

scenario '{"token": {"mode": "401"}}'
verdict unknown "token endpoint 401"
expect_rc 2 "a 4xx from the token endpoint is a configuration error"
expect_out "AADSTS7000215" "the AAD error is shown"
scenario '{"token": {"mode": "500"}}'
verdict unknown "token endpoint 500"
expect_rc 1 "a 5xx from the token endpoint is a runtime failure"

scenario '{}'
printf 'wrong-secret\n' >"$T/graph.secret"
verdict unknown "a wrong client secret"
expect_out "invalid_client" "invalid_client is reported"
check "the client secret is masked in the request log" sh -c '! grep -q wrong-secret "$1/graph.log"' - "$T"
check "no request carried the secret in its query" sh -c '! grep -q "client_secret=" "$1/graph.log"' - "$T"
stop_graph

# certificate credentials: the server verifies the JWT with the public key
new_case jwt
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/app.key" \
    -out "$T/app.pem" -days 1 -subj /CN=breakglass-test 2>/dev/null
chmod 600 "$T/app.key"
GRAPH_CLIENT_CERT=$T/app.pem
start_graph
GRAPH_SECTION=$(printf '%s\n' "$GRAPH_SECTION" | sed \
    "s|client_secret_file = .*|client_cert_file = \"$T/app.pem\"\n  client_key_file = \"$T/app.key\"|")
POLICY='mode = "auto"'
write_conf
scenario "{\"issues\": {\"items\": [$(issue AD13 'Microsoft Entra' serviceInterruption incident x)]}}"
verdict outage "certificate credentials get a token"
check "the server verified the client assertion with the public key" \
    grep -q '"assertion_verified": true' "$T/graph.log"
check "the assertion carried x5t#S256" grep -q '"x5t#S256"' "$T/graph.log"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/app.key" \
    -out "$T/other.pem" -days 1 -subj /CN=other 2>/dev/null
verdict unknown "a key that does not match the registered certificate"
check "the server rejected that signature" grep -q '"assertion_verified": false' "$T/graph.log"
chmod 644 "$T/app.key"
bg health
expect_rc 2 "a group/world-readable private key is refused"
expect_err "client_key_file" "the error names the key"
stop_graph
GRAPH_CLIENT_CERT=""
