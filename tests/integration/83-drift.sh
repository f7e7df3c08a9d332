#!/bin/sh
# SPDX-License-Identifier: ISC
# 83-drift.sh - a responder disables the account in AD mid-outage: the agent
# never enables it again on its own (not with on_drift = revert, not for the
# outage in force); the disable is held until a person runs auto or enable.
. "$(dirname "$0")/../lib/common.sh"

OUTAGE='{"issues": {"items": [{"id": "AD7", "service": "Microsoft Entra", "status": "serviceInterruption", "classification": "incident", "title": "MFA failures", "isResolved": false}]}}'

for drift in revert alert; do
	new_case "hold-$drift"
	set_uac "$BTG_DN" 66050
	start_graph
	POLICY="mode = \"auto\"
  poll_interval = 1
  rise = 1
  fall = 2
  on_drift = \"$drift\""
	write_conf
	scenario "$OUTAGE"
	start_agent
	wait_for "[$drift] the outage enables the account" 15 uac_is 66048
	set_uac "$BTG_DN" 66050		# a responder, in AD
	wait_for "[$drift] the disable is seen as drift" 10 \
	    audit_has '"event":"drift".*"to":"disabled"'
	after_polls 4
	expect_uac 66050 "[$drift] 4 polls later, outage still on: still disabled"
	check "[$drift] the hold is an override without end (override-set)" \
	    audit_has '"event":"override-set".*"to":"disabled".*held disabled'
	bg status --json
	check "[$drift] status shows the disable override" sh -c \
	    'printf "%s" "$1" | /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); o=j[\"override\"]; sys.exit(0 if o and o[\"state\"]==\"disabled\" else 1)"' - "$OUT"
	check "[$drift] no enable after the drift" test \
	    "$(grep -c '"event":"enable"' "$T/state/audit.log")" -eq 2
	bg auto --reason "responder: account checked, give it back to the agent"
	expect_rc 0 "[$drift] breakglass auto clears the hold"
	wait_for "[$drift] after auto the agent enables it for the outage" 10 uac_is 66048
	stop_agent
	stop_graph
done
