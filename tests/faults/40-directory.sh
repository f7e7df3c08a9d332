#!/bin/sh
# SPDX-License-Identifier: ISC
# 40-directory.sh - directory faults: a slow and a stalling DC behind a TCP
# proxy written for the tests (tests/lib/tcp_proxy.py), a DC that drops the
# connection mid-session, the DC killed and restarted under the agent, the
# bind password changed under the agent.  Each ends with a clear error within
# the timeout, a true record of what the account is, and nothing half-done.
# (30-failover covers a dead first DC, all DCs refusing, all stalled.)
. "$(dirname "$0")/../lib/common.sh"

# whatever happens, leave the shared DC up with its password
restore_dc() {
	cleanup_case
	[ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null
	"$LIB/dc.sh" status "$DC_DIR" || "$LIB/dc.sh" restart "$DC_DIR" >/dev/null 2>&1
	"$LIB/dc.sh" set-password "$DC_DIR" svc-breakglass 'Restore-Pass.Test4!'
	"$LIB/dc.sh" set-password "$DC_DIR" svc-breakglass "$(cat "$DC_DIR/svc.secret")"
}
trap restore_dc EXIT

start_proxy() {
	echo pass >"$T/proxy.mode"
	/usr/bin/python3 "$LIB/tcp_proxy.py" --target 127.0.0.1:636 \
	    --port-file "$T/proxy.port" --mode-file "$T/proxy.mode" \
	    2>"$T/proxy.log" &
	PROXY_PID=$!
	i=0
	while [ ! -s "$T/proxy.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	PROXY_URI="ldaps://127.0.0.1:$(cat "$T/proxy.port")"
}
proxy_mode() {
	echo "$*" >"$T/proxy.mode.tmp"
	mv "$T/proxy.mode.tmp" "$T/proxy.mode"
}
stop_proxy() { kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; }

live_state() { [ $(( $(uac) & 2 )) -eq 0 ] && echo enabled || echo disabled; }

# truthful DESC: status agrees with the DC, the chain verifies, and a failed
# last line says what the account is now -- the DC's own answer
truthful() {
	bg status --json
	st=$(printf '%s' "$OUT" | pyjson 'j["account_state"]' 2>/dev/null)
	check "$1: status says $st, the DC says $(live_state)" test "$st" = "$(live_state)"
	bg verify
	check "$1: the audit chain verifies" test "$RC" -eq 0
}

# --- slow, too slow ---------------------------------------------------------
new_case slow
set_uac "$BTG_DN" 66050
start_proxy
URIS="\"$PROXY_URI\""
TIMEOUT=5s
write_conf
proxy_mode delay 100
timed_bg enable --reason "slow DC"
took=$TOOK
expect_rc 0 "a slow DC (100 ms per packet) still works"
expect_uac 66048 "slow DC: enabled"
check "slow DC: done in ${took}s, within the 5 s timeout" test "$took" -le 5

proxy_mode delay 2500
TIMEOUT=2s
write_conf
timed_bg disable --reason "too slow DC"
took=$TOOK
expect_rc 1 "a DC slower than the timeout: exit 1"
expect_err "timeout|no answer within 2s" "the error says it timed out"
check "too slow: gave up in ${took}s (timeout 2s, then a read-back)" test "$took" -le 7
expect_uac 66048 "too slow: the account was not changed"
check "too slow: a failed audit line" sh -c \
    'tail -n 1 "$1/state/audit.log" | grep -q "\"event\":\"disable\".*\"result\":\"failed: "' - "$T"
proxy_mode pass
truthful "too slow"
stop_proxy

# --- stall and drop mid-session, at different moments; a real DC behind ------
for fault in stall drop; do
	for at in 0.2 0.5 0.8 1.1; do
		new_case "$fault-$at"
		set_uac "$BTG_DN" 66050
		start_proxy
		URIS="\"$PROXY_URI\", \"$LDAPS_URI\""
		TIMEOUT=2s
		write_conf
		proxy_mode delay 60
		( sleep "$at"; proxy_mode "$fault" ) &
		flip=$!
		timed_bg enable --reason "$fault at ${at}s"
		took=$TOOK
		wait "$flip"
		check "$fault at ${at}s: exit $RC (0 or 1) in ${took}s (<= 9)" \
		    test "$RC" -le 1 -a "$took" -le 9
		last=$(grep '"event":"enable"' "$T/state/audit.log" | tail -n 1)
		if [ "$RC" -eq 0 ]; then
			expect_uac 66048 "$fault at ${at}s: done, enabled"
		else
			now=$(printf '%s' "$last" | sed -n 's/.*the account is now \([a-z]*\).*/\1/p')
			check "$fault at ${at}s: the failed line says the account is now '$now', the DC says $(live_state)" \
			    test "$now" = "$(live_state)"
		fi
		proxy_mode pass
		truthful "$fault at ${at}s"
		bg enable --reason "again"
		expect_rc 0 "$fault at ${at}s: the next run completes"
		stop_proxy
	done
done

# --- the DC killed and restarted under the agent -----------------------------
new_case restart
set_uac "$BTG_DN" 66050
start_graph
POLICY='mode = "auto"
  poll_interval = 1
  rise = 2
  fall = 2'
TIMEOUT=2s
write_conf
"$LIB/dc.sh" crash "$DC_DIR"
bg enable --reason "DC down"
expect_rc 1 "the only DC killed: exit 1"
expect_err "127\\.0\\.0\\.1" "the error names the DC"
bg auto --reason "back to the agent"	# the failed enable's override
expect_rc 0 "auto clears the override of the failed enable"
scenario "{\"issues\": {\"items\": [$(entra_outage)]}}"
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
after_polls 10
n=$(grep -c '"event":"enable"' "$T/state/audit.log")
check "the agent waits for AD instead of spamming failed enables ($n enable lines in 10 polls)" \
    test "$n" -le 2
"$LIB/dc.sh" restart "$DC_DIR" >"$T/restart.log" 2>&1
check "the DC is back (dc.sh restart)" "$LIB/dc.sh" status "$DC_DIR"
wait_for "the agent enables the account once the DC is back" 20 uac_is 66048

# --- the bind password changed under the agent ------------------------------
scenario '{}'
wait_for "recovery disables it" 15 uac_is 66050
. "$DC_DIR/env"
# twice: Samba still takes the previous password for a simple bind
"$LIB/dc.sh" set-password "$DC_DIR" svc-breakglass 'Between-Pass.Test2!'
"$LIB/dc.sh" set-password "$DC_DIR" svc-breakglass 'Changed-Pass.Test2!'
scenario "{\"issues\": {\"items\": [$(entra_outage)]}}"
after_polls 10
expect_uac 66050 "with a wrong bind password nothing changes"
check "the agent log names the bind failure" \
    grep -qi "invalid credentials\|bind" "$T/agent.log"
check "the agent is still running" kill -0 "$AGENT_PID"
check "no failed enable spam with a wrong password ($(grep -c '"event":"enable".*"failed' "$T/state/audit.log"))" \
    test "$(grep -c '"event":"enable".*"failed' "$T/state/audit.log")" -le 2
printf '%s\n' 'Changed-Pass.Test2!' >"$T/ldap.secret"
wait_for "the new password in the secret file is used without a restart" 15 uac_is 66048
stop_agent
bg verify
expect_rc 0 "the audit chain verifies"
check "the password is in no output" sh -c \
    '! grep -rqF "Changed-Pass" "$1/state" "$1/agent.log" "$1/all-output"' - "$T"
set_uac "$BTG_DN" 66050
