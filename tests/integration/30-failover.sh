#!/bin/sh
# SPDX-License-Identifier: ISC
# 30-failover.sh - a dead first DC, StartTLS, and every DC down (refusing
# or stalled) ending within the timeout with a failed audit line.
. "$(dirname "$0")/../lib/common.sh"

new_case failover
set_uac "$BTG_DN" 66050
URIS="\"ldaps://127.0.0.1:1\", \"$LDAPS_URI\""
write_conf
bg enable --reason "failover"
expect_rc 0 "the second DC is used when the first is dead"
expect_out "on $LDAPS_URI " "the output names the DC that answered"
expect_uac 66048 "failover: account enabled"
bg disable --reason "failover back"
expect_uac 66050 "failover: account disabled again"

new_case starttls
URIS="\"$LDAP_URI\""
STARTTLS=true
write_conf
bg enable --reason "starttls"
expect_rc 0 "ldap:// + StartTLS works"
expect_uac 66048 "StartTLS: account enabled"
bg disable --reason "starttls"
expect_uac 66050 "StartTLS: account disabled"

new_case refused
URIS="\"ldaps://127.0.0.1:1\", \"ldaps://127.0.0.1:2\""
TIMEOUT=2s
write_conf
bg enable --reason "all down"
expect_rc 1 "all DCs refusing: exit 1"
expect_err "127\\.0\\.0\\.1:1: .*127\\.0\\.0\\.1:2: " "the error lists every DC tried"
check "all down: failed audit line" sh -c \
    'tail -n 1 "$1/state/audit.log" | grep -q "\"event\":\"enable\".*\"result\":\"failed: "' - "$T"
expect_uac 66050 "all down: account unchanged"

# DCs that accept TCP and then say nothing: the timeout must end it
new_case stalled
/usr/bin/python3 - >"$T/ports" <<'PY' &
import socket, time
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks), flush=True)
time.sleep(30)
PY
stall_job=$!
i=0
while [ ! -s "$T/ports" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
set -- $(cat "$T/ports")
URIS="\"ldaps://127.0.0.1:$1\", \"ldaps://127.0.0.1:$2\""
TIMEOUT=2s
write_conf
timed_bg enable --reason "all stalled"
took=$TOOK
expect_rc 1 "all DCs stalled: exit 1"
expect_err "no answer within 2s \\(timeout\\).*no answer within 2s" "the error says each DC timed out"
check "stalled DCs: gave up within the timeouts (${took}s for 2 x 2s)" test "$took" -le 7
check "stalled: failed audit line" sh -c \
    'tail -n 1 "$1/state/audit.log" | grep -q "\"result\":\"failed: "' - "$T"
kill "$stall_job" 2>/dev/null
wait "$stall_job" 2>/dev/null
expect_uac 66050 "stalled: account unchanged"
