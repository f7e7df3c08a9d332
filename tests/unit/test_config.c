/* test_config.c - every config error names the file, the line and the key */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent/config.h"
#include "../../agent/url.h"
#include "../../agent/util.h"

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
	snprintf(dir, sizeof(dir), "/tmp/bg-conf-XXXXXX");
	if (mkdtemp(dir) == NULL)
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
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* a config with the ldap section (line 7 on) and extra text after it */
static struct config *
load_with(const char *ldap_extra, const char *tail, char *err, size_t errlen)
{
	char text[4096];

	snprintf(text, sizeof(text), GOOD_HEAD
	    "ldap {\n"
	    "  uri = {\"ldaps://dc1.corp.example.com\", \"ldaps://dc2\"}\n"
	    "  bind_dn = \"svc-breakglass@corp.example.com\"\n"
	    "  bind_password_file = \"%s\"\n"
	    "  ca_file = \"%s/ad-ca.pem\"\n"
	    "%s"
	    "}\n%s", secret, dir, ldap_extra, tail);
	write_text(conf, text, 0644);
	err[0] = '\0';
	return config_load(conf, err, errlen);
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
	assert_string_equal(c->account.dn,
	    "CN=btg-admin,OU=Emergency,DC=corp,DC=example,DC=com");
	assert_string_equal(c->account.object_guid,
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
	assert_string_equal(c->account.dn, "CN=a#b,DC=x");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_config),
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
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
