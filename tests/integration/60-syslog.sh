#!/bin/sh
# 60-syslog.sh - account changes and refusals reach syslog as LOG_AUTHPRIV.
# The command runs in a private mount namespace whose /dev/log is a socket
# this test reads, so the host's logging is neither needed nor touched.
. "$(dirname "$0")/../lib/common.sh"

new_case syslog
set_uac "$BTG_DN" 66050
/usr/bin/python3 - "$T/log.sock" "$T/syslog.txt" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.time() + 20
with open(sys.argv[2], "ab", buffering=0) as out:
    while time.time() < end and not os.path.exists(sys.argv[1] + ".stop"):
        try:
            out.write(s.recv(65536) + b"\n")
        except socket.timeout:
            pass
PY
listener=$!
i=0
while [ ! -S "$T/log.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

in_ns() {
	unshare -m sh -c '
	set -e
	T=$1; shift
	mount --make-rprivate /
	mkdir -p "$T/olddev"
	mount --bind /dev "$T/olddev"
	mount -t tmpfs tmpfs /dev
	for n in null zero random urandom; do
		touch "/dev/$n"
		mount --bind "$T/olddev/$n" "/dev/$n"
	done
	ln -s "$T/log.sock" /dev/log
	exec "$@"' - "$T" "$BIN" -c "$T/breakglass.conf" "$@" \
	    >"$T/out" 2>"$T/err"
	RC=$?
	ERR=$(cat "$T/err")
	OUT=$(cat "$T/out")
}

in_ns enable --reason "syslog check
FORGED: a second line"
expect_rc 0 "enable in a private mount namespace"
GUID=00000000-1111-2222-3333-444444444444
write_conf
in_ns disable --reason "refused one"
expect_rc 3 "GUID refusal in the namespace"
sleep 0.3
touch "$T/log.sock.stop"
wait "$listener"

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
