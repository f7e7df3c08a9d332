#!/bin/sh
# SPDX-License-Identifier: ISC
# 20-safety.sh - every refusal: GUID pin, untrusted DC certificate, no rights
# on another user, open secret file, plain LDAP, unwritable audit log, lock.
. "$(dirname "$0")/../lib/common.sh"

new_case guid
set_uac "$BTG_DN" 66050
GUID=00000000-1111-2222-3333-444444444444
write_conf
bg enable --reason "GUID test"
expect_rc 3 "a GUID pin mismatch is refused"
expect_err "objectGUID $BTG_GUID, not the pinned $GUID" "the refusal names both GUIDs"
expect_uac 66050 "GUID mismatch changed nothing"
check "the refusal is audited as failed" sh -c \
    'tail -n 1 "$1/state/audit.log" | grep -q "\"result\":\"failed: .*pinned"' - "$T"
bg enable --reason "GUID test" --dry-run
expect_rc 3 "dry run reports the GUID mismatch too"

new_case untrusted
CA=$OTHER_CA_FILE
write_conf
bg enable --reason "untrusted cert"
expect_rc 1 "a DC certificate from another CA fails"
expect_err "127\\.0\\.0\\.1" "the error names the server"
expect_uac 66050 "untrusted DC: nothing changed"
check "untrusted DC: failed audit line" sh -c \
    'tail -n 1 "$1/state/audit.log" | grep -q "\"result\":\"failed: "' - "$T"

new_case norights
ACCOUNT=$OTHER_DN
GUID=""
write_conf
before=$(uac "$OTHER_DN")
bg disable --reason "not ours"
expect_rc 1 "no rights on another user: failure"
expect_err "Insufficient access \\(50\\)" "the error says insufficient access"
expect_err "Write Property on userAccountControl" "the error says which right is missing"
expect_uac "$before" "the other user is unchanged" "$OTHER_DN"

new_case secret
chmod 644 "$T/ldap.secret"
bg enable --reason "open secret"
expect_rc 2 "a group/world-readable secret file is a config error"
expect_err "ldap\\.bind_password_file: $T/ldap\\.secret: mode 0644" "the error names the key and file"
check "nothing was written to the state dir" test ! -e "$T/state/audit.log"
chmod 600 "$T/ldap.secret"

new_case plain
URIS="\"$LDAP_URI\""
write_conf
bg status
expect_rc 2 "plain ldap:// without StartTLS is refused"
expect_err "plain unencrypted LDAP" "the error says why"

new_case badconf
printf 'ldap {\n  timeout = soon\n}\n' >"$T/breakglass.conf"
bg enable --reason x
expect_rc 2 "a bad config is exit 2"
expect_err "breakglass\\.conf:2: .*ldap\\.timeout" "the error names file, line and key"

new_case auditfail
set_uac "$BTG_DN" 66050
mkdir "$T/state/audit.log"
bg enable --reason "audit cannot be written"
expect_rc 3 "unwritable audit log: refused"
expect_err "audit log not writable, account not touched" "the refusal says the account was not touched"
expect_uac 66050 "unwritable audit log: account untouched"
rmdir "$T/state/audit.log"

new_case lock
/usr/bin/python3 - "$T/state/lock" >"$T/holder" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, b"%d\n" % os.getpid())
print(os.getpid(), flush=True)
time.sleep(8)
PY
holder_job=$!
i=0
while [ ! -s "$T/holder" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
export BREAKGLASS_LOCK_WAIT=1
bg enable --reason "lock test"
unset BREAKGLASS_LOCK_WAIT
expect_rc 3 "a held lock is refused after the wait"
expect_err "held by pid $(cat "$T/holder")" "the refusal names the holder's pid"
expect_uac 66050 "lock held: account untouched"
kill "$holder_job" 2>/dev/null
wait "$holder_job" 2>/dev/null
bg enable --reason "lock released"
expect_rc 0 "after the holder is gone the command runs"
bg disable --reason "cleanup"

# the audit log becomes unwritable after the override line, before the
# started line (a disk that fills in between): the toggle itself refuses.
# The fault build's before-started point makes audit.log a directory there.
new_case auditfail-toggle
set_uac "$BTG_DN" 66050
if [ -z "${FAULT_BIN:-}" ] || [ ! -x "$FAULT_BIN" ]; then
	notok "FAULT_BIN names the fault build (make fault-build): '${FAULT_BIN:-}'"
else
	BREAKGLASS_FAULT=before-started BREAKGLASS_FAULT_CMD="mv $T/state/audit.log $T/audit.saved && mkdir $T/state/audit.log" \
	    "$FAULT_BIN" -c "$T/breakglass.conf" enable --reason "audit fails at started" \
	    >"$T/out" 2>"$T/err"
	RC=$?
	ERR=$(cat "$T/err")
	check "the override line was written before the fault" grep -q '"override-set"' "$T/audit.saved"
	expect_rc 3 "audit log unwritable at the started line: refused"
	expect_err "audit log not writable, account not touched" "the refusal says the account was not touched"
	expect_uac 66050 "audit log unwritable at the started line: account untouched"
fi
