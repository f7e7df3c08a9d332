/* SPDX-License-Identifier: ISC */
/* override.c - the override's end: recorded the same way on every path */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "override.h"

int
override_expire(const struct config *c, struct state *st, int64_t now,
    char *err, size_t errlen)
{
	char	reason[REASON_MAX + ACTOR_MAX + 100];

	if (!st->ovr.active || override_active(&st->ovr, now))
		return 0;
	snprintf(reason, sizeof(reason), "the override (%s, set by %s: %s) ran "
	    "out; the agent decides again", account_state_name(st->ovr.state),
	    st->ovr.actor, st->ovr.reason);
	if (!(event_record(c, &(struct event){ .actor = "agent", .event =
	    "override-expired", .from = account_state_name(st->ovr.state),
	    .reason = reason, .state = st->account_state, .head =
	    &st->audit_head,
	    /* not recorded, not told: else told again at every try */
	    .flags = EV_NEED_AUDIT }, err, errlen) & EV_AUDITED))
		return -1;
	memset(&st->ovr, 0, sizeof(st->ovr));
	return 1;
}
