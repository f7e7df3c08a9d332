#!/bin/sh
# SPDX-License-Identifier: ISC
# 95-doctor.sh - breakglass doctor against the Samba DC, the Graph-shaped
# server (users, transitiveMemberOf, Conditional Access policies, and the
# tenant: sign-in methods, security defaults, domains, organization) and the
# mail sink: every check passes on a good set-up, each fails (or warns) for
# its cause with a fix, and passes again once fixed; a 403 is "cannot check"
# naming the permission.  Exit 0 unless a check failed: warnings do not count.
. "$(dirname "$0")/../lib/common.sh"

UID1=11111111-2222-3333-4444-555555555555
GRP=99999999-8888-7777-6666-555555555555
user() {	# user ENABLED SYNCED
	printf '{"%s": {"id": "%s", "userPrincipalName": "%s", "accountEnabled": %s, "onPremisesSyncEnabled": %s, "onPremisesLastSyncDateTime": "2026-11-25T01:00:00Z", "onPremisesImmutableId": "abc="}}' \
	    btg-admin@corp.example.test "$UID1" btg-admin@corp.example.test "$1" "$2"
}
policy() {	# policy NAME STATE EXCLUDE_USERS EXCLUDE_GROUPS
	printf '{"id": "%s", "displayName": "%s", "state": "%s", "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": %s, "includeGroups": [], "excludeGroups": %s, "includeRoles": [], "excludeRoles": []}}, "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}' \
	    "$(echo "$1" | md5sum | cut -c1-8)-0000-0000-0000-000000000000" "$1" "$2" "$3" "$4"
}
GOOD_POLICIES="[$(policy 'Require MFA for everyone' enabled '[]' "[\"$GRP\"]"),
$(policy 'Block legacy authentication' enabled "[\"$UID1\"]" '[]'),
$(policy 'Report-only: risky sign-ins' enabledForReportingButNotEnforced '[]' "[\"$GRP\"]"),
$(policy 'Old policy' disabled '[]' '[]')]"
good_scenario() {
	scenario "{\"users\": {\"items\": $(user false true), \"member_of\": {\"$UID1\": [\"$GRP\"]}},
	  \"ca\": {\"items\": $GOOD_POLICIES}}"
}

# st NAME: the status of the check named NAME in the last doctor --json
st() { printf '%s' "$OUT" | pyjson "[c['status'] for c in j['checks'] if c['check'] == '$1'][0]" 2>/dev/null; }
detail() { printf '%s' "$OUT" | pyjson "[c['detail'] + ' | ' + c.get('fix', '') for c in j['checks'] if c['check'] == '$1'][0]" 2>/dev/null; }
# expect_check NAME STATUS DESC
expect_check() {
	got=$(st "$1")
	if [ "$got" = "$2" ]; then ok "$3: $1 $got"; else
		notok "$3: $1 is '$got', wanted $2"
		echo "# $(detail "$1")"
	fi
}
doctor() { bg doctor --json; }

new_case doctor
set_uac "$BTG_DN" 66050
start_graph
start_mail
cp "$T/mail.pw" "$T/mail.pw.client"
POLICY='mode = "auto"'
smtp_section
good_scenario
cp "$T/breakglass.conf" "$T/good.conf"
bg enable --reason "doctor: make an audit log"
bg disable --reason "doctor: make an audit log"
bg auto --reason "doctor: back to auto"

doctor
expect_rc 0 "doctor on a good set-up"
for c in config files state_dir "DC $LDAPS_URI" account "GUID pin" disabled \
    "write right" "Graph token" "service health" "cloud user" "cloud state" \
    "CA exclusions" "CA report-only" "security defaults" "UPN domain" \
    "directory sync" "sign-in methods" "SMTP relay" "audit chain"; do
	expect_check "$c" pass "good set-up"
done
check "doctor --json says ok" test "$(printf '%s' "$OUT" | pyjson 'j["ok"]')" = True
bg doctor
expect_out "^✔ write right: svc-breakglass@corp.example.test can write userAccountControl and nothing else" \
    "the text form marks passes with ✔"
expect_out "^READY: 0 failed" "and ends READY"

# --- each cause, and its fix ------------------------------------------------
chmod 644 "$T/ldap.secret"
doctor
expect_rc 1 "a loose secret: exit 1"
expect_check files fail "a loose secret"
bg doctor
expect_out "^✘ files: .*ldap.secret: mode 0644" "the text form marks it ✘ with the reason"
expect_out "^    fix: chmod 600" "and prints a fix"
chmod 600 "$T/ldap.secret"
chmod 755 "$T/state"
doctor
expect_check state_dir fail "state_dir 0755"
chmod 700 "$T/state"

URIS="\"ldaps://127.0.0.1:1\", \"$LDAPS_URI\""
smtp_section
doctor
expect_check "DC ldaps://127.0.0.1:1" fail "a dead DC in the list"
expect_check "DC $LDAPS_URI" pass "the live DC next to it"
URIS="\"$LDAPS_URI\""
CA=$OTHER_CA_FILE
smtp_section
doctor
expect_check "DC $LDAPS_URI" fail "a CA that did not sign the DC certificate"
CA=$CA_FILE
cp "$T/ldap.secret" "$T/ldap.good"
echo wrong-password >"$T/ldap.secret"
smtp_section
doctor
expect_check "DC $LDAPS_URI" fail "a wrong bind password"
check "the fix names the bind" sh -c 'printf "%s" "$1" | grep -q "bind_dn"' - "$(detail "DC $LDAPS_URI")"
cp "$T/ldap.good" "$T/ldap.secret"

ACCOUNT="CN=nobody,CN=Users,$BASE_DN"
smtp_section
doctor
expect_check account fail "a DN of no object"
ACCOUNT=$BTG_DN
GUID=00000000-1111-2222-3333-444444444444
smtp_section
doctor
expect_check "GUID pin" fail "a GUID pin of another object"
GUID=$BTG_GUID
smtp_section

set_uac "$BTG_DN" 66048
doctor
expect_check disabled fail "the account left enabled, nothing explains it"
bg enable --reason "doctor: an override"
doctor
expect_check disabled warn "enabled under an override"
bg disable --reason "doctor: done"
bg auto --reason "doctor: back to auto"
expect_uac 66050 "disabled again"

# the service account: Administrator can write everything, other-user nothing
printf '%s\n' "$ADMIN_PASS" >"$T/admin.secret"; chmod 600 "$T/admin.secret"
sed -i "s|bind_dn            = \"$SVC_UPN\"|bind_dn = \"$ADMIN_DN\"|; s|$T/ldap.secret|$T/admin.secret|" "$T/breakglass.conf"
doctor
expect_check "write right" fail "a Domain Admin as the service account"
check "it lists what else it can write" sh -c 'printf "%s" "$1" | grep -q "attributes of the account, not only userAccountControl"' - "$(detail "write right")"
printf '%s\n' 'User-Pass.Test1!' >"$T/user.secret"; chmod 600 "$T/user.secret"
cp "$T/good.conf" "$T/breakglass.conf"
sed -i "s|bind_dn            = \"$SVC_UPN\"|bind_dn = \"other-user@corp.example.test\"|; s|$T/ldap.secret|$T/user.secret|" "$T/breakglass.conf"
doctor
expect_check "write right" fail "a service account without the right"
cp "$T/good.conf" "$T/breakglass.conf"

# Graph
echo wrong-secret >"$T/graph.secret"
doctor
expect_check "Graph token" fail "a wrong client secret"
cp "$T/graph.expected" "$T/graph.secret"
scenario "{\"issues\": {\"mode\": \"403\"}, \"users\": {\"items\": $(user false true)}, \"ca\": {\"items\": $GOOD_POLICIES}}"
doctor
expect_check "service health" fail "no ServiceHealth.Read.All"
scenario "{\"users\": {\"items\": {}}, \"ca\": {\"items\": $GOOD_POLICIES}}"
doctor
expect_check "cloud user" fail "the user not in the cloud"
scenario "{\"users\": {\"items\": $(user false false)}, \"ca\": {\"items\": $GOOD_POLICIES}}"
doctor
expect_check "cloud user" fail "a cloud-only user of that name"
scenario "{\"users\": {\"items\": $(user true true), \"member_of\": {\"$UID1\": [\"$GRP\"]}}, \"ca\": {\"items\": $GOOD_POLICIES}}"
doctor
expect_check "cloud state" warn "the cloud says enabled, AD disabled"
scenario "{\"users\": {\"items\": $(user false true), \"member_of\": {\"$UID1\": [\"$GRP\"]}},
  \"ca\": {\"items\": [$(policy 'Require MFA for everyone' enabled '[]' "[\"$GRP\"]"),
  $(policy 'Admins: MFA always' enabled '[]' '[]'), $(policy 'Guests: MFA' enabled '[]' '[]')]}}"
doctor
expect_check "CA exclusions" fail "two policies that do not exclude the user"
check "both are listed by name" sh -c 'printf "%s" "$1" | grep -q "2 of 3 enabled policies.*\"Admins: MFA always\", \"Guests: MFA\""' - "$(detail "CA exclusions")"
scenario "{\"users\": {\"items\": $(user false true)}, \"ca\": {\"mode\": \"403\"}}"
doctor
expect_check "CA exclusions" warn "no Policy.Read.All: cannot check, not a fault of the tenant"
check "the 403 names Policy.Read.All" sh -c 'printf "%s" "$1" | grep -q "^cannot check: grant Policy.Read.All"' - "$(detail "CA exclusions")"
good_scenario

# --- the tenant (issue 16): each cause, its fix, and a 403 -------------------
# tenant SECTION: the good set-up plus one tenant section of the fake Graph
tenant() {
	scenario "{\"users\": {\"items\": $(user false true), \"member_of\": {\"$UID1\": [\"$GRP\"]}},
	  \"ca\": {\"items\": $GOOD_POLICIES}, $1}"
}
# cause NAME STATUS DESC SECTION: NAME is STATUS under SECTION, pass without
cause() {
	tenant "$4"
	doctor
	expect_check "$1" "$2" "$3"
	good_scenario
	doctor
	expect_check "$1" pass "fixed: $3"
}
# forbidden NAME KIND PERMISSION: a 403 from KIND is "cannot check: grant P"
forbidden() {
	tenant "\"$2\": {\"mode\": \"403\"}"
	doctor
	expect_check "$1" warn "a 403 from $2"
	check "the 403 names $3" sh -c 'printf "%s" "$1" | grep -q "^cannot check: grant $2 "' - "$(detail "$1")" "$3"
}

cause "CA report-only" warn "a report-only policy that does not exclude the user" \
    "\"ca\": {\"items\": [$(policy 'Require MFA for everyone' enabled '[]' "[\"$GRP\"]"),
    $(policy 'Report-only: MFA for admins' enabledForReportingButNotEnforced '[]' '[]')]}"
tenant "\"ca\": {\"items\": [$(policy 'Report-only: MFA for admins' enabledForReportingButNotEnforced '[]' '[]')]}"
doctor
check "the report-only policy is named" sh -c 'printf "%s" "$1" | grep -q "1 of 1 report-only policies.*\"Report-only: MFA for admins\""' - "$(detail "CA report-only")"
expect_check "CA exclusions" pass "a report-only policy is no enabled one"
expect_rc 0 "warnings alone: exit 0"
check "doctor --json says ok with warnings" test "$(printf '%s' "$OUT" | pyjson 'j["ok"] and j["warnings"] > 0')" = True

cause "security defaults" fail "security defaults on" '"security_defaults": {"isEnabled": true}'
forbidden "security defaults" security_defaults Policy.Read.All

cause "UPN domain" warn "the UPN's domain federated" \
    '"domains": {"items": {"corp.example.test": {"authenticationType": "Federated"}}}'
cause "UPN domain" fail "the UPN's domain not in the tenant" \
    '"domains": {"items": {"other.example.test": {}}}'
forbidden "UPN domain" domains Domain.Read.All

cause "directory sync" fail "directory sync off" \
    '"organization": {"onPremisesSyncEnabled": null, "onPremisesLastSyncDateTime": null}'
tenant "\"organization\": {\"onPremisesLastSyncDateTime\": \"$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)\"}"
doctor
expect_check "directory sync" fail "the last sync 3 h ago"
check "it says how long ago" sh -c 'printf "%s" "$1" | grep -q "last directory sync was .*, 3h ago"' - "$(detail "directory sync")"
cause "directory sync" fail "sync on but never run" \
    '"organization": {"onPremisesLastSyncDateTime": null}'
tenant "\"organization\": {\"onPremisesLastSyncDateTime\": \"$(date -u -d '-90 minutes' +%Y-%m-%dT%H:%M:%SZ)\"}"
doctor
expect_check "directory sync" pass "the last sync 90 min ago"
forbidden "directory sync" organization Organization.Read.All

cause "sign-in methods" warn "a password and phone only" \
    '"auth_methods": {"items": [{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490", "password": null, "createdDateTime": "2026-01-10T09:00:00Z"}, {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneNumber": "+1 2065555555", "phoneType": "mobile", "smsSignInState": "notAllowedByPolicy"}]}'
tenant '"auth_methods": {"items": [{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490", "password": null, "createdDateTime": "2026-01-10T09:00:00Z"}]}'
doctor
check "the warning lists what is registered and explains mandatory MFA" sh -c 'printf "%s" "$1" | grep -q "registered (password).*mandatory MFA.*Microsoft Graph"' - "$(detail "sign-in methods")"
tenant '"auth_methods": {"items": [{"@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod", "id": "b5e01f81-1f81-b5e0-811f-e0b5811fe0b5", "displayName": "Jordan'"'"'s Surface Book", "createdDateTime": "2020-11-27T23:12:49Z", "keyStrength": "normal"}]}'
doctor
expect_check "sign-in methods" pass "Windows Hello for Business is phishing-resistant"
forbidden "sign-in methods" auth_methods UserAuthenticationMethod.Read.All
good_scenario

# SMTP
m0=$(mail_count)
stop_mail
doctor
expect_check "SMTP relay" fail "the relay down"
start_mail "$MAIL_PORT"
echo wrong >"$T/mail.pw.client"
doctor
expect_check "SMTP relay" fail "a wrong relay password"
cp "$T/mail.pw" "$T/mail.pw.client"
stop_mail
NO_TLS=1
start_mail "$MAIL_PORT"
NO_TLS=
doctor
expect_check "SMTP relay" fail "a relay that offers no STARTTLS"
stop_mail
start_mail "$MAIL_PORT"
check "doctor sent no mail" test "$(mail_count)" -eq "$m0"

# every cause above fixed again: all pass
doctor
expect_rc 0 "with every cause fixed, doctor passes again"
check "no check failed or warned" test "$(printf '%s' "$OUT" | pyjson 'j["failed"] + j["warnings"]')" -eq 0

# the audit chain
sed -i '2s/"reason":"doctor: make an audit log"/"reason":"doctor: edited"/' "$T/state/audit.log"
doctor
expect_check "audit chain" fail "an edited audit line"
expect_rc 1 "exit 1 while anything fails"
