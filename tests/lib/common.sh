# common.sh - sourced by every integration test: TAP-style checks, a fresh
# state dir and config per test case, and helpers for the Samba DC.
# Needs: BIN (the breakglass binary), DC_DIR (a running tests/lib/dc.sh DC).
set -u

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
: "${BIN:?BIN must name the breakglass binary}"
: "${DC_DIR:?DC_DIR must name a running test DC (tests/lib/dc.sh start)}"
# shellcheck disable=SC1091
. "$DC_DIR/env"

T=""		# this case's scratch dir
OUT=""		# stdout of the last run
ERR=""		# stderr of the last run
RC=0		# exit code of the last run

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# check DESC CMD...: ok when CMD succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}

# a fresh case: scratch dir, state dir, secret copy, config (see write_conf)
new_case() {
	T=$(mktemp -d "${BG_TEST_OUT:-/tmp}/case-$1-XXXXXX")
	mkdir -m 0700 "$T/state"
	cp "$DC_DIR/svc.secret" "$T/ldap.secret"
	chmod 600 "$T/ldap.secret"
	URIS="\"$LDAPS_URI\""
	STARTTLS=false
	CA=$CA_FILE
	ACCOUNT=$BTG_DN
	GUID=$BTG_GUID
	TIMEOUT=5s
	EXTRA=""
	write_conf
}

write_conf() {
	cat >"$T/breakglass.conf" <<CONF
state_dir = "$T/state"
account {
  dn          = "$ACCOUNT"
  object_guid = "$GUID"
  upn         = "btg-admin@corp.example.test"
}
ldap {
  uri                = {$URIS}
  starttls           = $STARTTLS
  bind_dn            = "$SVC_UPN"
  bind_password_file = "$T/ldap.secret"
  ca_file            = "$CA"
  timeout            = $TIMEOUT
}
policy {
  mode = "manual"
}
$EXTRA
CONF
}

# bg ARGS...: run breakglass with this case's config, capture OUT/ERR/RC
bg() {
	"$BIN" -c "$T/breakglass.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	cat "$T/out" "$T/err" >>"$T/all-output"
}

# expect_rc N DESC: the last run exited N
expect_rc() {
	if [ "$RC" -eq "$1" ]; then
		ok "$2 (exit $RC)"
	else
		notok "$2: exit $RC, wanted $1"
		echo "# stdout: $OUT"
		echo "# stderr: $ERR"
	fi
}

# expect_out PATTERN DESC / expect_err PATTERN DESC (grep -E)
expect_out() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then ok "$2"; else
		notok "$2: stdout lacks /$1/"
		echo "# stdout: $OUT"
	fi
}
expect_err() {
	if printf '%s\n' "$ERR" | grep -Eq -- "$1"; then ok "$2"; else
		notok "$2: stderr lacks /$1/"
		echo "# stderr: $ERR"
	fi
}

uac() { "$LIB/dc.sh" uac "$DC_DIR" "${1:-$BTG_DN}"; }
set_uac() { "$LIB/dc.sh" set-uac "$DC_DIR" "$1" "$2" >/dev/null; }

# expect_uac VALUE DESC [DN]
expect_uac() {
	got=$(uac "${3:-$BTG_DN}")
	if [ "$got" = "$1" ]; then ok "$2 (userAccountControl $got)"; else
		notok "$2: userAccountControl is $got, wanted $1"
	fi
}

audit_lines() { cat "$T/state/audit.log" 2>/dev/null | wc -l; }
audit_last() { tail -n 1 "$T/state/audit.log"; }

# pyjson EXPR: evaluate a Python expression over j = the JSON on stdin
pyjson() { /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# pycheck DESC FILE CODE: Python asserts over j = the JSON in FILE
pycheck() {
	if /usr/bin/python3 -c "import json, re, sys
j = json.load(open(sys.argv[1]))
$3" "$2" 2>"$T/pyerr"; then ok "$1"; else
		notok "$1: $(tail -n 1 "$T/pyerr")"
		echo "# $(cat "$2")"
	fi
}
