#!/bin/sh
# 60-syslog.sh - account changes and refusals reach syslog as LOG_AUTHPRIV.
# The command runs in a private mount namespace whose /dev/log is a socket
# this test reads, so the host's logging is neither needed nor touched.
. "$(dirname "$0")/../lib/common.sh"

new_case syslog
set_uac "$BTG_DN" 66050
start_syslog

in_ns enable --reason "syslog check
FORGED: a second line"
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
check "a reason with a newline stays one syslog line" \
    sh -c '! grep -q "^FORGED" "$1/syslog.txt"' - "$T"
check "the bind password is not in syslog" \
    sh -c '! grep -qF -f "$1/ldap.secret" "$1/syslog.txt"' - "$T"
set_uac "$BTG_DN" 66050
