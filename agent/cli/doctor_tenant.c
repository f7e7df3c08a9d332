/* SPDX-License-Identifier: ISC */
/* doctor_tenant.c - doctor's tenant checks: can the enabled account rescue it */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "doctor.h"
#include "../sync.h"
#include "../util.h"

#define HTTP_FORBIDDEN	403
#define HTTP_NOT_FOUND	404
/* Entra Connect exports every 30 min by default: 2 h is several cycles */
#define SYNC_STALE_MS	(2LL * 3600 * 1000)
#define GRAPH_TYPE	"#microsoft.graph."
#define METHOD_SUFFIX	"AuthenticationMethod"

static void
set(struct doc_result *r, enum doc_status s, const char *fix,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
set(struct doc_result *r, enum doc_status s, const char *fix,
    const char *fmt, ...)
{
	va_list	ap;

	r->status = s;
	bg_strlcpy(r->fix, fix != NULL ? fix : "", sizeof(r->fix));
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

void
doctor_graph_failed(struct doc_result *r, const char *permission, long status,
    const char *err)
{
	char	fix[256];

	if (status == HTTP_FORBIDDEN) {
		snprintf(fix, sizeof(fix), "grant the app %s (application "
		    "permission) with admin consent", permission);
		set(r, DOC_WARN, fix, "cannot check: grant %s (%s)", permission,
		    err);
	} else
		set(r, DOC_WARN, "run doctor again once Graph answers",
		    "cannot check: %s", err);
}

/* ", "-separated list in buf; a full buffer keeps what fits */
static void
append(char *buf, size_t size, const char *s)
{
	size_t	len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "", s);
}

/* passkeys and the other phishing-resistant methods Graph v1.0 lists */
static const struct {
	const char	*type;
	const char	*label;
} strong_methods[] = {
	{ GRAPH_TYPE "fido2" METHOD_SUFFIX, "passkey (FIDO2)" },
	{ GRAPH_TYPE "windowsHelloForBusiness" METHOD_SUFFIX,
	  "Windows Hello for Business" },
	{ GRAPH_TYPE "platformCredential" METHOD_SUFFIX,
	  "platform credential (macOS)" },
};

/* "#microsoft.graph.phoneAuthenticationMethod" -> "phone" */
static void
method_name(const char *type, char *out, size_t size)
{
	size_t	n, suffix = strlen(METHOD_SUFFIX);

	if (strncmp(type, GRAPH_TYPE, strlen(GRAPH_TYPE)) == 0)
		type += strlen(GRAPH_TYPE);
	n = strlen(type);
	if (n > suffix && strcmp(type + n - suffix, METHOD_SUFFIX) == 0)
		n -= suffix;
	snprintf(out, size, "%.*s", (int)n, type);
}

static int
check_methods(struct doctor *d, struct doc_result *r)
{
	char		 id[200], path[300], err[1024], strong[512] = "";
	char		 weak[512] = "", one[256];
	const cJSON	*m;
	cJSON		*j;
	long		 status;

	if (!d->graph_ok || d->cloud_id[0] == '\0' ||
	    path_segment(d->cloud_id, id, sizeof(id)) == -1)
		return -1;
	snprintf(path, sizeof(path), "/v1.0/users/%s/authentication/methods",
	    id);
	if ((j = poll_graph_get(d->cfg, &d->poll, path, &status, err,
	    sizeof(err))) == NULL) {
		doctor_graph_failed(r, "UserAuthenticationMethod.Read.All",
		    status, err);
		return 0;
	}
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "value")) {
		const char *type = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(m, "@odata.type"));
		const char *shown = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(m, "displayName"));
		size_t i, n = sizeof(strong_methods) / sizeof(strong_methods[0]);

		if (type == NULL)
			continue;
		for (i = 0; i < n; i++)
			if (strcasecmp(type, strong_methods[i].type) == 0)
				break;
		if (i == n) {
			method_name(type, one, sizeof(one));
			append(weak, sizeof(weak), one);
			continue;
		}
		if (shown != NULL)
			snprintf(one, sizeof(one), "%s \"%s\"",
			    strong_methods[i].label, shown);
		else
			bg_strlcpy(one, strong_methods[i].label, sizeof(one));
		append(strong, sizeof(strong), one);
	}
	cJSON_Delete(j);
	if (strong[0] != '\0')
		set(r, DOC_PASS, NULL, "phishing-resistant: %s; the enabled "
		    "account can pass mandatory MFA in the portals", strong);
	else
		set(r, DOC_WARN, "register a passkey (FIDO2 security key) on "
		    "the break-glass account, two keys kept apart (admin guide: "
		    "the recommended set-up)", "no phishing-resistant method "
		    "registered (%s): the Azure portal and the Entra, Intune "
		    "and Microsoft 365 admin centers demand MFA of break-glass "
		    "accounts too (mandatory MFA), and phone or Authenticator "
		    "MFA is what an MFA outage takes away; the account can "
		    "recover only through Microsoft Graph, which mandatory MFA "
		    "does not cover.  Certificate-based authentication does not "
		    "appear in this list", weak[0] ? weak : "none");
	return 0;
}

static int
check_security_defaults(struct doctor *d, struct doc_result *r)
{
	char		 err[1024];
	const cJSON	*en;
	cJSON		*j;
	long		 status;

	if (!d->graph_ok)
		return -1;
	if ((j = poll_graph_get(d->cfg, &d->poll,
	    "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
	    &status, err, sizeof(err))) == NULL) {
		doctor_graph_failed(r, "Policy.Read.All", status, err);
		return 0;
	}
	en = cJSON_GetObjectItemCaseSensitive(j, "isEnabled");
	if (cJSON_IsTrue(en))
		set(r, DOC_FAIL, "turn security defaults off and require MFA "
		    "with Conditional Access policies that exclude the "
		    "break-glass account (Entra admin center: Overview, "
		    "Properties, Manage security defaults)", "security defaults "
		    "are on: they allow no exclusions, so the break-glass "
		    "account is asked for MFA like every other");
	else if (cJSON_IsFalse(en))
		set(r, DOC_PASS, NULL, "off: Conditional Access decides, and "
		    "can exclude the break-glass account");
	else
		set(r, DOC_WARN, "run doctor again once Graph answers",
		    "cannot check: no isEnabled in Graph's answer");
	cJSON_Delete(j);
	return 0;
}

static int
check_domain(struct doctor *d, struct doc_result *r)
{
	const char	*upn = d->cfg->account->upn, *at, *type;
	char		 name[300], path[400], err[1024];
	cJSON		*j;
	long		 status;

	if (!d->graph_ok || upn == NULL || (at = strrchr(upn, '@')) == NULL ||
	    at[1] == '\0' || path_segment(at + 1, name, sizeof(name)) == -1)
		return -1;
	snprintf(path, sizeof(path), "/v1.0/domains/%s", name);
	if ((j = poll_graph_get(d->cfg, &d->poll, path, &status, err,
	    sizeof(err))) == NULL) {
		if (status == HTTP_NOT_FOUND)
			set(r, DOC_FAIL, "set account.upn to the user's "
			    "userPrincipalName in Entra, in a verified domain",
			    "%s is not a domain of the tenant: %s", at + 1, err);
		else
			doctor_graph_failed(r, "Domain.Read.All", status, err);
		return 0;
	}
	type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j,
	    "authenticationType"));
	if (type != NULL && strcasecmp(type, "Federated") == 0)
		set(r, DOC_WARN, "give the break-glass account a UPN in a "
		    "managed domain (the tenant's onmicrosoft.com domain is "
		    "always managed)", "%s is federated: the account signs in "
		    "at the federation server (AD FS or another provider), not "
		    "at Entra; that server must be up for it to sign in",
		    at + 1);
	else if (type != NULL && strcasecmp(type, "Managed") == 0)
		set(r, DOC_PASS, NULL, "%s is managed: Entra checks the "
		    "password (hash sync, or pass-through authentication, "
		    "which has no fallback; Graph does not say which)", at + 1);
	else
		set(r, DOC_WARN, "run doctor again once Graph answers",
		    "cannot check: authenticationType of %s is %s", at + 1,
		    type ? type : "missing");
	cJSON_Delete(j);
	return 0;
}

static int
check_sync(struct doctor *d, struct doc_result *r)
{
	static const char	 fix[] = "on the Entra Connect server: the "
	    "ADSync service running, Get-ADSyncScheduler showing "
	    "SyncCycleEnabled True, then Start-ADSyncSyncCycle -PolicyType "
	    "Delta";
	char			 err[1024], ago[32];
	const char		*last;
	const cJSON		*org, *on;
	cJSON			*j;
	int64_t			 t, age;
	long			 status;

	if (!d->graph_ok)
		return -1;
	if ((j = poll_graph_get(d->cfg, &d->poll, "/v1.0/organization?"
	    "$select=onPremisesSyncEnabled,onPremisesLastSyncDateTime",
	    &status, err, sizeof(err))) == NULL) {
		doctor_graph_failed(r, "Organization.Read.All", status, err);
		return 0;
	}
	org = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "value"),
	    0);
	on = cJSON_GetObjectItemCaseSensitive(org, "onPremisesSyncEnabled");
	last = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(org,
	    "onPremisesLastSyncDateTime"));
	if (org == NULL)
		set(r, DOC_WARN, "run doctor again once Graph answers",
		    "cannot check: no organization in Graph's answer");
	else if (!cJSON_IsTrue(on))
		set(r, DOC_FAIL, "turn on directory synchronization with Entra "
		    "Connect", "directory synchronization is off for the "
		    "tenant (onPremisesSyncEnabled is not true): enabling the "
		    "account in AD never reaches the cloud");
	else if (last == NULL || parse_time(last, &t) == -1)
		set(r, DOC_FAIL, fix, "directory synchronization is on but has "
		    "never run (onPremisesLastSyncDateTime %s)",
		    last ? last : "null");
	else {
		age = now_ms() - t;
		format_duration(age > 0 ? age / 60000 * 60 : 0, ago,
		    sizeof(ago));
		if (age > SYNC_STALE_MS)
			set(r, DOC_FAIL, fix, "the last directory sync was %s, "
			    "%s ago (Entra Connect exports every 30 min by "
			    "default): an enable now would not reach the cloud",
			    last, ago);
		else
			set(r, DOC_PASS, NULL, "on, last sync %s (%s ago); "
			    "password hash sync is not visible to an app in "
			    "Graph v1.0", last, ago);
	}
	cJSON_Delete(j);
	return 0;
}

const struct doc_check doctor_tenant_checks[] = {
	{ "security defaults", check_security_defaults, 0 },
	{ "UPN domain", check_domain, 1 },
	{ "directory sync", check_sync, 0 },
	{ "sign-in methods", check_methods, 1 },
	{ NULL, NULL, 0 }
};
