#!/bin/sh
# SPDX-License-Identifier: ISC
# install-deps.sh - install the Debian 12 packages breakglass needs to build
# and test, when any is missing.  Needs root for apt-get (CI runs as root).
#   install-deps.sh              install what is missing (make deps)
#   install-deps.sh --download   only download it into apt's cache
#                                (tests/fresh.sh, before it cuts the network)
#   PC="LIB..." install-deps.sh --explain [PKG...]
#                                make, when pkg-config finds no LIB: name the
#                                missing build packages (and PKG...) and the
#                                command that installs them; exit 1
set -eu

# what `make` needs to build ./breakglass
BUILD_PKGS="build-essential pkg-config libldap2-dev libcurl4-openssl-dev
libcjson-dev libconfuse-dev libssl-dev"
# and what the tests, make fuzz, make bench and make deb need
PKGS="$BUILD_PKGS libcmocka-dev clang libclang-rt-14-dev
samba samba-ad-provision samba-ad-dc samba-dsdb-modules winbind krb5-user ldap-utils
slapd
python3-aiosmtpd python3-cryptography openssl valgrind util-linux gdb procps
debhelper dpkg-dev fakeroot lintian mandoc adduser systemd rpm
keepalived iproute2"

missing_of() {	# PKG... -> the ones not installed, on one line
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			printf ' %s' "$p"
	done
}

mode=${1:-install}
case $mode in
--explain)
	shift
	# shellcheck disable=SC2086
	missing=$(missing_of $BUILD_PKGS "$@")
	if [ -z "$missing" ]; then
		# shellcheck disable=SC2086
		pkg-config --print-errors --exists ${PC:-} || :
		echo "breakglass: cannot build: pkg-config finds no ${PC:-library}, yet the" \
		    "Debian packages install-deps.sh names are installed"
	else
		echo "breakglass: cannot build: Debian packages missing:$missing"
		echo "breakglass: install them as root with: make deps"
		echo "breakglass: (or only these: apt-get install --no-install-recommends$missing)"
	fi
	exit 1 ;;
install|--download) ;;
*)
	echo "usage: install-deps.sh [--download | --explain [PKG...]]" >&2
	exit 2 ;;
esac

# shellcheck disable=SC2086
missing=$(missing_of $PKGS)
[ -z "$missing" ] && exit 0

if [ "$mode" = --download ]; then
	echo "install-deps: downloading:$missing"
	only=--download-only
else
	echo "install-deps: installing:$missing"
	only=
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# slapd is for the tests' own servers (tests/lib/slapd.sh): no system
# directory, and none of it running on 389, where the test DC listens
case " $missing " in *" slapd "*)
	echo "slapd slapd/no_configuration boolean true" | debconf-set-selections ;;
esac
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $only $missing
[ "$mode" = --download ] && exit 0
case " $missing " in *" slapd "*)
	if [ -x /etc/init.d/slapd ]; then
		/etc/init.d/slapd stop >/dev/null 2>&1 || true
		update-rc.d slapd disable >/dev/null 2>&1 || true
	fi
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl disable --now slapd >/dev/null 2>&1 || true
	fi ;;
esac
