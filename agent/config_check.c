/* SPDX-License-Identifier: ISC */
/* config_check.c - what a config value must be: the key table, the rules */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <confuse.h>

#include "../ldap/ad.h"
#include "config_check.h"
#include "notify/mail.h"
#include "url.h"
#include "util.h"

#define VALUE_MAX	4096	/* bytes: no value has a use for more */

static const char *const modes[] = { "auto", "monitor", "manual", NULL };
static const char *const drifts[] = { "alert", "revert", NULL };
static const char *const token_probes[] = { "warn", "act", NULL };
static const char *const roles[] = { "act", "warn", NULL };
static const char *const starttls_modes[] = { "required", "none", NULL };
static const char *const graph_statuses[] = {
	"serviceOperational", "investigating", "restoringService",
	"verifyingService", "serviceRestored", "postIncidentReviewPublished",
	"serviceDegradation", "serviceInterruption", "extendedRecovery",
	"falsePositive", "investigationSuspended", "resolved",
	"mitigatedExternal", "mitigated", "resolvedExternal", "confirmed",
	"reported", "unknownFutureValue", NULL
};
static const char *const graph_classifications[] = {
	"advisory", "incident", "unknownFutureValue", NULL
};
static const char *const smtp_schemes[] = { "smtp", "smtps", NULL };
static const char *const webhook_schemes[] = { "https", NULL };

static int
has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int
check_state_dir(const char *v, char *why, size_t size)
{
	if (v[0] != '/') {
		bg_err(why, size, "\"%s\" must be an absolute path", v);
		return -1;
	}
	/* every path built from it (spool file names are the longest)
	   fits PATH_MAX with room to spare: none is ever cut short */
	if (strlen(v) > STATE_DIR_MAX) {
		bg_err(why, size, "longer than %d bytes", STATE_DIR_MAX);
		return -1;
	}
	return 0;
}

static int
is_guid(const char *v)
{
	static const int	dash[] = { 8, 13, 18, 23 };
	size_t			i, d = 0;

	if (strlen(v) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (v[i] != '-')
				return 0;
			d++;
		} else if (!isxdigit((unsigned char)v[i]))
			return 0;
	}
	return 1;
}

static int
is_upn(const char *v)
{
	return strchr(v, '@') != NULL && strpbrk(v, " \t\r\n'\"") == NULL;
}

static int
is_https(const char *v)
{
	return has_prefix(v, "https://");
}

static int
check_ldap_uri(const char *v, char *why, size_t size)
{
	char	adwhy[256];

	if (ad_uri_parse(v, adwhy, sizeof(adwhy)) != AD_URI_BAD)
		return 0;
	bg_err(why, size, "\"%s\" %s", v, adwhy);
	return -1;
}

/* not quoted: a user:password@ in it is what is refused */
static int
check_smtp_url(const char *v, char *why, size_t size)
{
	char	urlwhy[256];

	if (url_check(v, smtp_schemes, 0, urlwhy, sizeof(urlwhy)) == 0)
		return 0;
	bg_err(why, size, "%s%s", urlwhy,
	    strstr(urlwhy, "user information") == NULL ? "" :
	    ": set notify.smtp.username and notify.smtp.password_file "
	    "instead");
	return -1;
}

int
config_webhook_url_ok(const char *url, char *why, size_t size)
{
	return url_check(url, webhook_schemes, 1, why, size);
}

/* quoted masked: the path and query of a webhook URL are its credential */
static int
check_webhook_url(const char *v, char *why, size_t size)
{
	char	urlwhy[256], shown[512];

	if (config_webhook_url_ok(v, urlwhy, sizeof(urlwhy)) == 0)
		return 0;
	url_mask(v, shown, sizeof(shown));
	bg_err(why, size, "\"%s\": %s", shown, urlwhy);
	return -1;
}

#define PEER_NAME_MAX	63	/* a DNS label: it goes into mail headers */

/*
 * A host's name as it stands in every audit line and mail: letters,
 * digits, '.', '-', '_', so that it reads the same in a header, a column
 * of history --merge and a file name.
 */
static int
is_peer_name(const char *v)
{
	size_t	n = strlen(v);

	return n > 0 && n <= PEER_NAME_MAX && strspn(v,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    ".-_") == n;
}

#define MAIL_BAD	"is not a plain mail address (user@domain)"

const struct config_key config_keys[] = {
	{ "state_dir", KIND_STR, .check = check_state_dir },
	{ "account.dn", KIND_STR, .ok = ad_dn_valid,
	  .bad = "is not a valid LDAP DN" },
	{ "account.object_guid", KIND_STR, .ok = is_guid,
	  .bad = "is not a GUID like eb6c701a-a39a-4193-84fe-86a89f901849",
	  .optional = 1 },
	{ "account.upn", KIND_STR, .ok = is_upn,
	  .bad = "is not a user principal name", .optional = 1 },
	{ "ldap.uri", KIND_LIST, .check = check_ldap_uri },
	{ "ldap.timeout", KIND_DUR, .lo = 1, .hi = 300 },
	{ "graph.authority", KIND_STR, .ok = is_https,
	  .bad = "must be an https:// URL" },
	{ "graph.endpoint", KIND_STR, .ok = is_https,
	  .bad = "must be an https:// URL" },
	{ "graph.timeout", KIND_DUR, .lo = 1, .hi = 300 },
	{ "policy.mode", KIND_STR, .choices = modes },
	{ "policy.poll_interval", KIND_DUR, .lo = 1, .hi = 86400 },
	{ "policy.rise", KIND_INT, .lo = 1, .hi = 1000 },
	{ "policy.fall", KIND_INT, .lo = 1, .hi = 1000 },
	{ "policy.manual_for", KIND_DUR, .lo = 1, .hi = 365 * 86400L },
	{ "policy.on_drift", KIND_STR, .choices = drifts },
	{ "policy.statuses", KIND_LIST, .choices = graph_statuses,
	  .choices_are = "a Graph serviceHealthIssue status "
	  "(see breakglass.conf(5))" },
	{ "policy.classifications", KIND_LIST,
	  .choices = graph_classifications },
	{ "policy.unreachable_after", KIND_INT, .lo = 0, .hi = 1000 },
	{ "policy.takeover_hold", KIND_INT, .lo = 0, .hi = 1000 },
	{ "policy.probe_url", KIND_STR, .ok = is_https,
	  .bad = "must be an https:// URL" },
	{ "policy.token_probe", KIND_STR, .choices = token_probes },
	{ "policy.drill_every", KIND_DUR, .lo = 0, .hi = 3 * 365 * 86400L },
	{ "policy.sources.service-health", KIND_STR, .choices = roles },
	{ "policy.sources.token-probe", KIND_STR, .choices = roles },
	{ "policy.sources.signin-failures", KIND_STR, .choices = roles },
	{ "policy.signin_every", KIND_DUR, .lo = 1, .hi = 86400 },
	{ "policy.signin_window", KIND_DUR, .lo = 60, .hi = 7 * 86400L },
	{ "policy.signin_codes", KIND_INT, .lo = 1, .hi = 99999999 },
	{ "policy.signin_min_users", KIND_INT, .lo = 1, .hi = 1000000 },
	{ "policy.signin_ratio", KIND_FLOAT, .lo = 0, .hi = 1 },
	{ "watch.every", KIND_DUR, .lo = 1, .hi = 86400 },
	{ "sync.timeout", KIND_DUR, .lo = 1, .hi = 3600 },
	{ "sync.confirm_within", KIND_DUR, .lo = 0, .hi = 86400 },
	{ "notify.remind_every", KIND_DUR, .lo = 0, .hi = 30 * 86400L },
	{ "notify.smtp.url", KIND_STR, .check = check_smtp_url,
	  .optional = 1 },
	{ "notify.smtp.starttls", KIND_STR, .choices = starttls_modes },
	{ "notify.smtp.from", KIND_STR, .ok = mail_address_ok,
	  .bad = MAIL_BAD, .optional = 1 },
	{ "notify.smtp.to", KIND_LIST, .ok = mail_address_ok,
	  .bad = MAIL_BAD, .optional = 1 },
	{ "notify.webhook.url", KIND_STR, .check = check_webhook_url,
	  .optional = 1 },
	{ "notify.webhook.timeout", KIND_DUR, .lo = 1, .hi = 300 },
	{ "ha.peer_name", KIND_STR, .ok = is_peer_name,
	  .bad = "is not a host name (at most 63 letters, digits, '.', '-', "
	  "'_')", .optional = 1 },
	{ .path = NULL }
};

/* "section.key", as libconfuse sees it: it keeps no parent of a section */
static const char *
keypath(cfg_t *cfg, cfg_opt_t *opt, char *buf, size_t size)
{
	if (cfg->name == NULL || strcmp(cfg->name, "root") == 0)
		snprintf(buf, size, "%s", opt->name);
	else
		snprintf(buf, size, "%s.%s", cfg->name, opt->name);
	return buf;
}

/* section names are unique in the schema: "smtp.url" is notify.smtp.url */
static const struct config_key *
key_row(const char *key)
{
	size_t	klen = strlen(key), plen;

	for (const struct config_key *k = config_keys; k->path != NULL; k++) {
		if (strcmp(k->path, key) == 0)
			return k;
		plen = strlen(k->path);
		if (strchr(key, '.') != NULL && plen > klen &&
		    k->path[plen - klen - 1] == '.' &&
		    strcmp(k->path + plen - klen, key) == 0)
			return k;
	}
	return NULL;
}

int
config_duration_cb(cfg_t *cfg, cfg_opt_t *opt, const char *value,
    void *result)
{
	char	err[160], key[64];
	int64_t	secs;

	if (parse_duration(value, &secs, err, sizeof(err)) == -1) {
		cfg_error(cfg, "%s: %s", keypath(cfg, opt, key, sizeof(key)),
		    err);
		return -1;
	}
	*(long *)result = (long)secs;
	return 0;
}

/* libconfuse validates a list after each value it appends */
static const char *
last_str(cfg_opt_t *opt)
{
	unsigned n = cfg_opt_size(opt);

	return n == 0 ? NULL : cfg_opt_getnstr(opt, n - 1);
}

/* the rules of every string, whatever its key */
static int
check_any_string(const char *v, char *why, size_t size)
{
	if (v[0] == '<' && v[strlen(v) - 1] == '>') {
		bg_err(why, size, "\"%s\" is a placeholder of the example "
		    "configuration: put your value there", v);
		return -1;
	}
	if (strlen(v) > VALUE_MAX) {
		bg_err(why, size, "value longer than %d bytes", VALUE_MAX);
		return -1;
	}
	/* no value has a use for a line break, a tab or an escape */
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			bg_err(why, size, "contains a control character "
			    "(0x%02x) at byte %zu", *p,
			    (size_t)(p - (const unsigned char *)v));
			return -1;
		}
	return 0;
}

static int
check_choices(const struct config_key *k, const char *v, char *why,
    size_t size)
{
	char	list[256] = "one of ";
	size_t	n = strlen(list);

	for (const char *const *c = k->choices; *c != NULL; c++)
		if (strcasecmp(v, *c) == 0)
			return 0;
	for (const char *const *c = k->choices; *c != NULL &&
	    n < sizeof(list); c++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    c != k->choices ? ", " : "", *c);
	bg_err(why, size, "\"%s\" is not %s", v, k->choices_are != NULL ?
	    k->choices_are : list);
	return -1;
}

static int
validate_str(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct config_key	*k;
	const char		*v = last_str(opt);
	char			 key[64], why[512];

	if (v == NULL)
		return 0;
	keypath(cfg, opt, key, sizeof(key));
	if (check_any_string(v, why, sizeof(why)) == -1) {
		cfg_error(cfg, "%s: %s", key, why);
		return -1;
	}
	if ((k = key_row(key)) == NULL || (k->optional && *v == '\0'))
		return 0;
	if (k->ok != NULL && !k->ok(v)) {
		cfg_error(cfg, "%s: \"%s\" %s", k->path, v, k->bad);
		return -1;
	}
	if ((k->choices != NULL && check_choices(k, v, why, sizeof(why)) ==
	    -1) || (k->check != NULL && k->check(v, why, sizeof(why)) == -1)) {
		cfg_error(cfg, "%s: %s", k->path, why);
		return -1;
	}
	return 0;
}

static int
validate_range(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct config_key	*k;
	unsigned		 n = cfg_opt_size(opt);
	long			 v;
	char			 key[64];

	/* a list is validated after each value it appends: the last one */
	if (n == 0)
		return 0;
	v = cfg_opt_getnint(opt, n - 1);
	/* named "section.key", as the parse errors name it: webhook.timeout */
	keypath(cfg, opt, key, sizeof(key));
	if ((k = key_row(key)) == NULL || (v >= k->lo && v <= k->hi))
		return 0;
	cfg_error(cfg, "%s: %ld is out of range (%ld to %ld)", key, v, k->lo,
	    k->hi);
	return -1;
}

static int
validate_float(cfg_t *cfg, cfg_opt_t *opt)
{
	const struct config_key	*k;
	double			 v = cfg_opt_getnfloat(opt, 0);
	char			 key[64];

	keypath(cfg, opt, key, sizeof(key));
	if ((k = key_row(key)) == NULL || (v >= (double)k->lo &&
	    v <= (double)k->hi))
		return 0;
	cfg_error(cfg, "%s: %g is out of range (%ld to %ld)", key, v, k->lo,
	    k->hi);
	return -1;
}

static void
register_under(cfg_t *cfg, cfg_opt_t *opts, const char *prefix)
{
	char	path[128], sub[160];

	for (cfg_opt_t *o = opts; o->name != NULL; o++) {
		snprintf(path, sizeof(path), "%s%s", prefix, o->name);
		if (o->type == CFGT_SEC) {
			snprintf(sub, sizeof(sub), "%s|", path);
			register_under(cfg, o->subopts, sub);
		} else if (o->type == CFGT_STR)
			cfg_set_validate_func(cfg, path, validate_str);
		else if (o->type == CFGT_INT)
			cfg_set_validate_func(cfg, path, validate_range);
		else if (o->type == CFGT_FLOAT)
			cfg_set_validate_func(cfg, path, validate_float);
	}
}

void
config_check_register(cfg_t *cfg, cfg_opt_t *opts)
{
	register_under(cfg, opts, "");
}
