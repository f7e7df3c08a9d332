#!/bin/sh
# SPDX-License-Identifier: ISC
# 10-crash.sh - kill -9 the CLI and the agent at every step of a toggle, with
# the test-only hooks of the fault build (make fault-build: FAULT_POINT() in
# toggle.c, util.c, notify.c; the shipped binary has none).  After a restart
# with the shipped binary: the account state is known, the audit chain
# verifies, an interrupted change has its reconcile line, no notification is
# lost, and one goes twice only after a kill at after-send.  A state.json
# write killed before its rename leaves the previous one whole.
# FAULT_RUNS runs per kill point (make check: 2, make check-long: 10).
. "$(dirname "$0")/../lib/common.sh"

FBIN=${FAULT_BIN:-}
RUNS=${FAULT_RUNS:-2}
POINTS="after-started after-ldap-write before-ok spool-write state-write \
before-send after-send"
kills=0
losses=0
dups=0
bad=0

if [ -z "$FBIN" ] || [ ! -x "$FBIN" ]; then
	notok "FAULT_BIN names the fault build (make fault-build): '$FBIN'"
	exit 1
fi
check "the shipped binary has no fault hooks" sh -c \
    '! grep -q BREAKGLASS_FAULT "$1"' - "$BIN"
check "the fault build has them" grep -q BREAKGLASS_FAULT "$FBIN"

# ledger: every audited change that needs a notice has a mail (by audit seq);
# prints "LOST DUP" and the lost seqs on stderr
ledger() {
	/usr/bin/python3 - "$T/state/audit.log" "$T/mail" <<'PY'
import json, os, re, sys
need = set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    ev, res = e.get("event"), e.get("result", "")
    if ev == "reconcile":
        need.add(e["seq"])
    elif ev in ("enable", "disable") and res != "started":
        if res != "ok" or e.get("changed") is True:
            need.add(e["seq"])
seen, ids = {}, {}
d = sys.argv[2]
for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    if not f.endswith(".eml"):
        continue
    raw = open(os.path.join(d, f), "rb").read().decode("utf-8", "replace")
    m = re.search(r"X-Breakglass-Audit: seq=(\d+)", raw)
    mid = re.search(r"Message-ID: (<[^>]*>)", raw)
    if m:
        seen[int(m.group(1))] = seen.get(int(m.group(1)), 0) + 1
    if mid:
        ids[mid.group(1)] = ids.get(mid.group(1), 0) + 1
lost = sorted(need - set(seen))
dup = sum(n - 1 for n in ids.values() if n > 1)
print(len(lost), dup)
if lost:
    print("lost notices of audit seqs", lost, file=sys.stderr)
PY
}

# settle: wait until the spool is empty (every notice delivered)
settle() {
	i=0
	while [ "$(spool_count)" -gt 0 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# after_crash DESC POINT: the checks common to the CLI and the agent
after_crash() {
	desc=$1
	p=$2
	bg status --json
	st=$(printf '%s' "$OUT" | pyjson 'j["account_state"]' 2>/dev/null)
	live=$(uac)
	want=disabled
	[ $((live & 2)) -eq 0 ] && want=enabled
	if [ "$st" = "$want" ]; then :; else
		notok "$desc: status says '$st', the directory says $want"
		bad=$((bad + 1))
	fi
	bg verify
	if [ "$RC" -ne 0 ]; then
		notok "$desc: the audit chain does not verify: $OUT $ERR"
		bad=$((bad + 1))
	fi
	case $p in
	after-started|after-ldap-write|before-ok)
		if ! audit_has '"event":"reconcile"'; then
			notok "$desc: no reconcile line in the audit log"
			bad=$((bad + 1))
		elif ! grep '"event":"reconcile"' "$T/state/audit.log" |
		    grep -q '"interrupted_seq":'; then
			notok "$desc: the reconcile line names no interrupted seq"
			bad=$((bad + 1))
		fi ;;
	esac
	settle
	set -- $(ledger 2>"$T/ledger.err")
	losses=$((losses + ${1:-1}))
	dups=$((dups + ${2:-0}))
	if [ "${1:-1}" -ne 0 ]; then
		notok "$desc: $(cat "$T/ledger.err")"
		bad=$((bad + 1))
	fi
	# a notice goes twice only when the kill fell between the relay's
	# acceptance and the spool file's removal, and then only that one
	max_dups=0
	[ "$p" = after-send ] && max_dups=1
	if [ "${2:-0}" -gt "$max_dups" ]; then
		notok "$desc: ${2:-0} duplicate mails (same Message-ID), at most $max_dups at $p"
		bad=$((bad + 1))
	fi
}

# --- the CLI: enable and disable, killed at each point -----------------------
for p in $POINTS; do
	bad_before=$bad
	r=1
	while [ $r -le "$RUNS" ]; do
		new_case "cli-$p"
		start_mail
		cp "$T/mail.pw" "$T/mail.pw.client"
		smtp_section
		if [ $((r % 2)) -eq 1 ]; then
			set_uac "$BTG_DN" 66050; cmd=enable
		else
			set_uac "$BTG_DN" 66048; cmd=disable
		fi
		BREAKGLASS_FAULT=$p "$FBIN" -c "$T/breakglass.conf" $cmd \
		    --reason "crash test $p run $r" >"$T/crash.out" 2>&1
		rc=$?
		kills=$((kills + 1))
		if [ "$rc" -ne 137 ]; then
			notok "cli $cmd killed at $p (run $r): exit $rc, not SIGKILL"
			bad=$((bad + 1))
		fi
		# the admin runs the command again, with the shipped binary
		bg $cmd --reason "again after the crash"
		if [ "$RC" -ne 0 ]; then
			notok "cli $cmd after a kill at $p: exit $RC: $ERR"
			bad=$((bad + 1))
		fi
		after_crash "cli $cmd killed at $p (run $r)" "$p"
		stop_mail
		r=$((r + 1))
	done
	check "cli: killed at $p $RUNS times, recovered each time" \
	    test "$bad" -eq "$bad_before"
done

# --- the agent: an outage, killed at each point of its enable -----------------
for p in $POINTS; do
	bad_before=$bad
	r=1
	while [ $r -le "$RUNS" ]; do
		mail_agent_case "agent-$p" 2 3
		scenario "{\"issues\": {\"items\": [$(entra_outage)]}}"
		n=1
		[ "$p" = state-write ] && n=$r	# a different state write each run
		BREAKGLASS_FAULT="$p:$n" BREAKGLASS_POLL_INTERVAL_MS=200 \
		    "$FBIN" -c "$T/breakglass.conf" run >"$T/agent-crash.log" 2>&1 &
		pid=$!
		if ! wait_gone "$pid" 200; then
			notok "agent never reached $p:$n in 20 s"
			kill -9 "$pid"
			bad=$((bad + 1))
		fi
		wait "$pid"
		rc=$?
		kills=$((kills + 1))
		[ "$rc" -eq 137 ] || { notok "agent at $p: exit $rc"; bad=$((bad + 1)); }
		BREAKGLASS_POLL_INTERVAL_MS=200 start_agent
		i=0
		until { [ "$(uac)" = 66048 ] && [ "$(spool_count)" -eq 0 ] &&
		    [ "$(mail_count)" -gt 0 ]; } || [ $i -ge 100 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		stop_agent
		if [ "$(uac)" != 66048 ]; then
			notok "agent killed at $p:$n: the restarted agent did not enable the account"
			bad=$((bad + 1))
		fi
		after_crash "agent killed at $p:$n (run $r)" "$p"
		stop_mail
		stop_graph
		r=$((r + 1))
	done
	check "agent: killed at $p $RUNS times, recovered each time" \
	    test "$bad" -eq "$bad_before"
done

# --- state.json: a write killed inside it leaves the previous one whole ------
# state-write fires in write_file_atomic (util.c) once the new state.json.tmp
# is written and synced, before the rename.  The CLI's first state write is
# the override, before AD is touched (the previous state.json: the enable's,
# kept in state.before); its second follows the audited change (the previous:
# the first write's, the new override with the account as it was).  A
# state_save that wrote in place would leave a torn or a new state.json here,
# or never reach the point (no SIGKILL).
for n in 1 2; do
	new_case "state-write-$n"
	set_uac "$BTG_DN" 66050
	bg enable --reason "the state before" --for 1h
	cp "$T/state/state.json" "$T/state.before"
	BREAKGLASS_FAULT="state-write:$n" "$FBIN" -c "$T/breakglass.conf" \
	    disable --reason "killed in state write $n" >"$T/crash.out" 2>&1
	rc=$?
	check "state write $n: disable killed inside it (exit $rc, SIGKILL 137)" \
	    test "$rc" -eq 137
	if [ "$n" -eq 1 ]; then
		check "state write 1: state.json is the previous one, byte for byte" \
		    cmp -s "$T/state.before" "$T/state/state.json"
		want='j["override"]["state"] == "enabled"'
	else
		want='j["override"]["state"] == "disabled" and j["account"]["state"] == "enabled"'
	fi
	pycheck "state write $n: state.json is whole, the previous write's" \
	    "$T/state/state.json" "assert $want, j"
	check "state write $n: the new state went to state.json.tmp only" sh -c \
	    'test -s "$1.tmp" && ! cmp -s "$1.tmp" "$1"' - "$T/state/state.json"
	bg disable --reason "again after the kill"
	expect_rc 0 "state write $n: the next disable completes"
	expect_uac 66050 "state write $n: the account is disabled"
	pycheck "state write $n: state.json says disabled, by the new override" \
	    "$T/state/state.json" 'assert j["override"]["state"] == "disabled" and j["account"]["state"] == "disabled", j'
	check "state write $n: no state.json.tmp is left" test ! -e "$T/state/state.json.tmp"
	bg verify
	expect_rc 0 "state write $n: the audit chain verifies"
done

pts=$(echo $POINTS | wc -w)
echo "# figure: crash matrix $pts points x $RUNS runs x 2 = $kills kills, $losses lost, $dups duplicates, $bad failures"
check "crash matrix: $pts points x $RUNS runs x (cli, agent) = $kills kills, $losses notices lost, $dups duplicates (same Message-ID), $bad failures" \
    test "$losses" -eq 0 -a "$bad" -eq 0 -a "$kills" -eq $((pts * RUNS * 2))
