/* SPDX-License-Identifier: ISC */
/* accounts.c - the accounts a command acts on: --account NAME, or each */
#include <stdio.h>

#include "commands.h"
#include "../exits.h"

int
accounts_each(const struct cmd_ctx *x, account_fn fn, void *arg)
{
	const struct config	*c = *x->cfg;
	struct config		 v;
	int			 rc, worst = -1;

	for (size_t i = 0; i < c->naccounts; i++) {
		if (x->cli->account != NULL && config_account(c,
		    x->cli->account) != &c->accounts[i])
			continue;
		config_view(c, i, &v);
		rc = fn(x, &v, arg);
		/* all alike: that code; else any failure is exit 1 */
		if (worst == -1)
			worst = rc;
		else if (rc != worst)
			worst = worst == BG_EXIT_DONE && rc == BG_EXIT_DONE ?
			    BG_EXIT_DONE : BG_EXIT_FAIL;
	}
	return worst == -1 ? BG_EXIT_USAGE : worst;
}

int
accounts_several(const struct cmd_ctx *x)
{
	return x->cli->account == NULL && (*x->cfg)->naccounts > 1;
}
