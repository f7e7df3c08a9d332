#!/bin/sh
# SPDX-License-Identifier: ISC
# fresh.sh - make check-fresh: the README's two commands as the first ones on
# a fresh Debian 12, then the .deb installed the way the README says.
#
#   1. a root built by `debootstrap --variant=minbase bookworm` from the
#      archive this machine's own apt sources name, with only
#      `apt-get install make git` in it;
#   2. the commit under test cloned into it (HEAD's commit, or FRESH_REV's:
#      committed state only, never the work tree);
#   3. in it, chrooted with /proc, /sys, /dev, /dev/pts and /dev/shm
#      mounted: `make demo` first, then `make check`; either failing fails;
#   4. `make deb` there, and the .deb installed with `apt install ./...` in
#      a second copy of the debootstrap'd root, taken before anything was
#      installed in it: apt pulls the libraries its Depends name, then
#      `breakglass version`, `config-check` on the shipped example and
#      `man breakglass` run.
#
# The network.  `make check` starts a Samba AD DC on 127.0.0.1:389/636, so
# the demo, the tests and `make deb` run in a network namespace of their own
# with only loopback up: they cannot take the host's ports, nor use the
# Debian archive.  So the steps that need the archive run before, with the
# network: debootstrap, `apt-get install make git`, and
# `packaging/install-deps.sh --download`, which puts the packages `make deps`
# would install into the root's apt cache *without installing them*.  The
# README's commands are then run exactly: the first `make demo` still finds
# every package missing and installs them all itself (apt-get update fails
# without a network and is ignored, apt-get install takes the cached
# files), in the same make run that then builds -- the case issue 13 broke.
# The .deb's install in the second root runs with the network, as a user's
# would.  Services: policy-rc.d in both roots keeps package scripts from
# starting daemons in a chroot (a real machine's init would).
#
# FRESH_FIRST='make fuzz FUZZ_SECONDS=5' runs that command first instead of
# the two, then stops: the other entry targets, checked by hand.
#
# Every exit -- success, failure, INT, TERM, HUP -- ends the processes
# chrooted into the roots, unmounts and removes them.  The mounts live in a
# private mount namespace: even a kill -9 of this script leaves none on the
# host.  Each step prints its time; exit 1 if any failed.  Needs root, and
# the network for the archive.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "fresh: $*" >&2; exit 1; }
now() { date +%s; }

# kill_chrooted DIR: end the processes whose root is DIR or below (ours)
kill_chrooted() {
	for sig in TERM KILL; do
		pids=""
		for p in /proc/[0-9]*; do
			case $(readlink "$p/root" 2>/dev/null) in
			"$1"/*) pids="$pids ${p#/proc/}" ;;
			esac
		done
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086
		kill -"$sig" $pids 2>/dev/null
		sleep 1
	done
}

# ---------------------------------------------------------------------------
# the inner part: in a private mount namespace, FRESH_WORK its directory
if [ "${1:-}" = --inner ]; then
	work=$FRESH_WORK
	root=$work/root
	debroot=$work/deb
	mounted=""
	child=""
	failed=0
	inner_exit() {
		rc=$?
		trap '' INT TERM HUP
		[ -n "$child" ] && kill "$child" 2>/dev/null
		kill_chrooted "$work"
		for m in $mounted; do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
		exit "$rc"
	}
	trap inner_exit EXIT
	trap 'exit 143' TERM
	trap 'exit 129' HUP

	# step NAME CMD...: run CMD, say ok/not ok with its time; output to
	# $work/NAME.log, its tail shown on failure (STREAM=1: to the terminal)
	step() {
		name=$1
		shift
		log=$work/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '-').log
		t=$(now)
		if [ "${STREAM:-0}" = 1 ]; then "$@" & else "$@" >"$log" 2>&1 & fi
		child=$!
		wait "$child"
		rc=$?
		child=""
		secs=$(( $(now) - t ))
		if [ "$rc" -eq 0 ]; then
			echo "ok - $name ($secs s)"
		else
			echo "not ok - $name: exit $rc ($secs s)"
			[ "${STREAM:-0}" = 1 ] || tail -n 40 "$log" | sed 's/^/# /'
			failed=$((failed + 1))
		fi
		return "$rc"
	}
	# mount_root DIR: what a running Debian has; / a mount point too
	# (unshare -m, which the syslog test uses, sets / private)
	mount_root() {
		for m in / proc sys dev dev/pts dev/shm; do
			case $m in
			/) mount --bind "$1" "$1" ;;
			proc) mount -t proc proc "$1/proc" ;;
			sys) mount -t sysfs sysfs "$1/sys" ;;
			dev/shm) mount -t tmpfs -o mode=1777 tmpfs "$1/dev/shm" ;;
			*) mount --bind "/$m" "$1/$m" ;;
			esac || exit 1
			mounted="${1%/}/${m#/} $mounted"
		done
	}
	# in_root DIR CMD: CMD by sh in the chroot, in root's login environment
	ENV="HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	# shellcheck disable=SC2086
	in_root() { chroot "$1" /usr/bin/env -i $ENV TERM="${TERM:-dumb}" sh -c "$2"; }
	# offline DIR CMD: the same in a network namespace with loopback only
	# shellcheck disable=SC2086
	offline() {
		unshare -n sh -c 'ip link set lo up && exec "$@"' - \
		    chroot "$1" /usr/bin/env -i $ENV TERM="${TERM:-dumb}" sh -c "$2"
	}

	step "debootstrap --variant=minbase bookworm $FRESH_MIRROR" \
	    debootstrap --variant=minbase bookworm "$root" "$FRESH_MIRROR" || exit 1
	step "a copy of the fresh root for the package install" \
	    cp -a "$root" "$debroot" || exit 1
	for r in "$root" "$debroot"; do
		printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
		chmod 755 "$r/usr/sbin/policy-rc.d"
	done
	mount_root "$root"
	step "apt-get install make git" in_root "$root" 'apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q make git' || exit 1
	step "git clone, checkout $FRESH_REV" sh -c '
		git clone -q "$1" "$2" && git -C "$2" fetch -q "$1" "$3" &&
		git -C "$2" checkout -q --detach "$3"' - "$top" "$root/root/breakglass" \
	    "$FRESH_REV" || exit 1
	step "install-deps.sh --download (the archive's files into apt's cache)" \
	    in_root "$root" 'cd /root/breakglass && sh packaging/install-deps.sh --download' ||
	    exit 1
	if [ -n "${FRESH_FIRST:-}" ]; then
		STREAM=1 step "$FRESH_FIRST (the first command, no network)" \
		    offline "$root" "cd /root/breakglass && $FRESH_FIRST"
		exit
	fi
	STREAM=1 step "make demo (the first command, no network)" \
	    offline "$root" 'cd /root/breakglass && make demo'
	STREAM=1 step "make check (no network)" \
	    offline "$root" 'cd /root/breakglass && make check'
	step "make deb (no network)" offline "$root" 'cd /root/breakglass && make deb' &&
	    cp "$root"/root/breakglass/build/deb/breakglass_*.deb "$debroot/root/"
	[ "$failed" -eq 0 ] || exit 1

	mount_root "$debroot"
	step "apt install ./breakglass_*.deb in a fresh root" \
	    in_root "$debroot" 'cd /root && apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt install -y -q ./breakglass_*.deb' || exit 1
	echo "# apt set up: $(sed -n 's/^Setting up \([^ ]*\) .*/\1/p' "$log" | tr '\n' ' ')"
	step "breakglass version" in_root "$debroot" \
	    'breakglass version | grep "^breakglass [0-9]"'
	step "breakglass config-check on the shipped example: exit 2, naming a placeholder" \
	    in_root "$debroot" 'out=$(breakglass config-check 2>&1); rc=$?
		printf "%s\n" "$out"; [ $rc -eq 2 ] &&
		printf "%s\n" "$out" | grep -q "breakglass.conf:[0-9]*: .*<"'
	sed 's/^/# /' "$log"
	# minbase has no man(1); a user's Debian has man-db (Priority: standard)
	step "apt-get install man-db; man breakglass" in_root "$debroot" \
	    'DEBIAN_FRONTEND=noninteractive apt-get install -y -q man-db &&
		man -P cat breakglass | grep -q "break-glass"'
	[ "$failed" -eq 0 ]
	exit
fi

# ---------------------------------------------------------------------------
# the outer part: the host's side
[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot, mounts)"
start=$(now)
if ! command -v debootstrap >/dev/null; then
	echo "fresh: installing debootstrap"
	{ apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q debootstrap; } >/dev/null ||
	    die "apt-get install debootstrap failed"
fi

# the bookworm main archive of this machine's own apt sources: one-line
# (sources.list, *.list) or deb822 (*.sources) format
find_mirror() {
	files=""
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files="$files $f"
	done
	[ -n "$files" ] || return 1
	# shellcheck disable=SC2086
	awk '
	function has(list, w) { return index(" " list " ", " " w " ") > 0 }
	function flush() {
		if (has(types, "deb") && has(suites, "bookworm") &&
		    has(comps, "main") && enabled != "no" && uri != "") {
			print uri; found = 1; exit
		}
		types = suites = comps = uri = enabled = ""
	}
	FNR == 1 { flush() }
	FILENAME !~ /\.sources$/ {
		sub(/#.*/, ""); sub(/\[[^\]]*\]/, "")
		if ($1 == "deb" && $3 == "bookworm")
			for (i = 4; i <= NF; i++)
				if ($i == "main") { print $2; found = 1; exit }
		next
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[^ \t]/ {
		k = tolower($1); $1 = ""; v = $0; sub(/^ +/, "", v)
		if (k == "types:") types = v
		else if (k == "uris:") { uri = v; sub(/ .*/, "", uri) }
		else if (k == "suites:") suites = v
		else if (k == "components:") comps = v
		else if (k == "enabled:") enabled = tolower(v)
	}
	END { if (!found) flush() }' $files
}
FRESH_MIRROR=$(find_mirror) && [ -n "$FRESH_MIRROR" ] ||
    die "no 'deb ... bookworm main' archive in /etc/apt/sources.list{,.d/*.list,.d/*.sources}"
FRESH_REV=$(git -C "$top" rev-parse --verify "${FRESH_REV:-HEAD}^{commit}") ||
    die "no commit ${FRESH_REV:-HEAD} in $top"
echo "# fresh root from $FRESH_MIRROR, commit $FRESH_REV"

work=$(mktemp -d /tmp/bg-fresh-XXXXXX) || die "mktemp failed"
inner=""
outer_exit() {
	rc=$?
	trap '' INT TERM HUP
	if [ -n "$inner" ]; then
		kill -TERM "$inner" 2>/dev/null
		wait "$inner"
	fi
	kill_chrooted "$work"
	if grep -q " $work/" /proc/self/mounts; then
		echo "fresh: mounts left under $work, not removed" >&2
		rc=1
	else
		rm -rf --one-file-system "$work"
	fi
	echo "# check-fresh: $(( $(now) - start )) s in all"
	exit "$rc"
}
trap outer_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
FRESH_WORK=$work FRESH_MIRROR=$FRESH_MIRROR FRESH_REV=$FRESH_REV \
    unshare --mount --propagation private sh "$top/tests/fresh.sh" --inner &
inner=$!
wait "$inner"
rc=$?
inner=""
exit "$rc"
