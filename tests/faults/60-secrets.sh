#!/bin/sh
# SPDX-License-Identifier: ISC
# 60-secrets.sh - the LDAP bind password, the Graph client secret and the SMTP
# password never reach anything breakglass writes: stdout, stderr, syslog,
# audit, state, status, spool, mail, the agent's log, /proc/PID/cmdline --
# in success and in failure (wrong secrets, relay down).  Nor does the token in
# a webhook URL (config-check masks it).  Also: modes of what it creates,
# secret files refused when loose or foreign-owned, webhook.url_file, a
# password in notify.smtp.url refused, no plain LDAP smuggled into ldap.uri.
. "$(dirname "$0")/../lib/common.sh"

mail_agent_case secrets 1 1
# a webhook URL carries its credential in the path or the query (Teams, Slack)
printf 'webhook-token-%s\n' "$$" >"$T/webhook.token"
chmod 600 "$T/webhook.token"
smtp_section "webhook { url = \"$GRAPH_URL/webhook?sig=$(cat "$T/webhook.token")\" ca_file = \"$CA_FILE\" }"
start_syslog
SECRETS="$T/ldap.secret $T/graph.secret $T/mail.pw.client $T/webhook.token"
: >"$T/cmdlines"

# run ARGS...: the command in the syslog namespace, output kept
run() {
	in_ns "$@"
	cat "$T/out" "$T/err" >>"$T/all-output"
}

run config-check
expect_rc 0 "config-check with every channel"
check "config-check shows the webhook URL as https://host:port/***" \
    grep -qE '^ +url += "https://127\.0\.0\.1:[0-9]+/\*\*\*"$' "$T/out"
run notify-test
check "the webhook was called with its token" sh -c \
    'grep "\"path\": \"/webhook\"" "$1/graph.log" | grep -F -f "$1/webhook.token" | grep -q "\"status\": 200"' - "$T"
run enable --reason "secrets check"
expect_rc 0 "enable with every channel"
run status
run status --json
run history --json
run verify
run health --json
run disable --reason "secrets check"
run auto --reason "back to the agent"
# the agent through an outage and back, in the namespace
export BREAKGLASS_POLL_INTERVAL_MS=200
scenario "{\"issues\": {\"items\": [$(entra_outage)]}}"
run run --polls 4
scenario '{}'
run run --polls 4
expect_uac 66050 "the agent enabled and disabled it"
check "the agent enabled it" audit_has '"actor":"agent","event":"enable".*"result":"ok"'

# the agent's command line, read while it runs
BREAKGLASS_POLL_INTERVAL_MS=200 start_agent
sleep 1
tr '\0' ' ' </proc/"$AGENT_PID"/cmdline >>"$T/cmdlines"
echo >>"$T/cmdlines"
stop_agent
cat "$T/agent.log" >>"$T/all-output"

# failures: each secret wrong in turn (errors must not echo the right one or
# the wrong one), the relay down so notices sit in the spool
printf 'wrong-ldap-%s\n' "$$" >"$T/wrong.ldap"
printf 'wrong-graph-%s\n' "$$" >"$T/wrong.graph"
printf 'wrong-smtp-%s\n' "$$" >"$T/wrong.smtp"
chmod 600 "$T"/wrong.*
SECRETS="$SECRETS $T/wrong.ldap $T/wrong.graph $T/wrong.smtp"
cp "$T/ldap.secret" "$T/ldap.good"; cp "$T/wrong.ldap" "$T/ldap.secret"
run enable --reason "wrong bind password"
check "a wrong bind password fails" test "$RC" -ne 0
cp "$T/ldap.good" "$T/ldap.secret"
cp "$T/graph.secret" "$T/graph.good"; cp "$T/wrong.graph" "$T/graph.secret"
run health --json
check "a wrong client secret gives unknown" sh -c 'grep -q "\"unknown\"" "$1/out"' - "$T"
cp "$T/graph.good" "$T/graph.secret"
cp "$T/wrong.smtp" "$T/mail.pw.client"
run notify-test
check "a wrong SMTP password fails notify-test" test "$RC" -ne 0
cp "$T/mail.pw" "$T/mail.pw.client"
stop_mail
run enable --reason "relay down"
check "notices wait in the spool" test "$(spool_count)" -gt 0
stop_syslog

# everything written, in one list (not the secret files themselves)
find "$T/state" -type f >"$T/written"
ls "$T"/mail/* >>"$T/written" 2>/dev/null
printf '%s\n' "$T/all-output" "$T/syslog.txt" "$T/cmdlines" "$T/agent.log" >>"$T/written"
check "what was written includes audit, state, status, spool, mail, syslog" \
    sh -c 'grep -q audit.log "$1" && grep -q state.json "$1" &&
    grep -q status.json "$1" && grep -q /spool/ "$1" && grep -q "\.eml$" "$1" &&
    test -s "$2/syslog.txt"' - "$T/written" "$T"
hits=0
for s in $SECRETS; do
	n=$(xargs grep -alF -f "$s" <"$T/written" | wc -l)
	if [ "$n" -ne 0 ]; then
		notok "the secret in $(basename "$s") appears in: $(xargs grep -alF -f "$s" <"$T/written" | tr '\n' ' ')"
		hits=$((hits + n))
	fi
done
nsec=$(echo $SECRETS | wc -w)
check "0 hits of $nsec secrets in $(wc -l <"$T/written") files written" test "$hits" -eq 0
echo "# figure: $hits hits of $nsec secrets in $(wc -l <"$T/written") files written"

# modes: files 0600, dirs 0700 (umask is set by breakglass, not inherited)
bad=$(find "$T/state" \( -type f ! -perm 0600 \) -o \( -type d ! -perm 0700 \) | grep -v '/lock$' | head -3)
check "state files 0600 and dirs 0700 (${bad:-all})" test -z "$bad"
new_case umask
(umask 000; "$BIN" -c "$T/breakglass.conf" history >/dev/null 2>&1; \
    "$BIN" -c "$T/breakglass.conf" enable --reason "umask 000" >/dev/null 2>&1)
bad=$(find "$T/state" \( -type f -perm /077 \) -o \( -type d -perm /077 \) | head -3)
check "even under umask 000 nothing is group/world accessible (${bad:-none})" test -z "$bad"
bg disable --reason "umask cleanup"

# secret files: loose modes and foreign owners are refused
chmod 640 "$T/ldap.secret"
bg enable --reason "loose secret"
expect_rc 2 "a group-readable bind password file is refused"
expect_err "ldap.bind_password_file: .*0640" "the error names the key and the mode"
chmod 600 "$T/ldap.secret"
chown nobody "$T/ldap.secret"
bg enable --reason "foreign secret"
expect_rc 2 "a bind password file owned by another user is refused"
expect_err "ldap.bind_password_file: .*owned by" "the error names the owner problem"
chown root "$T/ldap.secret"
expect_uac 66050 "no refusal touched the account"

# webhook.url_file: the URL (its token) kept in a secret file
stop_graph
new_case urls
set_uac "$BTG_DN" 66050
start_graph
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
printf '%s/webhook?sig=webhook-file-token-%s\n' "$GRAPH_URL" "$$" >"$T/webhook.url"
chmod 600 "$T/webhook.url"
printf 'webhook-file-token-%s\n' "$$" >"$T/webhook.token"
smtp_section "webhook { url_file = \"$T/webhook.url\" ca_file = \"$CA_FILE\" }"
bg config-check
expect_rc 0 "config-check with notify.webhook.url_file"
expect_out "url_file += \"$T/webhook.url\"" "config-check names the file"
check "config-check does not print the URL in it" sh -c \
    '! grep -qF -f "$1/webhook.token" "$1/out" "$1/err"' - "$T"
bg notify-test
expect_rc 0 "notify-test with notify.webhook.url_file"
check "the webhook was called with the URL from the file" sh -c \
    'grep "\"path\": \"/webhook\"" "$1/graph.log" | grep -F -f "$1/webhook.token" | grep -q "\"status\": 200"' - "$T"
chmod 640 "$T/webhook.url"
bg config-check
expect_rc 2 "a group-readable webhook.url_file is refused"
expect_err "notify.webhook.url_file: .*0640" "the error names the key and the mode"
chmod 600 "$T/webhook.url"
cp "$T/breakglass.conf" "$T/good.conf"
sed -i "s|webhook { url_file|webhook { url = \"$GRAPH_URL/webhook\" url_file|" "$T/breakglass.conf"
bg config-check
expect_rc 2 "webhook.url and webhook.url_file together are refused"
expect_err "breakglass.conf: notify.webhook.url and notify.webhook.url_file" "the error names both keys"

# the token where each service puts it: the path (Slack, Teams, Discord),
# the query, the fragment, user information; config-check shows
# scheme://host:port/*** and nothing of the rest, also in its errors
tok="hook-token-$$"
for url in "https://hooks.example.test/services/T0AAA/B0BBB/$tok" \
    "https://corp.webhook.office.example.test:8443/webhookb2/1f2e@9a8b/IncomingWebhook/$tok/0c1d" \
    "https://discord.example.test/api/webhooks/123456/$tok" \
    "https://hooks.example.test/webhook?sig=$tok&sv=2" \
    "https://hooks.example.test/webhook#$tok" \
    "https://$tok@hooks.example.test/webhook"; do
	cp "$T/good.conf" "$T/breakglass.conf"
	sed -i "s|webhook { url_file = \"[^\"]*\"|webhook { url = \"$(printf '%s' "$url" | sed 's/&/\\&/g')\"|" "$T/breakglass.conf"
	check "the config under test holds $url" grep -qF "\"$url\"" "$T/breakglass.conf"
	bg config-check
	expect_rc 0 "config-check with the token in $url"
	check "it shows that URL as https://host[:port]/***" \
	    grep -qE '^ +url += "https://[a-z.]+(:8443)?/\*\*\*"$' "$T/out"
	check "the token is nowhere in its output" sh -c \
	    '! grep -qF "$2" "$1/out" "$1/err"' - "$T" "$tok"
done
cp "$T/good.conf" "$T/breakglass.conf"
sed -i "s|webhook { url_file = \"[^\"]*\"|webhook { url = \"http://hooks.example.test/services/T0AAA/B0BBB/$tok\"|" "$T/breakglass.conf"
bg config-check
expect_rc 2 "an http:// webhook URL is refused"
expect_err 'notify.webhook.url: "http://hooks.example.test/\*\*\*": the scheme must be https://' \
    "the error shows it masked"
check "the error does not echo the token" sh -c \
    '! grep -qF "$2" "$1/out" "$1/err"' - "$T" "$tok"

# a password in notify.smtp.url would reach stderr, the audit and the spool
cp "$T/good.conf" "$T/breakglass.conf"
sed -i "s|\"smtp://127.0.0.1:|\"smtp://mailer:$(cat "$T/mail.pw")@127.0.0.1:|" "$T/breakglass.conf"
check "the config under test has the password in notify.smtp.url" \
    grep -qF "mailer:$(cat "$T/mail.pw")@" "$T/breakglass.conf"
bg config-check
expect_rc 2 "notify.smtp.url with user:password@ is refused"
expect_err "breakglass.conf:[0-9]+: .*notify.smtp.url: .*user information.*password_file" \
    "the error names file, line and key, and says where the password goes"
check "the error does not echo the password" sh -c \
    '! grep -qF -f "$1/mail.pw" "$1/out" "$1/err"' - "$T"
lines=$(audit_lines)
mails=$(mail_count)
bg enable --reason "password in the URL"
expect_rc 2 "enable refuses the config too"
check "nothing was audited" test "$(audit_lines)" -eq "$lines"
check "no mail sent" test "$(mail_count)" -eq "$mails"
expect_uac 66050 "the account untouched"
cp "$T/good.conf" "$T/breakglass.conf"

# ldap.uri: libldap takes "ldaps://a ldap://b" as a list; the bind DN and
# password must never go to a plain ldap:// listener hidden in one entry
/usr/bin/python3 - "$T/plain.port" "$T/plain.bytes" <<'PY' &
import socket, sys, threading
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
s.settimeout(120)	# never outlives the test
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
def take(c):
    with c, open(sys.argv[2], "ab", buffering=0) as out:
        while True:
            b = c.recv(65536)
            if not b:
                return
            out.write(b)
while True:
    try:
        c, _ = s.accept()
    except socket.timeout:
        sys.exit(0)
    threading.Thread(target=take, args=(c,), daemon=True).start()
PY
PLAIN_PID=$!
wait_for "a plain TCP listener is up" 10 test -s "$T/plain.port"
: >"$T/plain.bytes"
plain="ldap://127.0.0.1:$(cat "$T/plain.port")"
for uri in "ldaps://127.0.0.1:1 $plain" "ldaps://127.0.0.1:1,$plain" \
    "ldaps://127.0.0.1:1/,$plain"; do
	cp "$T/good.conf" "$T/breakglass.conf"
	sed -i "s|^  uri .*|  uri = {\"$uri\"}|" "$T/breakglass.conf"
	bg config-check
	expect_rc 2 "ldap.uri \"$uri\" is refused by config-check"
	expect_err "breakglass.conf:[0-9]+: .*ldap.uri: .*blank or a comma" "the error names file, line and key"
	bg enable --reason "plain LDAP smuggled"
	expect_rc 2 "enable refuses it too"
done
kill "$PLAIN_PID"
wait "$PLAIN_PID" 2>/dev/null
check "nothing reached the plain listener ($(wc -c <"$T/plain.bytes") bytes)" \
    test ! -s "$T/plain.bytes"
expect_uac 66050 "the account untouched"
cp "$T/good.conf" "$T/breakglass.conf"

stop_graph
# core dumps: a running agent holds the bind password (libldap's copy), curl's
# copy of the client-secret form and the bearer token.  It sets RLIMIT_CORE 0
# and PR_SET_DUMPABLE 0: no core file on a crash, no gcore by its own user.
# Root (CAP_SYS_PTRACE) can still read its memory: that is reported, not
# asserted.  The system-wide core_pattern is not changed (a shared machine):
# the crash checks run when it is a plain file name, which lands in the cwd.
new_case dump
start_graph
POLICY='mode = "auto"
  poll_interval = 1'
write_conf
D=$(mktemp -d /tmp/bg-dump-XXXXXX)
trap 'cleanup_case; rm -rf "$D"' EXIT
mkdir -m 700 "$T/cores"
pattern=$(cat /proc/sys/kernel/core_pattern)
case $pattern in
*/* | "|"*) CRASH_CHECK="" ;;
*) CRASH_CHECK=1 ;;
esac

# secrets_in FILE: which of the three secrets FILE holds
secrets_in() {
	found=""
	grep -qaF -f "$T/ldap.secret" "$1" && found="$found bind-password"
	grep -qaF -f "$T/graph.secret" "$1" && found="$found client-secret"
	grep -qaF -f "$T/graph.tokens" "$1" && found="$found bearer-token"
	echo "${found:- none}"
}
# polled STATE_DIR: the agent has a token, read health twice and the account
polled() {
	[ -s "$T/graph.tokens" ] && /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["polls"] >= 2 and j["account_state"] != "unknown"' "$1/status.json"
}
# no_core DIR DESC: DIR, the crashed agent's cwd, has no core file
no_core() {
	if [ -z "$(ls -A "$1")" ]; then ok "$2"; else
		for f in "$1"/*; do
			notok "$2: $(basename "$f") holds:$(secrets_in "$f")"
		done
		rm -f "$1"/*
	fi
}

# root's agent, started under ulimit -c unlimited; the shipped (not the
# sanitizer) build, whose crash is the kernel's to dump
(cd "$T/cores" && ulimit -c unlimited && exec "${PLAIN_BIN:-$BIN}" \
    -c "$T/breakglass.conf" run) >"$T/agent.log" 2>&1 &
AGENT_PID=$!
wait_for "the agent polls Graph with a token and reads the account" 20 \
    polled "$T/state"
check "RLIMIT_CORE of the running agent is 0, soft and hard" \
    grep -Eq '^Max core file size +0 +0 ' "/proc/$AGENT_PID/limits"
if command -v gcore >/dev/null; then
	gcore -o "$T/gcore" "$AGENT_PID" >"$T/gcore.out" 2>&1
	if [ -s "$T/gcore.$AGENT_PID" ]; then
		echo "# figure: gcore as root (CAP_SYS_PTRACE) still dumps the" \
		    "agent; the core holds:$(secrets_in "$T/gcore.$AGENT_PID")"
		rm -f "$T/gcore.$AGENT_PID"
	else
		echo "# gcore as root wrote no core: $(tail -n 1 "$T/gcore.out")"
	fi
else
	echo "# gcore not installed (Debian package gdb): the root dump not tried"
fi
if [ -n "$CRASH_CHECK" ]; then
	kill -ABRT "$AGENT_PID"
	wait "$AGENT_PID"
	check "the agent died of SIGABRT (exit $?)" test $? -eq 134
	no_core "$T/cores" "no core file after SIGABRT (core_pattern $pattern)"
else
	echo "# core_pattern is $pattern: the crash checks need a plain file" \
	    "name (this test does not change it)"
	kill -9 "$AGENT_PID"
	wait "$AGENT_PID"
fi
AGENT_PID=""

# an agent running as nobody: what its own user can do
user_copy "$D" 65534
mkdir -m 700 "$D/cores"
chown 65534:65534 "$D/cores"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
(cd "$D/cores" && ulimit -c unlimited && exec setpriv --reuid=65534 \
    --regid=65534 --clear-groups "$D/breakglass" -c "$D/breakglass.conf" \
    run) >"$T/agent-nobody.log" 2>&1 &
AGENT_PID=$!
wait_for "the agent as nobody polls Graph and reads the account" 20 \
    polled "$D/state"
check "the agent runs as nobody" \
    test "$(awk '/^Uid:/ {print $2}' "/proc/$AGENT_PID/status")" -eq 65534
check "it is not dumpable: its /proc files belong to root, not nobody" \
    test "$(stat -c %u "/proc/$AGENT_PID/environ")" -eq 0
check "nobody cannot read its environment" \
    nobody sh -c '! cat "/proc/$1/environ" >/dev/null 2>&1' - "$AGENT_PID"
if command -v gcore >/dev/null; then
	HOME="$D/cores" nobody gcore -o "$D/cores/gcore" "$AGENT_PID" \
	    >"$T/gcore-nobody.out" 2>&1
	no_core "$D/cores" "gcore by the agent's own user gets no core"
fi
if [ -n "$CRASH_CHECK" ]; then
	kill -SEGV "$AGENT_PID"
	wait "$AGENT_PID"
	check "the agent as nobody died of SIGSEGV (exit $?)" test $? -eq 139
	no_core "$D/cores" "no core file after SIGSEGV (core_pattern $pattern)"
else
	kill -9 "$AGENT_PID"
	wait "$AGENT_PID"
fi
AGENT_PID=""
