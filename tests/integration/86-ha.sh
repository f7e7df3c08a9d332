#!/bin/sh
# SPDX-License-Identifier: ISC
# 86-ha.sh - keepalived as docs/ha.md sets it up (issue 18): two hosts in
# two network namespaces made here, joined by a veth pair, each running
# Debian's keepalived with packaging/keepalived/keepalived.conf (templated)
# and packaging/keepalived/breakglass-notify, whose systemctl and breakglass
# are stand-ins: the agent is a process the stand-in starts and stops.
# Cases: the master's keepalived killed -9 -> the backup becomes master
# within its advertisement timeout and starts its agent (the time is a
# figure); the old master back does not preempt; a backup whose check says
# CRITICAL (what a standby's breakglass check says) is no fault, one whose
# check says UNKNOWN (AD unreadable) gives up mastership.
#
# Namespaces without touching the host's: the script runs itself again
# under unshare -m, makes / private, mounts a tmpfs on /run (ip netns keeps
# its names in /run/netns) and makes the namespaces as children of the one
# it runs in (run.sh's own, per the testbed).  The addresses 192.0.2.11/12
# exist only in them; everything ends with this mount namespace.
#
# A later case runs real agents: ha_agent HOST writes the command the
# stand-in systemctl starts, in_ns HOST CMD... runs anything on that host.
. "$(dirname "$0")/../lib/common.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v keepalived >/dev/null || [ "$(id -u)" -ne 0 ]; then
	notok "keepalived installed and running as root (make deps)"
	exit 0
fi
if [ -z "${HA_PRIVATE_MOUNTS:-}" ]; then
	HA_PRIVATE_MOUNTS=1 exec unshare -m sh "$0" "$@"
fi
mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs /run
# keepalived's enable_script_security: no path component writable by
# others, so the host files live under /run (ours, 0755), not /tmp
H=/run/ha
mkdir -p /run/netns $H

in_ns() {	# in_ns a|b CMD...: run CMD on host a or b
	ns=ha-$1
	shift
	ip netns exec "$ns" "$@"
}

# the stand-ins of one host: systemctl starts $H/X/agent, breakglass check
# exits 2 (CRITICAL, as a standby's does) or 3 (UNKNOWN) with check-fails
make_host() {	# make_host a|b
	d=$H/$1
	mkdir -p "$d"
	cat >"$d/systemctl" <<'SH'
#!/bin/sh
d=$(dirname "$0")
case $1 in
start)	"$d/agent" >/dev/null 2>&1 &
	echo $! >"$d/agent.pid"
	echo "start $(date +%s.%N)" >>"$d/events" ;;
stop)	[ -f "$d/agent.pid" ] && kill "$(cat "$d/agent.pid")" 2>/dev/null
	rm -f "$d/agent.pid"
	echo "stop $(date +%s.%N)" >>"$d/events" ;;
esac
SH
	cat >"$d/breakglass" <<'SH'
#!/bin/sh
d=$(dirname "$0")
echo "$*" >>"$d/checks"
[ -e "$d/check-fails" ] && exit 3
exit 2
SH
	ha_agent "$1" "exec sleep 100000"
	chmod 0755 "$d/systemctl" "$d/breakglass"
	: >"$d/events"
}

ha_agent() {	# ha_agent a|b SHELL-COMMAND: what starting "the agent" runs
	printf '#!/bin/sh\n%s\n' "$2" >"$H/$1/agent"
	chmod 0755 "$H/$1/agent"
}

# the example, made this host's (bg-b: addresses swapped, priority 100) and
# quick (the check every second, not every 20); every edit must take
conf_for() {	# conf_for a|b SRC PEER PRIORITY
	sed -e "s/router_id bg-a/router_id bg-$1/" \
	    -e "s/unicast_src_ip 192.0.2.11/unicast_src_ip $2/" \
	    -e "s/^	*192.0.2.12$/		$3/" \
	    -e "s/priority 150/priority $4/" \
	    -e "s#/etc/keepalived/breakglass-notify#$H/breakglass-notify#" \
	    -e "s/interval 20/interval 1/" -e "s/timeout 30/timeout 2/" \
	    -e "s/fall 3/fall 2/" -e "s/rise 2/rise 1/" \
	    "$top/packaging/keepalived/keepalived.conf" >"$H/$1/keepalived.conf"
	for want in "router_id bg-$1" "unicast_src_ip $2" "		$3" \
	    "priority $4" "$H/breakglass-notify master" "interval 1"; do
		grep -qF -- "$want" "$H/$1/keepalived.conf" || {
			notok "the example keepalived.conf has no line to make \"$want\""
			exit 1
		}
	done
}

start_ka() {	# start_ka a|b
	in_ns "$1" env SYSTEMCTL="$H/$1/systemctl" BREAKGLASS="$H/$1/breakglass" \
	    keepalived --vrrp --dont-fork --log-console --log-detail \
	    --no-syslog -f "$H/$1/keepalived.conf" -p "$H/$1/keepalived.pid" \
	    -r "$H/$1/vrrp.pid" >>"$H/$1/keepalived.log" 2>&1 &
}

kill_ka() {	# kill_ka a|b SIGNAL: the host's keepalived (both processes)
	# the VRRP child first: killed after its parent, it would still
	# send the priority 0 advertisement of a clean stop
	for f in vrrp.pid keepalived.pid; do
		[ -f "$H/$1/$f" ] && kill "-$2" "$(cat "$H/$1/$f")" 2>/dev/null
	done
	rm -f "$H/$1/keepalived.pid" "$H/$1/vrrp.pid"
}

cleanup() {
	for h in a b; do
		kill_ka "$h" TERM
		[ -f "$H/$h/agent.pid" ] && kill "$(cat "$H/$h/agent.pid")" 2>/dev/null
	done
	sleep 0.5
	for h in a b; do
		pkill -KILL -F "$H/$h/agent.pid" 2>/dev/null
	done
	[ -n "${BG_TEST_OUT:-}" ] && cp -r "$H" "$BG_TEST_OUT/ha" 2>/dev/null
}
trap cleanup EXIT

events() { grep -c "^$2 " "$H/$1/events"; }	# events a|b start|stop
has_events() { [ "$(events "$1" "$2")" -ge "$3" ]; }
agent_runs() { [ -f "$H/$1/agent.pid" ] && kill -0 "$(cat "$H/$1/agent.pid")"; }
checks_run() { [ "$(wc -l <"$H/$1/checks" 2>/dev/null || echo 0)" -ge "$2" ]; }
last_event() { grep "^$2 " "$H/$1/events" | tail -n 1 | cut -d' ' -f2; }

ip netns add ha-a
ip netns add ha-b
ip link add eth0 netns ha-a type veth peer name eth0 netns ha-b
in_ns a ip addr add 192.0.2.11/24 dev eth0
in_ns b ip addr add 192.0.2.12/24 dev eth0
for h in a b; do
	in_ns "$h" ip link set lo up
	in_ns "$h" ip link set eth0 up
done
install -m 0755 "$top/packaging/keepalived/breakglass-notify" $H/
make_host a
make_host b
conf_for a 192.0.2.11 192.0.2.12 150
conf_for b 192.0.2.12 192.0.2.11 100
# keepalived --config-test fails on warnings; the one expected: no VIP
config_test_clean() {
	! in_ns a keepalived --config-test -f "$H/a/keepalived.conf" 2>&1 |
	    grep -v "No VIP specified" | grep .
}
check "the example is keepalived's syntax (no VIP: none is needed)" \
    config_test_clean

# --- a alone: its advertisement timeout passes, it is master ---------------
start_ka a
wait_for "host a, alone, becomes master and starts its agent (notify_master)" \
    15 agent_runs a
start_ka b
wait_for "host b enters BACKUP and stops its agent (notify_backup)" 15 \
    has_events b stop 1
# b's check says CRITICAL, as a standby's breakglass check does: no fault
wait_for "host b's track script ran past its fall count" 15 checks_run b 4
standby_ok() {
	grep -q "Entering BACKUP STATE" "$H/b/keepalived.log" &&
	    ! grep -q "VRRP_Script(chk_breakglass) failed" "$H/b/keepalived.log"
}
check "a standby whose check says CRITICAL is BACKUP, its check not failed" \
    standby_ok
check "host b's agent is not running" sh -c "! [ -f $H/b/agent.pid ]"

# --- a dies: b takes over ---------------------------------------------------
t0=$(date +%s.%N)
kill_ka a KILL
wait_for "host a's keepalived killed -9: host b becomes master, starts \
its agent" 15 agent_runs b
t1=$(last_event b start)
took=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
# three advertisements missed (advert_int 1) plus the skew time (0.6 s at
# priority 100): 3.6 s; 1.4 s more for the notify script on a loaded machine
check "failover within the advertisement timeout: ${took}s (limit 5.0s)" \
    awk -v t="$took" 'BEGIN { exit !(t > 0 && t <= 5.0) }'
echo "# figure: ha failover (master's keepalived killed -9 -> the backup's notify_master started its agent): ${took}s (advert_int 1)"
pkill -F "$H/a/agent.pid" 2>/dev/null	# host a is gone, its agent too
rm -f "$H/a/agent.pid"

# --- a comes back: nopreempt, b stays master --------------------------------
a_stops=$(events a stop)
start_ka a
wait_for "host a back: BACKUP, its agent stopped (notify_backup)" 15 \
    has_events a stop $((a_stops + 1))
check "host b, master, keeps its agent (nopreempt)" agent_runs b
check "host b's agent was started once" test "$(events b start)" -eq 1

# --- b cannot read AD: it gives up mastership -------------------------------
touch "$H/b/check-fails"
t0=$(date +%s.%N)
wait_for "host b's check says UNKNOWN: b stops its agent (notify_fault)" 15 \
    has_events b stop 2
wait_for "host a becomes master and starts its agent" 15 agent_runs a
t1=$(last_event a start)
took=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
echo "# figure: ha hand-over on a failed check (fall 2, interval 1): ${took}s"
check "host b's agent is not running" sh -c "! [ -f $H/b/agent.pid ]"
check "host b is in FAULT" grep -q 'Entering FAULT' "$H/b/keepalived.log"

# --- real agents: host a enables for an outage and dies; b takes over -------
# The agents run in the namespace run.sh made (where the test DC, the fake
# Graph and the mail sink listen on loopback): the stand-in systemctl, run
# by keepalived inside ha-a or ha-b, enters it with nsenter.
for h in a b; do
	kill_ka "$h" TERM
	[ -f "$H/$h/agent.pid" ] && kill "$(cat "$H/$h/agent.pid")" 2>/dev/null
	rm -f "$H/$h/agent.pid" "$H/$h/check-fails"
	: >"$H/$h/events"
done
sleep 0.5
PARENT_NET=/proc/$$/ns/net
mail_agent_case ha-agents 2 2
POLICY="$POLICY
  on_drift = \"revert\""
EXTRA_B=$EXTRA
EXTRA="$EXTRA_B
ha { peer_name = \"bg-b\" }"
write_conf					# host b: $T/state
mkdir -m 0700 "$T/stateA"
sed -e "s|^state_dir = .*|state_dir = \"$T/stateA\"|" \
    -e 's|peer_name = "bg-b"|peer_name = "bg-a"|' "$T/breakglass.conf" \
    >"$T/a.conf"				# host a: its own state_dir
ha_agent a "exec nsenter --net=$PARENT_NET $BIN -c $T/a.conf run"
ha_agent b "exec nsenter --net=$PARENT_NET $BIN -c $T/breakglass.conf run"
HEALTHY='{"issues": {"items": []}}'
scenario "$HEALTHY"
start_agent					# b ran before, while healthy
after_polls 3 "host b's agent ran 3 healthy polls (its state: disabled)"
stop_agent

scenario "{\"issues\": {\"items\": [$(entra_outage)]}}"
start_ka a
wait_for "host a, master, starts its agent, which enables the account" 25 \
    uac_is 66048
start_ka b
wait_for "host b is BACKUP" 15 has_events b stop 1
t0=$(date +%s.%N)
kill_ka a KILL					# host a dies, its agent too
pkill -KILL -F "$H/a/agent.pid" 2>/dev/null
rm -f "$H/a/agent.pid"
wait_for "host b becomes master and starts its agent" 15 agent_runs b
wait_for "host b's agent adopts the enabled account" 15 \
    audit_has '"event":"adopted".*"to":"enabled"'
t_adopt=$(/usr/bin/python3 -c '
import json, sys, datetime
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event"] == "adopted":
        t = datetime.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        print("%.3f" % t.replace(tzinfo=datetime.timezone.utc).timestamp())
        break' "$T/state/audit.log")
took=$(echo "$t0 $t_adopt" | awk '{ printf "%.2f", $2 - $1 }')
echo "# figure: ha take-over (master's keepalived and agent killed -9 -> the new agent's first decision, adopted): ${took}s"
check "the new agent decided within 10 s of the master's loss (${took}s)" \
    awk -v t="$took" 'BEGIN { exit !(t > 0 && t <= 10) }'
after_polls 4 "host b's agent ran 4 polls, the outage still on"
expect_uac 66048 "host b never disabled the account mid-outage"
check "host b recorded no drift and no disable" sh -c \
    '! grep -q "\"event\":\"drift\"\|\"event\":\"disable\"" "$1"' - \
    "$T/state/audit.log"
scenario "$HEALTHY"
wait_for "after recovery host b's agent disables the account" 20 uac_is 66050
bg history --merge "$T/stateA/audit.log" "$T/state/audit.log" --json
check "history --merge: both hosts' lines, in time order" \
    /usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin.read().splitlines()]
hosts = {r["host"] for r in rows}
times = [r["entry"]["time"] for r in rows]
sys.exit(0 if hosts == {"bg-a", "bg-b"} and times == sorted(times) else 1)' \
    <"$T/out"
bg verify "$T/stateA/audit.log"
expect_rc 0 "host a's chain verifies (verify FILE)"
bg verify
expect_rc 0 "host b's chain verifies"
for h in a b; do kill_ka "$h" TERM; done
pkill -F "$H/b/agent.pid" 2>/dev/null
set_uac "$BTG_DN" 66050
stop_graph
stop_mail
