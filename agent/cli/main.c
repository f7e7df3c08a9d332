/* SPDX-License-Identifier: ISC */
/* main.c - argument parsing and dispatch to one function per command */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "../../ldap/ad.h"
#include "cli.h"
#include "commands.h"
#include "../config.h"
#include "../exits.h"
#include "../log.h"
#include "../privdrop.h"
#include "../state.h"
#include "../toggle.h"
#include "../util.h"


int
main(int argc, char *argv[])
{
	struct cli	 cli;
	struct cmd_ctx	 ctx;
	struct config	*cfg = NULL;
	char		 err[1024], actor[ACTOR_MAX] = "";
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
	ctx.cli = &cli;
	ctx.cfg = &cfg;
	ctx.path = config_path(cli.config);
	ctx.actor = actor;
	if (!cli.needs_config)
		return cli.run(&ctx);

	if ((cfg = config_load(ctx.path, err, sizeof(err))) == NULL) {
		if (cli.cmd == CMD_CHECK) {	/* plugin semantics: UNKNOWN */
			printf("BREAKGLASS UNKNOWN - config: %s|\n", err);
			return 3;
		}
		log_warnx("%s", err);
		return BG_EXIT_USAGE;
	}
	if (cli.account != NULL && config_account(cfg, cli.account) == NULL) {
		config_accounts_list(cfg, err, sizeof(err));
		log_warnx("--account: no account \"%s\" in %s (accounts: %s)",
		    cli.account, ctx.path, err);
		rc = cli.cmd == CMD_CHECK ? 3 : BG_EXIT_USAGE;
		if (cli.cmd == CMD_CHECK)
			printf("BREAKGLASS UNKNOWN - no account \"%s\"|\n",
			    cli.account);
		goto out;
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
	if (cli.needs_secrets && config_check_secrets(cfg, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		rc = BG_EXIT_USAGE;
		goto out;
	}
	rc = cli.run(&ctx);
	account_session_end();	/* the accounts' LDAP session */
 out:
	config_free(cfg);
	return rc;
}
