/* SPDX-License-Identifier: ISC */
/* cmd_audit.c - history and verify: the auditor's commands */
#include <stdio.h>
#include <string.h>

#include "../audit.h"
#include "commands.h"
#include "../log.h"
#include "../state.h"
#include "../toggle.h"

int
cmd_history(const struct cmd_ctx *x)
{
	const struct cli	*cli = x->cli;
	const struct config	*c = *x->cfg;
	struct history_opts	o;
	const char		*names[ACCOUNTS_MAX], *dns[ACCOUNTS_MAX];
	char			path[4096], err[1024];
	int			rc;

	memset(&o, 0, sizeof(o));
	o.limit = cli->limit;
	o.since_ms = cli->since_ms;
	o.json = cli->json;
	if (cli->merge)		/* files named: no config loaded */
		rc = audit_history_merge(cli->files, cli->nfiles, &o, stdout,
		    err, sizeof(err));
	else {
		for (size_t i = 0; i < c->naccounts; i++) {
			names[i] = c->accounts[i].name;
			dns[i] = c->accounts[i].dn;
		}
		o.names = names;
		o.dns = dns;
		o.naccounts = c->naccounts;
		if (cli->account != NULL)
			o.account = config_account(c, cli->account)->dn;
		snprintf(path, sizeof(path), "%s/%s", c->state_dir,
		    AUDIT_FILE);
		rc = audit_history(path, &o, stdout, err, sizeof(err));
	}
	if (rc == -1) {
		log_warnx("history: %s", err);
		return BG_EXIT_FAIL;
	}
	return BG_EXIT_DONE;
}

int
cmd_verify(const struct cmd_ctx *x)
{
	const struct cli	*cli = x->cli;
	const struct config	*c = *x->cfg;
	struct audit_verdict	 v;
	struct state		 st;
	struct audit_head	 outside;
	const struct audit_head	*anchor = NULL;
	char			 path[4096], err[1024];
	int			 rc;

	outside.seq = cli->against_seq;
	bg_strlcpy(outside.sha256, cli->against_sha256, sizeof(outside.sha256));
	if (cli->nfiles > 0) {	/* another host's log: no config, no anchor */
		snprintf(path, sizeof(path), "%s", cli->files[0]);
		rc = audit_verify_file(path, cli->against ? &outside : NULL,
		    &v, err, sizeof(err));
		goto verdict;
	}
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, AUDIT_FILE);
	if (state_load(c->state_dir, NULL, &st, err, sizeof(err)) == -1)
		log_warnx("verify: %s; checking the chain without its anchor",
		    err);
	else if (st.audit_head.seq > 0)
		anchor = &st.audit_head;
	rc = audit_verify_against(path, anchor, cli->against ? &outside : NULL,
	    &v, err, sizeof(err));
 verdict:
	if (rc == -1) {
		log_warnx("verify: %s", err);
		return 1;
	}
	if (rc == 1 && v.bad_seq == 0) {	/* --against HEX, not found */
		printf("audit log %s: BROKEN: %s\n", path, v.why);
		log_authpriv("audit chain of %s broken: %s", path, v.why);
		return 1;
	}
	if (rc == 1) {
		printf("audit log %s: BROKEN at seq %lld: %s\n", path,
		    (long long)v.bad_seq, v.why);
		log_authpriv("audit chain of %s broken at seq %lld: %s", path,
		    (long long)v.bad_seq, v.why);
		return 1;
	}
	printf("audit log %s: intact, %lld entries, head seq %lld sha256 %s\n",
	    path, (long long)v.entries, (long long)v.head.seq, v.head.sha256);
	if (cli->against)
		printf("anchor: seq %lld sha256 %s, given with --against, is in "
		    "the log unchanged\n", (long long)v.outside_seq,
		    cli->against_sha256);
	return 0;
}
