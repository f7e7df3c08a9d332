#!/bin/sh
# SPDX-License-Identifier: ISC
# 85-unit.sh - the systemd unit: the hardening lines are there, systemd
# accepts the unit, its exposure figure; and the agent works under the user
# namespace PrivateUsers=yes gives it (root and the service user mapped,
# everyone else nobody), emulated here: no systemd runs in the test bed.
. "$(dirname "$0")/../lib/common.sh"

UNIT=$(cd "$(dirname "$0")/../../packaging/systemd" && pwd)/breakglass.service
SVC_UID=4242		# the service user: no passwd entry needed

for line in LimitCORE=0 PrivateUsers=yes SocketBindDeny=any \
    Environment=LDAPNOINIT=1; do
	check "the unit sets $line" grep -qx "$line" "$UNIT"
done
check "the unit shows how to pin addresses (IPAddressAllow=, commented)" \
    grep -q '^#IPAddressAllow=' "$UNIT"

new_case unit
if command -v systemd-analyze >/dev/null; then
	# the installed path is not there: verify a copy that runs $BIN
	sed "s|^ExecStart=/usr/sbin/breakglass|ExecStart=$BIN|" "$UNIT" \
	    >"$T/breakglass.service"
	systemd-analyze verify --man=no "$T/breakglass.service" \
	    >"$T/verify.log" 2>&1
	check "systemd-analyze verify accepts the unit, no warning" \
	    test ! -s "$T/verify.log"
	sed 's/^/# /' "$T/verify.log"
	systemd-analyze security --offline=true "$T/breakglass.service" \
	    >"$T/security.log" 2>&1
	check "systemd-analyze security counts PrivateUsers= as set" \
	    grep -q '^✓ PrivateUsers=' "$T/security.log"
	echo "# figure: systemd-analyze security: $(sed -n \
	    's/.*Overall exposure level for breakglass.service: //p' \
	    "$T/security.log")"
else
	echo "# systemd-analyze not installed: the unit is not verified"
fi

# PrivateUsers=yes: the agent as the service user in a user namespace that
# maps only root and that user; CA and config root's, secrets and state the
# service user's, a file of another user read as nobody's
# The kernel refuses a user namespace to a chrooted process (EPERM), as in
# make check-fresh's root: there the emulation cannot run, and says so (no
# check is counted); the sanitizer run on the host runs it.
if ! unshare --user true 2>/dev/null; then
	echo "# PrivateUsers emulation not run: unshare --user is not permitted here (a chroot?)"
else
set_uac "$BTG_DN" 66050
start_graph
POLICY='mode = "auto"
  poll_interval = 1
  rise = 1
  fall = 1'
write_conf
D=$(mktemp -d /tmp/bg-unit-XXXXXX)
trap 'cleanup_case; rm -rf "$D"' EXIT
user_copy "$D" "$SVC_UID"
: >"$D/foreign"
chown 1234:1234 "$D/foreign"
mkfifo "$D/go"
scenario "{\"issues\": {\"items\": [$(entra_outage)]}}"
unshare --user sh -c 'read x <"$1"; shift; stat -c %u "$1" >&2; shift; exec "$@"' \
    - "$D/go" "$D/foreign" setpriv --reuid="$SVC_UID" --regid="$SVC_UID" \
    --clear-groups "$D/breakglass" -c "$D/breakglass.conf" run \
    >"$T/agent.log" 2>&1 &
AGENT_PID=$!
mine=$(readlink /proc/self/ns/user)
i=0
while [ "$(readlink "/proc/$AGENT_PID/ns/user")" = "$mine" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
printf '0 0 1\n%s %s 1\n' "$SVC_UID" "$SVC_UID" >"/proc/$AGENT_PID/uid_map"
printf '0 0 1\n%s %s 1\n' "$SVC_UID" "$SVC_UID" >"/proc/$AGENT_PID/gid_map"
# never block on the FIFO if the agent's side is gone
timeout 10 sh -c 'echo go >"$1"' - "$D/go" ||
    notok "the agent in its user namespace waits for the mapping"
wait_for "under the mapping the agent enables the account on the outage" 20 \
    uac_is 66048
check "in the namespace another user's file reads as nobody's" \
    grep -qx 65534 "$T/agent.log"
check "the agent runs as the service user" \
    test "$(awk '/^Uid:/ {print $2}' "/proc/$AGENT_PID/status")" -eq "$SVC_UID"
check "state written by the service user" \
    test "$(stat -c %u "$D/state/state.json")" -eq "$SVC_UID"
stop_agent
set_uac "$BTG_DN" 66050
fi
