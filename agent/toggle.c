/* SPDX-License-Identifier: ISC */
/* toggle.c - lock held: audit started -> LDAP compare-and-swap -> audit result */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "event.h"
#include "log.h"
#include "notify/notify.h"
#include "toggle.h"
#include "util.h"

/* connect with the password held only for the bind */
struct ad_conn *
account_connect(const struct config *c, char *err, size_t errlen)
{
	struct ad_params	 p;
	struct ad_conn		*conn;
	char			*pw = NULL, why[512];

	if (read_secret_file(c->ldap.bind_password_file, &pw, why,
	    sizeof(why)) == -1) {
		bg_err(err, errlen, "ldap.bind_password_file: %s", why);
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.uris = (const char *const *)c->ldap.uri.v;
	p.nuris = c->ldap.uri.n;
	p.starttls = c->ldap.starttls;
	p.ca_file = c->ldap.ca_file;
	p.bind_dn = c->ldap.bind_dn;
	p.password = pw;
	p.timeout = (int)c->ldap.timeout;
	conn = ad_connect(&p, err, errlen);
	secret_free(pw);
	return conn;
}

/*
 * One LDAP session for the accounts of one command or one poll (issue 15):
 * the first read or change connects, the next accounts reuse it, and
 * account_session_end() closes it.  A connection that failed is dropped:
 * the next account starts on a fresh one (failover).
 */
static struct ad_conn	*session;

struct ad_conn *
account_session(const struct config *c, char *err, size_t errlen)
{
	if (session == NULL)
		session = account_connect(c, err, errlen);
	return session;
}

void
account_session_end(void)
{
	ad_close(session);
	session = NULL;
}

enum ad_result
account_read(const struct config *c, struct ad_account *a, char *dc,
    size_t dclen, char *err, size_t errlen)
{
	struct ad_conn	*conn;
	enum ad_result	 r;

	if ((conn = account_session(c, err, errlen)) == NULL)
		return AD_ERR;
	if (dc != NULL)
		bg_strlcpy(dc, ad_uri(conn), dclen);
	if ((r = ad_read_account(conn, c->account->dn, a, err, errlen)) ==
	    AD_ERR)
		account_session_end();
	return r;
}

/* the end of the override in force, 0 if none: for the notice */
static int64_t
override_end(const struct state *st)
{
	return override_active(&st->ovr, now_ms()) ? st->ovr.until_ms : 0;
}

/*
 * The change is in AD and in the audit log: put it in state.json now, not
 * at the caller's end, so that a stop during what follows (sync.command,
 * Graph) cannot leave a state.json that calls our own change drift.
 */
static int
save_now(const struct config *c, const struct state *st)
{
	char	err[512];

	if (state_save(c->state_dir, c->account, st, err, sizeof(err)) == -1) {
		log_warnx("state: %s", err);
		return 0;
	}
	return 1;
}

/*
 * Long on purpose: DESIGN.md section 9, the one operation that changes the
 * account, every path (refusal, failure, re-read, success) visible in one
 * function.
 */
int
toggle_account(const struct config *c, struct state *st, const char *actor,
    const char *reason, unsigned how, const cJSON *evidence,
    struct toggle_result *res, char *err, size_t errlen)
{
	int		 disable = (how & TOGGLE_DISABLE) != 0;
	struct ad_conn	*conn = NULL;
	enum account_state before = st->account_state;
	enum account_state want = disable ? ACCOUNT_DISABLED : ACCOUNT_ENABLED;
	const char	*event = disable ? "disable" : "enable";
	const char	*to = account_state_name(want);
	char		 why[1024], result[1200], aerr[512];
	char		 line[2400];
	struct event	 ev;
	cJSON		*extra = NULL;
	enum ad_result	 r;
	int		 done;

	memset(res, 0, sizeof(*res));
	res->exit_code = BG_EXIT_FAIL;
	FAULT_POINT("before-started");
	if (!(event_record(c, &(struct event){ .actor = actor, .event = event,
	    .from = account_state_name(before), .to = to, .reason = reason,
	    .result =
	    "started", .evidence = evidence, .head = &res->head, .flags =
	    EV_NEED_AUDIT | EV_NO_SYSLOG | EV_NO_NOTICE }, aerr, sizeof(aerr)) &
	    EV_AUDITED)) {
		bg_err(err, errlen, "audit log not writable, account not "
		    "touched: %s", aerr);
		log_authpriv("%s of %s by %s refused: audit log not writable: %s",
		    event, c->account->dn, actor, aerr);
		res->exit_code = BG_EXIT_REFUSED;
		return -1;
	}
	FAULT_POINT("after-started");
	if ((conn = account_session(c, why, sizeof(why))) == NULL) {
		r = AD_ERR;
		goto failed;
	}
	bg_strlcpy(res->dc, ad_uri(conn), sizeof(res->dc));
	r = ad_set_disabled(conn, c->account->dn, c->account->object_guid,
	    disable, &res->change, why, sizeof(why));
	if (r != AD_OK)
		goto failed;
	FAULT_POINT("after-ldap-write");

	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "uac_from", res->change.old_uac);
	cJSON_AddNumberToObject(extra, "uac_to", res->change.new_uac);
	cJSON_AddBoolToObject(extra, "changed", res->change.changed);
	/* more than 1: the value changed between a read and its write */
	cJSON_AddNumberToObject(extra, "tries", res->change.tries);
	cJSON_AddStringToObject(extra, "dc", res->dc);
	st->account_uac = res->change.new_uac;
	st->account_seen_ms = now_ms();
	st->account_state = want;
	st->last_set = want;
	FAULT_POINT("before-ok");
	snprintf(line, sizeof(line), "account %s %s by %s on %s "
	    "(userAccountControl %u -> %u): %s", c->account->dn, to, actor,
	    res->dc, res->change.old_uac, res->change.new_uac, reason);
	ev = (struct event){ .actor = actor, .event = event, .from =
	    account_state_name(account_state_of_uac(res->change.old_uac)),
	    .to = to, .reason = reason, .result = "ok", .evidence = evidence,
	    .extra = extra, .state = st->account_state, .until_ms =
	    override_end(st), .syslog = line, .head = &res->head,
	    /* nothing changed: nothing to say beyond the audit line */
	    .flags = res->change.changed ? 0 : EV_NO_SYSLOG | EV_NO_NOTICE };
	done = event_record(c, &ev, aerr, sizeof(aerr));
	if (!(done & EV_AUDITED)) {
		bg_err(err, errlen, "account %s is now %s, but the audit log "
		    "could not record it: %s", c->account->dn, to, aerr);
		res->exit_code = BG_EXIT_FAIL;
		goto out;
	}
	/* a notice not spooled stays due: reconcile spools it again */
	if (!res->change.changed || (done & EV_NOTICED))
		st->notified_seq = res->head.seq;
	st->audit_head = res->head;
	/* a window of use closed: its review due, in this same save (a
	   crash after it cannot lose it) */
	if (disable && res->change.changed && !(how & TOGGLE_DRILL))
		state_review_due(st, config_revoke_applies(c), now_ms(),
		    res->change.pwd_last_set_ms);
	res->state_saved = save_now(c, st);
	res->exit_code = BG_EXIT_DONE;
	if (res->change.changed)	/* Entra Connect now, not in 30 min */
		res->sync_want = want;
	goto out;

 failed:
	/*
	 * A write that got no answer may still have been applied: ask the
	 * directory (a fresh connection, failover) so the record says what
	 * the account is now, not what was hoped.
	 */
	if (conn != NULL && r == AD_ERR) {
		struct ad_account	now;
		char			rerr[256];
		size_t			l = strlen(why);

		account_session_end();
		conn = NULL;
		if (account_read(c, &now, NULL, 0, rerr, sizeof(rerr)) ==
		    AD_OK) {
			snprintf(why + l, sizeof(why) - l, "; the account is "
			    "now %s", account_state_name(
			    account_state_of_uac(now.uac)));
			st->account_uac = now.uac;
			st->account_seen_ms = now_ms();
			st->account_state = account_state_of_uac(now.uac);
		} else {
			snprintf(why + l, sizeof(why) - l, "; the account's "
			    "state is unknown (%s)", rerr);
			/* the write may have been applied: no drift from it */
			st->account_state = ACCOUNT_UNKNOWN;
		}
	}
	snprintf(result, sizeof(result), "failed: %s", why);
	snprintf(line, sizeof(line), "%s of %s by %s failed: %s", event,
	    c->account->dn, actor, why);
	ev = (struct event){ .actor = actor, .event = event, .from =
	    account_state_name(before), .to = to, .reason = reason, .result =
	    result, .evidence = evidence, .state = st->account_state,
	    .until_ms = override_end(st), .syslog = line, .head = &res->head };
	done = event_record(c, &ev, NULL, 0);
	if (done & EV_AUDITED)
		st->audit_head = res->head;
	if (done & EV_NOTICED)
		st->notified_seq = res->head.seq;
	res->state_saved = save_now(c, st);
	res->exit_code = r == AD_EGUID ? BG_EXIT_REFUSED : BG_EXIT_FAIL;
	bg_err(err, errlen, "%s %s: %s", event, c->account->dn, why);
 out:
	cJSON_Delete(extra);
	return res->exit_code == BG_EXIT_DONE ? 0 : -1;
}

/*
 * The last audit line is a finished enable/disable newer than the last
 * notice spooled: the process died between the audit line and the spool
 * write.  Spool it again from the audit line, on the channels that lack it.
 */
static void
renotify(const struct config *c, struct state *st, const cJSON *last,
    struct audit_head *h)
{
	struct notice_in	 in;
	long long		 seq = (long long)h->seq;
	char			 err[512];
	int			 n;

	st->notified_seq = seq;
	if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(last, "result")),
	    "ok") == 0 && !cJSON_IsTrue(cJSON_GetObjectItem(last, "changed")))
		return;			/* nothing changed, nothing was due */
	memset(&in, 0, sizeof(in));
	/* the line's own account: with several, maybe not this view's */
	in.account = cJSON_GetStringValue(cJSON_GetObjectItem(last, "account"));
	if (in.account == NULL)
		in.account = c->account->dn;
	in.event = cJSON_GetStringValue(cJSON_GetObjectItem(last, "event"));
	in.result = cJSON_GetStringValue(cJSON_GetObjectItem(last, "result"));
	in.from = cJSON_GetStringValue(cJSON_GetObjectItem(last, "from"));
	in.to = cJSON_GetStringValue(cJSON_GetObjectItem(last, "to"));
	in.state = st->account_state;
	if (strcasecmp(in.account, c->account->dn) != 0)
		account_state_parse(in.to, &in.state);
	in.reason = cJSON_GetStringValue(cJSON_GetObjectItem(last, "reason"));
	in.actor = cJSON_GetStringValue(cJSON_GetObjectItem(last, "actor"));
	in.evidence = cJSON_GetObjectItem(last, "evidence");
	in.head = h;
	if ((n = notify_requeue(c, &in, err, sizeof(err))) == -1)
		log_warnx("notification of audit seq %lld not spooled: %s",
		    seq, err);
	else if (n > 0)
		log_warnx("notification of audit seq %lld was not spooled "
		    "before an interruption; spooled now", seq);
}

/* the last line is a change of this view's account, started, no result */
static void
interrupted(const struct config *c, struct state *st, const char *actor,
    const cJSON *last)
{
	struct ad_account	 a;
	cJSON			*extra;
	const char		*ev, *by;
	enum account_state	 live;
	char			 err[1024], reason[1600], result[1200];
	char			 line[2000];
	long long		 seq;
	enum ad_result		 r;

	ev = cJSON_GetStringValue(cJSON_GetObjectItem(last, "event"));
	by = cJSON_GetStringValue(cJSON_GetObjectItem(last, "actor"));
	seq = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(last, "seq"));
	r = account_read(c, &a, NULL, 0, err, sizeof(err));
	live = r == AD_OK ? account_state_of_uac(a.uac) : ACCOUNT_UNKNOWN;
	if (r == AD_OK) {
		snprintf(reason, sizeof(reason), "the %s by %s was interrupted "
		    "(seq %lld started, no result); the directory says %s", ev,
		    by ? by : "?", seq, account_state_name(live));
		snprintf(result, sizeof(result), "ok");
		st->account_uac = a.uac;
		st->account_seen_ms = now_ms();
		st->account_state = live;
	} else {
		snprintf(reason, sizeof(reason), "the %s by %s was interrupted "
		    "(seq %lld started, no result); the directory cannot be read",
		    ev, by ? by : "?", seq);
		snprintf(result, sizeof(result), "failed: %.1000s", err);
	}
	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "interrupted_seq", (double)seq);
	cJSON_AddStringToObject(extra, "interrupted_event", ev);
	snprintf(line, sizeof(line), "account %s: %s", c->account->dn, reason);
	event_record(c, &(struct event){ .actor = actor, .event = "reconcile",
	    .to = account_state_name(live), .reason = reason, .result = result,
	    .extra = extra, .state = live, .syslog = line, .head =
	    &st->audit_head }, NULL, 0);
	st->notified_seq = st->audit_head.seq;
	cJSON_Delete(extra);
}

/*
 * Another account's change was interrupted (issue 15): reconciled in that
 * account's own state, then st read again (the audit head moved).
 */
static void
interrupted_elsewhere(const struct config *c, struct state *st,
    const char *actor, const cJSON *last, const char *dn)
{
	struct config	v;
	struct state	other;
	char		err[512];
	size_t		i;

	for (i = 0; i < c->naccounts; i++)
		if (strcasecmp(c->accounts[i].dn, dn) == 0)
			break;
	if (i == c->naccounts && c->naccounts == 1) {
		/* one account, named otherwise in the line: as before */
		interrupted(c, st, actor, last);
		return;
	}
	if (i == c->naccounts) {
		log_warnx("the last change, of %s, was interrupted; that "
		    "account is no longer in the config: check it by hand",
		    dn);
		return;
	}
	config_view(c, i, &v);
	if (state_load(v.state_dir, v.account, &other, err, sizeof(err)) ==
	    -1) {
		log_warnx("state: %s", err);
		return;
	}
	interrupted(&v, &other, actor, last);
	if (state_save(v.state_dir, v.account, &other, err, sizeof(err)) == -1 ||
	    state_load(c->state_dir, c->account, st, err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
}

int
reconcile(const struct config *c, struct state *st, const char *actor)
{
	struct audit_head	 lh;
	cJSON			*last;
	const char		*ev, *res, *dn;

	memset(&lh, 0, sizeof(lh));
	last = audit_last_entry(c->state_dir, &lh);
	if (st->notified_seq < 0)	/* no ledger yet (new or upgraded) */
		st->notified_seq = lh.seq;
	if (last == NULL)
		return 0;
	ev = cJSON_GetStringValue(cJSON_GetObjectItem(last, "event"));
	res = cJSON_GetStringValue(cJSON_GetObjectItem(last, "result"));
	dn = cJSON_GetStringValue(cJSON_GetObjectItem(last, "account"));
	if (ev == NULL || res == NULL ||
	    (strcmp(ev, "enable") != 0 && strcmp(ev, "disable") != 0)) {
		cJSON_Delete(last);
		return 0;
	}
	if (strcmp(res, "started") != 0) {
		if (lh.seq > st->notified_seq)
			renotify(c, st, last, &lh);
		cJSON_Delete(last);
		return 0;
	}
	if (dn != NULL && strcasecmp(dn, c->account->dn) != 0)
		interrupted_elsewhere(c, st, actor, last, dn);
	else
		interrupted(c, st, actor, last);
	cJSON_Delete(last);
	return 1;
}
