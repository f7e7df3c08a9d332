#!/bin/sh
# SPDX-License-Identifier: ISC
# 80-hardening.sh - small things a review found (issue 19 item 10): a pid in
# state.json that would make kill(pid, 0) ask about every process, and a
# state_dir so long that the paths built from it would be cut short.
. "$(dirname "$0")/../lib/common.sh"

# set_pid VALUE: write agent_pid into state.json as a service user could
set_pid() {
	/usr/bin/python3 - "$T/state/state.json" "$1" <<'PY'
import json, sys
p, v = sys.argv[1], int(sys.argv[2])
j = json.load(open(p))
j["agent_pid"] = v
open(p, "w").write(json.dumps(j))
PY
}

for pid in 4294967295 -1; do
	new_case "pid$pid"
	set_uac "$BTG_DN" 66050
	start_graph
	POLICY='mode = "auto"
  poll_interval = 1'
	write_conf
	bg disable --reason "state.json exists"
	set_pid "$pid"
	start_agent
	wait_for "agent_pid $pid in state.json: the agent starts and polls" 10 \
	    test -s "$T/state/status.json"
	check "agent_pid $pid is not taken for a running agent" sh -c \
	    '! grep -q "another agent" "$1/agent.log"' - "$T"
	stop_agent
	stop_graph
done

new_case longdir
long="$T/$(printf 'd%.0s' $(seq 1 1100))"
sed -i "s|^state_dir = .*|state_dir = \"$long\"|" "$T/breakglass.conf"
bg config-check
expect_rc 2 "a state_dir over 1024 bytes is a config error"
expect_err 'state_dir: longer than 1024 bytes' "the error names state_dir and the limit"
