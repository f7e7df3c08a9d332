/* SPDX-License-Identifier: ISC */
/* report.h - the review of an enabled window: timeline, cloud, to-do list */
#ifndef BG_REPORT_H
#define BG_REPORT_H

#include <stdint.h>

#include <cJSON.h>

#include "config.h"
#include "poll.h"

/* which windows: the last one, the one started at or before a seq, or
   every one that ended (or is open) at or after a time */
enum report_pick { REPORT_LAST, REPORT_SEQ, REPORT_SINCE };

struct report_query {
	enum report_pick	pick;
	int64_t			seq;
	int64_t			since_ms;
};

/*
 * The enabled windows the query picks, from the audit log of state_dir:
 * a JSON array (cJSON_Delete it) of window objects, oldest first, each
 * with its timeline ("events", "at_s" the seconds since it was enabled),
 * "durations" and the to-do list; empty when none matches.  NULL with err
 * when the log cannot be read.  A window opens with an enable that changed
 * the account and closes with a disable that changed it (or a drift to
 * disabled); the lines after its close that belong to it (sync, cloud
 * confirmation, sessions-revoked, review) are its tail.
 */
/* dn: the account's windows (its lines and the shared ones); NULL: all */
cJSON	*report_windows(const char *state_dir, const char *dn,
	    const struct report_query *,
	    char *err, size_t errlen);
/*
 * With Graph set and account.upn: the account's cloud sign-ins in the
 * window and the directory audits it initiated (a 403 is "cannot check:
 * grant AuditLog.Read.All"); pwd_ms (AD pwdLastSet, 0 unknown) decides
 * whether the rotation is done.  Fills "signins", "changes" and "todo".
 */
void	report_complete(const struct config *, struct poll_ctx *, cJSON *window,
	    int64_t pwd_ms);
/* the window as text, one line per fact (malloc'd; NULL out of memory) */
char	*report_text(const cJSON *window);

#endif
