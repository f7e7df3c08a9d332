#!/bin/sh
# SPDX-License-Identifier: ISC
# 50-reload.sh - SIGHUP with every kind of broken configuration: each is
# rejected with one line naming what is wrong, the agent keeps running and
# polling on the old configuration; a good one is then taken.
. "$(dirname "$0")/../lib/common.sh"

polls() { cat "$T/graph.log" 2>/dev/null | grep -c serviceAnnouncement/issues; }
rejected() { grep -ac "reload rejected" "$T/agent.log"; }

new_case reload
set_uac "$BTG_DN" 66050
start_graph
POLICY='mode = "auto"
  poll_interval = 1'
write_conf
cp "$T/breakglass.conf" "$T/good.conf"
BREAKGLASS_POLL_INTERVAL_MS=200 start_agent
polled() { [ "$(polls)" -gt 1 ]; }
wait_for "the agent polls" 10 polled

# broken KIND PATTERN: the config file is now broken that way (already
# written); HUP; the rejection names PATTERN; still polling
broken() {
	n=$(rejected)
	kill -HUP "$AGENT_PID"
	i=0
	while [ "$(rejected)" -le "$n" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	line=$(grep "reload rejected" "$T/agent.log" | tail -n 1)
	if [ "$(rejected)" -gt "$n" ] && printf '%s' "$line" | grep -Eq -- "$2"; then
		ok "SIGHUP with $1: rejected, naming it"
	else
		notok "SIGHUP with $1: wanted a rejection naming /$2/"
		echo "# $line"
	fi
	before=$(polls)
	i=0
	while [ "$(polls)" -le "$before" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	check "after $1: still running and polling on the old configuration" \
	    test "$(polls)" -gt "$before"
	cp "$T/good.conf" "$T/breakglass.conf"
}

conf() { cp "$T/good.conf" "$T/breakglass.conf"; }
edit() { conf; sed -i "$1" "$T/breakglass.conf"; }

edit 's/^policy {/policy { mode = }/'
broken "a syntax error" "breakglass.conf:[0-9]+"
conf; echo 'frobnicate = 1' >>"$T/breakglass.conf"
broken "an unknown key" "frobnicate"
edit 's/mode = "auto"/mode = "sometimes"/'
broken "a bad mode" "mode"
edit 's/poll_interval = 1/poll_interval = soon/'
broken "a bad duration" "poll_interval"
edit 's/^  dn .*/  dn = "<break-glass user DN>"/'
broken "a placeholder" "dn.*placeholder|placeholder.*dn"
edit '/^  dn /d'
broken "a missing account.dn" "dn"
edit 's/timeout            = 3s/timeout            = 0s/'
broken "a zero timeout" "timeout"
cp "$T/ldap.secret" "$T/loose.secret"; chmod 644 "$T/loose.secret"
edit "s#$T/ldap.secret#$T/loose.secret#"
broken "a world-readable bind password file" "loose.secret.*(readable|mode)"
edit "s#$T/ldap.secret#$T/missing.secret#"
broken "a missing bind password file" "missing.secret"
edit "s#ca_file            = \"$CA_FILE\"#ca_file = \"$T/nope.pem\"#"
broken "a missing ca_file" "nope.pem"
edit "s#^state_dir = .*#state_dir = \"$T/elsewhere\"#"
broken "a changed state_dir" "state_dir"
: >"$T/breakglass.conf"
broken "an empty file" "dn|account|empty"
head -c 300 /dev/urandom >"$T/breakglass.conf"
broken "binary garbage" "breakglass.conf"
mv "$T/breakglass.conf" "$T/gone.conf"
broken "the file deleted" "breakglass.conf.*(No such file|not found)"

edit 's/poll_interval = 1/poll_interval = 2/'
kill -HUP "$AGENT_PID"
wait_for "a good configuration is then taken" 5 grep -q "configuration reloaded" "$T/agent.log"
check "every rejection was one log line" test "$(rejected)" -eq 14
stop_agent
bg verify
expect_rc 0 "the audit chain verifies"
