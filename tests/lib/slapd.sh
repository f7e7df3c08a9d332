#!/bin/sh
# SPDX-License-Identifier: ISC
# slapd.sh - a throwaway OpenLDAP slapd on loopback for the tests that need a
# directory which enforces value deletion (Samba 4.17 takes a stale
# delete+add as a replace; slapd, like Windows AD, answers noSuchAttribute).
# A minimal schema: userAccountControl (AD's OID, INTEGER, integerMatch,
# single-valued) and objectGUID (AD's OID, 16-byte octet string) on an
# auxiliary class, LDAPS only, the test CA of pki.sh, a free port.
#   slapd.sh start DIR          config, fixtures, start; DIR/env (sourceable)
#                               and DIR/svc.secret
#   slapd.sh stop DIR           stop the slapd this script started
#   slapd.sh status DIR         exit 0 if it runs and answers over LDAPS
#   slapd.sh uac DIR DN         print userAccountControl of DN
#   slapd.sh set-uac DIR DN N   set it (as the rootdn)
set -eu
# breakglass sets LDAPNOINIT=1 for itself; its children (a fault hook, a
# sync command) inherit it, and it would make ldapsearch here ignore
# LDAPTLS_CACERT
unset LDAPNOINIT

BASE_DN="dc=corp,dc=example,dc=test"
ADMIN_DN="cn=admin,$BASE_DN"
ADMIN_PASS='Slapd-Admin.Test1!'
SVC_PASS='Slapd-Svc.Test1!'
SVC_DN="cn=svc-breakglass,ou=Users,$BASE_DN"
BTG_DN="cn=btg-admin,ou=Users,$BASE_DN"
OTHER_DN="cn=other-user,ou=Users,$BASE_DN"
SCHEMA_DIR=/etc/ldap/schema
MODULE_DIR=/usr/lib/ldap
LIB=$(cd "$(dirname "$0")" && pwd)

die() { echo "slapd.sh: $*" >&2; exit 1; }

alive() { [ -s "$dir/slapd.pid" ] && kill -0 "$(cat "$dir/slapd.pid")" 2>/dev/null; }

admin_ldap() {
	cmd=$1
	shift
	LDAPTLS_CACERT="$dir/pki/ca.pem" "$cmd" -H "$(cat "$dir/uri")" \
	    -D "$ADMIN_DN" -w "$ADMIN_PASS" "$@"
}

answers() {
	admin_ldap ldapsearch -LLL -o nettimeout=3 -b "$BASE_DN" -s base dn \
	    >/dev/null 2>&1
}

free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# what AD has and breakglass reads, nothing more
write_schema() {
	cat >"$dir/ad-mini.schema" <<'SCHEMA'
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
	EQUALITY integerMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID'
	EQUALITY octetStringMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
	EQUALITY caseIgnoreMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.99.1 NAME 'btgTestUser'
	DESC 'the AD user attributes breakglass reads (test bed only)'
	SUP top AUXILIARY
	MAY ( userAccountControl $ objectGUID $ sAMAccountName ) )
SCHEMA
}

# the service account may write userAccountControl of the break-glass user
# only, as the AD delegation in dc.sh
write_conf() {
	cat >"$dir/slapd.conf" <<CONF
include		$SCHEMA_DIR/core.schema
include		$dir/ad-mini.schema
pidfile		$dir/slapd.run.pid
modulepath	$MODULE_DIR
moduleload	back_mdb
TLSCACertificateFile	$dir/pki/ca.pem
TLSCertificateFile	$dir/pki/server.pem
TLSCertificateKeyFile	$dir/pki/server.key
security	simple_bind=128

database	mdb
maxsize		10485760
suffix		"$BASE_DN"
rootdn		"$ADMIN_DN"
rootpw		"$ADMIN_PASS"
directory	$dir/db

access to dn.exact="$BTG_DN" attrs=userAccountControl
	by dn.exact="$SVC_DN" write
	by * read
access to attrs=userPassword
	by anonymous auth
	by * none
access to *
	by * read
CONF
}

# a random objectGUID: base64 of its 16 bytes and the Windows string form
new_guid() {
	/usr/bin/python3 -c 'import base64, os
b = os.urandom(16)
w = b[3::-1].hex() + "-" + b[5:3:-1].hex() + "-" + b[7:5:-1].hex() + "-" + \
    b[8:10].hex() + "-" + b[10:].hex()
print(base64.b64encode(b).decode(), w)'
}

write_fixtures() {
	# shellcheck disable=SC2046
	set -- $(new_guid)
	btg_b64=$1
	BTG_GUID=$2
	# shellcheck disable=SC2046
	set -- $(new_guid)
	cat >"$dir/fixtures.ldif" <<LDIF
dn: $BASE_DN
objectClass: dcObject
objectClass: organization
o: corp
dc: corp

dn: ou=Users,$BASE_DN
objectClass: organizationalUnit
ou: Users

dn: $SVC_DN
objectClass: person
cn: svc-breakglass
sn: svc-breakglass
userPassword: $SVC_PASS

dn: $BTG_DN
objectClass: person
objectClass: btgTestUser
cn: btg-admin
sn: btg-admin
sAMAccountName: btg-admin
userAccountControl: 66050
objectGUID:: $btg_b64

dn: $OTHER_DN
objectClass: person
objectClass: btgTestUser
cn: other-user
sn: other-user
sAMAccountName: other-user
userAccountControl: 66050
objectGUID:: $1
LDIF
}

# slapd in the foreground, its pid ours, every operation and its result in
# DIR/slapd.log (-d 256: stats); up when it answers
launch() {
	tries=0
	while :; do
		tries=$((tries + 1))
		port=$(free_port)
		echo "ldaps://127.0.0.1:$port" >"$dir/uri"
		slapd -d 256 -f "$dir/slapd.conf" -h "ldaps://127.0.0.1:$port/" \
		    </dev/null >"$dir/slapd.log" 2>&1 &
		echo $! >"$dir/slapd.pid"
		i=0
		until answers; do
			i=$((i + 1))
			if ! alive || [ $i -gt 100 ]; then break; fi
			sleep 0.1
		done
		answers && return 0
		stop
		# the free port may have been taken meanwhile: another one
		[ $tries -lt 3 ] || {
			tail -n 20 "$dir/slapd.log" >&2
			die "slapd did not answer on ldaps://127.0.0.1:$port"
		}
	done
}

start() {
	command -v slapd >/dev/null || die "slapd missing (packaging/install-deps.sh)"
	alive && die "a slapd from $dir is already running (pid $(cat "$dir/slapd.pid"))"
	rm -rf "$dir"
	mkdir -p "$dir/db"
	sh "$LIB/pki.sh" "$dir/pki"
	write_schema
	write_conf
	write_fixtures
	slaptest -Q -u -f "$dir/slapd.conf" || die "slaptest refused $dir/slapd.conf"
	slapadd -q -f "$dir/slapd.conf" -l "$dir/fixtures.ldif" \
	    >"$dir/slapadd.log" 2>&1 ||
	    { cat "$dir/slapadd.log" >&2; die "slapadd failed"; }
	launch
	cat >"$dir/env" <<ENV
SLAPD_DIR='$dir'
SLAPD_PID='$(cat "$dir/slapd.pid")'
SLAPD_URI='$(cat "$dir/uri")'
SLAPD_BASE_DN='$BASE_DN'
SLAPD_SVC_DN='$SVC_DN'
SLAPD_BTG_DN='$BTG_DN'
SLAPD_BTG_GUID='$BTG_GUID'
SLAPD_OTHER_DN='$OTHER_DN'
SLAPD_CA_FILE='$dir/pki/ca.pem'
ENV
	(umask 077; printf '%s\n' "$SVC_PASS" >"$dir/svc.secret")
}

stop() {
	alive || return 0
	pid=$(cat "$dir/slapd.pid")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$dir/slapd.pid"
}

# get_uac DN, set_uac DN VALUE
. "$LIB/uac.sh"

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: slapd.sh start|stop|status|uac|set-uac DIR [ARGS]"
case "$dir" in /*) ;; *) dir=$(pwd)/$dir ;; esac
case "$cmd" in
start)	start ;;
stop)	stop ;;
status)	alive && answers ;;
uac)	get_uac "${3:?DN}" ;;
set-uac) set_uac "${3:?DN}" "${4:?VALUE}" ;;
*)	die "unknown command $cmd" ;;
esac
