#!/bin/sh
# SPDX-License-Identifier: ISC
# 20-graph.sh - Graph faults beyond 70-health: 429 storms (short and hour-long
# Retry-After), a 64 MiB body, the right JSON under the wrong Content-Type,
# nextLink loops, the token endpoint down.  Each gives "unknown" within the
# timeout and bounded memory; across many polls mid-outage nothing flaps.
. "$(dirname "$0")/../lib/common.sh"

# memory is measured on the uninstrumented binary (check-asan sets PLAIN_BIN)
MBIN=${PLAIN_BIN:-$BIN}

# poll_rss DESC: one `health --json` poll; VERDICT, SECS, RSS_KB set
poll_rss() {
	/usr/bin/python3 - "$MBIN" "$T/breakglass.conf" "$T/out" "$T/err" <<'PY' >"$T/rss"
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[3], "w") as o, open(sys.argv[4], "w") as e:
    rc = subprocess.run([sys.argv[1], "-c", sys.argv[2], "health", "--json"],
                        stdout=o, stderr=e).returncode
print(rc, int(time.monotonic() - t + 0.999),
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
	read -r RC SECS RSS_KB <"$T/rss"
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	VERDICT=$(printf '%s' "$OUT" | pyjson 'j["verdict"]' 2>/dev/null)
}

# unknown_within DESC SECS: the last poll said unknown within SECS seconds
unknown_within() {
	if [ "$VERDICT" = unknown ] && [ "$SECS" -le "$2" ]; then
		ok "$1: unknown in ${SECS}s, max RSS ${RSS_KB} KiB"
	else
		notok "$1: verdict '$VERDICT' in ${SECS}s (limit $2s)"
		echo "# $OUT $ERR"
	fi
}

new_case graph
GRAPH_TIMEOUT=7s	# room for two waits of 3 s in one poll
start_graph
POLICY='mode = "auto"'
write_conf
AD="$(issue AD1 'Microsoft Entra' serviceInterruption incident 'Users cannot sign in')"

# 429 storm, Retry-After 3 (a wait the 1-2-4 s back-off never makes): retries
# as told within the poll's time, then unknown
scenario "{\"issues\": {\"mode\": \"429\", \"retry_after\": 3, \"items\": [$AD]}}"
before=$(issue_reqs)
poll_rss
unknown_within "a 429 storm (Retry-After 3)" 8
n=$(( $(issue_reqs) - before ))
check "the storm was retried, not hammered ($n requests in one 7 s poll)" \
    test "$n" -ge 2 -a "$n" -le 3
waited_as_told "the storm was retried as told (Retry-After 3 s)" "$before" 3
expect_out "429|[Tt]hrottl" "the answer says throttled"
GRAPH_TIMEOUT=3s
stop_graph
start_graph
write_conf

# Retry-After: 3600 must not park the poll for an hour
scenario "{\"issues\": {\"mode\": \"429\", \"retry_after\": 3600, \"items\": [$AD]}}"
before=$(issue_reqs)
poll_rss
unknown_within "429 with Retry-After 3600" 2
check "no retry when Retry-After is past the poll's time" \
    test $(( $(issue_reqs) - before )) -eq 1

# 503 storm with Retry-After
scenario "{\"issues\": {\"mode\": \"503\", \"retry_after\": 1, \"items\": [$AD]}}"
poll_rss
unknown_within "a 503 storm" 5

# a 64 MiB body: cut at the 8 MiB cap, memory stays small
scenario "{\"issues\": {\"mode\": \"huge\"}}"
poll_rss
unknown_within "a 64 MiB issues body" 5
check "memory bounded on a 64 MiB body (max RSS $RSS_KB KiB < 40 MiB)" \
    test "$RSS_KB" -lt 40960
expect_out "8388608|larger than|too large" "the answer names the size cap"

scenario "{\"token\": {\"mode\": \"huge\"}}"
poll_rss
unknown_within "a 64 MiB token answer" 5
check "memory bounded on a 64 MiB token answer ($RSS_KB KiB)" test "$RSS_KB" -lt 40960

# the right JSON under the wrong Content-Type
scenario "{\"issues\": {\"mode\": \"wrongtype\"}}"
poll_rss
unknown_within "issues as text/plain" 2
expect_out "not application/json" "the answer names the content type"
scenario "{\"token\": {\"mode\": \"wrongtype\"}}"
poll_rss
unknown_within "a token as text/plain" 2
expect_out "not application/json" "the token answer names the content type"

# a nextLink loop is bounded
scenario "{\"issues\": {\"mode\": \"loop\", \"items\": [$AD]}}"
before=$(issue_reqs)
poll_rss
unknown_within "a nextLink loop" 5
n=$(( $(issue_reqs) - before ))
check "the loop stopped at the page cap ($n requests <= 20)" test "$n" -le 20

# the token endpoint down (nothing listening): unknown fast
stop_graph
poll_rss
unknown_within "Graph down (connection refused)" 2

# --- mid-outage, every fault for several polls: no flap ----------------------
start_graph
POLICY='mode = "auto"
  poll_interval = 1
  rise = 2
  fall = 2'
GRAPH_TIMEOUT=2s
write_conf
set_uac "$BTG_DN" 66050
scenario "{\"issues\": {\"items\": [$AD]}}"
BREAKGLASS_POLL_INTERVAL_MS=300 "$MBIN" -c "$T/breakglass.conf" run \
    >"$T/agent.log" 2>&1 &
AGENT_PID=$!
wait_for "an outage enables the account" 10 uac_is 66048
for s in '{"issues": {"mode": "429", "retry_after": 1}}' \
    '{"issues": {"mode": "huge"}}' '{"issues": {"mode": "wrongtype"}}' \
    '{"issues": {"mode": "401"}, "token": {"mode": "wrongtype"}}' \
    '{"issues": {"mode": "401"}, "token": {"mode": "503"}}' \
    '{"issues": {"mode": "loop"}}' '{"issues": {"mode": "truncated"}}'; do
	scenario "$s"
	n=$(grep -c '"path"' "$T/graph.log")
	i=0
	while [ $(( $(grep -c '"path"' "$T/graph.log") - n )) -lt 3 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	n=$(( $(grep -c '"path"' "$T/graph.log") - n ))
	check "$s mid-outage: the agent kept polling ($n requests)" test "$n" -ge 3
	expect_uac 66048 "$s mid-outage: still enabled"
done
check "no outage-cleared and no disable during the faults" sh -c \
    '! grep -q "outage-cleared\|\"event\":\"disable\"" "$1/state/audit.log"' - "$T"
check "the agent never died" kill -0 "$AGENT_PID"
rss=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' /proc/"$AGENT_PID"/status)
check "agent memory bounded after the faults (VmHWM $rss KiB < 40 MiB)" \
    test "${rss:-999999}" -lt 40960
scenario '{}'
wait_for "recovery disables the account" 10 uac_is 66050

# an hour-long Retry-After is honoured for at most 300 s
scenario '{"issues": {"mode": "429", "retry_after": 3600}}'
wait_for "the agent saw the 3600 s Retry-After" 10 \
    grep -q 'Graph asked to wait 3600 s' "$T/agent.log"
sleep 1.5
wait=$(pyjson 'j["error"]' <"$T/state/status.json" | sed -n 's/.*(Retry-After) \([0-9]*\) s more.*/\1/p')
check "the wait was cut to at most 300 s (${wait:-?} s left)" \
    test "${wait:-9999}" -le 300 -a "${wait:-0}" -gt 250
stop_agent
bg verify
expect_rc 0 "the audit chain verifies"
