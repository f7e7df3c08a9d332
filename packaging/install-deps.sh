#!/bin/sh
# install-deps.sh - install the Debian 12 packages breakglass needs to build
# and test, when any is missing.  Needs root for apt-get (CI runs as root).
set -eu

PKGS="build-essential pkg-config libldap2-dev libcurl4-openssl-dev
libcjson-dev libconfuse-dev libssl-dev libcmocka-dev
samba samba-ad-provision samba-ad-dc samba-dsdb-modules winbind krb5-user ldap-utils
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
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
