#!/bin/sh
# 60-secrets.sh - the LDAP bind password, the Graph client secret and the SMTP
# password never reach anything breakglass writes: stdout, stderr, syslog,
# audit, state, status, spool, mail, the agent's log, /proc/PID/cmdline --
# in success and in failure (wrong secrets, relay down).  Also: modes of what
# it creates, and secret files refused when loose or foreign-owned.
. "$(dirname "$0")/../lib/common.sh"

mail_agent_case secrets 1 1
start_syslog
SECRETS="$T/ldap.secret $T/graph.secret $T/mail.pw.client"
: >"$T/cmdlines"

# run ARGS...: the command in the syslog namespace, output kept
run() {
	in_ns "$@"
	cat "$T/out" "$T/err" >>"$T/all-output"
}

run config-check
run notify-test
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
check "0 hits of 6 secrets in $(wc -l <"$T/written") files written" test "$hits" -eq 0
echo "# figure: $hits hits of 6 secrets in $(wc -l <"$T/written") files written"

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
