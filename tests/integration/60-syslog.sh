#!/bin/sh
# SPDX-License-Identifier: ISC
# 60-syslog.sh - account changes and refusals reach syslog as LOG_AUTHPRIV,
# each with the audit head of its line.
# The command runs in a private mount namespace whose /dev/log is a socket
# this test reads, so the host's logging is neither needed nor touched.
. "$(dirname "$0")/../lib/common.sh"

new_case syslog
set_uac "$BTG_DN" 66050
start_syslog

# an interrupted enable whose actor (read back from the audit log, where
# someone with the service user's rights wrote it) holds a line break and an
# ESC sequence: the reconcile that reports it must stay one syslog line
/usr/bin/python3 - "$T/state/audit.log" <<'PY'
import json, sys
line = json.dumps({"seq": 1, "time": "2026-11-25T02:10:00.000Z",
    "actor": "cli:eve\nFORGED: a second line\u001b]52;c;ZXZpbA==\u0007",
    "event": "enable", "account": "x", "from": "disabled", "to": "enabled",
    "reason": "r", "result": "started", "prev": "0" * 64},
    separators=(",", ":"))
open(sys.argv[1], "w").write(line + "\n")
PY
in_ns enable --reason "syslog check"
expect_rc 0 "enable in a private mount namespace"
GUID=00000000-1111-2222-3333-444444444444
write_conf
in_ns disable --reason "refused one"
expect_rc 3 "GUID refusal in the namespace"
stop_syslog

# <PRI> = facility LOG_AUTHPRIV (10) * 8 + LOG_NOTICE (5) = 85
check "syslog got the enable as authpriv.notice" \
    grep -q "^<85>.*breakglass\[[0-9]*\]: account $BTG_DN enabled by cli:.*syslog check" "$T/syslog.txt"
check "syslog got the refusal" \
    grep -q "^<85>.*disable of $BTG_DN by .* failed: .*pinned" "$T/syslog.txt"
check "syslog got the reconcile of the interrupted enable" \
    grep -q "^<85>.*: account $BTG_DN: the enable by cli:eve FORGED: a second line?\]52;c;ZXZpbA==? was interrupted" "$T/syslog.txt"
check "an actor with a line break and ESC stays one syslog line, no ESC" \
    sh -c '! grep -q "^FORGED" "$1/syslog.txt" && ! grep -q "$(printf "\033")" "$1/syslog.txt"' - "$T"
check "the bind password is not in syslog" \
    sh -c '! grep -qF -f "$1/ldap.secret" "$1/syslog.txt"' - "$T"
# the audit head in every line of an audited event: a syslog server off the
# host anchors the chain (breakglass verify --against)
check "each of the 3 syslog lines ends with the head of its audit line" \
    /usr/bin/python3 -c '
import hashlib, re, sys
log = open(sys.argv[2], "rb").read().splitlines()
got = [l for l in open(sys.argv[1], "rb").read().splitlines() if l]
assert len(got) == 3, got
for l in got:
    m = re.search(rb"; audit seq=(\d+) sha256=([0-9a-f]{64})$", l)
    assert m, l
    n = int(m.group(1))
    assert hashlib.sha256(log[n - 1]).hexdigest().encode() == m.group(2), l
' "$T/syslog.txt" "$T/state/audit.log"
head=$(sed -n 's/^<85>.* enabled by .*; audit \(seq=[0-9]* sha256=[0-9a-f]*\)$/\1/p' "$T/syslog.txt")
bg verify --against "$head"
expect_rc 0 "verify --against the head of the enable's syslog line ($head)"
set_uac "$BTG_DN" 66050
