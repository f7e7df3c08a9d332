/* SPDX-License-Identifier: ISC */
/* cmd_drill.c - breakglass drill: the drill's progress and its report */
#include <stdio.h>

#include "commands.h"
#include "../drill.h"
#include "../log.h"
#include "../text.h"

static void
progress(enum drill_step step, const struct config *c)
{
	if (step == DRILL_ENABLING)
		printf("drill: enabling %s\n", c->account->dn);
	else
		printf("drill: disabling it again\n");
	fflush(stdout);
}

static void
report(const struct drill_result *r)
{
	printf("drill %s\n", r->ok ? "PASSED" : "FAILED");
	if (r->enable_ms >= 0)
		printf("  enable in AD        %lld ms\n",
		    (long long)r->enable_ms);
	else
		printf("  enable in AD        FAILED\n");
	if (r->ad_confirm_ms >= 0)
		printf("  confirmed in AD     %lld ms\n",
		    (long long)r->ad_confirm_ms);
	else
		printf("  confirmed in AD     no\n");
	if (!r->cloud)
		printf("  confirmed in cloud  not checked (needs graph, "
		    "account.upn, sync.confirm_within)\n");
	else if (r->cloud_confirm_ms >= 0)
		printf("  confirmed in cloud  %.1f s\n",
		    (double)r->cloud_confirm_ms / 1000);
	else
		out_line(stdout, "  confirmed in cloud  no: %s", r->cloud_err);
	if (r->ad_disabled_ms >= 0)
		printf("  disabled again      %lld ms (confirmed in AD)\n",
		    (long long)r->disable_ms);
	else
		out_line(stdout, "  disabled again      NO: %s -- check the "
		    "account now", r->disable_err);
	printf("  total               %.1f s\n", (double)r->total_ms / 1000);
}

static int
drill_one(const struct cmd_ctx *x, const struct config *c, void *arg)
{
	struct drill_result	 r;
	char			 err[1536];
	int			 rc, *locked = arg;

	if (accounts_several(x))
		out_line(stdout, "== account %s (%s)", c->account->name,
		    c->account->dn);
	rc = drill_run(c, x->actor, x->cli->reason, progress, &r, err,
	    sizeof(err));
	if (r.ran)
		report(&r);
	else
		log_warnx("%s", err);
	*locked |= r.locked;
	return rc;
}

/* one account (--account), or each in turn: each its own drill */
int
cmd_drill(const struct cmd_ctx *x)
{
	int	rc, locked = 0;

	rc = accounts_each(x, drill_one, &locked);
	if (locked)
		notify_once(*x->cfg, x->actor);
	return rc;
}
