# SPDX-License-Identifier: ISC
# uac.sh - sourced by dc.sh and slapd.sh: userAccountControl read and set
# through the caller's admin_ldap (its server, its administrator)

get_uac() {
	admin_ldap ldapsearch -LLL -b "$1" -s base userAccountControl |
	    sed -n 's/^userAccountControl: //p'
}

set_uac() {
	printf 'dn: %s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %s\n' \
	    "$1" "$2" | admin_ldap ldapmodify >/dev/null
}
