/* SPDX-License-Identifier: ISC */
/* event.c - the one funnel for an event: audit line, authpriv line, notice */
#include <string.h>

#include "event.h"
#include "log.h"

/* the event's audit line about the configured account */
static int
audit_line(const struct config *c, const struct event *ev, char *err,
    size_t errlen)
{
	struct audit_entry	e;

	memset(&e, 0, sizeof(e));
	e.host = c->ha.peer_name;
	e.actor = ev->actor;
	e.event = ev->event;
	e.account = c->account->dn;
	e.from = ev->from;
	e.to = ev->to;
	e.reason = ev->reason;
	e.result = ev->result ? ev->result : "ok";
	e.evidence = ev->evidence;
	e.extra = ev->extra;
	return audit_append(c->state_dir, &e, ev->head, err, errlen);
}

/* spool the event's notice on every channel */
static int
notice(const struct config *c, const struct event *ev)
{
	struct notice_in	in;
	char			err[512];

	memset(&in, 0, sizeof(in));
	in.event = ev->event;
	in.account = c->account->dn;
	in.result = ev->notice_result ? ev->notice_result : ev->result;
	in.from = ev->from;
	in.to = ev->to;
	in.state = ev->state;
	in.reason = ev->reason;
	in.actor = ev->actor;
	in.evidence = ev->evidence;
	in.head = ev->head;
	in.until_ms = ev->until_ms;
	in.details = ev->details;
	if (notify_queue(c, &in, err, sizeof(err)) == -1) {
		log_warnx("notification of %s not spooled: %s", in.event, err);
		return -1;
	}
	return 0;
}

int
event_record(const struct config *c, const struct event *ev, char *err,
    size_t errlen)
{
	char	 aerr[512], *e = err != NULL ? err : aerr;
	size_t	 elen = err != NULL ? errlen : sizeof(aerr);
	int	 out = 0;

	if (ev->flags & EV_NO_AUDIT)
		;
	else if (audit_line(c, ev, e, elen) == 0)
		out |= EV_AUDITED;
	else if (ev->flags & EV_NEED_AUDIT)
		return out;		/* the caller refuses and says why */
	else
		log_warnx("audit: %s: %s", ev->event, e);
	if (!(ev->flags & EV_NO_SYSLOG)) {
		/* no line of its own: the head of the line it tells of */
		const char *sha = out & EV_AUDITED || ev->flags & EV_NO_AUDIT ?
		    ev->head->sha256 : NULL;

		if (ev->syslog != NULL)
			log_authpriv_audit(ev->head->seq, sha, "%s",
			    ev->syslog);
		else
			log_authpriv_audit(ev->head->seq, sha, "%s: %s",
			    ev->event, ev->reason);
	}
	if (!(ev->flags & EV_NO_NOTICE) && notice(c, ev) == 0)
		out |= EV_NOTICED;
	return out;
}
