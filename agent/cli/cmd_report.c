/* SPDX-License-Identifier: ISC */
/* cmd_report.c - report: the review of an enabled window, printed */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "commands.h"
#include "../exits.h"
#include "../log.h"
#include "../poll.h"
#include "../report.h"
#include "../revoke.h"
#include "../text.h"

static int
report_one(const struct cmd_ctx *x, const struct config *c, void *arg)
{
	const struct cli	*cli = x->cli;
	struct report_query	 q = { REPORT_LAST, 0, 0 };
	struct poll_ctx		 p;
	char			 err[1024], *text, *line, *save = NULL;
	int64_t			 pwd = 0;
	cJSON			*ws, *w;

	if (cli->seq > 0) {
		q.pick = REPORT_SEQ;
		q.seq = cli->seq;
	} else if (cli->since_ms != 0) {
		q.pick = REPORT_SINCE;
		q.since_ms = cli->since_ms;
	}
	if ((ws = report_windows(c->state_dir, c->account->dn, &q, err,
	    sizeof(err))) == NULL) {
		log_warnx("report: %s", err);
		return BG_EXIT_FAIL;
	}
	(void)arg;
	if (cJSON_GetArraySize(ws) == 0 && accounts_several(x)) {
		cJSON_Delete(ws);	/* another account may have one */
		if (!cli->json)
			out_line(stdout, "== account %s: no enabled window",
			    c->account->name);
		return BG_EXIT_DONE;
	}
	if (cJSON_GetArraySize(ws) == 0) {
		cJSON_Delete(ws);
		log_warnx("report: no enabled window %s in the audit log",
		    q.pick == REPORT_SEQ ? "started at or before that seq" :
		    q.pick == REPORT_SINCE ? "since that time" : "");
		return BG_EXIT_FAIL;
	}
	if (account_pwd_last_set(c, NULL, &pwd, err, sizeof(err)) == -1) {
		log_warnx("report: pwdLastSet of %s: %s", c->account->dn, err);
		pwd = 0;
	}
	if (accounts_several(x) && !cli->json)
		out_line(stdout, "== account %s (%s)", c->account->name,
		    c->account->dn);
	poll_ctx_init(&p);
	cJSON_ArrayForEach(w, ws) {
		report_complete(c, &p, w, pwd);
		if (cli->json) {	/* one object a line, as history */
			if ((text = cJSON_PrintUnformatted(w)) != NULL)
				out_json(stdout, text);
			free(text);
			continue;
		}
		if ((text = report_text(w)) == NULL)
			continue;
		/* Graph's and the audit log's text: out_line flattens it */
		for (line = strtok_r(text, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			out_line(stdout, "%s", line);
		if (w->next != NULL)
			printf("\n");
		free(text);
	}
	poll_ctx_free(&p);
	cJSON_Delete(ws);
	return BG_EXIT_DONE;
}

/* each account's windows (--account: that one's) */
int
cmd_report(const struct cmd_ctx *x)
{
	return accounts_each(x, report_one, NULL);
}
