#!/bin/sh
# SPDX-License-Identifier: ISC
# 25-cas.sh - the compare-and-swap and the read-back of DESIGN.md section 9,
# against OpenLDAP's slapd (tests/lib/slapd.sh): unlike Samba 4.17, it
# refuses the delete of a value that is no longer there (noSuchAttribute),
# as Windows AD does.  The fault build's LDAP points change the account
# between breakglass's read and its write ("before-modify") and after an
# accepted write, before the read-back ("after-modify").  The Samba DC of
# the run is not used here.
. "$(dirname "$0")/../lib/common.sh"

FBIN=${FAULT_BIN:-}
if [ -z "$FBIN" ] || [ ! -x "$FBIN" ]; then
	notok "FAULT_BIN names the fault build (make fault-build): '$FBIN'"
	exit 1
fi

SD=$(mktemp -d "${BG_TEST_OUT:-/tmp}/slapd-XXXXXX")
stop_slapd() {
	cleanup_case
	"$LIB/slapd.sh" stop "$SD"
}
trap stop_slapd EXIT
if ! "$LIB/slapd.sh" start "$SD" >"$SD.start.log" 2>&1; then
	notok "slapd starts (tests/lib/slapd.sh)"
	cat "$SD.start.log"
	exit 1
fi
# shellcheck disable=SC1091
. "$SD/env"

# this file's directory is slapd: the account, its helpers, the bind by DN
BTG_DN=$SLAPD_BTG_DN
SVC_UPN=$SLAPD_SVC_DN
uac() { "$LIB/slapd.sh" uac "$SD" "${1:-$BTG_DN}"; }
set_uac() { "$LIB/slapd.sh" set-uac "$SD" "$1" "$2" >/dev/null; }

slapd_case() {
	new_case "$1"
	cp "$SD/svc.secret" "$T/ldap.secret"
	URIS="\"$SLAPD_URI\""
	CA=$SLAPD_CA_FILE
	ACCOUNT=$BTG_DN
	GUID=$SLAPD_BTG_GUID
	write_conf
}

# fbg POINT CMD ARGS...: the fault build, CMD run at POINT's first hit
fbg() {
	point=$1
	cmd=$2
	shift 2
	BREAKGLASS_FAULT=$point BREAKGLASS_FAULT_CMD=$cmd \
	    "$FBIN" -c "$T/breakglass.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# modify results with err=16 (noSuchAttribute) in slapd's log so far
refusals() { grep -c 'RESULT tag=103 err=16 ' "$SD/slapd.log" || true; }

# --- the bed: plain toggles, and a stale delete is refused ------------------
slapd_case plain
set_uac "$BTG_DN" 66050
bg enable --reason "slapd bed"
expect_rc 0 "enable against slapd (bind by DN, GUID pinned)"
expect_uac 66048 "only ACCOUNTDISABLE cleared (66050 -> 66048)"
bg disable --reason "slapd bed"
expect_rc 0 "disable against slapd"
expect_uac 66050 "only ACCOUNTDISABLE set (66048 -> 66050)"

printf 'dn: %s\nchangetype: modify\ndelete: userAccountControl\nuserAccountControl: 514\n-\nadd: userAccountControl\nuserAccountControl: 512\n' \
    "$BTG_DN" | LDAPTLS_CACERT="$SLAPD_CA_FILE" ldapmodify \
    -H "$SLAPD_URI" -D "$SLAPD_SVC_DN" -w "$(cat "$T/ldap.secret")" \
    >"$T/stale.out" 2>&1
rc=$?
check "this server refuses a stale delete+add (ldapmodify exit $rc, wanted 16)" \
    test "$rc" -eq 16
expect_uac 66050 "the refused stale write changed nothing"

# --- CAS: another bit changes between the read and the write ---------------
# enable: read 514; before the write DONT_EXPIRE_PASSWORD (0x10000) is set
# (66050); the delete of 514 fails, breakglass reads 66050 again and writes
# 66048.  A plain replace would write 512 and drop the other change.
slapd_case cas-enable
set_uac "$BTG_DN" 514
before=$(refusals)
fbg before-modify "$LIB/slapd.sh set-uac $SD $BTG_DN 66050 && touch $T/acted" \
    enable --reason "CAS under a concurrent change"
check "the fault point changed the account between read and write" \
    test -e "$T/acted"
expect_rc 0 "enable with a concurrent change"
check "the first write was refused: noSuchAttribute ($before -> $(refusals) err=16 in slapd's log)" \
    test "$(refusals)" -eq $((before + 1))
expect_uac 66048 "retried on the fresh value: enabled, the other bit kept"
audit_last >"$T/last.json"
pycheck "audit: ok after 2 tries, from the fresh 66050 to 66048" "$T/last.json" '
assert j["event"] == "enable" and j["result"] == "ok", j
assert j["tries"] == 2, j
assert j["uac_from"] == 66050 and j["uac_to"] == 66048, j
assert j["changed"] is True, j'
bg verify
expect_rc 0 "the audit chain verifies"

# disable: read 66048; DONT_EXPIRE_PASSWORD is cleared meanwhile (512)
slapd_case cas-disable
set_uac "$BTG_DN" 66048
before=$(refusals)
fbg before-modify "$LIB/slapd.sh set-uac $SD $BTG_DN 512" \
    disable --reason "CAS under a concurrent change"
expect_rc 0 "disable with a concurrent change"
check "the first write was refused: noSuchAttribute" \
    test "$(refusals)" -eq $((before + 1))
expect_uac 514 "retried on the fresh value: disabled, the other bit stays cleared"
audit_last >"$T/last.json"
pycheck "audit: ok after 2 tries, 512 -> 514" "$T/last.json" '
assert j["result"] == "ok" and j["tries"] == 2, j
assert j["uac_from"] == 512 and j["uac_to"] == 514, j'

# the concurrent change was the wanted one: nothing left to write
slapd_case cas-already
set_uac "$BTG_DN" 66050
fbg before-modify "$LIB/slapd.sh set-uac $SD $BTG_DN 66048" \
    enable --reason "someone else enabled it meanwhile"
expect_rc 0 "enable when someone else enabled it between read and write"
expect_out "already enabled" "says it was already enabled"
expect_uac 66048 "the other writer's value stands"
audit_last >"$T/last.json"
pycheck "audit: ok, nothing changed by breakglass" "$T/last.json" '
assert j["result"] == "ok" and j["changed"] is False, j
assert j["from"] == "enabled" and j["uac_from"] == 66048, j'

# --- read-back: the write is accepted, the account is not so after it ------
# after-modify puts the old value back before breakglass reads again: what
# a directory that answers success without applying looks like to a client
slapd_case readback
set_uac "$BTG_DN" 66050
fbg after-modify "$LIB/slapd.sh set-uac $SD $BTG_DN 66050" \
    enable --reason "accepted, not applied"
expect_rc 1 "enable whose write reads back unapplied fails"
expect_err "modify accepted but userAccountControl reads back 66050" \
    "the error says the write was accepted but not applied"
expect_err "the account is now disabled" "and what the account is now"
audit_last >"$T/last.json"
pycheck "audit: a failed line, the account disabled" "$T/last.json" '
assert j["event"] == "enable", j
assert j["result"].startswith("failed: ") and "reads back 66050" in j["result"], j
assert "the account is now disabled" in j["result"], j'
bg status --json
st=$(printf '%s' "$OUT" | pyjson 'j["account_state"]' 2>/dev/null)
check "status says disabled ($st), as the directory" test "$st" = disabled
