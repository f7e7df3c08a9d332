#!/bin/sh
# SPDX-License-Identifier: ISC
# 97-watch.sh - sign-in alerting without Log Analytics: the cloud user's
# sign-ins (Graph auditLogs/signIns) one notice each, never twice; the AD
# account's badPwdCount (password guessing on the disabled account),
# memberOf and friends watched every poll.
. "$(dirname "$0")/../lib/common.sh"

S="-H $DC_DIR/private/sam.ldb -s $DC_DIR/etc/smb.conf"
# Samba counts bad passwords only with a lockout threshold set
samba-tool domain passwordsettings set --account-lockout-threshold=999 $S >/dev/null
restore() {
	cleanup_case
	samba-tool domain passwordsettings set --account-lockout-threshold=0 $S >/dev/null
	printf 'dn: CN=Domain Admins,CN=Users,%s\nchangetype: modify\ndelete: member\nmember: %s\n' \
	    "$BASE_DN" "$BTG_DN" | LDAPTLS_CACERT=$CA_FILE ldapmodify -H "$LDAPS_URI" \
	    -D "$ADMIN_DN" -w "$ADMIN_PASS" >/dev/null 2>&1
}
trap restore EXIT

signin() {	# signin ID SECONDS_FROM_NOW ERRORCODE
	/usr/bin/python3 - "$@" <<'PY'
import json, sys, time
t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + int(sys.argv[2])))
code = int(sys.argv[3])
print(json.dumps({"id": sys.argv[1], "createdDateTime": t,
    "userPrincipalName": "btg-admin@corp.example.test",
    "userDisplayName": "btg-admin", "appDisplayName": "Azure Portal",
    "ipAddress": "203.0.113.7", "clientAppUsed": "Browser",
    "conditionalAccessStatus": "notApplied", "isInteractive": True,
    "location": {"city": "Berlin", "state": "Berlin", "countryOrRegion": "DE"},
    "status": {"errorCode": code, "failureReason": "Other." if code == 0 else
               "Invalid username or password.", "additionalDetails": None}}))
PY
}
signins() { scenario "{\"signins\": {\"items\": [$1]}}"; }
mails() { grep -l "^Subject: .*$1" "$T"/mail/*.eml 2>/dev/null | wc -l; }
count_is() { [ "$(audit_count "$1")" -eq "$2" ]; }
mails_are() { [ "$(mails "$1")" -eq "$2" ]; }
wrong_bind() {
	LDAPTLS_CACERT=$CA_FILE ldapsearch -LLL -H "$LDAPS_URI" \
	    -D btg-admin@corp.example.test -w "not-the-password" -b "$BTG_DN" \
	    -s base dn >/dev/null 2>&1
}

new_case watch
set_uac "$BTG_DN" 66050
start_graph
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
POLICY='mode = "auto"
  poll_interval = 1'
smtp_section
EXTRA="$EXTRA
watch {
  every = 1s
}"
write_conf
signins ""
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
wait_for "the first look at the account is remembered" 10 \
    grep -q '"ad"' "$T/state/state.json"
check "the first look raised nothing" sh -c '! grep -q "ad-watch" "$1/state/audit.log"' - "$T"

# password guessing against the disabled account
wrong_bind
wrong_bind
wait_for "bad passwords on the disabled account are noticed" 10 \
    audit_has '"event":"ad-watch".*badPwdCount 0 -> [12]'
wait_for "and mailed as account activity" 10 mails_are "ACCOUNT ACTIVITY IN AD" 1
check "the mail calls it password guessing" sh -c \
    'grep -l "ACCOUNT ACTIVITY" "$1"/mail/*.eml | xargs grep -q "password guessing"' - "$T"

# a group membership added behind breakglass's back
printf 'dn: CN=Domain Admins,CN=Users,%s\nchangetype: modify\nadd: member\nmember: %s\n' \
    "$BASE_DN" "$BTG_DN" | LDAPTLS_CACERT=$CA_FILE ldapmodify -H "$LDAPS_URI" \
    -D "$ADMIN_DN" -w "$ADMIN_PASS" >/dev/null
wait_for "a new memberOf is noticed" 10 \
    audit_has '"event":"ad-watch".*memberOf (none) -> CN=Domain Admins'

# cloud sign-ins: one notice each, never twice
n0=$(mails "SIGN-IN")
signins "$(signin a1 2 0), $(signin a2 3 50126)"
wait_for "two sign-ins give two signin lines" 10 count_is '"event":"signin"' 2
wait_for "and two SIGN-IN mails" 10 mails_are "SIGN-IN" $((n0 + 2))
after_polls 8	# sign-ins are read every 1 s (watch.every): 2 reads or more
check "never twice (still 2 after 8 more polls)" test "$(audit_count '"event":"signin"')" -eq 2
check "the line has time, IP, location, app, client, result, CA" sh -c \
    'grep "\"event\":\"signin\"" "$1/state/audit.log" | grep "203.0.113.7" |
    grep "Berlin" | grep "Azure Portal" | grep "Browser" |
    grep "failure 50126: Invalid username or password" | grep -q "notApplied"' - "$T"
signins "$(signin a1 2 0), $(signin a2 3 50126), $(signin a3 4 0)"
wait_for "a third sign-in is one more" 10 count_is '"event":"signin"' 3
check "the filter asked for the user and the time" sh -c \
    'grep "auditLogs/signIns" "$1/graph.log" | grep -v "errorCode ne 0" | tail -n 1 | grep -q "userPrincipalName eq .btg-admin@corp.example.test. and createdDateTime ge 20"' - "$T"

# no AuditLog.Read.All: said once, the agent goes on
scenario '{"signins": {"mode": "403"}}'
wait_for "a 403 on sign-ins is logged" 10 grep -q 'sign-ins of .* cannot be read' "$T/agent.log"
after_polls 8
check "a 403 on sign-ins is logged once" test "$(grep -c 'sign-ins of .* cannot be read' "$T/agent.log")" -eq 1
check "the agent still runs" kill -0 "$AGENT_PID"

# Graph hangs (each sign-in read waits graph.timeout, 3 s): the agent asks
# without the lock, so the command line is never kept out by it
scenario '{"signins": {"mode": "hang"}}'
wait_for "the agent is waiting on a hung Graph" 10 grep -q '"status": "hang"' "$T/graph.log"
locked=0
for i in 1 2 3 4 5; do
	BREAKGLASS_LOCK_WAIT=1 bg auto --reason "lock probe $i"
	[ "$RC" -eq 0 ] || locked=$((locked + 1))
	sleep 0.7
done
check "5 of 5 commands got the lock while Graph hung ($locked kept out)" test "$locked" -eq 0
stop_agent
bg verify
expect_rc 0 "the chain verifies"
