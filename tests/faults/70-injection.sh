#!/bin/sh
# 70-injection.sh - hostile strings in everything a user can supply: the
# reason, the sudo user name, config values.  LDAP filter and DN syntax, CRLF
# and SMTP dot lines, syslog line breaks: each is carried as data or refused
# with a clear error, and only the pinned account's ACCOUNTDISABLE bit moves.
. "$(dirname "$0")/../lib/common.sh"

other() { uac "$OTHER_DN"; }

new_case inject
set_uac "$BTG_DN" 66050
other0=$(other)
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
smtp_section
start_syslog

hostile='*)(objectClass=*))(|(cn=*,CN=other-user,CN=Users,DC=corp,DC=example,DC=test
Bcc: evil@example.com
.
MAIL FROM:<evil@example.com>
RCPT TO:<evil@example.com>'
in_ns enable --reason "$hostile"
expect_rc 0 "enable with an LDAP/SMTP-hostile reason"
expect_uac 66048 "the pinned account was enabled"
check "other-user untouched ($(other))" test "$(other)" = "$other0"
check "the audit log has one line per event (no line break from the reason)" \
    /usr/bin/python3 -c '
import json, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
ev = [json.loads(l) for l in lines]
assert any(e["reason"] == sys.argv[2] for e in ev), "reason not kept verbatim"' \
    "$T/state/audit.log" "$hostile"
check "one mail, to the configured recipients only" /usr/bin/python3 -c '
import email, email.policy, glob, json, sys
ms = sorted(glob.glob(sys.argv[1] + "/*.eml"))
assert len(ms) == 1, ms
meta = json.load(open(ms[0][:-4] + ".json"))
assert sorted(meta["rcpt_tos"]) == ["it-alerts@corp.example.test", "tickets@corp.example.test"], meta
assert meta["mail_from"] == "breakglass@corp.example.test", meta
m = email.message_from_bytes(open(ms[0], "rb").read(), policy=email.policy.default)
assert m["Bcc"] is None, m["Bcc"]
assert "\n" not in str(m["Subject"]), m["Subject"]' "$T/mail"
stop_syslog
check "syslog: the reason did not start a line of its own" \
    sh -c '! grep -q "^Bcc:\|^MAIL FROM\|^RCPT TO" "$1/syslog.txt"' - "$T"
bg history
check "history shows the reason on one row" sh -c \
    '! printf "%s\n" "$1" | grep -q "^Bcc:"' - "$OUT"

# the sudo user name goes into the actor: sanitised
SUDO_USER="$(printf 'evil\nFORGED: x')" SUDO_UID=0 bg disable --reason "sudo user"
expect_rc 0 "disable with a hostile SUDO_USER"
check "the actor carries no line break or spaces" sh -c \
    'tail -n 1 "$1/state/audit.log" | grep -q "\"actor\":\"cli:evil_FORGED__x(uid=0)\""' - "$T"

# config values: LDAP filter / DN syntax, CRLF in mail headers
cp "$T/breakglass.conf" "$T/good.conf"
bad_conf() {
	cp "$T/good.conf" "$T/breakglass.conf"
	sed -i "$1" "$T/breakglass.conf"
	bg config-check
	expect_rc 2 "config with $2 is refused"
	expect_err "breakglass.conf.*$3" "the error names $3"
	check "the error is one line" test "$(printf '%s\n' "$ERR" | wc -l)" -eq 1
}
# filter syntax is legal inside a DN value (RFC 4514): it is a DN of no
# object -- used as a base, never as a filter, it finds nothing
cp "$T/good.conf" "$T/breakglass.conf"
sed -i "s|^  dn .*|  dn = \"CN=btg-admin)(cn=*,CN=Users,$BASE_DN\"|" "$T/breakglass.conf"
bg enable --reason "filter syntax in the DN"
check "a DN with filter syntax matches nothing: exit $RC" test "$RC" -eq 1 -o "$RC" -eq 3
expect_err "[Nn]o such object|Invalid DN syntax" "the DC says no such object or an invalid DN"
expect_uac 66050 "the break-glass account untouched"
check "other-user untouched" test "$(other)" = "$other0"
bad_conf "s|^  dn .*|  dn = \"*\"|" "a DN that is a wildcard" "account.dn"
bad_conf "s|^  upn .*|  upn = \"*)(cn=*\"|" "a UPN with filter syntax" "account.upn"
bad_conf 's|from          = .*|from = "a@b.test\\r\\nBcc: evil@example.com"|' \
    "CRLF in notify.smtp.from" "from"
bad_conf 's|to            = .*|to = {"x@y.test>\\r\\nRCPT TO:<evil@example.com"}|' \
    "CRLF in notify.smtp.to" "to"
bad_conf "s|^  bind_dn .*|  bind_dn = \"svc\\nX\"|" "a line break in ldap.bind_dn" "bind_dn"

# a valid DN of another object, with the btg GUID pinned: refused
cp "$T/good.conf" "$T/breakglass.conf"
sed -i "s|^  dn .*|  dn = \"$OTHER_DN\"|" "$T/breakglass.conf"
bg enable --reason "pointed at another user"
expect_rc 3 "a DN naming another object than the pinned GUID is refused"
check "other-user still untouched" test "$(other)" = "$other0"
expect_uac 66050 "the break-glass account untouched by the refusal"

# libldap reads ldap.conf, ldaprc in the working directory, ~/ldaprc,
# ~/.ldaprc, $LDAPRC and LDAP* variables: none of them may change how
# breakglass talks to the DC.  The probe: a source address this host lacks.
cp "$T/good.conf" "$T/breakglass.conf"
mkdir -p "$T/cwd" "$T/home"
bindaddr='SOCKET_BIND_ADDRESSES 192.0.2.1'
check "ldapsearch answers without the probe" sh -c \
    'cd "$1/cwd" && LDAPTLS_CACERT="$2" ldapsearch -x -o nettimeout=3 \
    -H "$3" -b "" -s base >/dev/null 2>&1' - "$T" "$CA_FILE" "$LDAPS_URI"
printf '%s\n' "$bindaddr" >"$T/cwd/ldaprc"
check "the probe works on libldap: ldapsearch in that directory fails" sh -c \
    'cd "$1/cwd" && ! LDAPTLS_CACERT="$2" ldapsearch -x -o nettimeout=3 \
    -H "$3" -b "" -s base >/dev/null 2>&1' - "$T" "$CA_FILE" "$LDAPS_URI"
cd "$T/cwd"
bg status
expect_rc 0 "status with an ldaprc in the working directory"
rm ldaprc
printf '%s\n' "$bindaddr" >"$T/home/.ldaprc"
home=$HOME
export HOME="$T/home"
bg status
expect_rc 0 "status with a ~/.ldaprc"
export HOME="$home"
export LDAPRC="$T/home/.ldaprc"
bg status
expect_rc 0 "status with \$LDAPRC set"
unset LDAPRC
export LDAPSOCKET_BIND_ADDRESSES=192.0.2.1
bg status
expect_rc 0 "status with \$LDAPSOCKET_BIND_ADDRESSES set"
unset LDAPSOCKET_BIND_ADDRESSES
cd - >/dev/null
