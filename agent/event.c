/* SPDX-License-Identifier: ISC */
/* event.c - the one funnel for an event: audit line, authpriv line, notice */
#include <string.h>

#include "event.h"
#include "log.h"
#include "util.h"

int
audit_event(const struct config *c, const char *actor, const char *event,
    const char *from, const char *to, const char *reason, const char *result,
    const cJSON *evidence, const cJSON *extra, struct audit_head *head,
    char *err, size_t errlen)
{
	struct audit_entry	e;

	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.event = event;
	e.account = c->account.dn;
	e.from = from;
	e.to = to;
	e.reason = reason;
	e.result = result;
	e.evidence = evidence;
	e.extra = extra;
	return audit_append(c->state_dir, &e, head, err, errlen);
}

int
account_notice(const struct config *c, struct notice_in *in)
{
	char	err[512];

	in->account = c->account.dn;
	if (notify_queue(c, in, err, sizeof(err)) == -1) {
		log_warnx("notification of %s not spooled: %s", in->event, err);
		return -1;
	}
	return 0;
}

int
event_record(const struct config *c, const struct event *ev, char *err,
    size_t errlen)
{
	struct notice_in	in;
	const char		*result = ev->result ? ev->result : "ok";
	char			aerr[512];
	int			out = 0;

	if (audit_event(c, ev->actor, ev->event, ev->from, ev->to, ev->reason,
	    result, ev->evidence, ev->extra, ev->head, aerr,
	    sizeof(aerr)) == 0)
		out |= EV_AUDITED;
	else {
		log_warnx("audit: %s: %s", ev->event, aerr);
		if (err != NULL)
			bg_err(err, errlen, "%s", aerr);
	}
	if (!(ev->flags & EV_NO_SYSLOG)) {
		const char *sha = out & EV_AUDITED ? ev->head->sha256 : NULL;

		if (ev->syslog != NULL)
			log_authpriv_audit(ev->head->seq, sha, "%s",
			    ev->syslog);
		else
			log_authpriv_audit(ev->head->seq, sha, "%s: %s",
			    ev->event, ev->reason);
	}
	if (ev->flags & EV_NO_NOTICE)
		return out;
	memset(&in, 0, sizeof(in));
	in.event = ev->event;
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
	if (account_notice(c, &in) == 0)
		out |= EV_NOTICED;
	return out;
}
