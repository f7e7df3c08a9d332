/* SPDX-License-Identifier: ISC */
/* cmd_misc.c - version, config-check, notify-test: the set-up's own commands */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>
#include <confuse.h>
#include <curl/curl.h>
#include <ldap.h>
#include <openssl/crypto.h>

#include "commands.h"
#include "../exits.h"
#include "../log.h"
#include "../notify/notify.h"
#include "../version.h"

int
cmd_version(const struct cmd_ctx *x)
{
	LDAPAPIInfo	info;

	(void)x;

	memset(&info, 0, sizeof(info));
	info.ldapai_info_version = LDAP_API_INFO_VERSION;
	printf("breakglass %s\n", BREAKGLASS_VERSION);
	if (ldap_get_option(NULL, LDAP_OPT_API_INFO, &info) == LDAP_SUCCESS) {
		printf("libldap %s %d\n", info.ldapai_vendor_name,
		    info.ldapai_vendor_version);
		ldap_memfree(info.ldapai_vendor_name);
		ber_memvfree((void **)info.ldapai_extensions);
	}
	printf("libcurl %s\n", curl_version());
	printf("cJSON %s\n", cJSON_Version());
	printf("libconfuse %s\n", confuse_version);
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	return BG_EXIT_DONE;
}

int
cmd_config_check(const struct cmd_ctx *x)
{
	const struct config	*c = *x->cfg;
	char			 err[1024];

	if (config_check_secrets(c, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return BG_EXIT_USAGE;
	}
	config_print(c, stdout);
	if (c->policy.mode != MODE_MANUAL &&
	    config_graph_ready(c, err, sizeof(err)) == -1)
		fprintf(stderr, "warning: %s (needed by mode %s)\n", err,
		    mode_name(c->policy.mode));
	printf("# %s: OK\n", c->path);
	return BG_EXIT_DONE;
}

int
cmd_notify_test(const struct cmd_ctx *x)
{
	const struct config	*c = *x->cfg;

	if (!notify_configured(c)) {
		log_warnx("notify-test: no channel configured (notify.smtp.url, "
		    "notify.webhook.url, notify.command)");
		return BG_EXIT_USAGE;
	}
	return notify_test(c, x->actor, stdout) == 0 ? BG_EXIT_DONE :
	    BG_EXIT_FAIL;
}
