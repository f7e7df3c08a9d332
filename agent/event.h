/* SPDX-License-Identifier: ISC */
/* event.h - the one funnel for an event: audit line, authpriv line, notice */
#ifndef BG_EVENT_H
#define BG_EVENT_H

#include <stdint.h>

#include <cJSON.h>

#include "audit.h"
#include "config.h"
#include "notify/notify.h"

#define EV_NO_SYSLOG	0x1	/* no authpriv line (not an account event) */
#define EV_NO_NOTICE	0x2	/* audited only */
/*
 * A notice only: of no audit line (reminders), or of a line written
 * before, whose head is given (a notice that goes out later, or says less)
 */
#define EV_NO_AUDIT	0x4
/*
 * Without its audit line the event did not happen: nothing else goes out
 * and nothing is logged here; the caller refuses and says why (err)
 */
#define EV_NEED_AUDIT	0x8

/* the outcome of event_record(): which parts went out */
#define EV_AUDITED	0x1
#define EV_NOTICED	0x2

struct event {
	const char		*actor;		/* "agent", "cli:NAME(uid=N)" */
	const char		*event;		/* "enable", "drift", ... */
	const char		*from;		/* account states, or NULL */
	const char		*to;
	const char		*reason;
	const char		*result;	/* NULL: "ok" */
	const char		*notice_result;	/* the notice's; NULL: result */
	const cJSON		*evidence;
	const cJSON		*extra;		/* more audit fields */
	enum account_state	 state;		/* the account now, for the
						   notice */
	int64_t			 until_ms;	/* an override's end, or 0 */
	/* the authpriv line's text; NULL: "EVENT: REASON" */
	const char		*syslog;
	unsigned		 flags;		/* EV_NO_SYSLOG, EV_NO_NOTICE,
						   EV_NO_AUDIT, EV_NEED_AUDIT */
	const char		*details;	/* the notice's text block, or
						   NULL (report.c's review) */
	struct audit_head	*head;		/* in: the chain; out: this line */
};

/*
 * Record an event about the configured account: its audit line (the head
 * moves on), an authpriv line carrying that head, and a notice on every
 * channel (spooled).  The three go out whatever becomes of the others,
 * unless flags say otherwise (EV_NEED_AUDIT).  Returns EV_AUDITED |
 * EV_NOTICED as they succeeded; err says why the audit line was not
 * written.
 */
int	event_record(const struct config *, const struct event *, char *err,
	    size_t errlen);

#endif
