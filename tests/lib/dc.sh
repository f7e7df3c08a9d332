#!/bin/sh
# SPDX-License-Identifier: ISC
# dc.sh - a throwaway Samba AD domain controller on loopback for the tests
# (facts: ../shared/TESTBED.md).  Fixed ports 389/636: one DC per machine.
#   dc.sh start DIR          provision, start LDAP(S), create the fixtures,
#                            write DIR/env (sourceable) and DIR/svc.secret
#   dc.sh stop DIR           stop the samba this script started
#   dc.sh status DIR         exit 0 if it runs and answers over LDAPS
#   dc.sh uac DIR DN         print userAccountControl of DN
#   dc.sh set-uac DIR DN N   set it (as Administrator)
#   dc.sh restart DIR        the same DC again, after stop or crash
#   dc.sh crash DIR          kill -9 the DC (dies mid-session)
#   dc.sh set-password DIR USER PASSWORD
set -eu
# breakglass sets LDAPNOINIT=1 for itself; its children (a fault hook, a
# sync command) inherit it, and it would make ldapsearch here ignore
# LDAPTLS_CACERT
unset LDAPNOINIT

REALM=CORP.EXAMPLE.TEST
DOMAIN=CORP
BASE_DN="DC=corp,DC=example,DC=test"
ADMIN_DN="CN=Administrator,CN=Users,$BASE_DN"
ADMIN_PASS='Adm1n-Pass.Test!'
SVC_PASS='Svc-Pass.Test1!'
USER_PASS='User-Pass.Test1!'
# Write Property on userAccountControl (its schemaIDGUID), as AD delegates it
UAC_GUID=bf967a68-0de6-11d0-a285-00aa003049e2
LIB=$(cd "$(dirname "$0")" && pwd)

die() { echo "dc.sh: $*" >&2; exit 1; }

admin_ldap() {
	cmd=$1
	shift
	LDAPTLS_CACERT="$dir/pki/ca.pem" "$cmd" -H ldaps://127.0.0.1 \
	    -D "$ADMIN_DN" -w "$ADMIN_PASS" "$@"
}

port_busy() { (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { [ -s "$dir/samba.pid" ] && kill -0 "$(cat "$dir/samba.pid")" 2>/dev/null; }

answers() {
	admin_ldap ldapsearch -LLL -o nettimeout=3 -b "$BASE_DN" -s base dn \
	    >/dev/null 2>&1
}

user_show() {
	samba-tool user show "$1" -H "$dir/private/sam.ldb" \
	    -s "$dir/etc/smb.conf" 2>/dev/null | sed -n "s/^$2: //p"
}

start() {
	command -v samba-tool >/dev/null || die "samba-tool missing (packaging/install-deps.sh)"
	alive && die "a DC from $dir is already running (pid $(cat "$dir/samba.pid"))"
	for p in 389 636; do
		# bash-only /dev/tcp: use python for the check
		if /usr/bin/python3 -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(0 if s.connect_ex(('127.0.0.1', $p)) == 0 else 1)"; then
			die "port $p on 127.0.0.1 is taken (another samba or slapd?); stop it first"
		fi
	done
	rm -rf "$dir"
	mkdir -p "$dir"
	sh "$LIB/pki.sh" "$dir/pki"
	samba-tool domain provision --realm="$REALM" --domain="$DOMAIN" \
	    --server-role=dc --dns-backend=NONE --adminpass="$ADMIN_PASS" \
	    --targetdir="$dir" --host-ip=127.0.0.1 \
	    --option="interfaces=lo" --option="bind interfaces only=yes" \
	    >"$dir/provision.log" 2>&1 ||
	    { tail -n 20 "$dir/provision.log" >&2; die "provision failed"; }
	launch
	fixtures
}

# samba's LDAP server on the provisioned $dir, up when it answers
launch() {
	samba -i -M single -s "$dir/etc/smb.conf" \
	    --option="server services=ldap" --option="pid directory=$dir" \
	    --option="tls enabled=yes" --option="tls keyfile=$dir/pki/server.key" \
	    --option="tls certfile=$dir/pki/server.pem" \
	    --option="tls cafile=$dir/pki/ca.pem" \
	    </dev/null >"$dir/samba.log" 2>&1 &
	echo $! >"$dir/samba.pid"
	i=0
	until answers; do
		i=$((i + 1))
		if [ $i -gt 60 ] || ! alive; then
			tail -n 20 "$dir/samba.log" >&2
			stop
			die "samba did not answer on ldaps://127.0.0.1 within 30 s"
		fi
		sleep 0.5
	done
}

# the same DC back after a stop or a crash (no new provisioning)
restart() {
	alive && stop
	launch
	sed -i "s/^DC_PID=.*/DC_PID='$(cat "$dir/samba.pid")'/" "$dir/env"
}

# kill -9: a DC that dies mid-session
crash() {
	alive || return 0
	kill -9 "$(cat "$dir/samba.pid")"
	rm -f "$dir/samba.pid"
}

# an administrator's reset over LDAPS (unicodePwd), through the running DC.
# Samba still accepts the previous password for a simple bind for a while:
# callers that need the old one refused reset twice.
set_password() {
	pw=$(printf '"%s"' "$2" | iconv -t UTF-16LE | base64 -w0)
	printf 'dn: CN=%s,CN=Users,%s\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: %s\n' \
	    "$1" "$BASE_DN" "$pw" | admin_ldap ldapmodify >/dev/null
}

fixtures() {
	S="-H $dir/private/sam.ldb -s $dir/etc/smb.conf"
	for u in btg-admin btg-admin2 other-user; do
		# shellcheck disable=SC2086
		samba-tool user create "$u" "$USER_PASS" $S >/dev/null
	done
	# shellcheck disable=SC2086
	samba-tool user create svc-breakglass "$SVC_PASS" $S >/dev/null
	BTG_DN="CN=btg-admin,CN=Users,$BASE_DN"
	svc_sid=$(user_show svc-breakglass objectSid)
	[ -n "$svc_sid" ] || die "cannot read the objectSid of svc-breakglass"
	# shellcheck disable=SC2086
	samba-tool dsacl set $S --objectdn="$BTG_DN" \
	    --sddl="(OA;;WP;$UAC_GUID;;$svc_sid)" >/dev/null
	set_uac "$BTG_DN" 66050
	# the second break-glass account (issue 15), its own delegated right
	BTG2_DN="CN=btg-admin2,CN=Users,$BASE_DN"
	# shellcheck disable=SC2086
	samba-tool dsacl set $S --objectdn="$BTG2_DN" \
	    --sddl="(OA;;WP;$UAC_GUID;;$svc_sid)" >/dev/null
	set_uac "$BTG2_DN" 66050
	cat >"$dir/env" <<ENV
DC_DIR='$dir'
DC_PID='$(cat "$dir/samba.pid")'
BASE_DN='$BASE_DN'
ADMIN_DN='$ADMIN_DN'
ADMIN_PASS='$ADMIN_PASS'
SVC_DN='CN=svc-breakglass,CN=Users,$BASE_DN'
SVC_UPN='svc-breakglass@corp.example.test'
SVC_SID='$svc_sid'
BTG_DN='$BTG_DN'
BTG_GUID='$(user_show btg-admin objectGUID)'
BTG2_DN='$BTG2_DN'
BTG2_GUID='$(user_show btg-admin2 objectGUID)'
OTHER_DN='CN=other-user,CN=Users,$BASE_DN'
CA_FILE='$dir/pki/ca.pem'
OTHER_CA_FILE='$dir/pki/other-ca.pem'
LDAPS_URI='ldaps://127.0.0.1'
LDAP_URI='ldap://127.0.0.1'
ENV
	umask 077
	printf '%s\n' "$SVC_PASS" >"$dir/svc.secret"
}

stop() {
	alive || return 0
	pid=$(cat "$dir/samba.pid")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/samba.pid"
}

# get_uac DN, set_uac DN VALUE
. "$LIB/uac.sh"

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: dc.sh start|stop|restart|crash|status|uac|set-uac|set-password DIR [ARGS]"
case "$dir" in /*) ;; *) dir=$(pwd)/$dir ;; esac
case "$cmd" in
start)	start ;;
stop)	stop ;;
restart) restart ;;
crash)	crash ;;
set-password) set_password "${3:?USER}" "${4:?PASSWORD}" ;;
status)	alive && answers ;;
uac)	get_uac "${3:?DN}" ;;
set-uac) set_uac "${3:?DN}" "${4:?VALUE}" ;;
*)	die "unknown command $cmd" ;;
esac
