#!/bin/sh
# SPDX-License-Identifier: ISC
# 90-notify.sh - notifications against a real SMTP server (aiosmtpd, STARTTLS
# required, AUTH): delivery, headers, the audit head, hostile reasons, a wrong
# password, the relay down, kill -9 during delivery, webhook, command.
. "$(dirname "$0")/../lib/common.sh"

# mailpy N CODE: Python asserts over m = message N (email.message), meta
mailpy() {
	/usr/bin/python3 -c "import email, email.policy, json, sys, hashlib
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
meta = json.load(open(sys.argv[2]))
$2" "$T/mail/$(printf %04d "$1").eml" "$T/mail/$(printf %04d "$1").json"
}

new_case mail
set_uac "$BTG_DN" 66050
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
smtp_section
bg notify-test
expect_rc 0 "notify-test through SMTP"
expect_out "^smtp +ok" "notify-test reports the channel"
check "the test mail arrived" test "$(mail_count)" -eq 1

bg enable --reason "INC-42 MFA outage"
expect_rc 0 "enable with mail"
check "the enable mail arrived" test "$(mail_count)" -eq 2
check "the spool is empty after delivery" test "$(spool_count)" -eq 0
check "every header, both recipients, STARTTLS and AUTH" mailpy 2 '
assert m["Subject"] == "[breakglass] ENABLED btg-admin (corp.example.test): INC-42 MFA outage", m["Subject"]
for h in ("Date", "Message-ID", "From", "To", "MIME-Version", "Content-Type"):
    assert m[h], h
assert m["From"] == "breakglass@corp.example.test"
assert "it-alerts@corp.example.test" in m["To"] and "tickets@corp.example.test" in m["To"]
assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
assert sorted(meta["rcpt_tos"]) == ["it-alerts@corp.example.test", "tickets@corp.example.test"], meta
assert meta["tls"] is True and meta["auth_user"] == "mailer", meta
assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
body = m.get_content()
assert "State now:   enabled" in body and "Decided by:  cli:" in body
assert "breakglass disable --reason" in body'
seq=$(mailpy 2 'import re; print(re.search(r"seq=(\d+)", m["X-Breakglass-Audit"]).group(1))')
sha=$(mailpy 2 'import re; print(re.search(r"sha256=([0-9a-f]{64})", m["X-Breakglass-Audit"]).group(1))')
line_sha=$(sed -n "${seq}p" "$T/state/audit.log" | tr -d '\n' | sha256sum | cut -d' ' -f1)
check "the audit head in the mail matches the audit log (seq $seq)" test "$sha" = "$line_sha"
check "the body carries the same head" mailpy 2 "assert 'seq $seq sha256 $sha' in m.get_content()"

bg disable --reason "$(printf 'St\303\266rung behoben Bcc: evil@example.com X-Evil: 1')"
expect_rc 0 "disable with header syntax and non-ASCII in the reason"
# the disable ended a window: its mail, then the review after use
check "that mail arrived, and the review" test "$(mail_count)" -eq 4
check "delivered safely: decoded subject, no injected header, no extra recipient" mailpy 3 '
s = m["Subject"]
assert "St\u00f6rung behoben" in s and "\r" not in s and "\n" not in s, repr(s)
assert m["Bcc"] is None and m["X-Evil"] is None
assert len(meta["rcpt_tos"]) == 2, meta
assert "St\u00f6rung" in m.get_content()'

printf 'wrong\n' >"$T/mail.pw.client"
bg enable --reason "wrong mail password"
expect_rc 0 "a wrong SMTP password never fails the account change"
expect_uac 66048 "the account was enabled"
expect_err "not delivered yet; kept in .*spool" "the CLI says the message is spooled"
check "the message is kept in the spool" test "$(spool_count)" -eq 1
check "the spool says why (authentication)" sh -c 'grep -qi "login denied\|auth" "$1"/state/spool/*.json' - "$T"
check "notify-failed is audited" audit_has '"event":"notify-failed"'
check "spool files are 0600" sh -c 'test "$(stat -c %a "$1"/state/spool/*.json)" = 600' - "$T"
bg notify-test
expect_rc 1 "notify-test fails with the wrong password"
expect_out "smtp +FAILED: .*(Login denied|auth)" "notify-test says why"
cp "$T/mail.pw" "$T/mail.pw.client"
start_agent --polls 2
wait "$AGENT_PID"
AGENT_PID=""
check "the agent delivered it once the password was fixed" test "$(spool_count)" -eq 0
check "the spooled enable mail arrived" sh -c 'grep -l "ENABLED btg-admin" "$1"/mail/*.eml | grep -q .' - "$T"

# the relay down for a while: CLI succeeds, the agent delivers later
stop_mail
before=$(mail_count)
bg disable --reason "relay down"
expect_rc 0 "relay down: the CLI still exits 0"
expect_uac 66050 "relay down: the account was disabled"
check "relay down: the messages spooled (the disable, its review)" test "$(spool_count)" -eq 2
EXTRA_SAVE=$EXTRA
POLICY='mode = "manual"
  poll_interval = 1'
write_conf
BREAKGLASS_POLL_INTERVAL_MS=500 start_agent
wait_for "the agent tries the spooled message again (attempt 2)" 20 sh -c \
    'grep -q "\"attempts\":[[:space:]]*[2-9]" "$1"/state/spool/*.json' - "$T"
after_polls 2
check "while the relay is down the messages stay" test "$(spool_count)" -eq 2
n=$(grep -c '"event":"notify-failed"' "$T/state/audit.log")
check "notify-failed once per message, not per attempt ($n lines for 3 messages)" test "$n" -eq 3
start_mail "$MAIL_PORT"
wait_for "the agent delivers after the relay is back" 20 sh -c '[ "$(ls "$1/state/spool" | grep -c json)" -eq 0 ]' - "$T"
check "the relay-down mail arrived" test "$(mail_count)" -gt "$before"
stop_agent

# kill -9 during delivery: the message survives and goes out after restart
stop_mail
bg enable --reason "kill during delivery"
check "spooled while the relay is down" test "$(spool_count)" -eq 1
start_mail "$MAIL_PORT" 6
start_agent
sleep 2
kill -9 "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=""
check "after kill -9 mid-delivery the message is still spooled" test "$(spool_count)" -ge 1
stop_mail
start_mail "$MAIL_PORT"
start_agent
wait_for "after restart the message is delivered" 15 sh -c '[ "$(ls "$1/state/spool" | grep -c json)" -eq 0 ]' - "$T"
check "the restart after kill -9 is audited as unclean" audit_has '"event":"agent-start".*"after_unclean_stop":true'
wait_for "the admins are told the agent restarted after an unclean stop" 10 sh -c 'grep -l "AGENT RESTARTED" "$1"/mail/*.eml | grep -q .' - "$T"
stop_agent

# a partial spool file left by a killed write: removed once an hour old
printf '{"chann' >"$T/state/spool/1-deadbeef-smtp.json.tmp"
touch -d '2 hours ago' "$T/state/spool/1-deadbeef-smtp.json.tmp"
printf '{"chann' >"$T/state/spool/2-deadbeef-smtp.json.tmp"
bg disable --reason cleanup
expect_rc 0 "disable with partial spool files present"
check "a partial spool file two hours old is removed" test ! -e "$T/state/spool/1-deadbeef-smtp.json.tmp"
expect_err "removed .*1-deadbeef-smtp.json.tmp, left by an interrupted write" "its removal is logged"
check "a fresh one (a write in progress) is kept" test -e "$T/state/spool/2-deadbeef-smtp.json.tmp"
rm -f "$T/state/spool/2-deadbeef-smtp.json.tmp"

# the spool cannot be written at the change: the notice stays due, and the
# agent's next cycle spools it from the audit log and delivers it
mv "$T/state/spool" "$T/spool.saved"
touch "$T/state/spool"
bg enable --reason "INC-77 spool not writable"
expect_rc 0 "enable with the spool not writable"
expect_err "notification of enable not spooled" "the CLI says the notice was not spooled"
rm -f "$T/state/spool"
mv "$T/spool.saved" "$T/state/spool"
BREAKGLASS_POLL_INTERVAL_MS=300 bg run --polls 2
check "the agent spooled and sent the notice later" sh -c \
    'grep -l "INC-77 spool not writable" "$1"/mail/*.eml | grep -q .' - "$T"
bg disable --reason cleanup
bg verify
expect_rc 0 "the chain verifies after all notification tests"
pw=$(cat "$T/mail.pw")
check "the SMTP password is nowhere in the state dir" sh -c '! grep -rqF -f "$1/mail.pw" "$1/state"' - "$T"
check "nor in any output" sh -c '! grep -qF -f "$1/mail.pw" "$1/all-output"' - "$T"
stop_mail

# smtps:// (implicit TLS)
new_case smtps
SMTPS=1 start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
smtp_section
sed -i "s|smtp://127.0.0.1:$MAIL_PORT|smtps://127.0.0.1:$MAIL_PORT|" "$T/breakglass.conf"
bg notify-test
expect_rc 0 "notify-test over smtps:// (implicit TLS)"
check "the smtps mail arrived over TLS" mailpy 1 'assert meta["tls"] is True and meta["auth_user"] == "mailer", meta'
stop_mail
sed -i "s|ca_file       = \"$CA_FILE\"|ca_file       = \"$OTHER_CA_FILE\"|" "$T/breakglass.conf"
SMTPS=1 start_mail "$MAIL_PORT"
bg notify-test
expect_rc 1 "a relay certificate from another CA is refused"
expect_out "smtp +FAILED: .*(certificate|SSL)" "the failure names the certificate problem"
stop_mail

# reminders while enabled
new_case remind
set_uac "$BTG_DN" 66050
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
smtp_section "remind_every = 2s"
bg enable --reason "reminder test" --for 1h
POLICY='mode = "manual"'
write_conf
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
wait_for "a reminder arrives while the account is enabled" 10 sh -c 'grep -l "STILL ENABLED" "$1"/mail/*.eml | grep -q .' - "$T"
stop_agent
bg disable --reason cleanup
stop_mail

# starttls = "required" against a relay that offers no STARTTLS: nothing is
# sent, not the password, not the message
new_case starttls-none
set_uac "$BTG_DN" 66050
NO_TLS=1
start_mail
NO_TLS=
cp "$T/mail.pw" "$T/mail.pw.client"
smtp_section
bg notify-test
expect_rc 1 "notify-test: STARTTLS required, the relay offers none"
expect_out "smtp +FAILED: .*(STARTTLS|SSL|TLS)" "the failure names the missing STARTTLS"
bg enable --reason "INC-78 relay without STARTTLS"
expect_rc 0 "a relay without STARTTLS never fails the account change"
check "the notice waits in the spool" test "$(spool_count)" -eq 1
check "no mail went out in clear" test "$(mail_count)" -eq 0
bg disable --reason cleanup
stop_mail

# webhook and command channels
new_case hooks
set_uac "$BTG_DN" 66050
start_graph
cat >"$T/hook.sh" <<'HOOK'
#!/bin/sh
env | grep -E '^(BREAKGLASS_|PATH=|HOME=|USER=)' | sort >"$(dirname "$0")/hook.env.$BREAKGLASS_EVENT"
echo "$1" >"$(dirname "$0")/hook.arg"
HOOK
chmod 755 "$T/hook.sh"
EXTRA="notify {
  webhook { url = \"$GRAPH_URL/webhook\" ca_file = \"$CA_FILE\" }
  command = \"$T/hook.sh first-arg\"
}"
write_conf
bg enable --reason "INC-77 hooks"
expect_rc 0 "enable with webhook and command"
check "the webhook got a JSON POST" grep -q '"path": "/webhook".*"status": 200' "$T/graph.log"
/usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"] == "/webhook":
        open(sys.argv[2], "w").write(r["webhook_body"])' "$T/graph.log" "$T/webhook.json"
pycheck "the webhook payload: event, state, Teams/Slack text, audit head" "$T/webhook.json" '
assert j["event"] == "enable" and j["state"] == "enabled", j
assert j["text"].startswith("[breakglass] ENABLED btg-admin"), j["text"]
assert j["reason"] == "INC-77 hooks" and j["audit_seq"] > 0
assert re.fullmatch(r"[0-9a-f]{64}", j["audit_sha256"])'
check "the command ran without a shell, with its argument" grep -qx first-arg "$T/hook.arg"
check "BREAKGLASS_EVENT" grep -qx 'BREAKGLASS_EVENT=enable' "$T/hook.env.enable"
check "BREAKGLASS_ACCOUNT" grep -qx "BREAKGLASS_ACCOUNT=$BTG_DN" "$T/hook.env.enable"
check "BREAKGLASS_REASON" grep -qx 'BREAKGLASS_REASON=INC-77 hooks' "$T/hook.env.enable"
check "BREAKGLASS_STATE" grep -qx 'BREAKGLASS_STATE=enabled' "$T/hook.env.enable"
seq=$(sed -n 's/^BREAKGLASS_AUDIT_SEQ=//p' "$T/hook.env.enable")
sha=$(sed -n 's/^BREAKGLASS_AUDIT_SHA256=//p' "$T/hook.env.enable")
check "BREAKGLASS_AUDIT_SEQ/SHA256 match the audit log (seq $seq)" test \
    "$sha" = "$(sed -n "${seq}p" "$T/state/audit.log" | tr -d '\n' | sha256sum | cut -d' ' -f1)"
check "the child gets no other environment (no HOME, USER)" sh -c '! grep -qE "^(HOME|USER)=" "$1/hook.env.enable"' - "$T"
scenario '{"webhook": {"mode": "500"}}'
bg disable --reason "webhook fails"
expect_rc 0 "a failing webhook never fails the change"
check "the failed webhook message is spooled" sh -c 'ls "$1"/state/spool | grep -q webhook' - "$T"
check "the command channel still delivered" test -s "$T/hook.env.disable"
stop_graph
