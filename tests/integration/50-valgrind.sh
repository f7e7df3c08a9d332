#!/bin/sh
# SPDX-License-Identifier: ISC
# 50-valgrind.sh - the CLI paths under valgrind memcheck: no error, no leak
# (definite or indirect) in enable, disable, status, history, verify, and a
# failed run.
. "$(dirname "$0")/../lib/common.sh"

command -v valgrind >/dev/null || { notok "valgrind is not installed"; exit 1; }
new_case valgrind
set_uac "$BTG_DN" 66050

vg() {
	desc=$1
	shift
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --error-exitcode=99 \
	    "${PLAIN_BIN:-$BIN}" -c "$T/breakglass.conf" "$@" >"$T/vg.out" 2>"$T/vg.err"
	rc=$?
	if [ "$rc" -eq 99 ] || grep -q '^==[0-9]*== ' "$T/vg.err"; then
		notok "valgrind: $desc (exit $rc)"
		sed 's/^/# /' "$T/vg.err" | head -60
	else
		ok "valgrind: $desc clean (exit $rc)"
	fi
}

vg "enable" enable --reason "valgrind run"
expect_uac 66048 "enabled under valgrind"
vg "status --json" status --json
vg "status" status
vg "disable" disable --reason "valgrind run"
vg "history" history
vg "history --json --limit 3" history --json --limit 3
vg "verify" verify
vg "auto" auto --reason "valgrind"
vg "config-check" config-check
URIS="\"ldaps://127.0.0.1:1\""
write_conf
vg "enable with every DC down" enable --reason "valgrind failure path"
GUID=00000000-1111-2222-3333-444444444444
URIS="\"$LDAPS_URI\""
write_conf
vg "enable refused by the GUID pin" enable --reason "valgrind guid"
expect_uac 66050 "account left disabled"
# no state.json: verify checks the chain without its anchor, and reads no
# uninitialised error text deciding whether to say so (issue 19, item 10)
mv "$T/state/state.json" "$T/state.json.aside"
vg "verify without state.json" verify
mv "$T/state.json.aside" "$T/state/state.json"
