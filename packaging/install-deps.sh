#!/bin/sh
# SPDX-License-Identifier: ISC
# install-deps.sh - install the Debian 12 packages breakglass needs to build
# and test, when any is missing.  Needs root for apt-get (CI runs as root).
set -eu

PKGS="build-essential pkg-config libldap2-dev libcurl4-openssl-dev
libcjson-dev libconfuse-dev libssl-dev libcmocka-dev
samba samba-ad-provision samba-ad-dc samba-dsdb-modules winbind krb5-user ldap-utils
slapd
python3-aiosmtpd python3-cryptography openssl valgrind util-linux gdb
debhelper dpkg-dev fakeroot lintian mandoc adduser systemd rpm"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
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
apt-get install -y -q --no-install-recommends $missing
case " $missing " in *" slapd "*)
	if [ -x /etc/init.d/slapd ]; then
		/etc/init.d/slapd stop >/dev/null 2>&1 || true
		update-rc.d slapd disable >/dev/null 2>&1 || true
	fi
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl disable --now slapd >/dev/null 2>&1 || true
	fi ;;
esac
