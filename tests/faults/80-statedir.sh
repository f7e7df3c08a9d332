#!/bin/sh
# SPDX-License-Identifier: ISC
# 80-statedir.sh - state_dir belongs to the service user and an admin runs
# the command line as root: it becomes that user before it touches state_dir
# (what it creates is the user's, the invoker is still the actor), and
# nothing the user plants there -- spool as a link into a directory of
# root's, state.json, lock or state.json.tmp as links, a hard-linked
# audit.log, a FIFO -- makes root create, rename, delete, read or write
# anything else, or hang.  A group/world writable state_dir, a linked one and
# one owned by a third user are refused (exit 3).  Needs root, which CI has.
. "$(dirname "$0")/../lib/common.sh"

SVC=bgtest
if ! getent passwd "$SVC" >/dev/null; then
	useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$SVC" 2>/dev/null
fi
getent passwd "$SVC" >/dev/null || { notok "create the system user $SVC"; exit 1; }
SVC_UID=$(id -u "$SVC")
SVC_GROUP=$(id -gn "$SVC")

# sanitizer builds: a command that became $SVC cannot write its report into
# run.sh's directory (root's); it writes them here, and they fail this test
[ -n "${BG_TEST_OUT:-}" ] && chmod 711 "$BG_TEST_OUT"
SAN=$(mktemp -d "${BG_TEST_OUT:-/tmp}/san-XXXXXX")
chmod 1777 "$SAN"
export ASAN_OPTIONS="detect_leaks=1:log_path=$SAN/sanitizer"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$SAN/sanitizer"
san_reports() {
	for f in "$SAN"/sanitizer.*; do
		[ -e "$f" ] || continue
		notok "sanitizer report $(basename "$f")"
		cat "$f"
	done
}

# as_svc CMD...: as the service user (no other group)
as_svc() { setpriv --reuid="$SVC" --regid="$SVC_GROUP" --clear-groups -- "$@"; }

# svc_case NAME: a case whose state_dir is the service user's; the user can
# reach it (the case dirs are 0711), and reads the CA and runs the notify
# command from the case dir (the secrets stay root's: read before the drop)
svc_case() {
	new_case "$1"
	chmod 711 "$T"
	cp "$CA_FILE" "$T/ca.pem"
	chmod 644 "$T/ca.pem" "$T/breakglass.conf"
	CA=$T/ca.pem
	printf '#!/bin/sh\nid -u >>"%s/uids"\n' "$T" >"$T/whoami.sh"
	chmod 755 "$T/whoami.sh"
	: >"$T/uids"
	chown "$SVC" "$T/uids"
	EXTRA="notify {
  command = \"$T/whoami.sh\"
}"
	write_conf
	chmod 644 "$T/breakglass.conf"
	chown "$SVC:$SVC_GROUP" "$T/state"
	set_uac "$BTG_DN" 66050
	# root's directory the service user would like root to write in
	mkdir -m 700 "$T/rootdir"
	echo "root's" >"$T/rootdir/keep.txt"
	printf '{' >"$T/rootdir/1-deadbeef-command.json"		# renamed to .bad
	printf '{"chann' >"$T/rootdir/2-deadbeef-command.json.tmp"	# stale: removed
	touch -d '2 hours ago' "$T/rootdir/2-deadbeef-command.json.tmp"
	snapshot >"$T/rootdir.before"
}

# names, inodes, sizes, times and sums of everything in rootdir
snapshot() {
	(cd "$T/rootdir" && find . -printf '%p %i %s %T@\n' | sort &&
	    find . -type f -exec md5sum {} + | sort)
}
rootdir_same() { snapshot | cmp -s - "$T/rootdir.before"; }

# the service user's own command line, in the same dirs
svc_bg() {
	as_svc "$BIN" -c "$T/breakglass.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# 1. root becomes the owner: the notify command runs as it, files are its
svc_case owner
SUDO_USER=carol SUDO_UID=4343 bg enable --reason "INC-80 root in the service user's state_dir"
expect_rc 0 "root's enable in a state_dir of $SVC"
expect_uac 66048 "the account is enabled"
check "the notify command ran as $SVC (uid $SVC_UID), not as root ($(tr '\n' ' ' <"$T/uids"))" \
    test "$(cat "$T/uids")" = "$SVC_UID"
check "the actor is still the invoker, read before the change of user" \
    audit_has '"actor":"cli:carol(uid=4343)","event":"enable"'
bg disable --reason "INC-80 done"
expect_rc 0 "root's disable"
bg status
expect_rc 0 "root's status"
bg verify
expect_rc 0 "root's verify"
BREAKGLASS_POLL_INTERVAL_MS=200 bg run --polls 2
expect_rc 0 "root's run (2 polls)"
check "status.json written by it" test -s "$T/state/status.json"
bad=$(find "$T/state" \( ! -user "$SVC" -o ! -group "$SVC_GROUP" \) -printf '%p ' | head -c 300)
check "everything in state_dir is $SVC:$SVC_GROUP (${bad:-all of it})" test -z "$bad"
bad=$(find "$T/state" \( -type f ! -perm 0600 \) -o \( -type d ! -perm 0700 \) | head -3)
check "files 0600, dirs 0700 (${bad:-all})" test -z "$bad"
check "state.json, audit.log, lock there" test -f "$T/state/state.json" -a \
    -f "$T/state/audit.log" -a -f "$T/state/lock"

# 2. spool planted as a link into root's directory
svc_case spool
as_svc ln -s "$T/rootdir" "$T/state/spool"
bg enable --reason "INC-80 spool planted"
expect_err "spool: a symbolic link; refused" "the error names the planted spool link"
bg disable --reason "INC-80 spool planted"
check "nothing in root's directory was created, renamed or deleted" rootdir_same
check "the link is still a link (not replaced by root)" test -L "$T/state/spool"
expect_uac 66050 "the account change itself went through"

# 3. state.json planted as a link to root's file
svc_case statejson
as_svc ln -s "$T/rootdir/keep.txt" "$T/state/state.json"
bg enable --reason "INC-80 state.json planted"
expect_rc 3 "a linked state.json is refused"
expect_err "state.json: a symbolic link; refused" "the error names it"
expect_uac 66050 "the account was not touched"
check "root's file unchanged" rootdir_same

# 4. lock planted as a link to a new file in root's directory
svc_case lock
as_svc ln -s "$T/rootdir/lockfile" "$T/state/lock"
bg enable --reason "INC-80 lock planted"
expect_rc 3 "a linked lock is refused"
expect_err "lock: a symbolic link; refused" "the error names it"
check "no lock file made in root's directory" rootdir_same

# 5. audit.log hard-linked to another file of the user's
svc_case hardlink
as_svc sh -c 'echo decoy >"$1/decoy" && ln "$1/decoy" "$1/audit.log"' - "$T/state"
bg enable --reason "INC-80 audit.log hard-linked"
expect_rc 3 "a hard-linked audit.log is refused"
expect_err "audit.log: has 2 hard links, not 1; refused" "the error says why"
check "the other name's content is unchanged" test "$(cat "$T/state/decoy")" = decoy
expect_uac 66050 "the account was not touched"

# 6. state.json.tmp planted as a link: replaced, never written through
svc_case tmplink
as_svc ln -s "$T/rootdir/keep.txt" "$T/state/state.json.tmp"
bg enable --reason "INC-80 tmp planted"
expect_rc 0 "a planted tmp name does not stop the command"
check "state.json is a regular file" test -f "$T/state/state.json" -a ! -L "$T/state/state.json"
check "root's file unchanged" rootdir_same
bg disable --reason "INC-80 cleanup"

# 7. a FIFO as status.json: root's status must not hang on it
svc_case fifo
as_svc mkfifo -m 600 "$T/state/status.json"
timeout 30 "$BIN" -c "$T/breakglass.conf" status >"$T/out" 2>"$T/err"
RC=$?
check "status with a FIFO for status.json returns (exit $RC, 124 is a hang)" test "$RC" -ne 124

# 8. state_dir refused: group/world writable, a link, a third user's,
# root's with a subdirectory of the user's
svc_case modes
chmod 777 "$T/state"
bg enable --reason "INC-80 world-writable state_dir"
expect_rc 3 "a world-writable state_dir is refused"
expect_err "state_dir $T/state: mode 0777 is group/world writable; refused \\(chmod 700" \
    "one line naming the directory, the reason and the fix"
expect_uac 66050 "the account was not touched"
bg check
check "check says CRITICAL (exit $RC)" sh -c '[ "$1" -eq 2 ] && grep -q "^BREAKGLASS CRITICAL - state_dir .*group/world writable" "$2/out"' - "$RC" "$T"
chmod 770 "$T/state"
bg history
expect_rc 3 "a group-writable state_dir is refused, reading too"
chmod 700 "$T/state"
mv "$T/state" "$T/real-state"
ln -s "$T/real-state" "$T/state"
bg history
expect_rc 3 "state_dir named through a link is refused"
expect_err "state_dir $T/state: a symbolic link; refused" "the error says so"
rm "$T/state"
mv "$T/real-state" "$T/state"

svc_case third
chown nobody "$T/state"
svc_bg history
expect_rc 3 "$SVC's command in a state_dir of nobody's is refused"
expect_err "state_dir $T/state: owned by uid $(id -u nobody), not by root or the running user \\(uid $SVC_UID\\); refused" \
    "the error names the owner and the running user"

svc_case subdir
chown root:root "$T/state"
mkdir -m 700 "$T/state/spool"
chown "$SVC" "$T/state/spool"
bg enable --reason "INC-80 the user's spool in root's state_dir"
expect_err "spool: owned by uid $SVC_UID, not by the running user \\(uid 0\\); refused" \
    "root keeps root in its own state_dir, and refuses the user's spool"
check "nothing written in the user's spool" test -z "$(ls -A "$T/state/spool")"
bg disable --reason "INC-80 cleanup"
san_reports
