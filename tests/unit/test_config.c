/* SPDX-License-Identifier: ISC */
/* test_config.c - every config error names the file, the line and the key */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent/config.h"
#include "../../agent/config_check.h"
#include "../../agent/url.h"
#include "../../agent/util.h"
#include "unit.h"

static char dir[64], conf[128], secret[128];

#define GOOD_HEAD \
	"state_dir = \"/var/lib/breakglass\"\n" \
	"account {\n" \
	"  dn = \"CN=btg-admin,OU=Emergency,DC=corp,DC=example,DC=com\"\n" \
	"  object_guid = \"eb6c701a-a39a-4193-84fe-86a89f901849\"\n" \
	"  upn = \"btg-admin@corp.example.com\"\n" \
	"}\n"

static void
write_text(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
}

static int
setup(void **state)
{
	char	cmd[PATH_MAX];

	(void)state;
	if (unit_tmpdir(dir, sizeof(dir)) == -1)
		return -1;
	snprintf(conf, sizeof(conf), "%s/breakglass.conf", dir);
	snprintf(secret, sizeof(secret), "%s/ldap.secret", dir);
	write_text(secret, "pw\n", 0600);
	snprintf(cmd, sizeof(cmd), "%s/ad-ca.pem", dir);
	write_text(cmd, "-----BEGIN CERTIFICATE-----\n", 0644);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return unit_rmtree(dir);
}

/* a config with the ldap section (line 7 on) and extra text after it */
static struct config *
load_text(const char *head, const char *ldap_extra, const char *tail,
    char *err, size_t errlen)
{
	char text[16384];

	snprintf(text, sizeof(text), "%s"
	    "ldap {\n"
	    "  uri = {\"ldaps://dc1.corp.example.com\", \"ldaps://dc2\"}\n"
	    "  bind_dn = \"svc-breakglass@corp.example.com\"\n"
	    "  bind_password_file = \"%s\"\n"
	    "  ca_file = \"%s/ad-ca.pem\"\n"
	    "%s"
	    "}\n%s", head, secret, dir, ldap_extra, tail);
	write_text(conf, text, 0644);
	err[0] = '\0';
	return config_load(conf, err, errlen);
}

static struct config *
load_with(const char *ldap_extra, const char *tail, char *err, size_t errlen)
{
	return load_text(GOOD_HEAD, ldap_extra, tail, err, errlen);
}

static void
test_good_config(void **state)
{
	struct config	*c;
	char		 err[512];

	(void)state;
	c = load_with("  timeout = 5s\n", "policy {\n  mode = \"manual\"\n"
	    "  rise = 4\n  manual_for = 2h\n  statuses = {\"ServiceRestored\","
	    " \"serviceInterruption\"}\n}\n", err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(c->account->dn,
	    "CN=btg-admin,OU=Emergency,DC=corp,DC=example,DC=com");
	assert_string_equal(c->account->object_guid,
	    "eb6c701a-a39a-4193-84fe-86a89f901849");
	assert_int_equal(c->ldap.uri.n, 2);
	assert_string_equal(c->ldap.uri.v[1], "ldaps://dc2");
	assert_int_equal(c->ldap.timeout, 5);
	assert_int_equal(c->policy.mode, MODE_MANUAL);
	assert_int_equal(c->policy.rise, 4);
	assert_int_equal(c->policy.fall, 3);
	assert_int_equal(c->policy.manual_for, 7200);
	assert_int_equal(c->policy.poll_interval, 60);
	assert_int_equal(c->policy.keywords.n, 3);
	assert_string_equal(c->policy.services.v[0], "Microsoft Entra");
	assert_string_equal(c->graph.authority,
	    "https://login.microsoftonline.com");
	assert_int_equal(c->notify.remind_every, 3600);
	assert_int_equal(c->notify.webhook.timeout, 15);
	assert_int_equal(c->policy.token_probe_acts, 0);	/* warn */
	/* policy.sources: service health acts, the sign-in log only warns */
	assert_int_equal(c->policy.service_health_acts, 1);
	assert_int_equal(c->policy.signin_acts, 0);
	assert_int_equal(c->policy.signin_every, 120);
	assert_int_equal(c->policy.signin_window, 600);
	assert_int_equal(c->policy.signin_ncodes, 4);
	assert_int_equal(c->policy.signin_codes[0], 500121);
	assert_int_equal(c->policy.signin_min_users, 5);
	assert_true(c->policy.signin_ratio > 0.49 &&
	    c->policy.signin_ratio < 0.51);
	assert_int_equal(config_check_secrets(c, err, sizeof(err)), 0);
	config_free(c);
}

/* each bad input: the message must hold every fragment given */
static void
test_errors_name_file_line_key(void **state)
{
	static const struct {
		const char *ldap_extra, *tail, *want1, *want2;
	} cases[] = {
		{ "  urii = 3\n", "", ":12:", "urii" },
		{ "  timeout = 10x\n", "", ":12:", "ldap.timeout" },
		{ "  timeout = 0\n", "", ":12:", "out of range" },
		{ "  starttls = maybe\n", "", ":12:", "starttls" },
		{ "", "policy {\n  mode = \"yolo\"\n}\n", ":14:",
		  "policy.mode" },
		{ "", "policy {\n  rise = many\n}\n", ":14:", "rise" },
		{ "", "policy {\n  rise = 0\n}\n", ":14:", "policy.rise" },
		{ "", "policy {\n  statuses = {\"serviceInterupted\"}\n}\n",
		  ":14:", "policy.statuses" },
		{ "", "policy {\n  on_drift = \"ignore\"\n}\n", ":14:",
		  "on_drift" },
		{ "", "policy {\n  token_probe = \"always\"\n}\n", ":14:",
		  "policy.token_probe" },
		{ "", "notify {\n  webhook {\n    timeout = 301s\n  }\n}\n",
		  ":15:", "webhook.timeout" },
		{ "", "graph {\n  endpoint = \"http://graph\"\n}\n", ":14:",
		  "graph.endpoint" },
		{ "", "notify {\n  smtp {\n    url = \"mailto:x\"\n  }\n}\n",
		  ":15:", "smtp.url" },
		{ "", "bogus = 1\n", ":13:", "bogus" },
		{ "", "policy {\n  poll_interval = \"soon\"\n}\n", ":14:",
		  "poll_interval" },
	};
	char	err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = load_with(cases[i].ldap_extra,
		    cases[i].tail, err, sizeof(err));
		if (c != NULL)
			fail_msg("case %zu loaded", i);
		if (strstr(err, conf) == NULL ||
		    strstr(err, cases[i].want1) == NULL ||
		    strstr(err, cases[i].want2) == NULL)
			fail_msg("case %zu: \"%s\" lacks %s / %s / %s", i, err,
			    conf, cases[i].want1, cases[i].want2);
	}
}

static void
test_cross_key_errors(void **state)
{
	static const struct { const char *ldap_extra, *tail, *want; } cases[] = {
		{ "  uri = {\"ldap://dc1\"}\n", "", "plain unencrypted" },
		{ "  uri = {\"ldaps://dc1\"}\n  starttls = true\n", "",
		  "StartTLS needs ldap://" },
		{ "", "notify {\n  smtp {\n    url = \"smtp://relay.example:25"
		  "\"\n    from = \"a@b\"\n    to = {\"c@d\"}\n    starttls = "
		  "\"none\"\n  }\n}\n", "loopback" },
		{ "", "notify {\n  smtp {\n    url = \"smtp://relay:25\"\n"
		  "  }\n}\n", "notify.smtp.from" },
		{ "", "graph {\n  client_cert_file = \"/x.pem\"\n}\n",
		  "graph.client_key_file" },
		/* the older key and policy.sources say the same thing */
		{ "", "policy {\n  token_probe = \"warn\"\n  sources {\n"
		  "    token-probe = \"act\"\n  }\n}\n",
		  "policy.sources.token-probe = \"act\" and policy.token_probe = "
		  "\"warn\" disagree" },
		/* an "MFA required" interrupt is never a failure */
		{ "", "policy {\n  signin_codes = {500121, 50076}\n}\n",
		  "policy.signin_codes: 50076 is the \"MFA required\" interrupt" },
	};
	char	err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = load_with(cases[i].ldap_extra,
		    cases[i].tail, err, sizeof(err));
		if (c != NULL)
			fail_msg("case %zu loaded", i);
		if (strstr(err, conf) == NULL ||
		    strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks %s", i, err,
			    cases[i].want);
	}
}

static void
test_missing_required(void **state)
{
	char		 err[512];
	struct config	*c;

	(void)state;
	write_text(conf, "ldap {\n  uri = {\"ldaps://dc1\"}\n}\n", 0644);
	assert_null(config_load(conf, err, sizeof(err)));
	assert_non_null(strstr(err, "account.dn"));
	assert_non_null(strstr(err, "required"));
	write_text(conf, GOOD_HEAD, 0644);
	assert_null(config_load(conf, err, sizeof(err)));
	assert_non_null(strstr(err, "ldap.uri"));
	write_text(conf, "account {\n  dn = \"not a dn\"\n}\n", 0644);
	assert_null(config_load(conf, err, sizeof(err)));
	assert_non_null(strstr(err, ":2:"));
	assert_non_null(strstr(err, "account.dn"));
	write_text(conf, "account {\n  object_guid = \"1234\"\n}\n", 0644);
	assert_null(config_load(conf, err, sizeof(err)));
	assert_non_null(strstr(err, "account.object_guid"));
	c = load_with("", "", err, sizeof(err));
	assert_non_null(c);
	config_free(c);
	assert_null(config_load("/nonexistent/breakglass.conf", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/breakglass.conf"));
	assert_non_null(strstr(err, "No such file"));
}

/* comments must not shift line numbers; '#' inside a string is no comment */
static void
test_comments_and_lines(void **state)
{
	struct config	*c;
	char		 err[512], text[2048];

	(void)state;
	snprintf(text, sizeof(text),
	    "# one\n# two\n// three\n/* four\n five */\n"
	    "account { dn = \"CN=a#b,DC=x\" # trailing\n}\n"
	    "ldap {\n  uri = {\"ldaps://dc\"} // c\n"
	    "  bind_dn = 'svc#1@x'\n  bind_password_file = \"%s\"\n"
	    "  ca_file = \"/ca\"\n}\n"
	    "policy {\n  # why\n  mode = \"nope\"\n}\n", secret);
	write_text(conf, text, 0644);
	assert_null(config_load(conf, err, sizeof(err)));
	if (strstr(err, ":16:") == NULL)
		fail_msg("wrong line: %s", err);
	snprintf(text, sizeof(text),
	    "# one\n/* two */ account { dn = \"CN=a#b,DC=x\" # t\n}\n"
	    "ldap {\n  uri = {\"ldaps://dc\"} // c\n"
	    "  bind_dn = \"svc\\\"#1@x\"\n  bind_password_file = \"%s\"\n"
	    "  ca_file = \"/ca\"\n}\n", secret);
	write_text(conf, text, 0644);
	c = config_load(conf, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_string_equal(c->account->dn, "CN=a#b,DC=x");
	assert_string_equal(c->ldap.bind_dn, "svc\"#1@x");
	config_free(c);
}

static void
test_placeholder(void **state)
{
	char	err[512];

	(void)state;
	write_text(conf, "# example\naccount {\n  dn = \"<CN=btg-admin,DC=x>\"\n}\n",
	    0644);
	assert_null(config_load(conf, err, sizeof(err)));
	assert_non_null(strstr(err, ":3:"));
	assert_non_null(strstr(err, "account.dn"));
	assert_non_null(strstr(err, "placeholder"));
}

static void
test_secret_too_open(void **state)
{
	struct config	*c;
	char		 err[512], text_ca[PATH_MAX];

	(void)state;
	c = load_with("", "", err, sizeof(err));
	assert_non_null(c);
	chmod(secret, 0644);
	assert_int_equal(config_check_secrets(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, conf));
	assert_non_null(strstr(err, "ldap.bind_password_file"));
	assert_non_null(strstr(err, secret));
	assert_non_null(strstr(err, "chmod 600"));
	chmod(secret, 0600);
	/* a CA file that is not there is named too */
	snprintf(text_ca, sizeof(text_ca), "%s/ad-ca.pem", dir);
	unlink(text_ca);
	assert_int_equal(config_check_secrets(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ldap.ca_file"));
	assert_non_null(strstr(err, "No such file"));
	write_text(text_ca, "-----BEGIN CERTIFICATE-----\n", 0644);
	assert_int_equal(config_check_secrets(c, err, sizeof(err)), 0);
	config_free(c);
}

/*
 * libldap reads a blank- or comma-separated list where one URI is expected:
 * an ldaps:// prefix must not carry a plain ldap:// server behind it.
 */
static void
test_ldap_uri_one_url_each(void **state)
{
	static const struct { const char *ldap_extra, *want; } bad[] = {
		{ "  uri = {\"ldaps://127.0.0.1:1 ldap://127.0.0.1:16790\"}\n",
		  "blank or a comma" },
		{ "  uri = {\"ldaps://127.0.0.1:1,ldap://127.0.0.1:16790\"}\n",
		  "blank or a comma" },
		{ "  uri = {\"ldaps://dc1/,ldap://evil:389\"}\n",
		  "blank or a comma" },
		{ "  uri = {\"ldaps://dc1/DC=corp\"}\n", "has a DN" },
		{ "  uri = {\"ldaps://\"}\n", "names no server" },
		{ "  uri = {\"ldapi://%2frun%2fslapd\"}\n", "not an ldaps://" },
		/* every entry is checked, not only the last */
		{ "  uri = {\"dc1.example\", \"ldaps://dc2\"}\n",
		  "not an LDAP URI" },
		{ "  uri = {\"ldap://dc1\", \"ldaps://dc2\"}\n",
		  "plain unencrypted" },
		{ "  uri = {\"ldap://dc1 ldaps://dc2\"}\n  starttls = true\n",
		  "blank or a comma" },
	};
	static const char *const good[] = {
		"  uri = {\"ldaps://dc1:636\", \"LDAPS://DC2\", "
		"\"ldaps://[::1]:636/\"}\n",
		"  uri = {\"ldap://dc1\", \"ldap://127.0.0.1:389\"}\n"
		"  starttls = true\n",
	};
	struct config	*c;
	char		 err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = load_with(bad[i].ldap_extra, "", err, sizeof(err));
		if (c != NULL)
			fail_msg("case %zu loaded", i);
		if (strstr(err, conf) == NULL || strstr(err, "ldap.uri") ==
		    NULL || strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks ldap.uri / %s", i, err,
			    bad[i].want);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if ((c = load_with(good[i], "", err, sizeof(err))) == NULL)
			fail_msg("good case %zu: %s", i, err);
		config_free(c);
	}
}

#define SMTP_TAIL(url, tls) \
	"notify {\n  smtp {\n    url = \"" url "\"\n    from = \"a@b\"\n" \
	"    to = {\"c@d\"}\n    starttls = \"" tls "\"\n  }\n}\n"

/* a password in smtp.url would reach stderr, the audit and the spool */
static void
test_smtp_url_userinfo(void **state)
{
	static const char *const bad[] = {
		SMTP_TAIL("smtp://mailer:S3cr3t-pw@relay.example:587",
		    "required"),
		SMTP_TAIL("smtps://mailer:S3cr3t-pw@relay.example", "required"),
		SMTP_TAIL("smtp://mailer@relay.example:587", "required"),
		SMTP_TAIL("http://mailer:S3cr3t-pw@relay.example", "required"),
	};
	struct config	*c;
	char		 err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = load_with("", bad[i], err, sizeof(err));
		if (c != NULL)
			fail_msg("case %zu loaded", i);
		if (strstr(err, conf) == NULL || strstr(err, ":15:") == NULL ||
		    strstr(err, "notify.smtp.url") == NULL)
			fail_msg("case %zu: \"%s\" lacks file:15: and key", i,
			    err);
		if (strstr(err, "S3cr3t") != NULL)
			fail_msg("case %zu: the password is in \"%s\"", i, err);
	}
	c = load_with("", bad[0], err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "user information"));
	assert_non_null(strstr(err, "notify.smtp.password_file"));
}

/* starttls = "none" only for a relay on this host: the host, exactly */
static void
test_smtp_loopback_exact(void **state)
{
	static const char *const bad[] = {
		SMTP_TAIL("smtp://localhost.attacker.example", "none"),
		SMTP_TAIL("smtp://localhost.attacker.example:25", "none"),
		SMTP_TAIL("smtp://127.0.0.1.attacker.example:25", "none"),
		SMTP_TAIL("smtp://127.attacker.example", "none"),
		SMTP_TAIL("smtp://[::1].attacker.example", "none"),
		SMTP_TAIL("smtp://[::ffff:127.0.0.1]:25", "none"),
		SMTP_TAIL("smtp://relay.example:25", "none"),
	};
	static const char *const good[] = {
		SMTP_TAIL("smtp://localhost:25", "none"),
		SMTP_TAIL("smtp://LOCALHOST", "none"),
		SMTP_TAIL("smtp://127.0.0.1:2525", "none"),
		SMTP_TAIL("smtp://127.9.8.7", "none"),
		SMTP_TAIL("smtp://[::1]:25", "none"),
		SMTP_TAIL("smtps://relay.example", "none"),
		SMTP_TAIL("smtp://relay.example:587/ehlo.example", "required"),
	};
	struct config	*c;
	char		 err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = load_with("", bad[i], err, sizeof(err));
		if (c != NULL)
			fail_msg("bad case %zu loaded", i);
		if (strstr(err, "notify.smtp") == NULL ||
		    (strstr(err, "loopback") == NULL &&
		    strstr(err, "not a URL") == NULL))
			fail_msg("bad case %zu: \"%s\"", i, err);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if ((c = load_with("", good[i], err, sizeof(err))) == NULL)
			fail_msg("good case %zu: %s", i, err);
		config_free(c);
	}
}

static void
test_url_mask(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "https://example.webhook.office.com/webhookb2/T0KEN@x/"
		  "IncomingWebhook/abc/def", "https://example.webhook.office."
		  "com/***" },
		{ "https://u:pw@hooks.example:8443/a?sig=T0KEN#frag",
		  "https://hooks.example:8443/***" },
		{ "https://[::1]:9/x?sig=T0KEN", "https://[::1]:9/***" },
		{ "https://hooks.example", "https://hooks.example/***" },
		{ "not a url T0KEN", "***" },
		{ "", "***" },
	};
	char	out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		url_mask(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: \"%s\", wanted \"%s\"", i, out,
			    cases[i].want);
	}
	url_mask("https://hooks.example/T0KEN", out, 10);	/* too small */
	assert_string_equal(out, "***");
}

/* config-check's text, for the webhook tests */
static char *
printed(const struct config *c)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&text, &len);

	assert_non_null(fp);
	config_print(c, fp);
	fclose(fp);
	return text;
}

/* the path and query of a webhook URL are its credential */
static void
test_webhook_url_masked(void **state)
{
	struct config	*c;
	char		 err[512], *text, *url = NULL;

	(void)state;
	c = load_with("", "notify {\n  webhook {\n    url = \"https://"
	    "example.webhook.office.com/webhookb2/T0KEN?sig=S1G\"\n  }\n}\n",
	    err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_true(config_has_webhook(c));
	text = printed(c);
	if (strstr(text, "T0KEN") != NULL || strstr(text, "S1G") != NULL)
		fail_msg("config-check prints the token:\n%s", text);
	assert_non_null(strstr(text,
	    "\"https://example.webhook.office.com/***\""));
	free(text);
	assert_int_equal(config_webhook_url(c, &url, err, sizeof(err)), 0);
	assert_string_equal(url, "https://example.webhook.office.com/"
	    "webhookb2/T0KEN?sig=S1G");
	secret_free(url);
	config_free(c);
	/* refused: named, masked */
	c = load_with("", "notify {\n  webhook {\n    url = \"http://"
	    "hooks.example/T0KEN?sig=S1G\"\n  }\n}\n", err, sizeof(err));
	assert_null(c);
	if (strstr(err, ":15:") == NULL || strstr(err, "notify.webhook.url") ==
	    NULL || strstr(err, "https://") == NULL)
		fail_msg("\"%s\" lacks line, key, https://", err);
	if (strstr(err, "T0KEN") != NULL || strstr(err, "S1G") != NULL)
		fail_msg("the error quotes the token: %s", err);
}

/* url_file: a secret file; url and url_file exclude each other */
static void
test_webhook_url_file(void **state)
{
	struct config	*c;
	char		 err[512], tail[1024], hook[128], *text, *url = NULL;

	(void)state;
	snprintf(hook, sizeof(hook), "%s/webhook.url", dir);
	write_text(hook, "https://hooks.example/T0KEN?sig=S1G\n", 0600);
	snprintf(tail, sizeof(tail), "notify {\n  webhook {\n    url = "
	    "\"https://hooks.example/x\"\n    url_file = \"%s\"\n  }\n}\n",
	    hook);
	assert_null(load_with("", tail, err, sizeof(err)));
	if (strstr(err, conf) == NULL || strstr(err, "notify.webhook.url ") ==
	    NULL || strstr(err, "notify.webhook.url_file") == NULL)
		fail_msg("\"%s\" does not name both keys", err);

	snprintf(tail, sizeof(tail), "notify {\n  webhook {\n    url_file = "
	    "\"%s\"\n  }\n}\n", hook);
	if ((c = load_with("", tail, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	assert_true(config_has_webhook(c));
	assert_int_equal(config_check_secrets(c, err, sizeof(err)), 0);
	assert_int_equal(config_webhook_url(c, &url, err, sizeof(err)), 0);
	assert_string_equal(url, "https://hooks.example/T0KEN?sig=S1G");
	secret_free(url);
	text = printed(c);
	assert_non_null(strstr(text, hook));
	assert_null(strstr(text, "T0KEN"));
	free(text);
	/* too open: refused like every secret file */
	chmod(hook, 0640);
	assert_int_equal(config_check_secrets(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "notify.webhook.url_file"));
	assert_non_null(strstr(err, hook));
	assert_int_equal(config_webhook_url(c, &url, err, sizeof(err)), -1);
	assert_null(url);
	/* what it holds is checked like url, and never quoted */
	write_text(hook, "http://hooks.example/T0KEN?sig=S1G\n", 0600);
	assert_int_equal(config_check_secrets(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "notify.webhook.url_file"));
	assert_non_null(strstr(err, "https://"));
	assert_null(strstr(err, "T0KEN"));
	config_free(c);
	unlink(hook);
}

/*
 * The key table against the contract of breakglass.conf(5), written here a
 * second time on purpose: a row of config_keys that drifts from it (a range,
 * a choice, a rule, a path) fails, and so does a row nobody wrote here.
 */
static const struct want_range {
	const char	*path;
	int		 dur;		/* 1: a duration ("-1" is no number),
					   2: a fraction (KIND_FLOAT) */
	long		 lo, hi;
} want_ranges[] = {
	{ "ldap.timeout", 1, 1, 300 },
	{ "graph.timeout", 1, 1, 300 },
	{ "policy.poll_interval", 1, 1, 86400 },
	{ "policy.rise", 0, 1, 1000 },
	{ "policy.fall", 0, 1, 1000 },
	{ "policy.manual_for", 1, 1, 365 * 86400L },
	{ "policy.unreachable_after", 0, 0, 1000 },
	{ "policy.takeover_hold", 0, 0, 1000 },
	{ "policy.drill_every", 1, 0, 3 * 365 * 86400L },
	{ "policy.signin_every", 1, 1, 86400 },
	{ "policy.signin_window", 1, 60, 7 * 86400L },
	{ "policy.signin_codes", 0, 1, 99999999 },
	{ "policy.signin_min_users", 0, 1, 1000000 },
	{ "policy.signin_ratio", 2, 0, 1 },
	{ "watch.every", 1, 1, 86400 },
	{ "sync.timeout", 1, 1, 3600 },
	{ "sync.confirm_within", 1, 0, 86400 },
	{ "notify.remind_every", 1, 0, 30 * 86400L },
	{ "notify.webhook.timeout", 1, 1, 300 },
};
static const struct want_choices {
	const char	*path;
	int		 list;
	const char	*choices;	/* blank-separated */
	const char	*what;		/* NULL: "one of" them */
} want_choices[] = {
	{ "policy.mode", 0, "auto monitor manual", NULL },
	{ "policy.on_drift", 0, "alert revert", NULL },
	{ "policy.token_probe", 0, "warn act", NULL },
	{ "policy.sources.service-health", 0, "act warn", NULL },
	{ "policy.sources.token-probe", 0, "act warn", NULL },
	{ "policy.sources.signin-failures", 0, "act warn", NULL },
	{ "policy.statuses", 1, "serviceOperational investigating "
	  "restoringService verifyingService serviceRestored "
	  "postIncidentReviewPublished serviceDegradation serviceInterruption "
	  "extendedRecovery falsePositive investigationSuspended resolved "
	  "mitigatedExternal mitigated resolvedExternal confirmed reported "
	  "unknownFutureValue",
	  "a Graph serviceHealthIssue status (see breakglass.conf(5))" },
	{ "policy.classifications", 1, "advisory incident unknownFutureValue",
	  NULL },
	{ "notify.smtp.starttls", 0, "required none", NULL },
};
static const struct want_rule {
	const char	*path;
	int		 list;
	int		 optional;	/* "" accepted: not set */
	const char	*bad, *good, *msg;	/* msg follows "path: " */
} want_rules[] = {
	{ "state_dir", 0, 0, "var/lib/bg", "/srv/breakglass",
	  "\"var/lib/bg\" must be an absolute path" },
	{ "account.dn", 0, 0, "not a dn", "CN=other,DC=corp,DC=example,DC=com",
	  "\"not a dn\" is not a valid LDAP DN" },
	{ "account.object_guid", 0, 1, "1234",
	  "EB6C701A-A39A-4193-84FE-86A89F901849",
	  "\"1234\" is not a GUID like eb6c701a-a39a-4193-84fe-86a89f901849" },
	{ "account.upn", 0, 1, "btg-admin", "x@corp.example.com",
	  "\"btg-admin\" is not a user principal name" },
	{ "ldap.uri", 1, 0, "ldaps://a b", "ldaps://dc9.corp.example.com",
	  "\"ldaps://a b\" holds a blank or a comma: give one URI per entry "
	  "of the list" },
	{ "graph.authority", 0, 0, "http://login", "https://login.example",
	  "\"http://login\" must be an https:// URL" },
	{ "graph.endpoint", 0, 0, "http://graph", "https://graph.example",
	  "\"http://graph\" must be an https:// URL" },
	{ "policy.probe_url", 0, 0, "http://probe", "https://probe.example",
	  "\"http://probe\" must be an https:// URL" },
	{ "notify.smtp.url", 0, 1, "smtp://u:p@relay", "smtps://relay.example",
	  "holds user information (user:password@), which would be printed "
	  "and stored with the URL: set notify.smtp.username and "
	  "notify.smtp.password_file instead" },
	{ "notify.smtp.from", 0, 1, "not-an-address", "a@b.example",
	  "\"not-an-address\" is not a plain mail address (user@domain)" },
	{ "notify.smtp.to", 1, 1, "not-an-address", "a@b.example",
	  "\"not-an-address\" is not a plain mail address (user@domain)" },
	{ "notify.webhook.url", 0, 1, "http://hook.example/p?sig=SECRET",
	  "https://hook.example/p?sig=SECRET",
	  "\"http://hook.example/***\": the scheme must be https://" },
	{ "ha.peer_name", 0, 1, "agent a", "bg-agent-2.corp",
	  "\"agent a\" is not a host name (at most 63 letters, digits, '.', "
	  "'-', '_')" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A good config with path = value, written where the path says: the last
 * line of account or ldap, or nested sections after them.  *line: the line
 * of the value.
 */
static struct config *
load_key(const char *path, const char *value, int *line, char *err,
    size_t errlen)
{
	char		 text[8192], sect[64], in_account[512] = "",
			 in_ldap[512] = "", tail[2048] = "", *dot, *key;
	int		 depth = 0;

	snprintf(sect, sizeof(sect), "%s", path);
	key = (dot = strrchr(sect, '.')) != NULL ? dot + 1 : sect;
	if (dot != NULL)
		*dot = '\0';
	if (dot != NULL && strcmp(sect, "account") == 0) {
		snprintf(in_account, sizeof(in_account), "  %s = %s", key,
		    value);
		*line = 6;
	} else if (dot != NULL && strcmp(sect, "ldap") == 0) {
		snprintf(in_ldap, sizeof(in_ldap), "  %s = %s", key, value);
		*line = 13;
	} else {
		size_t n = 0;
		for (char *s = sect, *next; dot != NULL && s != NULL;
		    s = next, depth++) {
			if ((next = strchr(s, '.')) != NULL)
				*next++ = '\0';
			n += (size_t)snprintf(tail + n, sizeof(tail) - n,
			    "%s {\n", s);
		}
		n += (size_t)snprintf(tail + n, sizeof(tail) - n, "%s = %s\n",
		    key, value);
		for (int i = 0; i < depth; i++)
			n += (size_t)snprintf(tail + n, sizeof(tail) - n,
			    "}\n");
		*line = 15 + depth;
	}
	snprintf(text, sizeof(text), "state_dir = \"/var/lib/breakglass\"\n"
	    "account {\n"
	    "  dn = \"CN=btg-admin,OU=Emergency,DC=corp,DC=example,DC=com\"\n"
	    "  object_guid = \"eb6c701a-a39a-4193-84fe-86a89f901849\"\n"
	    "  upn = \"btg-admin@corp.example.com\"\n"
	    "%s\n}\n"
	    "ldap {\n"
	    "  uri = {\"ldaps://dc1.corp.example.com\"}\n"
	    "  bind_dn = \"svc-breakglass@corp.example.com\"\n"
	    "  bind_password_file = \"%s\"\n"
	    "  ca_file = \"%s/ad-ca.pem\"\n"
	    "%s\n}\n%s", in_account, secret, dir, in_ldap, tail);
	write_text(conf, text, 0644);
	err[0] = '\0';
	return config_load(conf, err, errlen);
}

/* the value passed its own line: loaded, or refused only later */
static void
assert_accepted(const char *path, const char *value)
{
	struct config	*c;
	char		 err[1024], at[16];
	int		 line;

	c = load_key(path, value, &line, err, sizeof(err));
	snprintf(at, sizeof(at), ":%d:", line);
	if (c == NULL && strstr(err, at) != NULL)
		fail_msg("%s = %s refused: %s", path, value, err);
	config_free(c);
}

/* libconfuse names a key "section.key": webhook.timeout */
static const char *
confuse_name(const char *path)
{
	const char	*p = path + strlen(path);
	int		 dots = 0;

	while (p > path && !(p[-1] == '.' && ++dots == 2))
		p--;
	return p;
}

/* refused at its line, the message naming the key; want: NULL or in it */
static void
assert_refused(const char *path, const char *value, const char *want)
{
	struct config	*c;
	char		 err[1024], at[16];
	const char	*key;
	int		 line;

	c = load_key(path, value, &line, err, sizeof(err));
	snprintf(at, sizeof(at), ":%d:", line);
	key = confuse_name(path);
	if (c != NULL)
		fail_msg("%s = %s loaded", path, value);
	if (strstr(err, conf) == NULL || strstr(err, at) == NULL ||
	    strstr(err, key) == NULL || (want != NULL &&
	    strstr(err, want) == NULL))
		fail_msg("%s = %s: \"%s\" lacks %s / %s / %s / %s", path,
		    value, err, conf, at, key, want != NULL ? want : "");
}

static void
test_table_ranges(void **state)
{
	char	v[64], want[160];

	(void)state;
	for (size_t i = 0; i < NELEM(want_ranges); i++) {
		const struct want_range *r = &want_ranges[i];
		const char *key = confuse_name(r->path);

		snprintf(v, sizeof(v), "%ld", r->lo);
		assert_accepted(r->path, v);
		snprintf(v, sizeof(v), "%ld", r->hi);
		assert_accepted(r->path, v);
		snprintf(v, sizeof(v), "%ld", r->hi + 1);
		snprintf(want, sizeof(want), "%s: %ld is out of range (%ld to "
		    "%ld)", key, r->hi + 1, r->lo, r->hi);
		assert_refused(r->path, v, want);
		snprintf(v, sizeof(v), "%ld", r->lo - 1);
		snprintf(want, sizeof(want), "%s: %ld is out of range (%ld to "
		    "%ld)", key, r->lo - 1, r->lo, r->hi);
		/* a duration below 0 is no duration: refused by the parse */
		assert_refused(r->path, v, r->dur == 1 && r->lo == 0 ? NULL :
		    want);
	}
}

static void
test_table_choices(void **state)
{
	char	list[1024], one[64], v[96], want[1200];

	(void)state;
	for (size_t i = 0; i < NELEM(want_choices); i++) {
		const struct want_choices *w = &want_choices[i];
		const char *fmt = w->list ? "{\"%s\"}" : "\"%s\"";
		size_t n = 0;

		list[0] = '\0';
		for (const char *p = w->choices; *p != '\0';) {
			size_t len = strcspn(p, " ");
			snprintf(one, sizeof(one), "%.*s", (int)len, p);
			p += len + (p[len] == ' ');
			n += (size_t)snprintf(list + n, sizeof(list) - n,
			    "%s%s", n > 0 ? ", " : "", one);
			snprintf(v, sizeof(v), fmt, one);
			assert_accepted(w->path, v);
			for (char *u = one; *u != '\0'; u++)
				*u = (char)toupper((unsigned char)*u);
			snprintf(v, sizeof(v), fmt, one);
			assert_accepted(w->path, v);
		}
		snprintf(want, sizeof(want), "%s: \"bogus\" is not %s%s",
		    w->path, w->what != NULL ? "" : "one of ",
		    w->what != NULL ? w->what : list);
		snprintf(v, sizeof(v), fmt, "bogus");
		assert_refused(w->path, v, want);
		snprintf(v, sizeof(v), fmt, "");
		assert_refused(w->path, v, NULL);
	}
}

static void
test_table_rules(void **state)
{
	char	v[1200], want[1200], longdir[STATE_DIR_MAX + 2];

	(void)state;
	for (size_t i = 0; i < NELEM(want_rules); i++) {
		const struct want_rule *w = &want_rules[i];
		const char *fmt = w->list ? "{\"%s\"}" : "\"%s\"";
		struct config *c;
		char err[1024];
		int line;

		snprintf(v, sizeof(v), fmt, w->bad);
		snprintf(want, sizeof(want), "%s: %s", w->path, w->msg);
		assert_refused(w->path, v, want);
		snprintf(v, sizeof(v), fmt, w->good);
		assert_accepted(w->path, v);
		snprintf(v, sizeof(v), fmt, "");
		if (w->optional)
			assert_accepted(w->path, v);
		else
			assert_refused(w->path, v, NULL);
		/* the secret part of a URL is never in the message */
		snprintf(v, sizeof(v), fmt, w->bad);
		c = load_key(w->path, v, &line, err, sizeof(err));
		assert_null(c);
		assert_null(strstr(err, "SECRET"));
	}
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	snprintf(v, sizeof(v), "\"%s\"", longdir);
	snprintf(want, sizeof(want), "state_dir: longer than %d bytes",
	    STATE_DIR_MAX);
	assert_refused("state_dir", v, want);
	/* a peer name is a DNS label's length: it goes into mail headers */
	snprintf(v, sizeof(v), "\"%.63s\"", longdir + 1);
	assert_accepted("ha.peer_name", v);
	snprintf(v, sizeof(v), "\"%.64s\"", longdir + 1);
	assert_refused("ha.peer_name", v, "is not a host name");
}

/* every row of the table is one of the contract's, and back */
static void
test_table_complete(void **state)
{
	const struct config_key	*k;
	size_t			 rows = 0;

	(void)state;
	for (k = config_keys; k->path != NULL; k++, rows++) {
		int found = 0;
		for (size_t i = 0; i < NELEM(want_ranges); i++)
			if (strcmp(k->path, want_ranges[i].path) == 0)
				found += k->kind == (want_ranges[i].dur == 2 ?
				    KIND_FLOAT : want_ranges[i].dur ? KIND_DUR :
				    KIND_INT);
		for (size_t i = 0; i < NELEM(want_choices); i++)
			if (strcmp(k->path, want_choices[i].path) == 0)
				found += k->choices != NULL &&
				    k->kind == (want_choices[i].list ?
				    KIND_LIST : KIND_STR);
		for (size_t i = 0; i < NELEM(want_rules); i++)
			if (strcmp(k->path, want_rules[i].path) == 0)
				found += (k->ok != NULL || k->check != NULL) &&
				    k->optional == want_rules[i].optional &&
				    k->kind == (want_rules[i].list ?
				    KIND_LIST : KIND_STR);
		if (found != 1)
			fail_msg("row %s: %d rows of the contract match", k->path,
			    found);
	}
	assert_int_equal(rows, NELEM(want_ranges) + NELEM(want_choices) +
	    NELEM(want_rules));
}

/* a config whose account sections are text, the rest as load_with's */
static struct config *
load_accounts(const char *accounts, char *err, size_t errlen)
{
	char head[8192];

	snprintf(head, sizeof(head), "state_dir = \"/var/lib/breakglass\"\n%s",
	    accounts);
	return load_text(head, "", "", err, errlen);
}

/* issue 15: account NAME { } repeats; account { } is "default" */
static void
test_accounts(void **state)
{
	struct config	*c;
	char		 err[512], many[4096];
	size_t		 n = 0;

	(void)state;
	c = load_accounts("account first { dn = \"CN=a,DC=x\" }\n"
	    "account second-2 { dn = \"CN=b,DC=x\"\n  auto = false\n"
	    "  object_guid = \"eb6c701a-a39a-4193-84fe-86a89f901849\" }\n",
	    err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->naccounts, 2);
	assert_string_equal(c->account->name, "first");
	assert_string_equal(c->accounts[1].name, "second-2");
	assert_true(c->account->automatic);
	assert_false(c->accounts[1].automatic);
	assert_null(c->account->object_guid);
	assert_ptr_equal(config_account(c, "second-2"), &c->accounts[1]);
	assert_null(config_account(c, "third"));
	config_free(c);

	/* the file of before: one untitled account, named default */
	c = load_accounts("account {\n  dn = \"CN=a,DC=x\"\n}\n", err,
	    sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->naccounts, 1);
	assert_string_equal(c->account->name, "default");
	assert_true(c->account->automatic);
	config_free(c);

	static const struct {
		const char *text, *want1, *want2;
	} bad[] = {
		{ "account a { dn = \"CN=a,DC=x\" }\n"
		  "account b { dn = \"cn=A,dc=x\" }\n",
		  "account a: dn and account b: dn", "the same account twice" },
		{ "account a { dn = \"CN=a,DC=x\"\n  object_guid = "
		  "\"eb6c701a-a39a-4193-84fe-86a89f901849\" }\n"
		  "account b { dn = \"CN=b,DC=x\"\n  object_guid = "
		  "\"EB6C701A-A39A-4193-84FE-86A89F901849\" }\n",
		  "account a: object_guid and account b: object_guid",
		  "needs its own" },
		{ "account a { dn = \"CN=a,DC=x\" }\n"
		  "account a { dn = \"CN=b,DC=x\" }\n", ":3:",
		  "duplicate title 'a'" },
		{ "account Admin { dn = \"CN=a,DC=x\" }\n", ":2:",
		  "account \"Admin\": a name is" },
		{ "account a { upn = \"a@x.com\" }\n", "account a: dn",
		  "required key missing" },
		{ "", "account.dn", "required key missing" },
		{ "account a { dn = \"CN=a,DC=x\"\n  auto = maybe }\n", ":3:",
		  "auto" },
		/* an error after an old account { } is the one reported */
		{ "account {\n  dn = \"CN=a,DC=x\"\n  pin = 1\n}\n", ":4:",
		  "no such option 'pin'" },
		{ "account a {\n  dn = \"CN=a,DC=x\"\n  pin = 1\n}\n", ":4:",
		  "no such option 'pin'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = load_accounts(bad[i].text, err, sizeof(err));
		if (c != NULL || strstr(err, bad[i].want1) == NULL ||
		    strstr(err, bad[i].want2) == NULL)
			fail_msg("case %zu: got \"%s\"", i, err);
		assert_null(c);
	}

	for (int i = 0; i <= ACCOUNTS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
		    "account a%d { dn = \"CN=a%d,DC=x\" }\n", i, i);
	c = load_accounts(many, err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "at most 16"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_config),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_cross_key_errors),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_secret_too_open),
		cmocka_unit_test(test_comments_and_lines),
		cmocka_unit_test(test_placeholder),
		cmocka_unit_test(test_ldap_uri_one_url_each),
		cmocka_unit_test(test_smtp_url_userinfo),
		cmocka_unit_test(test_smtp_loopback_exact),
		cmocka_unit_test(test_url_mask),
		cmocka_unit_test(test_webhook_url_masked),
		cmocka_unit_test(test_webhook_url_file),
		cmocka_unit_test(test_table_ranges),
		cmocka_unit_test(test_table_choices),
		cmocka_unit_test(test_table_rules),
		cmocka_unit_test(test_table_complete),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
