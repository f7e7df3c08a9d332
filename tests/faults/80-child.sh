#!/bin/sh
# SPDX-License-Identifier: ISC
# 80-child.sh - sync.command and notify.command as child processes: only
# descriptors 0-2 (no Graph or LDAP socket), default signal dispositions
# (SIGPIPE not ignored), the whole process group killed on timeout and on a
# stop (agent and command line), and as root run as the owner of state_dir.
. "$(dirname "$0")/../lib/common.sh"

KIDS=""		# pids the test scripts left behind, killed at the end

# alive PID: running (a zombie waiting for its parent is gone)
alive() {
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat"
}
# tree_gone: the command (child.pid) and its background job (grandchild.pid)
tree_gone() {
	for f in child grandchild; do
		[ -s "$T/$f.pid" ] || return 1
		! alive "$(cat "$T/$f.pid")" || return 1
	done
}
note_kids() {
	for f in child grandchild; do
		[ -s "$T/$f.pid" ] && KIDS="$KIDS $(cat "$T/$f.pid")"
	done
}
cleanup_child() {
	for p in $KIDS; do alive "$p" && kill -9 "$p" 2>/dev/null; done
	cleanup_case
}
trap cleanup_child EXIT

# tree.sh: a command with a background job, both sleeping a minute (exec:
# every pid is in child.pid or grandchild.pid)
tree_script() {
	cat >"$T/tree.sh" <<SH
#!/bin/sh
sleep 60 &
echo \$! >"$T/grandchild.pid"
echo \$\$ >"$T/child.pid"
exec sleep 60
SH
	chmod 755 "$T/tree.sh"
}

# fds.sh NAME: what a command inherits -- its descriptors (as ls sees them,
# less ls's own directory) and its signal lines of /proc/self/status
cat_fds_script() {
	cat >"$T/fds.sh" <<SH
#!/bin/sh
ls -l /proc/self/fd >"$T/fds.\$1"
grep '^Sig' /proc/self/status >"$T/sig.\$1"
SH
	chmod 755 "$T/fds.sh"
}
fd_numbers() {
	sed -n 's/.* \([0-9][0-9]*\) -> \(.*\)$/\1 \2/p' "$T/fds.$1" |
	    grep -v ' /proc/[0-9]*/fd$' | cut -d' ' -f1 | tr '\n' ' '
}
# sigpipe_default NAME: SIGPIPE (13, bit 12) neither ignored nor blocked
sigpipe_default() {
	/usr/bin/python3 - "$T/sig.$1" <<'PY'
import sys
f = dict(l.split(":\t") for l in open(sys.argv[1]).read().splitlines())
for k in ("SigIgn", "SigBlk"):
    assert not int(f[k], 16) & (1 << 12), (k, f[k])
PY
}

# --- the agent: sockets to Graph and the DC are open when it runs them ---
new_case child-fds
set_uac "$BTG_DN" 66050
start_graph
cat_fds_script
POLICY='mode = "auto"
  poll_interval = 1
  rise = 1
  fall = 1'
EXTRA="sync {
  command = \"$T/fds.sh sync\"
  timeout = 10s
}
notify {
  command = \"$T/fds.sh notify\"
}"
write_conf
scenario "{\"issues\": {\"items\": [$(entra_outage)]}}"
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
wait_for "the outage enables the account" 15 uac_is 66048
wait_for "the agent ran sync.command" 10 test -s "$T/sig.sync"
wait_for "the agent ran notify.command" 10 test -s "$T/sig.notify"
stop_agent
stop_graph
for n in sync notify; do
	got=$(fd_numbers $n)
	check "$n.command has descriptors 0 1 2 only (has: $got)" \
	    test "$got" = "0 1 2 "
	[ "$got" = "0 1 2 " ] || sed 's/^/# /' "$T/fds.$n"
	check "$n.command: SIGPIPE at its default, not ignored or blocked" \
	    sigpipe_default $n
	[ -s "$T/sig.$n" ] && sed 's/^/# /' "$T/sig.$n"
done

# --- timeout: the command and its background job are killed ---
new_case child-timeout
set_uac "$BTG_DN" 66050
tree_script
EXTRA="sync {
  command = \"$T/tree.sh\"
  timeout = 1s
}"
write_conf
timed_bg enable --reason "INC-80 timeout"
note_kids
expect_rc 0 "the enable succeeds although sync.command times out"
check "it returns after the timeout and the grace (${TOOK}s)" test "$TOOK" -le 5
check "the sync is audited as killed after 1s" \
    audit_has '"event":"sync".*"result":"failed: sync.command: killed after 1s"'
wait_for "the command and its background job are gone" 3 tree_gone

# --- SIGTERM to the agent during a long sync.command ---
new_case child-stop
set_uac "$BTG_DN" 66050
start_graph
tree_script
POLICY='mode = "auto"
  poll_interval = 1
  rise = 1
  fall = 1'
EXTRA="sync {
  command = \"$T/tree.sh\"
  timeout = 5m
}"
write_conf
scenario "{\"issues\": {\"items\": [$(entra_outage)]}}"
BREAKGLASS_POLL_INTERVAL_MS=300 start_agent
wait_for "the agent enables and starts sync.command" 15 test -s "$T/child.pid"
note_kids
kill -TERM "$AGENT_PID"
if wait_gone "$AGENT_PID" 25; then
	wait "$AGENT_PID"
	check "the agent exits 0" test $? -eq 0
	ok "the agent stops within 2.5 s of SIGTERM during sync.command"
else
	notok "the agent stops within 2.5 s of SIGTERM during sync.command"
	stop_agent
fi
AGENT_PID=""
wait_for "the command and its background job are gone" 3 tree_gone
check "the sync is audited as killed by the stop" \
    audit_has '"event":"sync".*"result":"failed: sync.command: killed: breakglass is stopping"'

# --- SIGTERM to the command line during sync.command ---
new_case child-cli-stop
set_uac "$BTG_DN" 66050
tree_script
EXTRA="sync {
  command = \"$T/tree.sh\"
  timeout = 5m
}"
write_conf
"$BIN" -c "$T/breakglass.conf" enable --reason "INC-80 cli stop" \
    >"$T/cli.out" 2>&1 &
cli=$!
wait_for "the enable starts sync.command" 10 test -s "$T/child.pid"
note_kids
kill -TERM "$cli"
if wait_gone "$cli" 25; then
	wait "$cli"
	check "the command line dies of the SIGTERM (exit $?)" test $? -eq 143
else
	notok "the command line stops within 2.5 s of SIGTERM"
	kill -9 "$cli"
	wait "$cli"
fi
wait_for "the command and its background job are gone" 3 tree_gone
expect_uac 66048 "the account change before the sync stands"

# --- as root: the owner of state_dir, with that user's groups ---
new_case child-user
EXTRA="notify {
  command = \"/bin/sh -c \\\"echo child: uid=\$(id -u) gid=\$(id -g) groups=\$(id -G) >&2\\\"\"
}"
write_conf
bg notify-test
expect_rc 0 "notify-test with the command channel, state_dir owned by root"
expect_err "^child: uid=0 gid=0 " "state_dir owned by root: the command runs as root"
# root becomes the state_dir owner (privdrop.c) before the command runs;
# what the configuration names must be readable by that user (user_copy)
D=$(mktemp -d /tmp/bg-child-XXXXXX)
user_copy "$D" 65534
bg_as_copy() {
	"$D/breakglass" -c "$D/breakglass.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
bg_as_copy notify-test
expect_rc 0 "notify-test with state_dir owned by nobody"
expect_err "^child: uid=65534 gid=65534 groups=65534$" \
    "state_dir owned by nobody: the command runs as nobody, groups nobody's"
sed -i 's|command = .*|command = "/nonexistent/notify"|' "$D/breakglass.conf"
bg_as_copy notify-test
expect_rc 1 "a command that does not exist fails notify-test"
expect_out "notify.command: execve /nonexistent/notify: No such file or directory" \
    "the failure names the program and the reason"
rm -rf "$D"
