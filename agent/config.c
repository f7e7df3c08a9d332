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
	STR("dn", NULL), STR("object_guid", ""), STR("upn", ""), CFG_END()
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
	DUR("drill_every", 0), CFG_END()
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
static cfg_opt_t root_opts[] = {
	STR("state_dir", "/var/lib/breakglass"),
	CFG_SEC("account", account_opts, CFGF_NONE),
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
	int		 rc;

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
	memset(&ld, 0, sizeof(ld));
	ld.file = path;
	ld.err = err;
	ld.errlen = errlen;
	if ((cfg = cfg_init(root_opts, CFGF_NONE)) == NULL) {
		bg_err(err, errlen, "%s: out of memory", path);
		free(clean);
		return NULL;
	}
	cfg_set_error_function(cfg, errfunc);
	config_check_register(cfg, root_opts);
	rc = cfg_parse_buf(cfg, clean);
	free(clean);
	if (rc != CFG_SUCCESS) {
		if (!ld.failed)
			bg_err(err, errlen, "%s: cannot parse", path);
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		bg_err(err, errlen, "out of memory");
		goto out;
	}
	c->path = strdup(path);
	c->state_dir = dupstr(cfg_getstr(cfg, "state_dir"));

	s = cfg_getsec(cfg, "account");
	c->account.dn = dupstr(cfg_getstr(s, "dn"));
	c->account.object_guid = dupstr(cfg_getstr(s, "object_guid"));
	c->account.upn = dupstr(cfg_getstr(s, "upn"));

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
	free(c->account.dn);
	free(c->account.object_guid);
	free(c->account.upn);
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
	fprintf(fp, "account {\n");
	print_str(fp, i1, "dn", c->account.dn);
	print_str(fp, i1, "object_guid", c->account.object_guid);
	print_str(fp, i1, "upn", c->account.upn);
	fprintf(fp, "}\nldap {\n");
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
