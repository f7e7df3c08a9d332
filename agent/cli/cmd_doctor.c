/* SPDX-License-Identifier: ISC */
/* cmd_doctor.c - breakglass doctor: every link of the set-up checked, with a fix */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cJSON.h>

#include "../../ldap/ad.h"
#include "../audit.h"
#include "../notify/channel.h"
#include "commands.h"
#include "doctor.h"
#include "../notify/notify.h"
#include "../poll.h"
#include "../state.h"
#include "../statedir.h"
#include "../sync.h"
#include "../text.h"
#include "../toggle.h"
#include "../util.h"

static void
report(struct doctor *d, const char *name, enum doc_status s,
    const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* one check: a line (or a JSON object), and a fix when it did not pass */
static void
report(struct doctor *d, const char *name, enum doc_status s,
    const char *fix, const char *fmt, ...)
{
	static const char	*mark[] = { "\u2714", "!", "\u2718", "-" };
	static const char	*word[] = { "pass", "warn", "fail", "skip" };
	char			 detail[1536];
	va_list			 ap;
	cJSON			*o;

	char			 full[128];

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s%s", d->prefix, name);
	name = full;
	if (s == DOC_FAIL)
		d->failed++;
	if (s == DOC_WARN)
		d->warned++;
	if (d->json) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "check", name);
		cJSON_AddStringToObject(o, "status", word[s]);
		cJSON_AddStringToObject(o, "detail", detail);
		if (s == DOC_FAIL || s == DOC_WARN)
			cJSON_AddStringToObject(o, "fix", fix ? fix : "");
		cJSON_AddItemToArray(d->checks, o);
		return;
	}
	/* details quote servers and files: out_line flattens them */
	out_line(stdout, "%s %s: %s", mark[s], name, detail);
	if ((s == DOC_FAIL || s == DOC_WARN) && fix != NULL)
		out_line(stdout, "    fix: %s", fix);
}

static void
check_files(struct doctor *d)
{
	const struct config	*c = d->cfg;
	struct stat		 sb;
	char			 err[1024];

	report(d, "config", DOC_PASS, NULL, "%s is valid", c->path);
	if (config_check_secrets(c, err, sizeof(err)) == -1)
		report(d, "files", DOC_FAIL, "chmod 600 the secret files, make "
		    "them owned by the service user, and check every path",
		    "%s", err);
	else
		report(d, "files", DOC_PASS, NULL, "secret files private, CA "
		    "files readable");
	if (stat(c->state_dir, &sb) == -1)
		report(d, "state_dir", errno == ENOENT ? DOC_WARN : DOC_FAIL,
		    "install -d -m 700 -o breakglass the directory (the "
		    "package's tmpfiles.d does)", "%s: %s", c->state_dir,
		    strerror(errno));
	else if (!S_ISDIR(sb.st_mode) || (sb.st_mode & 077) != 0)
		report(d, "state_dir", DOC_FAIL, "chmod 700 it", "%s: mode "
		    "%04o, wanted 0700", c->state_dir,
		    (unsigned)(sb.st_mode & 07777));
	else if (sb.st_uid != geteuid() && geteuid() != 0)
		report(d, "state_dir", DOC_FAIL, "run as the service user, or "
		    "chown the directory to it", "%s is owned by uid %u, not "
		    "by uid %u", c->state_dir, (unsigned)sb.st_uid,
		    (unsigned)geteuid());
	else
		report(d, "state_dir", DOC_PASS, NULL, "%s: 0700, uid %u",
		    c->state_dir, (unsigned)sb.st_uid);
}

static int
has_value(char **v, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i], want) == 0)
			return 1;
	return 0;
}

/*
 * Long on purpose: doctor's directory checks in the order an admin fixes
 * them (reach, TLS, bind, the account, the GUID pin, the write right), one
 * report line each, over one connection.
 */
/* each DC on its own: TLS verified and the bind; the first kept in d */
static void
check_dcs(struct doctor *d)
{
	const struct config	*c = d->cfg;
	struct ad_params	 p;
	struct ad_conn		*conn = NULL, *one;
	char			*pw = NULL, err[1024];
	const char		*uri;

	if (read_secret_file(c->ldap.bind_password_file, &pw, err,
	    sizeof(err)) == -1) {
		report(d, "bind", DOC_FAIL, "put the service account's password "
		    "in ldap.bind_password_file (mode 600)", "%s", err);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.nuris = 1;
	p.starttls = c->ldap.starttls;
	p.ca_file = c->ldap.ca_file;
	p.bind_dn = c->ldap.bind_dn;
	p.password = pw;
	p.timeout = (int)c->ldap.timeout;
	/* each DC on its own: TLS verified and the bind */
	for (size_t i = 0; i < c->ldap.uri.n; i++) {
		char name[600];

		uri = c->ldap.uri.v[i];
		p.uris = (const char *const *)&c->ldap.uri.v[i];
		snprintf(name, sizeof(name), "DC %s", uri);
		if ((one = ad_connect(&p, err, sizeof(err))) == NULL) {
			report(d, name, DOC_FAIL, strstr(err, "bind") != NULL ?
			    "check ldap.bind_dn and the password file; is the "
			    "service account locked or its password expired?" :
			    "check the name, the port (636 for ldaps://), the "
			    "firewall, and that ldap.ca_file signed the DC's "
			    "certificate", "%s", err);
			continue;
		}
		report(d, name, DOC_PASS, NULL, "TLS verified, bound as %s",
		    c->ldap.bind_dn);
		if (conn == NULL)
			conn = one;
		else
			ad_close(one);
	}
	secret_free(pw);
	d->conn = conn;
}

/* the account in AD: found, its GUID pin, disabled, the write right */
static void
check_account(struct doctor *d)
{
	const struct config	*c = d->cfg;
	struct ad_conn		*conn = d->conn;
	struct ad_account	 a;
	struct state		 st;
	char			 err[1024], **v = NULL;
	size_t			 n = 0;
	enum ad_result		 r;

	d->ad_enabled = -1;
	if (conn == NULL) {
		report(d, "account", DOC_SKIP, NULL, "no domain controller to "
		    "read it from");
		return;
	}
	r = ad_read_account(conn, c->account->dn, &a, err, sizeof(err));
	if (r != AD_OK) {
		report(d, "account", DOC_FAIL, "check account.dn (the "
		    "distinguishedName of the break-glass user) and that the "
		    "service account can read it", "%s", err);
		return;
	}
	report(d, "account", DOC_PASS, NULL, "%s found (sAMAccountName %s)",
	    c->account->dn, a.sam);
	if (c->account->object_guid == NULL)
		report(d, "GUID pin", DOC_WARN, "set account.object_guid so a "
		    "renamed or re-created object is never touched",
		    "account.object_guid is not set; the object's is %s",
		    a.guid);
	else if (!ad_guid_equal(a.guid, c->account->object_guid))
		report(d, "GUID pin", DOC_FAIL, "account.dn now names another "
		    "object: find out why before you change the pin",
		    "the object's GUID is %s, the pin is %s", a.guid,
		    c->account->object_guid);
	else
		report(d, "GUID pin", DOC_PASS, NULL, "%s matches", a.guid);
	d->ad_enabled = !ad_uac_is_disabled(a.uac);
	if (!d->ad_enabled)
		report(d, "disabled", DOC_PASS, NULL, "the account is disabled "
		    "(userAccountControl %u)", a.uac);
	else {
		memset(&st, 0, sizeof(st));
		if (state_load(c->state_dir, c->account,
		    &st, err, sizeof(err)) == 0 &&
		    (st.outage_declared || override_active(&st.ovr,
		    now_ms())))
			report(d, "disabled", DOC_WARN, "breakglass disable "
			    "--reason \"...\" once the outage is over",
			    "the account is enabled (%s)", st.outage_declared ?
			    "an outage is declared" : "an override holds it");
		else
			report(d, "disabled", DOC_FAIL, "breakglass disable "
			    "--reason \"...\" -- a standing enabled break-glass "
			    "account is what this tool exists to prevent",
			    "the account is enabled and no outage or override "
			    "explains it (userAccountControl %u)", a.uac);
	}
	/* what the service account may write on it */
	r = ad_read_values(conn, c->account->dn, "allowedAttributesEffective",
	    &v, &n, err, sizeof(err));
	if (r != AD_OK)
		report(d, "write right", DOC_FAIL, "grant the service account "
		    "Write Property on userAccountControl of this user only",
		    "%s", err);
	else if (!has_value(v, n, "userAccountControl"))
		report(d, "write right", DOC_FAIL, "grant the service account "
		    "Write Property on userAccountControl of this user (see "
		    "the admin guide, dsacls)", "%s cannot write "
		    "userAccountControl of the account", c->ldap.bind_dn);
	else if (n > 1) {
		char others[512] = "";
		size_t shown = 0, len;

		for (size_t i = 0; i < n && shown < 6; i++) {
			if (strcasecmp(v[i], "userAccountControl") == 0)
				continue;
			len = strlen(others);
			snprintf(others + len, sizeof(others) - len, "%s%s",
			    shown ? ", " : "", v[i]);
			shown++;
		}
		report(d, "write right", DOC_FAIL, "use a service account with "
		    "Write Property on userAccountControl of this user and "
		    "nothing else", "%s can write %zu attributes of the "
		    "account, not only userAccountControl: %s%s",
		    c->ldap.bind_dn, n, others, n - 1 > shown ? ", ..." : "");
	} else
		report(d, "write right", DOC_PASS, NULL, "%s can write "
		    "userAccountControl and nothing else of the account",
		    c->ldap.bind_dn);
	ad_values_free(v, n);
}

static void
check_graph(struct doctor *d)
{
	const struct config	*c = d->cfg;
	struct poll_result	 r;
	char			 err[1024];

	if (c->graph.tenant_id == NULL && c->graph.client_id == NULL) {
		report(d, "Graph", DOC_SKIP, NULL, "no graph section: manual "
		    "mode only");
		return;
	}
	if (poll_token(c, &d->poll, err, sizeof(err)) == -1) {
		report(d, "Graph token", DOC_FAIL, "check graph.tenant_id, "
		    "graph.client_id and the secret or certificate of the app "
		    "registration", "%s", err);
		return;
	}
	d->graph_ok = 1;
	report(d, "Graph token", DOC_PASS, NULL, "a token from %s",
	    c->graph.authority);
	poll_health(c, &d->poll, now_ms(), &r);
	if (r.verdict == VERDICT_UNKNOWN)
		report(d, "service health", DOC_FAIL, "grant the app "
		    "ServiceHealth.Read.All (application) with admin consent",
		    "%s", r.error);
	else
		report(d, "service health", DOC_PASS, NULL, "readable: %d "
		    "unresolved issues, verdict %s", r.issues_seen,
		    verdict_name(r.verdict));
	poll_result_free(&r);
}

static void
check_cloud_user(struct doctor *d)
{
	const struct config	*c = d->cfg;
	char			 path[1024], upn[600], err[1024];
	cJSON			*u;
	const cJSON		*sync, *en, *id;
	long			 status;

	if (!d->graph_ok)
		return;
	if (c->account->upn == NULL) {
		report(d, "cloud user", DOC_WARN, "set account.upn to the "
		    "user's userPrincipalName", "account.upn is not set: the "
		    "cloud side cannot be checked");
		return;
	}
	if (path_segment(c->account->upn, upn, sizeof(upn)) == -1) {
		report(d, "cloud user", DOC_FAIL, "set account.upn to the "
		    "user's userPrincipalName", "account.upn is too long");
		return;
	}
	snprintf(path, sizeof(path), "/v1.0/users/%s?$select=id,"
	    "userPrincipalName,accountEnabled,onPremisesSyncEnabled,"
	    "onPremisesLastSyncDateTime", upn);
	if ((u = poll_graph_get(c, &d->poll, path, &status, err,
	    sizeof(err))) == NULL) {
		report(d, "cloud user", DOC_FAIL, status == 404 ?
		    "check account.upn, and that Entra Connect syncs the "
		    "user's OU" : "grant the app User.Read.All (application)",
		    "%s: %s", c->account->upn, err);
		return;
	}
	id = cJSON_GetObjectItemCaseSensitive(u, "id");
	if (cJSON_IsString(id))
		bg_strlcpy(d->cloud_id, id->valuestring, sizeof(d->cloud_id));
	sync = cJSON_GetObjectItemCaseSensitive(u, "onPremisesSyncEnabled");
	en = cJSON_GetObjectItemCaseSensitive(u, "accountEnabled");
	if (!cJSON_IsTrue(sync))
		report(d, "cloud user", DOC_FAIL, "the break-glass user must be "
		    "the on-prem one synced by Entra Connect: check its OU is "
		    "in the sync scope", "%s exists but is not synced from "
		    "on-prem (onPremisesSyncEnabled is not true)",
		    c->account->upn);
	else
		report(d, "cloud user", DOC_PASS, NULL, "%s exists, synced from "
		    "on-prem (last sync %s)", c->account->upn,
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u,
		    "onPremisesLastSyncDateTime")) ?: "never");
	if (!cJSON_IsBool(en) || d->ad_enabled < 0)
		report(d, "cloud state", DOC_SKIP, NULL, "accountEnabled or the "
		    "AD state unknown");
	else if (cJSON_IsTrue(en) != d->ad_enabled)
		report(d, "cloud state", DOC_WARN, "wait for the next Entra "
		    "Connect cycle, or run Start-ADSyncSyncCycle -PolicyType "
		    "Delta on the Connect server", "the cloud says %s, AD says "
		    "%s (not synced yet)", cJSON_IsTrue(en) ? "enabled" :
		    "disabled", d->ad_enabled ? "enabled" : "disabled");
	else
		report(d, "cloud state", DOC_PASS, NULL, "accountEnabled %s "
		    "matches AD", cJSON_IsTrue(en) ? "true" : "false");
	cJSON_Delete(u);
}

static int
in_array(const cJSON *arr, const char *id)
{
	const cJSON	*x;

	cJSON_ArrayForEach(x, arr)
		if (cJSON_IsString(x) && strcasecmp(x->valuestring, id) == 0)
			return 1;
	return 0;
}

static int
any_in(const cJSON *arr, const cJSON *groups)
{
	const cJSON	*g;

	cJSON_ArrayForEach(g, groups) {
		const char *id = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(g, "id"));
		if (id != NULL && in_array(arr, id))
			return 1;
	}
	return 0;
}

static void
check_ca(struct doctor *d)
{
	const struct config	*c = d->cfg;
	char			 path[256], err[1024], bad[1024] = "";
	char			 rbad[sizeof(bad)] = "";
	struct doc_result	 r;
	cJSON			*pol, *mem = NULL;
	const cJSON		*p, *groups = NULL;
	long			 status;
	int			 nbad = 0, nenabled = 0, nrbad = 0, nreport = 0;

	if (!d->graph_ok || d->cloud_id[0] == '\0')
		return;
	snprintf(path, sizeof(path), "/v1.0/users/%s/transitiveMemberOf?"
	    "$select=id", d->cloud_id);
	if ((mem = poll_graph_get(c, &d->poll, path, &status, err,
	    sizeof(err))) != NULL)
		groups = cJSON_GetObjectItemCaseSensitive(mem, "value");
	if ((pol = poll_graph_get(c, &d->poll,
	    "/v1.0/identity/conditionalAccess/policies", &status, err,
	    sizeof(err))) == NULL) {
		memset(&r, 0, sizeof(r));
		doctor_graph_failed(&r, "Policy.Read.All", status, err);
		report(d, "CA exclusions", r.status, r.fix, "%s", r.detail);
		cJSON_Delete(mem);
		return;
	}
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(pol, "value")) {
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(p, "conditions"), "users");
		const char *state = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(p, "state"));
		const char *name = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(p, "displayName"));
		/* report-only: switched on one day, it locks the account out */
		int report_only = state != NULL &&
		    strcmp(state, "enabledForReportingButNotEnforced") == 0;
		char *list = report_only ? rbad : bad;
		size_t len;

		if (state == NULL || (strcmp(state, "enabled") != 0 &&
		    !report_only))
			continue;
		if (report_only)
			nreport++;
		else
			nenabled++;
		if (in_array(cJSON_GetObjectItemCaseSensitive(u,
		    "excludeUsers"), d->cloud_id) ||
		    any_in(cJSON_GetObjectItemCaseSensitive(u,
		    "excludeGroups"), groups))
			continue;
		if (report_only)
			nrbad++;
		else
			nbad++;
		len = strlen(list);
		snprintf(list + len, sizeof(bad) - len, "%s\"%s\"",
		    len ? ", " : "", name ? name : "?");
	}
	if (nbad > 0)
		report(d, "CA exclusions", DOC_FAIL, "exclude the break-glass "
		    "user (or a group it is in) from every enabled policy, "
		    "or an MFA outage locks it out too", "%d of %d enabled "
		    "policies do not exclude %s: %s", nbad, nenabled,
		    c->account->upn, bad);
	else
		report(d, "CA exclusions", DOC_PASS, NULL, "all %d enabled "
		    "policies exclude %s or one of its groups", nenabled,
		    c->account->upn);
	if (nrbad > 0)
		report(d, "CA report-only", DOC_WARN, "exclude the break-glass "
		    "user (or a group it is in) before these policies are "
		    "switched on", "%d of %d report-only policies do not "
		    "exclude %s: %s", nrbad, nreport, c->account->upn, rbad);
	else
		report(d, "CA report-only", DOC_PASS, NULL, "all %d report-only "
		    "policies exclude %s or one of its groups", nreport,
		    c->account->upn);
	cJSON_Delete(pol);
	cJSON_Delete(mem);
}

/* the tenant's facts, one row of doctor_tenant_checks each */
static void
check_tenant(struct doctor *d, int per_account)
{
	struct doc_result	 r;
	const struct doc_check	*k;

	for (k = doctor_tenant_checks; k->name != NULL; k++) {
		if (k->per_account != per_account)
			continue;
		memset(&r, 0, sizeof(r));
		if (k->fn(d, &r) == 0)
			report(d, k->name, r.status, r.fix[0] ? r.fix : NULL,
			    "%s", r.detail);
	}
}

static void
check_notify(struct doctor *d)
{
	const struct config	*c = d->cfg;
	char			 err[1024];

	if (c->notify.smtp.url == NULL) {
		report(d, "SMTP relay", notify_configured(c) ? DOC_SKIP :
		    DOC_WARN, "configure notify.smtp so every change reaches "
		    "the IT mailbox", "notify.smtp is not configured");
		return;
	}
	if (smtp_probe(c, err, sizeof(err)) == -1)
		report(d, "SMTP relay", DOC_FAIL, "check notify.smtp.url, that "
		    "the relay offers STARTTLS with a certificate ca_file "
		    "trusts, and the user and password", "%s", err);
	else
		report(d, "SMTP relay", DOC_PASS, NULL, "%s answers, %s, AUTH "
		    "%s", c->notify.smtp.url, strncasecmp(c->notify.smtp.url,
		    "smtps://", 8) == 0 ? "TLS verified" : strcasecmp(
		    c->notify.smtp.starttls, "none") == 0 ? "no TLS" :
		    "STARTTLS offered and verified", c->notify.smtp.username ?
		    "accepted" : "not used");
}

static void
check_audit(struct doctor *d)
{
	const struct config	*c = d->cfg;
	struct audit_verdict	 v;
	struct state		 st;
	struct stat		 sb;
	char			 path[4096], err[1024];
	int			 rc;

	snprintf(path, sizeof(path), "%s/%s", c->state_dir, AUDIT_FILE);
	if (sd_lstat(path, &sb) == -1 && errno == ENOENT) {
		report(d, "audit chain", DOC_PASS, NULL, "no audit log yet");
		return;
	}
	memset(&st, 0, sizeof(st));
	(void)state_load(c->state_dir, c->account, &st, err, sizeof(err));
	rc = audit_verify(path, st.audit_head.seq > 0 ? &st.audit_head : NULL,
	    &v, err, sizeof(err));
	if (rc == -1)
		report(d, "audit chain", DOC_FAIL, "check the permissions of "
		    "state_dir", "%s", err);
	else if (rc == 1)
		report(d, "audit chain", DOC_FAIL, "keep a copy of the log as "
		    "evidence, investigate who changed it (breakglass verify)",
		    "broken at seq %lld: %s", (long long)v.bad_seq, v.why);
	else
		report(d, "audit chain", DOC_PASS, NULL, "intact, %lld entries",
		    (long long)v.entries);
}

int
cmd_doctor(const struct cmd_ctx *x)
{
	const struct cli	*cli = x->cli;
	const struct config	*c = *x->cfg;
	struct config	view;
	struct doctor	d;

	memset(&d, 0, sizeof(d));
	d.cfg = c;
	d.prefix = "";
	d.json = cli->json;
	d.checks = cJSON_CreateArray();
	poll_ctx_init(&d.poll);
	check_files(&d);
	check_dcs(&d);
	check_graph(&d);
	/* each account's own checks (issue 15), named by it when several */
	for (size_t i = 0; i < c->naccounts; i++) {
		char	prefix[ACCOUNT_NAME_MAX + 3];

		if (cli->account != NULL && config_account(c, cli->account) !=
		    &c->accounts[i])
			continue;
		config_view(c, i, &view);
		d.cfg = &view;
		snprintf(prefix, sizeof(prefix), "%s: ", view.account->name);
		d.prefix = accounts_several(x) ? prefix : "";
		d.cloud_id[0] = '\0';
		check_account(&d);
		check_cloud_user(&d);
		check_ca(&d);
		check_tenant(&d, 1);
	}
	d.cfg = c;
	d.prefix = "";
	check_tenant(&d, 0);
	check_notify(&d);
	check_audit(&d);
	ad_close(d.conn);
	poll_ctx_free(&d.poll);
	if (d.json) {
		cJSON	*o = cJSON_CreateObject();
		char	*s;

		cJSON_AddBoolToObject(o, "ok", d.failed == 0);
		cJSON_AddNumberToObject(o, "failed", d.failed);
		cJSON_AddNumberToObject(o, "warnings", d.warned);
		cJSON_AddItemToObject(o, "checks", d.checks);
		if ((s = cJSON_Print(o)) != NULL)
			out_json(stdout, s);
		free(s);
		cJSON_Delete(o);
	} else {
		cJSON_Delete(d.checks);
		printf("%s: %d failed, %d warnings\n", d.failed ? "NOT READY" :
		    "READY", d.failed, d.warned);
	}
	return d.failed ? BG_EXIT_FAIL : BG_EXIT_DONE;
}
