#!/bin/sh
# SPDX-License-Identifier: ISC
# 98-review.sh - after every use (issue 16): the cloud sessions revoked once
# per window (command line and agent), retried after a 503, never in the way
# of the disable; the review of the window (report --json: every event in
# order, durations from the audit times) mailed once; check WARNs until the
# password changed in AD after the window.
. "$(dirname "$0")/../lib/common.sh"

UPN=btg-admin@corp.example.test
UID_CLOUD=6f1c2a3b-0000-4000-8000-00000000b7a9
revokes() { grep -c '"path": "/v1.0/users/[^"]*/revokeSignInSessions"' "$T/graph.log" 2>/dev/null || true; }
revokes_ok() { grep '"path": "/v1.0/users/[^"]*/revokeSignInSessions"' "$T/graph.log" 2>/dev/null | grep -c '"status": 200' || true; }
mails() { grep -l "^Subject: .*$1" "$T"/mail/*.eml 2>/dev/null | wc -l; }
mails_are() { [ "$(mails "$1")" -eq "$2" ]; }
count_is() { [ "$(audit_count "$1")" -eq "$2" ]; }

# the scenario: the cloud user, one sign-in and one change in the window
# (minutes from now), one of each outside it, and the revoke mode
cloud() {	# cloud REVOKE_MODE
	/usr/bin/python3 - "$UPN" "$UID_CLOUD" "$1" >"$T/scen.json" <<'PY'
import json, sys, time
upn, uid, mode = sys.argv[1:4]
def t(s):
    x = time.time() + s
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(x)) + \
        ".%03dZ" % (int(x * 1000) % 1000)
def signin(i, s):
    return {"id": i, "createdDateTime": t(s), "userPrincipalName": upn,
            "userDisplayName": "btg-admin", "appDisplayName": "Graph Explorer",
            "ipAddress": "203.0.113.9", "clientAppUsed": "Browser",
            "conditionalAccessStatus": "notApplied", "isInteractive": True,
            "location": {"city": "Berlin", "state": "Berlin",
                         "countryOrRegion": "DE"},
            "status": {"errorCode": 0, "failureReason": "Other.",
                       "additionalDetails": None}}
def audit(i, s):
    return {"id": i, "category": "Policy", "correlationId": i,
            "result": "success", "resultReason": "",
            "activityDisplayName": "Update conditional access policy",
            "activityDateTime": t(s), "loggedByService": "Conditional Access",
            "operationType": "Update",
            "initiatedBy": {"app": None, "user": {"id": uid, "displayName":
                "btg-admin", "userPrincipalName": upn,
                "ipAddress": "203.0.113.9", "userType": None,
                "homeTenantId": None, "homeTenantName": None}},
            "targetResources": [{"id": "p1", "displayName": "Require MFA",
                "type": "Policy", "userPrincipalName": None,
                "groupType": None, "modifiedProperties": []}],
            "additionalDetails": []}
print(json.dumps({
    "users": {"items": {upn: {"id": uid, "userPrincipalName": upn,
        "accountEnabled": False, "onPremisesSyncEnabled": True}}},
    "signins": {"items": [signin("in-window", 1), signin("long-ago", -86400)]},
    "audits": {"items": [audit("a-in", 1), audit("a-old", -86400)]},
    "revoke": {"mode": mode}}))
PY
	mv "$T/scen.json" "$T/scenario.json"
}

# outage_agent NAME [NOTIFY-EXTRA]: an auto agent (rise 1, fall 1) with
# the cloud scenario, Microsoft's outage served, the account enabled
outage_agent() {
	new_case "$1"
	set_uac "$BTG_DN" 66050
	start_graph
	start_mail
	cp "$T/mail.pw" "$T/mail.pw.client"
	POLICY='mode = "auto"
  poll_interval = 1
  rise = 1
  fall = 1'
	smtp_section "${2:-}"
	cloud ok
	/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); s["issues"] = {"items": [json.loads(sys.argv[2])]}
json.dump(s, open(sys.argv[1] + ".tmp", "w"))' "$T/scenario.json" "$(entra_outage)"
	mv "$T/scenario.json.tmp" "$T/scenario.json"
	BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
	wait_for "the agent enables in the outage" 15 uac_is 66048
}

review_case() {	# review_case NAME REVOKE_MODE
	new_case "$1"
	set_uac "$BTG_DN" 66050
	start_graph
	start_mail
	cp "$T/mail.pw" "$T/mail.pw.client"
	smtp_section
	cloud "$2"
}

# -- the command line: one window, everything after it ------------------
review_case review-cli ok
bg enable --reason "INC-16 review"
expect_rc 0 "enable"
sleep 2
bg disable --reason "INC-16 over"
expect_rc 0 "disable"
expect_uac 66050 "the account is disabled"
check "the sessions were revoked once, by one POST ($(revokes))" \
    test "$(revokes_ok)" -eq 1 -a "$(revokes)" -eq 1
check "sessions-revoked ok audited once" count_is '"event":"sessions-revoked".*"result":"ok"' 1
check "after the disable's lines" /usr/bin/python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
d = [l["seq"] for l in ls if l["event"] == "disable" and l["result"] == "ok"][0]
r = [l["seq"] for l in ls if l["event"] == "sessions-revoked"][0]
sys.exit(0 if r > d else 1)' "$T/state/audit.log"
check "the review mailed once" mails_are "REVIEW AFTER USE" 1
check "the review is audited once" count_is '"event":"review"' 1
check "the review mail is linked to its audit line, and holds the timeline" /usr/bin/python3 -c '
import email, email.policy, glob, json, re, sys
m = [email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
     for f in sorted(glob.glob(sys.argv[1] + "/mail/*.eml"))]
m = [x for x in m if "REVIEW AFTER USE" in x["Subject"]][0]
seq = int(re.search(r"seq=(\d+)", m["X-Breakglass-Audit"]).group(1))
line = [json.loads(l) for l in open(sys.argv[1] + "/state/audit.log")][seq - 1]
assert line["event"] == "review", line
body = m.get_content()
for w in ("Timeline", "sessions-revoked", "Cloud sign-ins in the window: 1",
          "rotate the password", "1 directory audit(s)"):
    assert w in body, (w, body)' "$T"
bg report --json
expect_rc 0 "report --json"
printf '%s\n' "$OUT" >"$T/report.json"
cp "$T/state/audit.log" "$T/audit.copy"
check "report --json: every event of the window in order, durations from the audit times" /usr/bin/python3 -c '
import json, sys, datetime
w = json.load(open(sys.argv[1]))
log = [json.loads(l) for l in open(sys.argv[2])]
def ms(t):
    return datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
want = [(l["seq"], l["event"]) for l in log if l["result"] != "started"
        and l["event"] not in ("notify-failed",)]
got = [(e["seq"], e["event"]) for e in w["events"]]
assert got == want, (got, want)
assert [e["event"] for e in w["events"]] == ["override-set", "enable",
    "override-set", "disable", "sessions-revoked", "review"], got
en = [l for l in log if l["event"] == "enable" and l["result"] == "ok"][0]
di = [l for l in log if l["event"] == "disable" and l["result"] == "ok"][0]
rv = [l for l in log if l["event"] == "sessions-revoked"][0]
d = w["durations"]
assert abs(d["enabled_s"] - (ms(di["time"]) - ms(en["time"]))) < 0.002, d
assert d["enabled_s"] >= 1, d
assert abs(d["disabled_to_sessions_revoked_s"] - (ms(rv["time"]) - ms(di["time"]))) < 0.002, d
for e, l in zip(w["events"], [l for l in log if l["result"] != "started"]):
    assert abs(e["at_s"] - (ms(l["time"]) - ms(en["time"]))) < 0.002, (e, l)
assert w["events"][0]["at_s"] < 0
assert w["signins"]["count"] == 1 and w["signins"]["items"][0]["ip"] == "203.0.113.9", w["signins"]
assert w["changes"]["count"] == 1 and w["changes"]["user_id"], w["changes"]
todo = {t["item"]: t for t in w["todo"]}
assert todo["rotate-password"]["done"] is False, todo
assert todo["revoke-sessions"]["done"] is True, todo
' "$T/report.json" "$T/audit.copy"
check "the directory audits were asked for by the cloud user id" \
    grep -q "initiatedBy/user/id eq '$UID_CLOUD'" "$T/graph.log"
bg report
expect_out "^To do:" "report prints the to-do list"
bg report --seq 1 --last
expect_rc 2 "report: one of --last, --seq, --since"

bg check
expect_rc 1 "check WARNs after the window"
expect_out "password not changed since the account was used \(window ended 20" \
    "check says the password was not rotated"
"$LIB/dc.sh" set-password "$DC_DIR" btg-admin 'Rotated-After-Use.16!'
bg check
expect_rc 0 "check is OK once pwdLastSet moved past the window's end"

# the directory audits need AuditLog.Read.All: a 403 says which
/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); s["audits"] = {"mode": "403"}
json.dump(s, open(sys.argv[1] + ".tmp", "w"))' "$T/scenario.json"
mv "$T/scenario.json.tmp" "$T/scenario.json"
bg report
expect_out "cannot check: grant AuditLog.Read.All" "a 403 names the permission"
stop_graph
stop_mail

# -- a hanging Graph never delays the disable; a 503 is retried ----------
review_case review-hang hang
bg enable --reason "INC-17 hang"
"$BIN" -c "$T/breakglass.conf" disable --reason "INC-17 over" >"$T/d.out" 2>&1 &
DPID=$!
wait_for "the account is disabled while the revoke still hangs" 5 uac_is 66050
check "the disable command was still waiting on Graph then" kill -0 "$DPID"
wait "$DPID"
check "the disable exits 0 all the same" test $? -eq 0
check "the hung revoke is audited as failed" count_is '"event":"sessions-revoked".*"result":"failed' 1
stop_graph
stop_mail

review_case review-503 503
bg enable --reason "INC-18 503"
bg disable --reason "INC-18 over"
expect_rc 0 "the disable succeeds while Graph answers 503"
expect_uac 66050 "and the account is disabled"
check "the failure is audited once" count_is '"event":"sessions-revoked".*"result":"failed' 1
wait_for "and mailed" 10 mails_are "SESSIONS NOT REVOKED" 1
check "the revocation stays due in state.json" grep -Eq '"revoke_pending":[[:space:]]*true' "$T/state/state.json"
cloud ok
POLICY='mode = "manual"
  poll_interval = 1'
smtp_section
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
wait_for "the agent retries and the sessions are revoked" 15 \
    count_is '"event":"sessions-revoked".*"result":"ok"' 1
after_polls 4 "the agent polls on"
check "revoked once: no POST after the success ($(revokes_ok) ok)" test "$(revokes_ok)" -eq 1
check "the failure was not audited again" count_is '"event":"sessions-revoked".*"result":"failed' 1
check "the review was mailed once" mails_are "REVIEW AFTER USE" 1
stop_agent
stop_graph
stop_mail

# -- the agent: an outage window, closed by the agent --------------------
outage_agent review-agent "remind_every = 1"
/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); s["issues"] = {"items": []}
json.dump(s, open(sys.argv[1] + ".tmp", "w"))' "$T/scenario.json"
mv "$T/scenario.json.tmp" "$T/scenario.json"
wait_for "and disables after it" 15 uac_is 66050
wait_for "the agent revokes the sessions" 15 \
    count_is '"event":"sessions-revoked".*"result":"ok"' 1
wait_for "the review is mailed" 15 mails_are "REVIEW AFTER USE" 1
wait_for "the password rotation is reminded (notify.remind_every)" 15 \
    mails_are "PASSWORD NOT ROTATED" 1
after_polls 4 "the agent polls on"
check "one revocation for the window" test "$(revokes_ok)" -eq 1
check "one review for the window" mails_are "REVIEW AFTER USE" 1
bg report --json
printf '%s\n' "$OUT" >"$T/report.json"
check "the agent's window: declared, enabled, cleared, disabled, revoked" /usr/bin/python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))
ev = [e["event"] for e in w["events"]]
want = ["outage-declared", "enable", "outage-cleared", "disable", "sessions-revoked", "review"]
it = iter(ev)
assert all(x in it for x in want), ev
assert w["events"][0]["event"] == "outage-declared" and w["events"][0]["at_s"] <= 0, w["events"][0]
assert w["durations"]["declared_to_enabled_s"] >= 0 and w["durations"]["enabled_s"] > 0, w["durations"]
' "$T/report.json"
"$LIB/dc.sh" set-password "$DC_DIR" btg-admin 'Rotated-By-Agent.16!'
wait_for "the agent records the rotation" 15 audit_has '"event":"password-rotated"'
n=$(mails "PASSWORD NOT ROTATED")
after_polls 6 "the agent polls on after the rotation"
check "no reminder after the rotation" mails_are "PASSWORD NOT ROTATED" "$n"
stop_agent
stop_graph
stop_mail

# -- a window closed from outside: a responder disables it mid-outage -----
outage_agent review-drift
set_uac "$BTG_DN" 66050		# a responder who suspects it is compromised
wait_for "the disable from outside is drift" 15 \
    audit_has '"event":"drift".*"to":"disabled"'
wait_for "the sessions of that window are revoked too" 15 \
    count_is '"event":"sessions-revoked".*"result":"ok"' 1
wait_for "and its review mailed" 15 mails_are "REVIEW AFTER USE" 1
stop_agent
stop_graph
stop_mail

# -- a drill is not a use: no review, no rotation warning -----------------
new_case review-drill
set_uac "$BTG_DN" 66050
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
smtp_section
bg drill --reason "quarterly drill"
expect_rc 0 "the drill passes"
check "no sessions revoked after a drill" count_is '"event":"sessions-revoked"' 0
check "no review after a drill" count_is '"event":"review"' 0
bg check
check "check asks for no password rotation after a drill" sh -c \
    '! printf "%s\n" "$1" | grep -q "password not changed"' - "$OUT"
check "no review mail after a drill" mails_are "REVIEW AFTER USE" 0
stop_mail
