# SPDX-License-Identifier: ISC
# common.sh - sourced by every integration test: TAP-style checks, a fresh
# state dir and config per test case, and helpers for the Samba DC.
# Needs: BIN (the breakglass binary), DC_DIR (a running tests/lib/dc.sh DC).
set -u

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
: "${BIN:?BIN must name the breakglass binary}"
: "${DC_DIR:?DC_DIR must name a running test DC (tests/lib/dc.sh start)}"
# shellcheck disable=SC1091
. "$DC_DIR/env"

T=""		# this case's scratch dir
OUT=""		# stdout of the last run
ERR=""		# stderr of the last run
RC=0		# exit code of the last run

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# check DESC CMD...: ok when CMD succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}

# a fresh case: scratch dir, state dir, secret copy, config (see write_conf)
new_case() {
	T=$(mktemp -d "${BG_TEST_OUT:-/tmp}/case-$1-XXXXXX")
	mkdir -m 0700 "$T/state"
	cp "$DC_DIR/svc.secret" "$T/ldap.secret"
	chmod 600 "$T/ldap.secret"
	URIS="\"$LDAPS_URI\""
	STARTTLS=false
	CA=$CA_FILE
	ACCOUNT=$BTG_DN
	GUID=$BTG_GUID
	TIMEOUT=5s
	EXTRA=""
	POLICY='mode = "manual"'
	GRAPH_SECTION=""
	ACCOUNTS=""
	write_conf
}

# two_accounts [GUID2]: the config names btg-admin as "first" and
# btg-admin2 as "second" (issue 15); GUID2 replaces the second's pin
two_accounts() {
	ACCOUNTS="account first {
  dn          = \"$ACCOUNT\"
  object_guid = \"$GUID\"
  upn         = \"btg-admin@corp.example.test\"
}
account second {
  dn          = \"$BTG2_DN\"
  object_guid = \"${1:-$BTG2_GUID}\"
  upn         = \"btg-admin2@corp.example.test\"
}"
	write_conf
}

write_conf() {
	if [ -z "${ACCOUNTS:-}" ]; then
		ACCOUNTS="account {
  dn          = \"$ACCOUNT\"
  object_guid = \"$GUID\"
  upn         = \"btg-admin@corp.example.test\"
}"
		wc_one=1
	fi
	cat >"$T/breakglass.conf" <<CONF
state_dir = "$T/state"
$ACCOUNTS
ldap {
  uri                = {$URIS}
  starttls           = $STARTTLS
  bind_dn            = "$SVC_UPN"
  bind_password_file = "$T/ldap.secret"
  ca_file            = "$CA"
  timeout            = $TIMEOUT
}
policy {
  $POLICY
}
$GRAPH_SECTION
$EXTRA
CONF
	# the one account follows ACCOUNT and GUID on the next write
	[ -z "${wc_one:-}" ] || ACCOUNTS=""
	wc_one=""
}

# bg ARGS...: run breakglass with this case's config, capture OUT/ERR/RC
bg() {
	"$BIN" -c "$T/breakglass.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	cat "$T/out" "$T/err" >>"$T/all-output"
}

# timed_bg ARGS...: bg, and TOOK = the whole seconds it took
timed_bg() {
	tb_start=$(date +%s)
	bg "$@"
	TOOK=$(( $(date +%s) - tb_start ))
}

# expect_rc N DESC: the last run exited N
expect_rc() {
	if [ "$RC" -eq "$1" ]; then
		ok "$2 (exit $RC)"
	else
		notok "$2: exit $RC, wanted $1"
		echo "# stdout: $OUT"
		echo "# stderr: $ERR"
	fi
}

# expect_out PATTERN DESC / expect_err PATTERN DESC (grep -E)
expect_out() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then ok "$2"; else
		notok "$2: stdout lacks /$1/"
		echo "# stdout: $OUT"
	fi
}
expect_err() {
	if printf '%s\n' "$ERR" | grep -Eq -- "$1"; then ok "$2"; else
		notok "$2: stderr lacks /$1/"
		echo "# stderr: $ERR"
	fi
}

uac() { "$LIB/dc.sh" uac "$DC_DIR" "${1:-$BTG_DN}"; }
set_uac() { "$LIB/dc.sh" set-uac "$DC_DIR" "$1" "$2" >/dev/null; }

# expect_uac VALUE DESC [DN]
expect_uac() {
	got=$(uac "${3:-$BTG_DN}")
	if [ "$got" = "$1" ]; then ok "$2 (userAccountControl $got)"; else
		notok "$2: userAccountControl is $got, wanted $1"
	fi
}

audit_lines() { cat "$T/state/audit.log" 2>/dev/null | wc -l; }
audit_last() { tail -n 1 "$T/state/audit.log"; }

# pyjson EXPR: evaluate a Python expression over j = the JSON on stdin
pyjson() { /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# pycheck DESC FILE CODE: Python asserts over j = the JSON in FILE
pycheck() {
	if /usr/bin/python3 -c "import json, re, sys
j = json.load(open(sys.argv[1]))
$3" "$2" 2>"$T/pyerr"; then ok "$1"; else
		notok "$1: $(tail -n 1 "$T/pyerr")"
		echo "# $(cat "$2")"
	fi
}

# wait_for DESC SECONDS CMD...: ok as soon as CMD succeeds, not ok at the end
wait_for() {
	desc=$1
	limit=$2
	shift 2
	end=$(( $(date +%s) + limit ))
	while ! "$@" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			notok "$desc (not within ${limit}s)"
			return 1
		fi
		sleep 0.1
	done
	ok "$desc"
}

uac_is() { [ "$(uac)" = "$1" ]; }
audit_has() { grep -q -- "$1" "$T/state/audit.log" 2>/dev/null; }
audit_count() { grep -c -- "$1" "$T/state/audit.log" 2>/dev/null || true; }

# wait_port_file FILE: up to 10 s for a server to write the port it took
wait_port_file() {
	wp_i=0
	while [ ! -s "$1" ] && [ $wp_i -lt 100 ]; do
		sleep 0.1
		wp_i=$((wp_i + 1))
	done
}

# the fake Graph (tests/lib/fake_graph.py) for this case, on a free port
start_graph() {
	rm -f "$T/graph.port"
	echo '{}' >"$T/scenario.json"
	printf 'graph-secret-%s\n' "$$" >"$T/graph.secret"
	chmod 600 "$T/graph.secret"
	cp "$T/graph.secret" "$T/graph.expected"	# what the server accepts
	/usr/bin/python3 "$LIB/fake_graph.py" --cert "$DC_DIR/pki/server.pem" \
	    --key "$DC_DIR/pki/server.key" --port-file "$T/graph.port" \
	    --scenario "$T/scenario.json" --log "$T/graph.log" \
	    --tenant test-tenant --client-id test-client \
	    --client-secret-file "$T/graph.expected" \
	    --token-log "$T/graph.tokens" \
	    ${GRAPH_CLIENT_CERT:+--client-cert "$GRAPH_CLIENT_CERT"} \
	    >"$T/graph.out" 2>&1 &
	GRAPH_PID=$!
	wait_port_file "$T/graph.port"
	GRAPH_URL="https://127.0.0.1:$(cat "$T/graph.port")"
	GRAPH_SECTION="graph {
  tenant_id          = \"test-tenant\"
  client_id          = \"test-client\"
  client_secret_file = \"$T/graph.secret\"
  authority          = \"$GRAPH_URL\"
  endpoint           = \"$GRAPH_URL\"
  ca_file            = \"$CA_FILE\"
  timeout            = ${GRAPH_TIMEOUT:-3s}
}"
}

stop_graph() {
	[ -n "${GRAPH_PID:-}" ] || return 0
	kill "$GRAPH_PID" 2>/dev/null
	wait "$GRAPH_PID" 2>/dev/null
	GRAPH_PID=""
}

issue_reqs() { cat "$T/graph.log" 2>/dev/null | grep -c serviceAnnouncement/issues; }

# waited_as_told DESC SKIP SECS: ok when every gap between the issue requests
# the fake Graph logged after its first SKIP was SECS (-0.05, +1 s), and there
# was at least one.  Give a Retry-After the client's own back-off (1, 2, 4,
# 8 s) cannot produce, e.g. 3: then only a client that waits as told passes.
waited_as_told() {
	if /usr/bin/python3 -c '
import json, sys
t = [json.loads(l)["time"] for l in open(sys.argv[1])
     if "serviceAnnouncement/issues" in l][int(sys.argv[2]):]
gaps = [b - a for a, b in zip(t, t[1:])]
print(" ".join("%.2f" % g for g in gaps) or "none")
w = float(sys.argv[3])
sys.exit(0 if gaps and all(w - 0.05 <= g < w + 1 for g in gaps) else 1)' \
	    "$T/graph.log" "$2" "$3" >"$T/gaps"; then
		ok "$1 (gaps $(cat "$T/gaps") s)"
	else
		notok "$1: the gaps between the requests were $(cat "$T/gaps") s, wanted $3 s each"
	fi
}

# verdict WANT DESC: one `breakglass health --json`, its verdict WANT
verdict() {
	bg health --json
	got=$(printf '%s' "$OUT" | pyjson 'j["verdict"]' 2>/dev/null)
	if [ "$got" = "$1" ]; then ok "$2: $got"; else
		notok "$2: verdict $got, wanted $1"
		echo "# $OUT $ERR"
	fi
}

# scenario JSON: written atomically, the server reads it on every request
scenario() {
	printf '%s\n' "$1" >"$T/scenario.tmp"
	mv "$T/scenario.tmp" "$T/scenario.json"
}

# issue ID SERVICE STATUS CLASSIFICATION TITLE [IMPACT] [RESOLVED]: one
# serviceHealthIssue with every documented field (GRAPH.md)
issue() {
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
a = sys.argv[1:] + [""] * 7
print(json.dumps({
    "startDateTime": "2026-11-25T01:00:00Z", "endDateTime": None,
    "lastModifiedDateTime": "2026-11-25T01:30:00Z", "title": a[4],
    "id": a[0], "impactDescription": a[5] or "Users may be affected.",
    "classification": a[3], "origin": "microsoft", "status": a[2],
    "service": a[1], "feature": "Sign In", "featureGroup": "Authentication",
    "isResolved": a[6] == "resolved", "highImpact": None,
    "details": [{"name": "NotifyInApp", "value": "True"}],
    "posts": [{"createdDateTime": "2026-11-25T01:05:00Z",
               "postType": "regular", "description": {
                   "contentType": "html", "content": "<p>" + a[4] + "</p>"}}]}))
PY
}

ENTRA_OUTAGE=""
entra_outage() {
	issue AD$$1 "${1:-Microsoft Entra}" serviceInterruption incident \
	    "Users can't sign in" "Users may be unable to sign in."
}

# the agent in the background, its output in $T/agent.log
start_agent() {
	"$BIN" -c "$T/breakglass.conf" run "$@" >"$T/agent.log" 2>&1 &
	AGENT_PID=$!
}

# wait_gone PID TENTHS: wait up to TENTHS/10 s for PID to exit; 1 if it lives
wait_gone() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt "$2" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# status_polls: "PID POLLS" from the agent's status.json (top-level keys,
# one tab deep in cJSON's print), "0 0" before the first poll
status_polls() {
	[ -f "$T/state/status.json" ] || { echo "0 0"; return; }
	awk '/^\t"pid":/ { pid = $2 } /^\t"polls":/ { n = $2 }
	    END { printf "%d %d\n", pid, n }' "$T/state/status.json"
}
agent_polls() { ap_s=$(status_polls); echo "${ap_s#* }"; }

# after_polls N [DESC]: wait until the agent has finished N more polls, as
# status.json counts them.  It is written once a cycle has decided and acted,
# before that cycle's Graph step and notices: N >= 2 covers N - 1 whole
# cycles.  Not ok (and 1) when the polls take longer than 8 s each + 10 s --
# an agent that stopped polling, which a "nothing happened" check after this
# would miss.  With DESC, ok when the polls were made.
after_polls() {
	ap_desc=${2:-the agent finishes $1 more polls}
	if [ "$1" -lt 1 ]; then
		notok "after_polls $1: waiting for no poll proves nothing"
		return 1
	fi
	ap_limit=$(( $1 * 8 + 10 ))
	ap_end=$(( $(date +%s) + ap_limit ))
	ap_s=$(status_polls)
	ap_pid=${ap_s% *}
	ap_want=$(( ${ap_s#* } + $1 ))
	while :; do
		ap_s=$(status_polls)
		if [ "${ap_s% *}" != "$ap_pid" ]; then	# a new agent counts from 0
			ap_pid=${ap_s% *}
			ap_want=$1
		fi
		[ "${ap_s#* }" -ge "$ap_want" ] && break
		if [ "$(date +%s)" -ge "$ap_end" ]; then
			notok "$ap_desc: status.json counts ${ap_s#* } polls, not $ap_want within ${ap_limit}s"
			return 1
		fi
		sleep 0.2
	done
	[ -z "${2:-}" ] || ok "$ap_desc"
}

# stop_agent: SIGTERM, ok if it exits 0 within 5 s
stop_agent() {
	[ -n "${AGENT_PID:-}" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	if ! wait_gone "$AGENT_PID" 50; then
		notok "agent stops within 5 s of SIGTERM"
		kill -9 "$AGENT_PID"
		wait "$AGENT_PID" 2>/dev/null
	else
		wait "$AGENT_PID"
		rc=$?
		check "agent exits 0 on SIGTERM (exit $rc) within 5 s" test "$rc" -eq 0
	fi
	AGENT_PID=""
}

# the SMTP sink (tests/lib/mail_sink.py): STARTTLS required, AUTH mailer;
# start_mail [PORT] [DELAY]; messages land in $T/mail/NNNN.eml
start_mail() {
	rm -f "$T/mail.port"
	[ -s "$T/mail.pw" ] || { printf 'mail-pw-%s\n' "$$" >"$T/mail.pw"; chmod 600 "$T/mail.pw"; }
	/usr/bin/python3 "$LIB/mail_sink.py" --port "${1:-0}" \
	    --port-file "$T/mail.port" --maildir "$T/mail" \
	    --cert "$DC_DIR/pki/server.pem" --key "$DC_DIR/pki/server.key" \
	    "$( [ -n "${SMTPS:-}" ] && echo --smtps || { [ -n "${NO_TLS:-}" ] && echo --no-tls; } || echo --require-starttls)" \
	    --user mailer \
	    --password-file "$T/mail.pw" \
	    --delay "${2:-0}" >>"$T/mail.out" 2>&1 &
	MAIL_PID=$!
	wait_port_file "$T/mail.port"
	MAIL_PORT=$(cat "$T/mail.port")
}

stop_mail() {
	[ -n "${MAIL_PID:-}" ] || return 0
	kill "$MAIL_PID" 2>/dev/null
	wait "$MAIL_PID" 2>/dev/null
	MAIL_PID=""
}

# smtp_section [MORE]: a notify section for the sink (password in mail.pw.client)
smtp_section() {
	EXTRA="notify {
  smtp {
    url           = \"smtp://127.0.0.1:$MAIL_PORT\"
    starttls      = \"required\"
    username      = \"mailer\"
    password_file = \"$T/mail.pw.client\"
    ca_file       = \"$CA_FILE\"
    from          = \"breakglass@corp.example.test\"
    to            = {\"it-alerts@corp.example.test\", \"tickets@corp.example.test\"}
  }
  ${1:-}
}"
	write_conf
}

# agent_case NAME RISE FALL: a fresh case with the account disabled, the
# fake Graph and an auto policy (poll 1 s) -- config written
agent_case() {
	new_case "$1"
	set_uac "$BTG_DN" 66050
	start_graph
	POLICY="mode = \"auto\"
  poll_interval = 1
  rise = $2
  fall = $3"
	write_conf
}

# mail_agent_case NAME RISE FALL: a fresh case with the account disabled, the
# fake Graph, the mail sink and an auto policy (poll 1 s) -- config written
mail_agent_case() {
	new_case "$1"
	set_uac "$BTG_DN" 66050
	set_uac "$BTG2_DN" 66050
	start_graph
	start_mail
	cp "$T/mail.pw" "$T/mail.pw.client"
	POLICY="mode = \"auto\"
  poll_interval = 1
  rise = $2
  fall = $3"
	smtp_section
}

mail_count() { ls "$T/mail" 2>/dev/null | grep -c '\.eml$'; }
spool_count() { ls "$T/state/spool" 2>/dev/null | grep -c '\.json$'; }

# start_syslog: a /dev/log stand-in at $T/log.sock, lines in $T/syslog.txt;
# in_ns ARGS...: breakglass in a private mount namespace whose /dev/log is it
start_syslog() {
	/usr/bin/python3 - "$T/log.sock" "$T/syslog.txt" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
end = time.time() + 60
with open(sys.argv[2], "ab", buffering=0) as out:
    while time.time() < end and not os.path.exists(sys.argv[1] + ".stop"):
        try:
            out.write(s.recv(65536) + b"\n")
        except socket.timeout:
            pass
PY
	SYSLOG_PID=$!
	i=0
	while [ ! -S "$T/log.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

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

stop_syslog() {
	sleep 0.3
	touch "$T/log.sock.stop"
	wait "$SYSLOG_PID"
}

cleanup_case() {
	[ -n "${AGENT_PID:-}" ] && kill -9 "$AGENT_PID" 2>/dev/null
	stop_graph
	stop_mail
}
trap cleanup_case EXIT

# user_copy DIR UID: this case's binary, config, CA and secrets in DIR (made
# 0755), state_dir DIR/state; state and secrets owned by UID -- for an agent
# running as another user, whom $T (0700) keeps out.  The uninstrumented
# binary under check-asan: that user could not write the sanitizer logs.
user_copy() {
	chmod 755 "$1"
	mkdir -m 700 "$1/state"
	cp "${PLAIN_BIN:-$BIN}" "$1/breakglass"
	cp "$T"/*.secret "$1/"
	cp "$CA_FILE" "$1/ca.pem"
	sed -e "s|$T/|$1/|g" -e "s|$CA_FILE|$1/ca.pem|g" "$T/breakglass.conf" \
	    >"$1/breakglass.conf"
	chmod 644 "$1/ca.pem" "$1/breakglass.conf"
	chown -R "$2:$2" "$1/state" "$1"/*.secret
}
