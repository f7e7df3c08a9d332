#!/bin/sh
# SPDX-License-Identifier: ISC
# demo.sh - make demo: an outage drill end to end on loopback.  A throwaway
# Samba AD DC, a server shaped like Microsoft Graph and a mail sink (the test
# bed in tests/lib), breakglass run in automatic mode, narrated step by step.
#   KEEP=1 make demo   leaves everything running and says how to play on
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
LIB=$top/tests/lib
BIN=$top/breakglass
D=${DEMO_DIR:-/tmp/breakglass-demo}
KEEP=${KEEP:-0}
AGENT_PID="" GRAPH_PID="" MAIL_PID=""

if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=""; N=""; fi
say() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
run() { printf '$ %s\n' "$*"; "$@"; }

cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	[ -n "$GRAPH_PID" ] && kill "$GRAPH_PID" 2>/dev/null
	[ -n "$MAIL_PID" ] && kill "$MAIL_PID" 2>/dev/null
	"$LIB/dc.sh" stop "$D/dc" >/dev/null 2>&1 || true
}

wait_until() {	# SECONDS CMD...
	end=$(( $(date +%s) + $1 ))
	shift
	until "$@" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || { echo "demo: timed out" >&2; exit 1; }
		sleep 0.2
	done
}

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (Samba binds ports 389/636)" >&2; exit 1; }
if "$LIB/dc.sh" status "$D/dc" 2>/dev/null; then "$LIB/dc.sh" stop "$D/dc"; fi
rm -rf "$D"
mkdir -p "$D"
[ "$KEEP" = 1 ] || trap cleanup EXIT INT TERM
start=$(date +%s)

say "1. A throwaway Active Directory: Samba AD DC on 127.0.0.1 (about 10 s)"
echo "   with two break-glass users, btg-admin and btg-admin2 (disabled), and"
echo "   svc-breakglass, which may write only their userAccountControl"
"$LIB/dc.sh" start "$D/dc" >"$D/dc-start.log" 2>&1
. "$D/dc/env"
echo "   ok: $BTG_DN, objectGUID $BTG_GUID"
echo "       $BTG2_DN, objectGUID $BTG2_GUID"

say "2. A local HTTPS server shaped like Microsoft Graph, and a mail sink"
echo '{}' >"$D/scenario.json"
printf 'demo-graph-secret\n' >"$D/graph.secret"
cp "$D/graph.secret" "$D/graph.expected"
printf 'demo-mail-password\n' >"$D/mail.pw"
cp "$DC_DIR/svc.secret" "$D/ldap.secret"
chmod 600 "$D"/*.secret "$D/mail.pw" "$D/graph.expected"
/usr/bin/python3 "$LIB/fake_graph.py" --cert "$DC_DIR/pki/server.pem" \
    --key "$DC_DIR/pki/server.key" --port-file "$D/graph.port" \
    --scenario "$D/scenario.json" --log "$D/graph.log" --tenant demo-tenant \
    --client-id demo-app --client-secret-file "$D/graph.expected" \
    >"$D/graph.out" 2>&1 &
GRAPH_PID=$!
/usr/bin/python3 "$LIB/mail_sink.py" --port-file "$D/mail.port" \
    --maildir "$D/mail" --cert "$DC_DIR/pki/server.pem" \
    --key "$DC_DIR/pki/server.key" --require-starttls --user mailer \
    --password-file "$D/mail.pw" >"$D/mail.out" 2>&1 &
MAIL_PID=$!
wait_until 10 test -s "$D/graph.port"
wait_until 10 test -s "$D/mail.port"
GRAPH="https://127.0.0.1:$(cat "$D/graph.port")"
echo "   Graph: $GRAPH   SMTP: smtp://127.0.0.1:$(cat "$D/mail.port") (STARTTLS, AUTH)"

say "3. The configuration ($D/breakglass.conf)"
cat >"$D/breakglass.conf" <<CONF
state_dir = "$D/state"
account primary {
  dn          = "$BTG_DN"
  object_guid = "$BTG_GUID"
  upn         = "btg-admin@corp.example.test"
}
account secondary {
  dn          = "$BTG2_DN"
  object_guid = "$BTG2_GUID"
  upn         = "btg-admin2@corp.example.test"
}
ldap {
  uri                = {"ldaps://127.0.0.1:1", "$LDAPS_URI"}   # the first DC is dead
  bind_dn            = "$SVC_UPN"
  bind_password_file = "$D/ldap.secret"
  ca_file            = "$CA_FILE"
}
graph {
  tenant_id          = "demo-tenant"
  client_id          = "demo-app"
  client_secret_file = "$D/graph.secret"
  authority          = "$GRAPH"
  endpoint           = "$GRAPH"
  ca_file            = "$CA_FILE"
  timeout            = 3s
}
policy {
  mode          = "auto"
  poll_interval = 1s       # 60s in production
  rise          = 2
  fall          = 3
}
notify {
  smtp {
    url           = "smtp://127.0.0.1:$(cat "$D/mail.port")"
    username      = "mailer"
    password_file = "$D/mail.pw"
    ca_file       = "$CA_FILE"
    from          = "breakglass@corp.example.test"
    to            = {"it-alerts@corp.example.test"}
  }
}
CONF
sed 's/^/   /' "$D/breakglass.conf" | sed -n '1,25p'
echo "   ..."
BG="$BIN -c $D/breakglass.conf"

say "4. The agent starts (breakglass run); Microsoft reports no incident"
$BG run >"$D/agent.log" 2>&1 &
AGENT_PID=$!
wait_until 15 test -s "$D/state/status.json"
sleep 2
run $BIN -c "$D/breakglass.conf" status

say "5. Microsoft declares an Entra ID incident"
/usr/bin/python3 - "$D/scenario.json" <<'PY'
import json, os, sys
issue = {"id": "EN482211", "title": "Users can't sign in with multi-factor authentication",
         "impactDescription": "Users may be unable to complete MFA sign-in.",
         "classification": "incident", "origin": "microsoft",
         "status": "serviceInterruption", "service": "Microsoft Entra",
         "feature": "Sign In", "featureGroup": "Authentication", "isResolved": False,
         "startDateTime": "2026-11-25T01:00:00Z", "endDateTime": None,
         "lastModifiedDateTime": "2026-11-25T01:05:00Z", "highImpact": True,
         "details": [], "posts": []}
json.dump({"issues": {"items": [issue]}}, open(sys.argv[1] + ".tmp", "w"))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
PY
echo "   EN482211 [Microsoft Entra, serviceInterruption] Users can't sign in with MFA"
echo "   the agent needs rise = 2 outage polls in a row before it acts ..."
wait_until 20 sh -c "[ \"\$($LIB/dc.sh uac $D/dc '$BTG_DN')\" = 66048 ] && [ \"\$($LIB/dc.sh uac $D/dc '$BTG2_DN')\" = 66048 ]"
echo "   AD now says userAccountControl = $("$LIB/dc.sh" uac "$D/dc" "$BTG_DN") (66050 - ACCOUNTDISABLE): ENABLED"
echo "   and for btg-admin2 = $("$LIB/dc.sh" uac "$D/dc" "$BTG2_DN"): ENABLED"
grep 'enabled by agent' "$D/agent.log" | sed 's/^/   agent: /' || true

say "6. The IT mailbox received (the outage mail, and this one)"
wait_until 10 sh -c "grep -l '^X-Breakglass-Event: enable' $D/mail/*.eml >/dev/null"
/usr/bin/python3 - "$(grep -l '^X-Breakglass-Event: enable' "$D"/mail/*.eml | head -n 1)" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print("   From:    " + m["From"])
print("   To:      " + m["To"])
print("   Subject: " + m["Subject"])
for line in m.get_content().splitlines()[:22]:
    print("   | " + line)
PY

say "7. Microsoft marks the incident resolved"
echo '{}' >"$D/scenario.tmp"
mv "$D/scenario.tmp" "$D/scenario.json"
echo "   the agent needs fall = 3 healthy polls in a row ..."
wait_until 20 sh -c "[ \"\$($LIB/dc.sh uac $D/dc '$BTG_DN')\" = 66050 ] && [ \"\$($LIB/dc.sh uac $D/dc '$BTG2_DN')\" = 66050 ]"
echo "   AD now says userAccountControl = $("$LIB/dc.sh" uac "$D/dc" "$BTG_DN"): DISABLED again"
echo "   and for btg-admin2 = $("$LIB/dc.sh" uac "$D/dc" "$BTG2_DN"): DISABLED again"

say "8. The audit trail: breakglass history and verify"
sleep 1
run $BIN -c "$D/breakglass.conf" history
run $BIN -c "$D/breakglass.conf" verify
run $BIN -c "$D/breakglass.conf" check || true
echo "   mails received: $(ls "$D/mail" | grep -c eml)"

say "Done in $(( $(date +%s) - start )) s."
if [ "$KEEP" = 1 ]; then
	cat <<EOF
Everything is still running (KEEP=1).  Try:
   $BIN -c $D/breakglass.conf status
   $BIN -c $D/breakglass.conf enable --reason "my own drill" --for 5m
   $BIN -c $D/breakglass.conf history
   edit $D/scenario.json (the fake Graph's answer), watch $D/agent.log
   mails land in $D/mail/
Stop it all:  kill $AGENT_PID $GRAPH_PID $MAIL_PID; $LIB/dc.sh stop $D/dc
EOF
fi
