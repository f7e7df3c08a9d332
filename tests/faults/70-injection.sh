#!/bin/sh
# SPDX-License-Identifier: ISC
# 70-injection.sh - hostile strings in everything a user can supply: the
# reason, the sudo user name, config values.  LDAP filter and DN syntax, CRLF
# and SMTP dot lines, terminal escapes: each is carried as data or refused
# with a clear error, and only the pinned account's ACCOUNTDISABLE bit moves.
# What is read back (state.json, the audit log) reaches the terminal flattened.
. "$(dirname "$0")/../lib/common.sh"

other() { uac "$OTHER_DN"; }

new_case inject
set_uac "$BTG_DN" 66050
other0=$(other)
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
smtp_section

# clean FILE: no control character (C0 but LF, DEL, C1 as UTF-8), valid UTF-8
clean() {
	/usr/bin/python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
bad = [c for c in b if (c < 0x20 and c != 10) or c == 0x7f]
assert not bad, "control bytes %r" % bad[:5]
t = b.decode("utf-8")
c1 = [c for c in t if 0x80 <= ord(c) <= 0x9f]
assert not c1, "C1 controls %r" % c1[:5]' "$1"
}

# a reason is one line of printable text: line breaks, ESC, C1 refused with
# exit 2 before anything is touched (a newline would forge "Result: ok" in
# the mail body)
multiline='*)(objectClass=*))(|(cn=*,CN=other-user,CN=Users,DC=corp,DC=example,DC=test
Bcc: evil@example.com
.
MAIL FROM:<evil@example.com>
RCPT TO:<evil@example.com>'
bg enable --reason "$multiline"
expect_rc 2 "a reason with line breaks is refused"
expect_err "^breakglass: --reason: control character U\+000A at position 76: " \
    "the error names the character and its position"
check "nothing audited" test ! -e "$T/state/audit.log"
expect_uac 66050 "the account untouched"

# one line of LDAP filter, DN and SMTP syntax is carried as data
hostile='*)(objectClass=*))(|(cn=*,CN=other-user,CN=Users,DC=corp,DC=example,DC=test Bcc: evil@example.com . MAIL FROM:<evil@example.com> RCPT TO:<evil@example.com>'
bg enable --reason "$hostile"
expect_rc 0 "enable with an LDAP/SMTP-hostile reason"
expect_uac 66048 "the pinned account was enabled"
check "other-user untouched ($(other))" test "$(other)" = "$other0"
check "the audit log keeps the reason verbatim" /usr/bin/python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
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

cp "$T/state/audit.log" "$T/audit.before"
bg disable --reason "$(printf 'INC-1\nResult:      ok')"
expect_rc 2 "a reason forging a \"Result: ok\" line is refused"
expect_err "--reason: control character U\+000A at position 6" "at position 6"
check "the audit log is unchanged" cmp -s "$T/audit.before" "$T/state/audit.log"
bg disable --reason "$(printf 'INC-1 \033]52;c;ZXZpbA==\007')"
expect_rc 2 "a reason with an OSC 52 sequence (ESC ] 52) is refused"
expect_err "--reason: control character U\+001B at position 7" "at position 7"
bg disable --reason "$(printf 'INC-1 \302\23331m')"
expect_rc 2 "a reason with a C1 control (U+009B CSI as UTF-8) is refused"
expect_err "--reason: control character U\+009B" "names U+009B"
bg disable --reason "$(printf 'INC-1 \23331m')"
expect_rc 2 "a reason with a raw 0x9B byte is refused"
expect_err "--reason: not valid UTF-8 at character 7" "as not UTF-8"
check "the audit log is still unchanged" cmp -s "$T/audit.before" "$T/state/audit.log"
expect_uac 66048 "the account still enabled"

# what is read back is printed flattened: someone with the service user's
# rights writes an OSC 52 clipboard write (ESC ] 52 ; c ; ... BEL), a CSI
# and a line break into state.json and the audit log (as JSON escapes, and
# as cJSON writes a C1 from a Graph title: raw UTF-8; chained, so verify
# passes); status, check and history must not hand them to the terminal
osc=$(printf '\033]52;c;ZXZpbA==\007')
# append_line RAW: one audit line, chained to the last, RAW its middle bytes
append_line() {
	/usr/bin/python3 - "$T/state/audit.log" "$1" <<'PY'
import hashlib, re, sys
path, mid = sys.argv[1], sys.argv[2].encode("utf-8", "surrogateescape")
last = open(path, "rb").read().rstrip(b"\n").split(b"\n")[-1]
seq = int(re.match(rb'{"seq":(\d+),', last).group(1))
line = b'{"seq":%d,"time":"2026-11-25T02:10:00.000Z",%s,"result":"ok","prev":"%s"}\n' % (
    seq + 1, mid, hashlib.sha256(last).hexdigest().encode())
open(path, "ab").write(line)
PY
}
/usr/bin/python3 - "$T/state" "$osc" <<'PY'
import json, sys
d, osc = sys.argv[1], sys.argv[2]
st = json.load(open(d + "/state.json"))
st["override"]["reason"] = "INC-1" + osc + "\u009b2J\nResult: ok|evil=1;2;3"
st["override"]["actor"] = "cli:eve" + osc + "(uid=0)"
json.dump(st, open(d + "/state.json", "w"))
PY
append_line "$(printf '"actor":"cli:eve\\u001b[2J","event":"override-set\\u001b]52;c;ZXZpbA==\\u0007","account":"x","from":null,"to":"enabled","reason":"INC-2\\u001b]52;c;ZXZpbA==\\u0007 \302\2332J \233"')"
bg verify
expect_rc 0 "the edited lines are chained (verify intact)"
bg status
check "status prints no control character" clean "$T/out"
expect_out 'override  enabled until .* set by cli:eve\?\]52;c;ZXZpbA==\?\(uid=0\): INC-1\?\]52;c;ZXZpbA==\?\?2J Result: ok\|evil=1;2;3$' \
    "status shows the override on one line, the controls as ?"
bg status --json
check "status --json prints no control character" clean "$T/out"
check "status --json is JSON and keeps the reason" /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["override"]["reason"] == "INC-1" + sys.argv[2] + "\u009b2J\nResult: ok|evil=1;2;3", j["override"]' \
    "$T/out" "$osc"
bg check
expect_rc 1 "check: WARNING, enabled by an override"
check "check prints no control character" clean "$T/out"
check "check prints one line" test "$(wc -l <"$T/out")" -eq 1
check "check: a '|' in the reason does not start forged perfdata" \
    sh -c 'test "$(tr -cd "|" <"$1")" = "|" && grep -q "Result: ok/evil=1;2;3|enabled=1 " "$1"' - "$T/out"
bg history
check "history prints no control character" clean "$T/out"
expect_out 'cli:eve\?\[2J .*override-set\?\]52;c;ZXZpbA==\?.*INC-2\?\]52;c;ZXZpbA==\? \?2J \?$' \
    "history shows the edited line, the controls as ?"
# a line as an editor writes it: raw ESC and BEL inside the strings
append_line "$(printf '"actor":"agent","event":"drift","account":"x","from":null,"to":null,"reason":"INC-3%s"' "$osc")"
bg history --json
check "history --json prints no control character" clean "$T/out"
check "history --json: every line JSON, clean lines as stored" /usr/bin/python3 -c '
import json, sys
ls = open(sys.argv[1]).read().splitlines()
js = [json.loads(l) for l in ls]
assert js[-2]["reason"] == "INC-2" + sys.argv[2] + " \u009b2J \ufffd", js[-2]
assert js[-2]["actor"] == "cli:eve\x1b[2J", js[-2]
assert js[-1]["reason"] == "INC-3" + sys.argv[2], js[-1]
stored = open(sys.argv[3], "rb").read().splitlines()
assert [l.encode() for l in ls[:-3]] == stored[:-3], "clean lines not as stored"' \
    "$T/out" "$osc" "$T/state/audit.log"
bg history
check "history prints no control character (raw ESC in the log)" clean "$T/out"
bg verify
expect_rc 1 "verify: raw control bytes in a line are not JSON"
bg auto --reason "back to the agent"
expect_rc 0 "auto clears the edited override"
check "auto prints no control character" clean "$T/out"

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
