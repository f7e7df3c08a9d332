/* SPDX-License-Identifier: ISC */
/* config.c - libconfuse schema, the one struct config: load, free, print */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <confuse.h>

#include "config.h"
#include "config_check.h"
#include "url.h"
#include "util.h"

/* The parse in progress: libconfuse keeps no filename in sections. */
static struct {
	const char	*file;
	char		*err;
	size_t		 errlen;
	int		 failed;
	int		 line;		/* of the first error */
} ld;

const char *
config_path(const char *opt)
{
	const char	*env;

	if (opt != NULL)
		return opt;
	if ((env = getenv("BREAKGLASS_CONF")) != NULL && *env != '\0')
		return env;
	return CONFIG_DEFAULT_PATH;
}

const char *
mode_name(enum bg_mode m)
{
	switch (m) {
	case MODE_AUTO:
		return "auto";
	case MODE_MONITOR:
		return "monitor";
	case MODE_MANUAL:
		return "manual";
	}
	return "?";
}

const char *
drift_name(enum bg_drift d)
{
	return d == DRIFT_REVERT ? "revert" : "alert";
}

static void
errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	char	msg[512];

	if (ld.failed)
		return;		/* keep the first error: it is the cause */
	ld.failed = 1;
	ld.line = cfg != NULL ? cfg->line : 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* a binary file's bytes must not reach the terminal or the journal */
	for (unsigned char *p = (unsigned char *)msg; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
	if (cfg != NULL && cfg->name != NULL && strcmp(cfg->name, "root") != 0)
		bg_err(ld.err, ld.errlen, "%s:%d: in section '%s': %s",
		    ld.file, cfg->line, cfg->name, msg);
	else
		bg_err(ld.err, ld.errlen, "%s:%d: %s", ld.file,
		    cfg != NULL ? cfg->line : 0, msg);
}

#define STR(n, d)	CFG_STR(n, d, CFGF_NONE)
#define STRLIST(n, d)	CFG_STR_LIST(n, d, CFGF_NONE)
#define DUR(n, d)	CFG_INT_CB(n, d, CFGF_NONE, config_duration_cb)

static cfg_opt_t account_opts[] = {
	STR("dn", NULL), STR("object_guid", ""), STR("upn", ""),
	CFG_BOOL("auto", cfg_true, CFGF_NONE), CFG_END()
};
static cfg_opt_t ldap_opts[] = {
	CFG_STR_LIST("uri", NULL, CFGF_NODEFAULT),
	CFG_BOOL("starttls", cfg_false, CFGF_NONE),
	STR("bind_dn", NULL), STR("bind_password_file", NULL),
	STR("ca_file", NULL), DUR("timeout", 10), CFG_END()
};
static cfg_opt_t graph_opts[] = {
	STR("tenant_id", ""), STR("client_id", ""),
	STR("client_secret_file", ""), STR("client_cert_file", ""),
	STR("client_key_file", ""),
	STR("authority", "https://login.microsoftonline.com"),
	STR("endpoint", "https://graph.microsoft.com"), STR("ca_file", ""),
	DUR("timeout", 15), CFG_END()
};
/*
 * Whether each health source may act alone or only warn.  token-probe: no
 * default here; unset, it is policy.token_probe (the older key).
 */
static cfg_opt_t sources_opts[] = {
	STR("service-health", "act"), STR("token-probe", "warn"),
	STR("signin-failures", "warn"), CFG_END()
};
static cfg_opt_t policy_opts[] = {
	STR("mode", "auto"), DUR("poll_interval", 60),
	CFG_INT("rise", 2, CFGF_NONE), CFG_INT("fall", 3, CFGF_NONE),
	DUR("manual_for", 4 * 3600), STR("on_drift", "alert"),
	STRLIST("services", "{\"Microsoft Entra\"}"),
	STRLIST("features", "{}"),
	STRLIST("keywords", "{\"multi-factor\", \"multifactor\", \"MFA\"}"),
	STRLIST("statuses", "{\"serviceDegradation\", \"serviceInterruption\","
	    " \"extendedRecovery\", \"restoringService\"}"),
	STRLIST("classifications", "{\"incident\"}"),
	CFG_INT("unreachable_after", 0, CFGF_NONE),
	STR("probe_url", "https://www.microsoft.com"),
	STR("token_probe", "warn"),
	DUR("drill_every", 0),
	CFG_SEC("sources", sources_opts, CFGF_NONE),
	DUR("signin_every", 120), DUR("signin_window", 600),
	/* the MFA step itself failed (breakglass.conf(5) cites the codes) */
	CFG_INT_LIST("signin_codes", "{500121, 50086, 50087, 50158}",
	    CFGF_NONE),
	CFG_INT("signin_min_users", 5, CFGF_NONE),
	CFG_INT("takeover_hold", 0, CFGF_NONE),
	CFG_FLOAT("signin_ratio", 0.5, CFGF_NONE), CFG_END()
};
static cfg_opt_t watch_opts[] = {
	CFG_BOOL("signins", cfg_true, CFGF_NONE),
	CFG_BOOL("directory", cfg_true, CFGF_NONE), DUR("every", 300), CFG_END()
};
static cfg_opt_t sync_opts[] = {
	STR("command", ""), DUR("timeout", 120), DUR("confirm_within", 900),
	CFG_END()
};
static cfg_opt_t recovery_opts[] = {
	CFG_BOOL("revoke_sessions", cfg_true, CFGF_NONE), CFG_END()
};
static cfg_opt_t smtp_opts[] = {
	STR("url", ""), STR("starttls", "required"), STR("username", ""),
	STR("password_file", ""), STR("ca_file", ""), STR("from", ""),
	STRLIST("to", "{}"), CFG_END()
};
static cfg_opt_t webhook_opts[] = {
	STR("url", ""), STR("url_file", ""), STR("ca_file", ""),
	DUR("timeout", 15), CFG_END()
};
static cfg_opt_t notify_opts[] = {
	DUR("remind_every", 3600), CFG_SEC("smtp", smtp_opts, CFGF_NONE),
	CFG_SEC("webhook", webhook_opts, CFGF_NONE), STR("command", ""),
	CFG_END()
};
static cfg_opt_t ha_opts[] = {
	STR("peer_name", ""), CFG_END()
};
/*
 * account NAME { } may repeat (issue 15); a file of before has one untitled
 * account { }, read as the account "default".  libconfuse has no optional
 * title, so the file is parsed with titles first and, when that stops at
 * an untitled account, once more with the schema of before
 * (ROOT_ACCOUNT is the slot both schemas fill).
 */
#define ROOT_ACCOUNT	1
#define ACCOUNT_TITLED	(CFGF_TITLE | CFGF_MULTI | CFGF_NO_TITLE_DUPES)
static cfg_opt_t root_opts[] = {
	STR("state_dir", "/var/lib/breakglass"),
	CFG_SEC("account", account_opts, ACCOUNT_TITLED),
	CFG_SEC("ldap", ldap_opts, CFGF_NONE),
	CFG_SEC("graph", graph_opts, CFGF_NONE),
	CFG_SEC("policy", policy_opts, CFGF_NONE),
	CFG_SEC("notify", notify_opts, CFGF_NONE),
	CFG_SEC("sync", sync_opts, CFGF_NONE),
	CFG_SEC("watch", watch_opts, CFGF_NONE),
	CFG_SEC("recovery", recovery_opts, CFGF_NONE),
	CFG_SEC("ha", ha_opts, CFGF_NONE),
	CFG_END()
};

static char *
dupstr(const char *s)
{
	return s == NULL || *s == '\0' ? NULL : strdup(s);
}

static void
get_list(cfg_t *sec, const char *name, struct strlist *l)
{
	unsigned n = cfg_size(sec, name);

	l->v = calloc(n + 1, sizeof(char *));
	if (l->v == NULL)
		return;
	for (unsigned i = 0; i < n; i++) {
		const char *s = cfg_getnstr(sec, name, i);
		if (s != NULL && *s != '\0')
			l->v[l->n++] = strdup(s);
	}
}

static enum bg_mode
parse_mode(const char *s)
{
	if (strcasecmp(s, "monitor") == 0)
		return MODE_MONITOR;
	if (strcasecmp(s, "manual") == 0)
		return MODE_MANUAL;
	return MODE_AUTO;
}

/*
 * Comments out, newlines kept: Debian's libconfuse 3.3 counts three lines for
 * every '#' comment line, which would put wrong line numbers in our errors.
 * Handles "..." (with \ escapes) and '...' strings, #, // and C comments.
 */
static char *
strip_comments(const char *in, size_t len)
{
	char	*out = malloc(len + 1);
	size_t	 i = 0, o = 0;

	if (out == NULL)
		return NULL;
	while (i < len) {
		char ch = in[i];

		if (ch == '"' || ch == '\'') {
			char q = ch;
			out[o++] = in[i++];
			while (i < len && in[i] != q) {
				if (q == '"' && in[i] == '\\' && i + 1 < len)
					out[o++] = in[i++];
				out[o++] = in[i++];
			}
			if (i < len)
				out[o++] = in[i++];
		} else if (ch == '#' || (ch == '/' && i + 1 < len &&
		    in[i + 1] == '/')) {
			while (i < len && in[i] != '\n')
				i++;
		} else if (ch == '/' && i + 1 < len && in[i + 1] == '*') {
			i += 2;
			while (i < len && !(in[i] == '*' && i + 1 < len &&
			    in[i + 1] == '/')) {
				if (in[i] == '\n')
					out[o++] = '\n';
				i++;
			}
			i = i + 2 < len ? i + 2 : len;
			out[o++] = ' ';
		} else
			out[o++] = in[i++];
	}
	out[o] = '\0';
	return out;
}

/* one parse of the text; the line it stopped at in *line (0: none) */
static cfg_t *
parse_once(const char *path, const char *text, int titled, int *line,
    char *err, size_t errlen)
{
	cfg_t	*cfg;
	int	 rc;

	memset(&ld, 0, sizeof(ld));
	ld.file = path;
	ld.err = err;
	ld.errlen = errlen;
	*line = 0;
	root_opts[ROOT_ACCOUNT].flags = titled ? ACCOUNT_TITLED : CFGF_NONE;
	cfg = cfg_init(root_opts, CFGF_NONE);
	root_opts[ROOT_ACCOUNT].flags = ACCOUNT_TITLED;
	if (cfg == NULL) {
		bg_err(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	cfg_set_error_function(cfg, errfunc);
	config_check_register(cfg, root_opts);
	rc = cfg_parse_buf(cfg, text);
	if (rc == CFG_SUCCESS)
		return cfg;
	if (!ld.failed)
		bg_err(err, errlen, "%s: cannot parse", path);
	*line = ld.line;
	cfg_free(cfg);
	return NULL;
}

/*
 * Titled accounts first, then the untitled account { } of before.  When
 * both fail, the error of the parse that got further names the cause: an
 * old file stops the titled parse at its account { }, a new one stops the
 * old parse at its first account NAME { }.
 */
static cfg_t *
parse_text(const char *path, const char *text, char *err, size_t errlen)
{
	cfg_t	*cfg;
	char	 first[1024];
	int	 line1, line2;

	if ((cfg = parse_once(path, text, 1, &line1, first, sizeof(first))) !=
	    NULL)
		return cfg;
	if ((cfg = parse_once(path, text, 0, &line2, err, errlen)) != NULL)
		return cfg;
	if (line1 >= line2)
		bg_err(err, errlen, "%s", first);
	return NULL;
}

/* [a-z][a-z0-9_-]*, short: it is typed after --account and printed */
static int
account_name_ok(const char *n)
{
	size_t	len = strlen(n);

	if (len == 0 || len > ACCOUNT_NAME_MAX || n[0] < 'a' || n[0] > 'z')
		return 0;
	return strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

static int
get_accounts(cfg_t *cfg, struct config *c, char *err, size_t errlen)
{
	unsigned	n = cfg_size(cfg, "account");

	if (n > ACCOUNTS_MAX) {
		bg_err(err, errlen, "%s: account: %u sections, at most %d",
		    c->path, n, ACCOUNTS_MAX);
		return -1;
	}
	/* none at all: the error of before, account.dn missing */
	c->naccounts = n > 0 ? n : 1;
	if ((c->accounts = calloc(c->naccounts, sizeof(*c->accounts))) ==
	    NULL) {
		bg_err(err, errlen, "out of memory");
		c->naccounts = 0;
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		cfg_t			*s = cfg_getnsec(cfg, "account", i);
		struct account_cfg	*a = &c->accounts[i];
		const char		*title = cfg_title(s);

		a->name = strdup(title != NULL ? title : ACCOUNT_DEFAULT);
		a->dn = dupstr(cfg_getstr(s, "dn"));
		a->object_guid = dupstr(cfg_getstr(s, "object_guid"));
		a->upn = dupstr(cfg_getstr(s, "upn"));
		a->automatic = cfg_getbool(s, "auto");
		a->index = i;
		if (a->name == NULL) {
			bg_err(err, errlen, "out of memory");
			return -1;
		}
		if (!account_name_ok(a->name)) {
			bg_err(err, errlen, "%s:%d: account \"%s\": a name is "
			    "1 to %d of a-z, 0-9, _ and -, starting with a "
			    "letter", c->path, s->line, a->name,
			    ACCOUNT_NAME_MAX);
			return -1;
		}
	}
	if (n == 0) {
		c->accounts[0].automatic = 1;
		if ((c->accounts[0].name = strdup(ACCOUNT_DEFAULT)) == NULL) {
			bg_err(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

void
config_view(const struct config *c, size_t i, struct config *view)
{
	*view = *c;
	view->account = &c->accounts[i];
}

const struct account_cfg *
config_account(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->naccounts; i++)
		if (strcmp(c->accounts[i].name, name) == 0)
			return &c->accounts[i];
	return NULL;
}

void
config_accounts_list(const struct config *c, char *buf, size_t size)
{
	size_t	n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->naccounts && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
		    c->accounts[i].name);
}

static int
acts(cfg_t *sec, const char *key)
{
	return strcasecmp(cfg_getstr(sec, key), "act") == 0;
}

/*
 * policy.sources.token-probe and policy.token_probe say the same thing:
 * either may be set, both only if they agree.
 */
static int
load_sources(struct config *c, cfg_t *policy, char *err, size_t errlen)
{
	cfg_t		*src = cfg_getsec(policy, "sources");
	cfg_opt_t	*tp = cfg_getopt(src, "token-probe");
	cfg_opt_t	*old = cfg_getopt(policy, "token_probe");

	c->policy.service_health_acts = acts(src, "service-health");
	c->policy.signin_acts = acts(src, "signin-failures");
	if (tp == NULL || old == NULL)
		return 0;
	if (!(tp->flags & CFGF_MODIFIED))
		return 0;		/* policy.token_probe, read above */
	if ((old->flags & CFGF_MODIFIED) &&
	    acts(src, "token-probe") != c->policy.token_probe_acts) {
		bg_err(err, errlen, "%s: policy.sources.token-probe = \"%s\" and "
		    "policy.token_probe = \"%s\" disagree: set one of them",
		    c->path, cfg_getstr(src, "token-probe"),
		    cfg_getstr(policy, "token_probe"));
		return -1;
	}
	c->policy.token_probe_acts = acts(src, "token-probe");
	return 0;
}

/*
 * Long on purpose: it copies every key into struct config, one line a
 * key; a table of key -> field would replace it (issue 14, open).
 */
struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config	*c = NULL;
	cfg_t		*cfg, *s, *n;
	char		*text, *clean;
	size_t		 len;

	/* read it ourselves: libconfuse's message for a missing file is vague */
	if ((text = read_file(path, 1024 * 1024, &len)) == NULL) {
		bg_err(err, errlen, "%s: %s", path, errno == EFBIG ?
		    "larger than 1 MiB" : strerror(errno));
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		bg_err(err, errlen, "%s: contains a NUL byte: not a text file",
		    path);
		free(text);
		return NULL;
	}
	clean = strip_comments(text, len);
	free(text);
	if (clean == NULL) {
		bg_err(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if ((cfg = parse_text(path, clean, err, errlen)) == NULL) {
		free(clean);
		return NULL;
	}
	free(clean);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		bg_err(err, errlen, "out of memory");
		goto out;
	}
	c->path = strdup(path);
	c->state_dir = dupstr(cfg_getstr(cfg, "state_dir"));
	if (get_accounts(cfg, c, err, errlen) == -1)
		goto fail;
	c->account = &c->accounts[0];

	s = cfg_getsec(cfg, "ldap");
	get_list(s, "uri", &c->ldap.uri);
	c->ldap.starttls = cfg_getbool(s, "starttls");
	c->ldap.bind_dn = dupstr(cfg_getstr(s, "bind_dn"));
	c->ldap.bind_password_file = dupstr(cfg_getstr(s, "bind_password_file"));
	c->ldap.ca_file = dupstr(cfg_getstr(s, "ca_file"));
	c->ldap.timeout = cfg_getint(s, "timeout");

	s = cfg_getsec(cfg, "graph");
	c->graph.tenant_id = dupstr(cfg_getstr(s, "tenant_id"));
	c->graph.client_id = dupstr(cfg_getstr(s, "client_id"));
	c->graph.client_secret_file = dupstr(cfg_getstr(s, "client_secret_file"));
	c->graph.client_cert_file = dupstr(cfg_getstr(s, "client_cert_file"));
	c->graph.client_key_file = dupstr(cfg_getstr(s, "client_key_file"));
	c->graph.authority = dupstr(cfg_getstr(s, "authority"));
	c->graph.endpoint = dupstr(cfg_getstr(s, "endpoint"));
	c->graph.ca_file = dupstr(cfg_getstr(s, "ca_file"));
	c->graph.timeout = cfg_getint(s, "timeout");

	s = cfg_getsec(cfg, "policy");
	c->policy.mode = parse_mode(cfg_getstr(s, "mode"));
	c->policy.poll_interval = cfg_getint(s, "poll_interval");
	c->policy.rise = cfg_getint(s, "rise");
	c->policy.fall = cfg_getint(s, "fall");
	c->policy.manual_for = cfg_getint(s, "manual_for");
	c->policy.on_drift = strcasecmp(cfg_getstr(s, "on_drift"), "revert") ==
	    0 ? DRIFT_REVERT : DRIFT_ALERT;
	get_list(s, "services", &c->policy.services);
	get_list(s, "features", &c->policy.features);
	get_list(s, "keywords", &c->policy.keywords);
	get_list(s, "statuses", &c->policy.statuses);
	get_list(s, "classifications", &c->policy.classifications);
	c->policy.unreachable_after = cfg_getint(s, "unreachable_after");
	c->policy.probe_url = dupstr(cfg_getstr(s, "probe_url"));
	c->policy.token_probe_acts = strcasecmp(cfg_getstr(s, "token_probe"),
	    "act") == 0;
	c->policy.drill_every = cfg_getint(s, "drill_every");
	c->policy.takeover_hold = cfg_getint(s, "takeover_hold");
	if (load_sources(c, s, err, errlen) == -1)
		goto fail;
	c->policy.signin_every = cfg_getint(s, "signin_every");
	c->policy.signin_window = cfg_getint(s, "signin_window");
	c->policy.signin_ncodes = cfg_size(s, "signin_codes");
	c->policy.signin_codes = calloc(c->policy.signin_ncodes + 1,
	    sizeof(long));
	for (size_t i = 0; c->policy.signin_codes != NULL &&
	    i < c->policy.signin_ncodes; i++)
		c->policy.signin_codes[i] = cfg_getnint(s, "signin_codes",
		    (unsigned)i);
	c->policy.signin_min_users = cfg_getint(s, "signin_min_users");
	c->policy.signin_ratio = cfg_getfloat(s, "signin_ratio");

	s = cfg_getsec(cfg, "watch");
	c->watch.signins = cfg_getbool(s, "signins");
	c->watch.directory = cfg_getbool(s, "directory");
	c->watch.every = cfg_getint(s, "every");

	s = cfg_getsec(cfg, "sync");
	c->sync.command = dupstr(cfg_getstr(s, "command"));
	c->sync.timeout = cfg_getint(s, "timeout");
	c->sync.confirm_within = cfg_getint(s, "confirm_within");

	s = cfg_getsec(cfg, "recovery");
	c->recovery.revoke_sessions = cfg_getbool(s, "revoke_sessions");

	s = cfg_getsec(cfg, "notify");
	c->notify.remind_every = cfg_getint(s, "remind_every");
	c->notify.command = dupstr(cfg_getstr(s, "command"));
	n = cfg_getsec(s, "smtp");
	c->notify.smtp.url = dupstr(cfg_getstr(n, "url"));
	c->notify.smtp.starttls = dupstr(cfg_getstr(n, "starttls"));
	c->notify.smtp.username = dupstr(cfg_getstr(n, "username"));
	c->notify.smtp.password_file = dupstr(cfg_getstr(n, "password_file"));
	c->notify.smtp.ca_file = dupstr(cfg_getstr(n, "ca_file"));
	c->notify.smtp.from = dupstr(cfg_getstr(n, "from"));
	get_list(n, "to", &c->notify.smtp.to);
	n = cfg_getsec(s, "webhook");
	c->notify.webhook.url = dupstr(cfg_getstr(n, "url"));
	c->notify.webhook.url_file = dupstr(cfg_getstr(n, "url_file"));
	c->notify.webhook.ca_file = dupstr(cfg_getstr(n, "ca_file"));
	c->notify.webhook.timeout = cfg_getint(n, "timeout");

	s = cfg_getsec(cfg, "ha");
	c->ha.peer_name = dupstr(cfg_getstr(s, "peer_name"));

	if (c->state_dir == NULL) {
		bg_err(err, errlen, "%s: state_dir: must not be empty", path);
		goto fail;
	}
	if (config_check_keys(c, err, errlen) == -1)
		goto fail;
	goto out;
 fail:
	config_free(c);
	c = NULL;
 out:
	cfg_free(cfg);
	return c;
}

static void
free_list(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->state_dir);
	for (size_t i = 0; i < c->naccounts; i++) {
		free(c->accounts[i].name);
		free(c->accounts[i].dn);
		free(c->accounts[i].object_guid);
		free(c->accounts[i].upn);
	}
	free(c->accounts);
	free_list(&c->ldap.uri);
	free(c->ldap.bind_dn);
	free(c->ldap.bind_password_file);
	free(c->ldap.ca_file);
	free(c->graph.tenant_id);
	free(c->graph.client_id);
	free(c->graph.client_secret_file);
	free(c->graph.client_cert_file);
	free(c->graph.client_key_file);
	free(c->graph.authority);
	free(c->graph.endpoint);
	free(c->graph.ca_file);
	free_list(&c->policy.services);
	free_list(&c->policy.features);
	free_list(&c->policy.keywords);
	free_list(&c->policy.statuses);
	free_list(&c->policy.classifications);
	free(c->policy.probe_url);
	free(c->policy.signin_codes);
	free(c->notify.smtp.url);
	free(c->notify.smtp.starttls);
	free(c->notify.smtp.username);
	free(c->notify.smtp.password_file);
	free(c->notify.smtp.ca_file);
	free(c->notify.smtp.from);
	free_list(&c->notify.smtp.to);
	free(c->notify.webhook.url);
	free(c->notify.webhook.url_file);
	free(c->notify.webhook.ca_file);
	free(c->notify.command);
	free(c->sync.command);
	free(c->ha.peer_name);
	free(c);
}

int
config_has_webhook(const struct config *c)
{
	return c->notify.webhook.url != NULL ||
	    c->notify.webhook.url_file != NULL;
}

int
config_webhook_url(const struct config *c, char **url, char *err,
    size_t errlen)
{
	char	why[512];

	*url = NULL;
	if (c->notify.webhook.url_file == NULL) {
		if (c->notify.webhook.url == NULL ||
		    (*url = secret_dup(c->notify.webhook.url)) == NULL) {
			bg_err(err, errlen, "notify.webhook.url: %s",
			    c->notify.webhook.url == NULL ? "not set" :
			    "out of memory");
			return -1;
		}
		return 0;
	}
	if (read_secret_file(c->notify.webhook.url_file, url, why,
	    sizeof(why)) == -1) {
		bg_err(err, errlen, "%s: notify.webhook.url_file: %s", c->path,
		    why);
		return -1;
	}
	if (config_webhook_url_ok(*url, why, sizeof(why)) == -1) {
		bg_err(err, errlen, "%s: notify.webhook.url_file: %s: the URL "
		    "in it: %s", c->path, c->notify.webhook.url_file, why);
		secret_free(*url);
		*url = NULL;
		return -1;
	}
	return 0;
}

static void
print_str(FILE *fp, const char *indent, const char *key, const char *v)
{
	fprintf(fp, "%s%-18s = \"%s\"\n", indent, key, v != NULL ? v : "");
}

static void
print_list(FILE *fp, const char *indent, const char *key,
    const struct strlist *l)
{
	fprintf(fp, "%s%-18s = {", indent, key);
	for (size_t i = 0; i < l->n; i++)
		fprintf(fp, "%s\"%s\"", i ? ", " : "", l->v[i]);
	fprintf(fp, "}\n");
}

static void
print_dur(FILE *fp, const char *indent, const char *key, int64_t secs)
{
	char	buf[32];

	format_duration(secs, buf, sizeof(buf));
	fprintf(fp, "%s%-18s = %s\n", indent, key, buf);
}

/* file paths only: the secrets themselves are never read here */
void
config_print(const struct config *c, FILE *fp)
{
	const char	*i1 = "  ", *i2 = "    ";
	char		 masked[512];

	fprintf(fp, "# effective configuration of %s\n", c->path);
	print_str(fp, "", "state_dir", c->state_dir);
	for (size_t i = 0; i < c->naccounts; i++) {
		const struct account_cfg *a = &c->accounts[i];

		/* one untitled account prints as it was written */
		if (c->naccounts == 1 && strcmp(a->name, ACCOUNT_DEFAULT) == 0)
			fprintf(fp, "account {\n");
		else
			fprintf(fp, "account %s {\n", a->name);
		print_str(fp, i1, "dn", a->dn);
		print_str(fp, i1, "object_guid", a->object_guid);
		print_str(fp, i1, "upn", a->upn);
		fprintf(fp, "%s%-18s = %s\n", i1, "auto", a->automatic ?
		    "true" : "false");
		fprintf(fp, "}\n");
	}
	fprintf(fp, "ldap {\n");
	print_list(fp, i1, "uri", &c->ldap.uri);
	fprintf(fp, "%s%-18s = %s\n", i1, "starttls",
	    c->ldap.starttls ? "true" : "false");
	print_str(fp, i1, "bind_dn", c->ldap.bind_dn);
	print_str(fp, i1, "bind_password_file", c->ldap.bind_password_file);
	print_str(fp, i1, "ca_file", c->ldap.ca_file);
	print_dur(fp, i1, "timeout", c->ldap.timeout);
	fprintf(fp, "}\ngraph {\n");
	print_str(fp, i1, "tenant_id", c->graph.tenant_id);
	print_str(fp, i1, "client_id", c->graph.client_id);
	print_str(fp, i1, "client_secret_file", c->graph.client_secret_file);
	print_str(fp, i1, "client_cert_file", c->graph.client_cert_file);
	print_str(fp, i1, "client_key_file", c->graph.client_key_file);
	print_str(fp, i1, "authority", c->graph.authority);
	print_str(fp, i1, "endpoint", c->graph.endpoint);
	print_str(fp, i1, "ca_file", c->graph.ca_file);
	print_dur(fp, i1, "timeout", c->graph.timeout);
	fprintf(fp, "}\npolicy {\n");
	print_str(fp, i1, "mode", mode_name(c->policy.mode));
	print_dur(fp, i1, "poll_interval", c->policy.poll_interval);
	fprintf(fp, "%s%-18s = %ld\n", i1, "rise", c->policy.rise);
	fprintf(fp, "%s%-18s = %ld\n", i1, "fall", c->policy.fall);
	print_dur(fp, i1, "manual_for", c->policy.manual_for);
	print_str(fp, i1, "on_drift", drift_name(c->policy.on_drift));
	print_list(fp, i1, "services", &c->policy.services);
	print_list(fp, i1, "features", &c->policy.features);
	print_list(fp, i1, "keywords", &c->policy.keywords);
	print_list(fp, i1, "statuses", &c->policy.statuses);
	print_list(fp, i1, "classifications", &c->policy.classifications);
	fprintf(fp, "%s%-18s = %ld\n", i1, "unreachable_after",
	    c->policy.unreachable_after);
	print_str(fp, i1, "probe_url", c->policy.probe_url);
	print_str(fp, i1, "token_probe", c->policy.token_probe_acts ? "act" :
	    "warn");
	print_dur(fp, i1, "drill_every", c->policy.drill_every);
	fprintf(fp, "%s%-18s = %ld\n", i1, "takeover_hold",
	    c->policy.takeover_hold);
	fprintf(fp, "%ssources {\n", i1);
	print_str(fp, i2, "service-health", c->policy.service_health_acts ?
	    "act" : "warn");
	print_str(fp, i2, "token-probe", c->policy.token_probe_acts ? "act" :
	    "warn");
	print_str(fp, i2, "signin-failures", c->policy.signin_acts ? "act" :
	    "warn");
	fprintf(fp, "%s}\n", i1);
	print_dur(fp, i1, "signin_every", c->policy.signin_every);
	print_dur(fp, i1, "signin_window", c->policy.signin_window);
	fprintf(fp, "%s%-18s = {", i1, "signin_codes");
	for (size_t i = 0; i < c->policy.signin_ncodes; i++)
		fprintf(fp, "%s%ld", i ? ", " : "", c->policy.signin_codes[i]);
	fprintf(fp, "}\n");
	fprintf(fp, "%s%-18s = %ld\n", i1, "signin_min_users",
	    c->policy.signin_min_users);
	fprintf(fp, "%s%-18s = %g\n", i1, "signin_ratio",
	    c->policy.signin_ratio);
	fprintf(fp, "}\nnotify {\n");
	print_dur(fp, i1, "remind_every", c->notify.remind_every);
	fprintf(fp, "%ssmtp {\n", i1);
	print_str(fp, i2, "url", c->notify.smtp.url);
	print_str(fp, i2, "starttls", c->notify.smtp.starttls);
	print_str(fp, i2, "username", c->notify.smtp.username);
	print_str(fp, i2, "password_file", c->notify.smtp.password_file);
	print_str(fp, i2, "ca_file", c->notify.smtp.ca_file);
	print_str(fp, i2, "from", c->notify.smtp.from);
	print_list(fp, i2, "to", &c->notify.smtp.to);
	fprintf(fp, "%s}\n%swebhook {\n", i1, i1);
	/* the path and query of a webhook URL are its credential */
	if (c->notify.webhook.url != NULL)
		url_mask(c->notify.webhook.url, masked, sizeof(masked));
	print_str(fp, i2, "url", c->notify.webhook.url != NULL ? masked : NULL);
	print_str(fp, i2, "url_file", c->notify.webhook.url_file);
	print_str(fp, i2, "ca_file", c->notify.webhook.ca_file);
	print_dur(fp, i2, "timeout", c->notify.webhook.timeout);
	fprintf(fp, "%s}\n", i1);
	print_str(fp, i1, "command", c->notify.command);
	fprintf(fp, "}\nsync {\n");
	print_str(fp, i1, "command", c->sync.command);
	print_dur(fp, i1, "timeout", c->sync.timeout);
	print_dur(fp, i1, "confirm_within", c->sync.confirm_within);
	fprintf(fp, "}\nwatch {\n");
	fprintf(fp, "%s%-18s = %s\n", i1, "signins", c->watch.signins ?
	    "true" : "false");
	fprintf(fp, "%s%-18s = %s\n", i1, "directory", c->watch.directory ?
	    "true" : "false");
	print_dur(fp, i1, "every", c->watch.every);
	fprintf(fp, "}\nrecovery {\n");
	fprintf(fp, "%s%-18s = %s\n", i1, "revoke_sessions",
	    c->recovery.revoke_sessions ? "true" : "false");
	fprintf(fp, "}\nha {\n");
	print_str(fp, i1, "peer_name", c->ha.peer_name);
	fprintf(fp, "}\n");
}
