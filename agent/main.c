/* SPDX-License-Identifier: ISC */
/* main.c - argument parsing and dispatch to one function per command */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <confuse.h>
#include <curl/curl.h>
#include <ldap.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "notify.h"
#include "privdrop.h"
#include "toggle.h"
#include "util.h"
#include "version.h"

static int
cmd_version(void)
{
	LDAPAPIInfo	info;

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

static int
cmd_config_check(const struct config *c)
{
	char	err[1024];

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

static int
not_yet(const char *name)
{
	log_warnx("%s: not available in this version of breakglass "
	    "(see breakglass(8))", name);
	return BG_EXIT_FAIL;
}

int
main(int argc, char *argv[])
{
	struct cli	 cli;
	struct config	*cfg = NULL;
	char		 err[1024], actor[ACTOR_MAX];
	int		 rc;

	umask(077);
	log_init("breakglass", 0);
	if (no_core_dumps(err, sizeof(err)) == -1)
		log_warnx("%s", err);	/* unlikely; not worth refusing to run */
	/*
	 * Before any libldap call: no ldap.conf, ldaprc (the working
	 * directory's too) nor LDAP* variables; the config says all.
	 */
	if (setenv("LDAPNOINIT", "1", 1) == -1) {
		log_warn("setenv LDAPNOINIT");
		return BG_EXIT_FAIL;
	}
	/*
	 * A DC that stops answering gets its socket shut down by the LDAP
	 * watchdog; libldap's next write must fail with EPIPE, not kill us.
	 */
	signal(SIGPIPE, SIG_IGN);
#ifdef BG_FAULT_HOOKS
	ad_fault_hook = fault_point;	/* the fault build's LDAP points */
#endif
	if (cli_parse(argc, argv, now_ms(), &cli, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		fprintf(stderr, "%s", cli_usage());
		return BG_EXIT_USAGE;
	}
	log_set_verbosity(cli.verbose);
	if (cli.cmd == CMD_HELP) {
		printf("%s", cli_usage());
		return BG_EXIT_DONE;
	}
	if (cli.cmd == CMD_VERSION)
		return cmd_version();

	if ((cfg = config_load(config_path(cli.config), err,
	    sizeof(err))) == NULL) {
		if (cli.cmd == CMD_CHECK) {	/* plugin semantics: UNKNOWN */
			printf("BREAKGLASS UNKNOWN - config: %s|\n", err);
			return 3;
		}
		log_warnx("%s", err);
		return BG_EXIT_USAGE;
	}
	/* the invoker, before root becomes the owner of state_dir */
	actor_name(actor, sizeof(actor));
	if (privdrop(cfg, err, sizeof(err)) == -1) {
		if (cli.cmd == CMD_CHECK) {	/* plugin semantics */
			printf("BREAKGLASS CRITICAL - %s|\n", err);
			rc = 2;
		} else {
			log_warnx("%s", err);
			rc = BG_EXIT_REFUSED;
		}
		goto out;
	}
	switch (cli.cmd) {
	case CMD_STATUS:
	case CMD_ENABLE:
	case CMD_DISABLE:
		if (config_check_secrets(cfg, err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			rc = BG_EXIT_USAGE;
			goto out;
		}
		break;
	default:
		break;
	}
	switch (cli.cmd) {
	case CMD_STATUS:
		rc = cmd_status(&cli, cfg);
		break;
	case CMD_ENABLE:
	case CMD_DISABLE:
		rc = cmd_set(&cli, cfg, actor);
		break;
	case CMD_AUTO:
		rc = cmd_auto(&cli, cfg, actor);
		break;
	case CMD_HISTORY:
		rc = cmd_history(&cli, cfg);
		break;
	case CMD_VERIFY:
		rc = cmd_verify(&cli, cfg);
		break;
	case CMD_CONFIG_CHECK:
		rc = cmd_config_check(cfg);
		break;
	case CMD_NOTIFY_TEST:
		if (!notify_configured(cfg)) {
			log_warnx("notify-test: no channel configured (notify.smtp."
			    "url, notify.webhook.url, notify.command)");
			rc = BG_EXIT_USAGE;
		} else if (config_check_secrets(cfg, err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			rc = BG_EXIT_USAGE;
		} else
			rc = notify_test(cfg, actor, stdout) == 0 ?
			    BG_EXIT_DONE : BG_EXIT_FAIL;
		break;
	case CMD_HEALTH:
		rc = cmd_health(&cli, cfg);
		break;
	case CMD_CHECK:
		rc = cmd_check(&cli, cfg);
		break;
	case CMD_DOCTOR:
		rc = cmd_doctor(&cli, cfg);
		break;
	case CMD_DRILL:
		if (config_check_secrets(cfg, err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			rc = BG_EXIT_USAGE;
		} else
			rc = cmd_drill(&cli, cfg, actor);
		break;
	case CMD_RUN:
		if (config_check_secrets(cfg, err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			rc = BG_EXIT_USAGE;
			break;
		}
		rc = cmd_run(&cli, config_path(cli.config), &cfg);
		break;
	default:
		rc = not_yet(cli.cmd_name);
		break;
	}
 out:
	config_free(cfg);
	return rc;
}
