#!/bin/sh
# SPDX-License-Identifier: ISC
# 84-override.sh - an override's end is recorded the same way whoever
# notices it first: a command line that changes the state (enable, disable,
# auto; no agent running) or the agent's poll.
# Same audit line (from, reason), same notice.
. "$(dirname "$0")/../lib/common.sh"

# hook: the command channel writes each notice's event and reason to a file
hook_conf() {
	cat >"$T/hook.sh" <<'HOOK'
#!/bin/sh
printf '%s|%s|%s\n' "$BREAKGLASS_EVENT" "$BREAKGLASS_ACTOR" "$BREAKGLASS_REASON" \
    >>"$(dirname "$0")/notices"
HOOK
	chmod 755 "$T/hook.sh"
	EXTRA="notify {
  command = \"$T/hook.sh\"
}"
	write_conf
}

# expired_line: the override-expired audit line, as JSON
expired_line() { grep '"event":"override-expired"' "$T/state/audit.log" | tail -n 1; }

for path in cli agent; do
	new_case "expire-$path"
	set_uac "$BTG_DN" 66050
	if [ "$path" = agent ]; then
		start_graph
		POLICY='mode = "auto"
  poll_interval = 1'
	fi
	hook_conf
	bg enable --reason "INC-84 $path" --for 2s
	expect_rc 0 "[$path] enable for 2 s"
	if [ "$path" = cli ]; then
		sleep 3
		bg disable --reason "INC-84 after the end"
		expect_rc 0 "[$path] a command line after the end"
	else
		start_agent
		wait_for "[$path] the agent records the end" 15 \
		    audit_has '"event":"override-expired"'
		# the agent delivers its spool: let it before it stops
		wait_for "[$path] the agent delivers the notice" 10 \
		    grep -q "^override-expired|" "$T/notices"
		stop_agent
		stop_graph
	fi
	expired_line >"$T/expired.json"
	pycheck "[$path] the audit line: actor agent, from enabled, the reason names the override" \
	    "$T/expired.json" '
assert j["actor"] == "agent", j
assert j["from"] == "enabled", j
assert re.search(r"the override \(enabled, set by cli:.*\): INC-84 '"$path"'\) ran out; the agent decides again", j["reason"]), j["reason"]'
	wait_for "[$path] a notice of the end went out" 10 \
	    grep -q "^override-expired|agent|the override (enabled" "$T/notices"
	check "[$path] exactly one override-expired line" \
	    test "$(audit_count '"event":"override-expired"')" -eq 1
done
