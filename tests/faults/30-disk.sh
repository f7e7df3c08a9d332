#!/bin/sh
# SPDX-License-Identifier: ISC
# 30-disk.sh - state_dir on a 256 KiB tmpfs that fills up: the audit or state
# write fails, so the account is not touched, exit 3, a clear message and a
# syslog line; no torn audit line.  After space returns everything works and
# the chain verifies.  Needs root (mount), which CI has.
. "$(dirname "$0")/../lib/common.sh"

new_case disk
set_uac "$BTG_DN" 66050
mount -t tmpfs -o size=256k,mode=0700 tmpfs "$T/state" || {
	notok "mount a tmpfs for state_dir (root needed)"
	exit 1
}
trap 'cleanup_case; umount "$T/state" 2>/dev/null' EXIT
start_syslog

in_ns enable --reason "before the disk fills"
expect_rc 0 "enable on a roomy state_dir"
in_ns disable --reason "before the disk fills"
expect_rc 0 "disable on a roomy state_dir"
lines=$(audit_lines)
size=$(wc -c <"$T/state/audit.log")

dd if=/dev/zero of="$T/state/fill" bs=1k 2>/dev/null
check "state_dir is full" sh -c '! dd if=/dev/zero of="$1/state/more" bs=1k count=8 2>/dev/null' - "$T"
rm -f "$T/state/more"

in_ns enable --reason "INC-7 disk full"
expect_rc 3 "enable with state_dir full is refused"
expect_err "not writable, account not touched: .*No space left on device" \
    "the message says why and that nothing was touched"
check "the message is one line" test "$(printf '%s\n' "$ERR" | grep -c 'not writable')" -eq 1
expect_uac 66050 "the account was not touched"
in_ns disable --reason "INC-7 disk full"
expect_rc 3 "disable with state_dir full is refused too"
stop_syslog
check "syslog says it was refused (authpriv.notice)" \
    grep -q "^<85>.*enable of $BTG_DN by .* refused: .*No space left on device" "$T/syslog.txt"
check "no torn line: every audit line is whole JSON" /usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1]): json.loads(l)' "$T/state/audit.log"

rm -f "$T/state/fill"
bg enable --reason "INC-7 space is back"
expect_rc 0 "enable works once space is back"
expect_uac 66048 "the account is enabled"
bg verify
expect_rc 0 "the audit chain verifies after the disk-full episode"
check "the log grew by what was done ($lines lines before)" \
    test "$(audit_lines)" -gt "$lines" -a "$(wc -c <"$T/state/audit.log")" -gt "$size"
bg disable --reason "cleanup"
expect_rc 0 "disable afterwards"
