#!/bin/sh
# SPDX-License-Identifier: ISC
# 86-signin.sh - the signin-failures health source (issue 17): the tenant's
# own MFA failures (auditLogs/signIns, failures only, every page) seen before
# Microsoft posts anything.  A spike of 500121 from 6 users is one warning
# notice within signin_every + 1 s; one user's 20 failures, 50074 interrupts
# and a low failure ratio are none; with signin-failures = act it enables
# and disables like a service-health outage; a 403 (no P1 licence) is
# unknown, logged once, no notice; a 429's Retry-After is honoured.
. "$(dirname "$0")/../lib/common.sh"

# spike USERS PER_USER CODE [PAGE_SIZE]: failures made when they are served,
# with the "MFA required" interrupt before each (what Entra logs)
spike() {
	scenario "{\"signins\": {\"page_size\": ${4:-0}, \"generate\": [
	  {\"users\": $1, \"per_user\": $3, \"code\": 50074},
	  {\"users\": $1, \"per_user\": $3, \"code\": $2,
	   \"app\": \"Office 365 Exchange Online\"}]}}"
}
signin_reqs() { grep -c 'auditLogs/signIns.*errorCode ne 0' "$T/graph.log" 2>/dev/null || true; }
# reads N: wait until the source has read the sign-in log N more times
reads() {
	r_want=$(( $(signin_reqs) + $1 ))
	wait_for "the source reads the sign-in log $1 more times" 20 \
	    sh -c '[ "$(grep -c "auditLogs/signIns.*errorCode ne 0" "$1/graph.log")" -ge "$2" ]' - "$T" "$r_want"
}
source_field() {	# source_field NAME FIELD: from `health --json`
	printf '%s' "$OUT" | pyjson "[s for s in j['sources'] if s['name'] == '$1'][0]['$2']"
}
warns() { audit_count '"event":"warn"'; }

signin_policy() {
	POLICY="mode = \"auto\"
  poll_interval = 1
  rise = ${2:-2}
  fall = ${3:-2}
  signin_every = 2s
  $1"
}

# -- warn (the default): one notice per episode, with its evidence ----------
new_case signin-warn
set_uac "$BTG_DN" 66050
start_graph
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
signin_policy ''
smtp_section
scenario '{}'
verdict healthy "no sign-in failures: healthy"
check "health --json lists the three sources" sh -c \
    '[ "$(printf "%s" "$1" | /usr/bin/python3 -c "import json,sys; print(\",\".join(s[\"name\"] for s in json.load(sys.stdin)[\"sources\"]))")" = "service-health,token-probe,signin-failures" ]' - "$OUT"
check "the sign-in log is asked server-side for failures in the window" \
    grep -q '"query": "$filter=createdDateTime ge 20[0-9T:.-]*Z and status/errorCode ne 0' "$T/graph.log"
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
after_polls 2 "the agent polls a healthy tenant"
t0=$(date +%s.%N)
spike 6 500121 1 4
wait_for "6 users failing 500121: a warn line in the audit" 10 audit_has '"event":"warn"'
lat=$(/usr/bin/python3 -c "
import json, sys, datetime
w = [json.loads(l) for l in open(sys.argv[2]) if '\"event\":\"warn\"' in l][0]
t = datetime.datetime.strptime(w['time'], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()
print('%.2f' % (t - float(sys.argv[1])))" "$t0" "$T/state/audit.log")
check "the warning came within signin_every + 1 s = 3 s of the spike being served (${lat} s)" \
    /usr/bin/python3 -c "import sys; sys.exit(0 if $lat <= 3.0 else 1)"
check "pages were followed (page_size 4, 12 sign-ins)" grep -q '"page_skip": 8' "$T/graph.log"
check "the warning counts every page: 6 failures from 6 users" \
    audit_has '"event":"warn".*MFA failures: 6 from 6 users in 10m, code 500121'
check "it says Microsoft has posted nothing" audit_has '"event":"warn".*Microsoft has posted nothing'
check "and what to do if confirmed" audit_has '"event":"warn".*breakglass enable --reason'
wait_for "one warning mail" 10 sh -c 'grep -l "^Subject: .*WARNING" "$1"/mail/*.eml 2>/dev/null | grep -q .' - "$T"
mail=$(grep -l "^Subject: .*WARNING" "$T"/mail/*.eml | head -n 1)
check "the notice counts per code" grep -q 'code 500121: 6' "$mail"
check "the notice names the users masked (first letter and domain)" grep -q 'u\*\*\*@corp.example.test' "$mail"
check "no UPN in the clear" sh -c '! grep -q "u[0-9]@corp.example.test" "$1"' - "$mail"
check "the notice gives the first and last failure times" grep -q 'first failure 20.*, last 20' "$mail"
check "the notice names the top applications" grep -q 'top applications: Office 365 Exchange Online (6)' "$mail"
bg status --json
check "status --json shows the source in outage, warning only" sh -c \
    'printf "%s" "$1" | /usr/bin/python3 -c "import json,sys; s=[s for s in json.load(sys.stdin)[\"health\"][\"sources\"] if s[\"name\"]==\"signin-failures\"][0]; sys.exit(0 if s[\"verdict\"]==\"outage\" and s[\"role\"]==\"warn\" and s[\"warning\"] and s[\"evidence\"] else 1)"' - "$OUT"
bg status
expect_out 'source +signin-failures \(warn\): outage: MFA failures' "status names every source with its verdict"
bg check
expect_rc 1 "check WARNs while a warning source is in outage"
expect_out 'WARNING.*signin-failures: MFA failures' "check says which source"
reads 2
check "one warning for the episode" test "$(warns)" -eq 1
expect_uac 66050 "a warning source alone never enables"

# -- not an outage: one user, interrupts, a low ratio -----------------------
scenario '{}'
reads 2
bg check
expect_rc 0 "check is OK again once the failures stop"
spike 1 500121 20
reads 2
check "20 failures from one user (a locked phone): no warning" test "$(warns)" -eq 1
scenario '{"signins": {"generate": [{"users": 30, "code": 50074}, {"users": 30, "code": 50076}]}}'
reads 2
check "50074/50076 interrupts from 30 users: no warning" test "$(warns)" -eq 1
scenario '{"signins": {"generate": [{"users": 20, "code": 50074}, {"users": 6, "code": 500121}]}}'
reads 2
check "6 users failing of 20 MFA attempts (ratio 0.3 < 0.5): no warning" test "$(warns)" -eq 1
bg health --json
check "health shows the low ratio as healthy" test "$(source_field signin-failures verdict)" = healthy
spike 6 500121 1
wait_for "a new episode warns again" 10 sh -c '[ "$(grep -c "\"event\":\"warn\"" "$1/state/audit.log")" -eq 2 ]' - "$T"
stop_agent
stop_mail
stop_graph

# -- act: enabled after two failing windows, disabled after recovery --------
new_case signin-act
set_uac "$BTG_DN" 66050
start_graph
signin_policy 'signin_every = 1s
  sources { signin-failures = "act" }' 2 2
# signin_every = poll_interval: each poll is one window
POLICY=$(printf '%s\n' "$POLICY" | sed '/signin_every = 2s/d')
write_conf
scenario '{}'
start_agent
after_polls 2 "the agent polls a healthy tenant"
n0=$(signin_reqs)
spike 6 500121 1
wait_for "signin-failures = act: the account is enabled" 15 uac_is 66048
check "after two failing windows (rise 2)" audit_has '"event":"outage-declared".*outage declared after 2 polls.*MFA failures: 6 from 6 users'
check "the outage names its source" audit_has '"event":"outage-declared".*"source":"signin-failures"'
check "two reads of the sign-in log saw it" test $(( $(signin_reqs) - n0 )) -ge 2
scenario '{}'
wait_for "recovered: the account is disabled again (fall 2)" 15 uac_is 66050
check "the outage is cleared after 2 healthy polls" audit_has '"event":"outage-cleared".*after 2 healthy polls'
check "no warn line: an acting source declares" test "$(warns)" -eq 0
stop_agent
stop_graph

# -- 403 (no Entra ID P1): unknown, logged once, no notice, never an outage --
new_case signin-403
set_uac "$BTG_DN" 66050
start_graph
signin_policy '' 1 1
write_conf
scenario '{"signins": {"mode": "nolicence"}}'
bg health --json
expect_rc 0 "health still answers without the sign-in log"
check "the combined verdict is service health's: healthy" test "$(printf '%s' "$OUT" | pyjson 'j["verdict"]')" = healthy
check "signin-failures is unknown" test "$(source_field signin-failures verdict)" = unknown
check "and says why (licence)" sh -c 'printf "%s" "$1" | grep -q "Authentication_RequestFromNonPremiumTenantOrB2CTenant.*P1"' - "$OUT"
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
reads 3
check "logged once in 3 reads" test "$(grep -c 'sign-in log not readable' "$T/agent.log")" -eq 1
check "no warn, no outage" test "$(warns)" -eq 0 -a "$(audit_count '"event":"outage-declared"')" -eq 0
check "the agent's verdict stays healthy (not held unknown)" test "$(pyjson 'j["verdict"]' <"$T/state/status.json")" = healthy
expect_uac 66050 "the account stays disabled"
stop_agent

# -- 429: Retry-After honoured within the poll and across polls -------------
scenario '{"signins": {"mode": "429", "retry_after": 2, "fail_times": 1}}'
bg health --json
check "a 429 with Retry-After 2 inside the poll budget: read after waiting" \
    test "$(source_field signin-failures verdict)" = healthy
# gap: the seconds between the last two sign-in log requests
gap() {
	/usr/bin/python3 -c '
import json, sys
t = [json.loads(l)["time"] for l in open(sys.argv[1]) if "errorCode ne 0" in l]
print("%.2f" % (t[-1] - t[-2]))' "$T/graph.log"
}
g=$(gap)
check "it waited as told (${g} s >= 2 s)" /usr/bin/python3 -c "import sys; sys.exit(0 if $g >= 1.95 else 1)"
scenario '{"signins": {"mode": "429", "retry_after": 6, "fail_times": 1}}'
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
reads 2
g=$(gap)
check "a Retry-After longer than the poll: no request for 6 s (${g} s)" \
    /usr/bin/python3 -c "import sys; sys.exit(0 if $g >= 5.9 else 1)"
stop_agent
stop_graph
