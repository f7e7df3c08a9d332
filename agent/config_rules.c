/* SPDX-License-Identifier: ISC */
/* config_rules.c - a loaded config's rules: between keys, the files it names */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../ldap/ad.h"
#include "config.h"
#include "url.h"
#include "util.h"

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "account.dn" for the one untitled account, "account NAME: dn" otherwise */
static void
account_key(const struct config *c, const struct account_cfg *a,
    const char *key, char *buf, size_t size)
{
	if (c->naccounts == 1 && strcmp(a->name, ACCOUNT_DEFAULT) == 0)
		snprintf(buf, size, "account.%s", key);
	else
		snprintf(buf, size, "account %s: %s", a->name, key);
}

/* each account has a DN; no two name the same DN or the same GUID pin */
static int
check_accounts(const struct config *c, char *err, size_t errlen)
{
	char	k1[64], k2[64];

	for (size_t i = 0; i < c->naccounts; i++) {
		const struct account_cfg *a = &c->accounts[i];

		if (a->dn == NULL) {
			account_key(c, a, "dn", k1, sizeof(k1));
			bg_err(err, errlen, "%s: %s: required key missing",
			    c->path, k1);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			const struct account_cfg *b = &c->accounts[j];
			const char *what = NULL;

			/* AD compares DNs and GUIDs without case */
			if (strcasecmp(a->dn, b->dn) == 0)
				what = "dn";
			else if (a->object_guid != NULL && b->object_guid !=
			    NULL && strcasecmp(a->object_guid, b->object_guid)
			    == 0)
				what = "object_guid";
			if (what == NULL)
				continue;
			account_key(c, b, what, k1, sizeof(k1));
			account_key(c, a, what, k2, sizeof(k2));
			bg_err(err, errlen, "%s: %s and %s: the same account "
			    "twice (\"%s\"); each break-glass account needs "
			    "its own", c->path, k1, k2, strcmp(what, "dn") == 0 ?
			    a->dn : a->object_guid);
			return -1;
		}
	}
	return 0;
}

int
config_revoke_applies(const struct config *c)
{
	return c->recovery.revoke_sessions && c->graph.tenant_id != NULL &&
	    c->account->upn != NULL;
}

int
config_check_keys(const struct config *c, char *err, size_t errlen)
{
	const char	*f = c->path;
	char		 why[256];

	if (check_accounts(c, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < c->policy.signin_ncodes; i++) {
		static const long interrupts[] = SIGNIN_INTERRUPTS;
		for (size_t k = 0; k < sizeof(interrupts) /
		    sizeof(interrupts[0]); k++)
			if (c->policy.signin_codes[i] == interrupts[k]) {
				bg_err(err, errlen, "%s: policy.signin_codes: "
				    "%ld is the \"MFA required\" interrupt, "
				    "not a failure: it counts the attempts", f,
				    interrupts[k]);
				return -1;
			}
	}
	if (c->ldap.uri.n == 0) {
		bg_err(err, errlen, "%s: ldap.uri: required key missing", f);
		return -1;
	}
	for (size_t i = 0; i < c->ldap.uri.n; i++) {
		const char *u = c->ldap.uri.v[i];
		if (ad_uri_allowed(u, c->ldap.starttls, why, sizeof(why)) ==
		    -1) {
			bg_err(err, errlen, "%s: ldap.uri: \"%s\" %s "
			    "(ldap.starttls = %s)", f, u, why,
			    c->ldap.starttls ? "true" : "false");
			return -1;
		}
	}
	if (c->ldap.bind_dn == NULL) {
		bg_err(err, errlen, "%s: ldap.bind_dn: required key missing", f);
		return -1;
	}
	if (c->ldap.bind_password_file == NULL) {
		bg_err(err, errlen, "%s: ldap.bind_password_file: required key "
		    "missing", f);
		return -1;
	}
	if (c->ldap.ca_file == NULL) {
		bg_err(err, errlen, "%s: ldap.ca_file: required key missing "
		    "(certificate verification is always on; name the CA "
		    "that signed the DC certificates)", f);
		return -1;
	}
	if (c->graph.client_cert_file != NULL && c->graph.client_key_file == NULL) {
		bg_err(err, errlen, "%s: graph.client_key_file: required with "
		    "graph.client_cert_file", f);
		return -1;
	}
	if (c->graph.client_key_file != NULL && c->graph.client_cert_file == NULL) {
		bg_err(err, errlen, "%s: graph.client_cert_file: required with "
		    "graph.client_key_file", f);
		return -1;
	}
	if (c->graph.client_secret_file != NULL &&
	    c->graph.client_cert_file != NULL) {
		bg_err(err, errlen, "%s: graph: set client_secret_file or "
		    "client_cert_file/client_key_file, not both", f);
		return -1;
	}
	if (c->notify.smtp.url != NULL) {
		if (c->notify.smtp.from == NULL) {
			bg_err(err, errlen, "%s: notify.smtp.from: required "
			    "with notify.smtp.url", f);
			return -1;
		}
		if (c->notify.smtp.to.n == 0) {
			bg_err(err, errlen, "%s: notify.smtp.to: at least one "
			    "recipient required with notify.smtp.url", f);
			return -1;
		}
		if (strcasecmp(c->notify.smtp.starttls, "none") == 0 &&
		    has_prefix(c->notify.smtp.url, "smtp://") &&
		    !url_is_loopback(c->notify.smtp.url)) {
			bg_err(err, errlen, "%s: notify.smtp.starttls: \"none\" "
			    "is only accepted for a loopback relay, not %s", f,
			    c->notify.smtp.url);
			return -1;
		}
		if (c->notify.smtp.username != NULL &&
		    c->notify.smtp.password_file == NULL) {
			bg_err(err, errlen, "%s: notify.smtp.password_file: "
			    "required with notify.smtp.username", f);
			return -1;
		}
	}
	if (c->notify.webhook.url != NULL && c->notify.webhook.url_file != NULL) {
		bg_err(err, errlen, "%s: notify.webhook.url and "
		    "notify.webhook.url_file: set one of them, not both", f);
		return -1;
	}
	return 0;
}

static int
check_one_secret(const struct config *c, const char *key, const char *file,
    char *err, size_t errlen)
{
	char	why[512];

	if (file == NULL)
		return 0;
	if (check_secret_file(file, why, sizeof(why)) == -1) {
		bg_err(err, errlen, "%s: %s: %s", c->path, key, why);
		return -1;
	}
	return 0;
}

/* a CA or certificate file named in the config: a readable regular file */
static int
check_readable(const struct config *c, const char *key, const char *file,
    char *err, size_t errlen)
{
	struct stat	sb;
	int		fd;

	if (file == NULL || *file == '\0')
		return 0;
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		bg_err(err, errlen, "%s: %s: %s: %s", c->path, key, file,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		bg_err(err, errlen, "%s: %s: %s: not a regular file", c->path,
		    key, file);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
config_check_secrets(const struct config *c, char *err, size_t errlen)
{
	if (check_readable(c, "ldap.ca_file", c->ldap.ca_file, err,
	    errlen) == -1 ||
	    check_readable(c, "graph.ca_file", c->graph.ca_file, err,
	    errlen) == -1 ||
	    check_readable(c, "graph.client_cert_file",
	    c->graph.client_cert_file, err, errlen) == -1 ||
	    check_readable(c, "notify.smtp.ca_file", c->notify.smtp.ca_file,
	    err, errlen) == -1 ||
	    check_readable(c, "notify.webhook.ca_file",
	    c->notify.webhook.ca_file, err, errlen) == -1)
		return -1;
	if (check_one_secret(c, "ldap.bind_password_file",
	    c->ldap.bind_password_file, err, errlen) == -1 ||
	    check_one_secret(c, "graph.client_secret_file",
	    c->graph.client_secret_file, err, errlen) == -1 ||
	    check_one_secret(c, "graph.client_key_file",
	    c->graph.client_key_file, err, errlen) == -1 ||
	    check_one_secret(c, "notify.smtp.password_file",
	    c->notify.smtp.password_file, err, errlen) == -1 ||
	    check_one_secret(c, "notify.webhook.url_file",
	    c->notify.webhook.url_file, err, errlen) == -1)
		return -1;
	if (c->notify.webhook.url_file != NULL) {
		char *url = NULL;
		if (config_webhook_url(c, &url, err, errlen) == -1)
			return -1;
		secret_free(url);
	}
	return 0;
}

int
config_graph_ready(const struct config *c, char *err, size_t errlen)
{
	if (c->graph.tenant_id == NULL || c->graph.client_id == NULL) {
		bg_err(err, errlen, "%s: graph.tenant_id and graph.client_id "
		    "are required to read service health", c->path);
		return -1;
	}
	if (c->graph.client_secret_file == NULL &&
	    c->graph.client_cert_file == NULL) {
		bg_err(err, errlen, "%s: graph: set client_secret_file or "
		    "client_cert_file and client_key_file", c->path);
		return -1;
	}
	return 0;
}

