/* SPDX-License-Identifier: ISC */
/* revoke.c - after a window of use: sessions revoked, review mailed, password */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "account.h"
#include "event.h"
#include "log.h"
#include "report.h"
#include "revoke.h"
#include "sync.h"
#include "toggle.h"
#include "util.h"

struct revoked {
	const struct config	*c;
	const char		*actor;
	int			 ok;
	long			 status;
	const char		*err;
};

static int
revoke_apply(struct state *st, void *arg, char *err, size_t errlen)
{
	const struct revoked	*r = arg;
	const struct config	*c = r->c;
	char			 reason[1400], result[1200];

	(void)err;
	(void)errlen;
	if (!st->review.revoke_pending)
		return 0;		/* done meanwhile */
	if (r->ok) {
		snprintf(reason, sizeof(reason), "sign-in sessions of %s "
		    "revoked: refresh tokens and session cookies issued while "
		    "the account was enabled are no longer valid", c->account->upn);
		/* mailed only when it follows a failure that was mailed */
		event_record(c, &(struct event){ .actor = r->actor, .event =
		    "sessions-revoked", .reason = reason, .result = "ok",
		    .state = st->account_state, .head = &st->audit_head,
		    .flags = st->review.revoke_told ? 0 : EV_NO_NOTICE }, NULL,
		    0);
		log_info("%s", reason);
		st->review.revoke_pending = 0;
		st->review.revoke_told = 0;
		return 1;
	}
	if (st->review.revoke_told) {
		log_warnx("sessions of %s still not revoked: %s", c->account->upn,
		    r->err);
		return 0;
	}
	snprintf(reason, sizeof(reason), "the sign-in sessions of %s could "
	    "not be revoked after the account was disabled%s; the disable "
	    "stands, the revocation is retried every poll", c->account->upn,
	    r->status == 403 ? " (grant the app User.RevokeSessions.All)" :
	    "");
	snprintf(result, sizeof(result), "failed: %s", r->err);
	event_record(c, &(struct event){ .actor = r->actor, .event =
	    "sessions-revoked", .reason = reason, .result = result, .state =
	    st->account_state, .head = &st->audit_head }, NULL, 0);
	log_warnx("%s: %s", reason, r->err);
	st->review.revoke_told = 1;
	return 1;
}

static void
revoke_now(const struct config *c, struct poll_ctx *p, const char *actor)
{
	struct revoked	 r = { c, actor, 0, 0, NULL };
	char		 path[1024], upn[600], err[1024] = "", lerr[1024];
	const cJSON	*v;
	cJSON		*j = NULL;

	if (path_segment(c->account->upn, upn, sizeof(upn)) == -1)
		bg_err(err, sizeof(err), "account.upn: too long for a URL");
	else {
		snprintf(path, sizeof(path), "/v1.0/users/%s/"
		    "revokeSignInSessions", upn);
		/* no request content; the answer is {"value": true} */
		j = session_send(c, &p->graph, path, "", &r.status, err,
		    sizeof(err));
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "value");
	r.ok = j != NULL && !cJSON_IsFalse(v);
	if (j != NULL && !r.ok)
		bg_err(err, sizeof(err), "Graph answered \"value\": false");
	r.err = err;
	cJSON_Delete(j);
	if (state_update(c->state_dir, c->account,
	    revoke_apply, &r, lerr, sizeof(lerr)) ==
	    -1)
		log_warnx("sessions-revoked not recorded: %s", lerr);
}

struct review {
	const struct config	*c;
	const char		*actor;
	int64_t			 end_seq;
	const cJSON		*w;
	const char		*text;
};

static int
review_apply(struct state *st, void *arg, char *err, size_t errlen)
{
	const struct review	*r = arg;
	const cJSON		*d = cJSON_GetObjectItemCaseSensitive(r->w,
				    "durations");
	const cJSON		*en = cJSON_GetObjectItemCaseSensitive(d,
				    "enabled_s");
	char			 reason[1200], len[32];
	cJSON			*extra;

	(void)err;
	(void)errlen;
	if (!st->review.report_pending || st->review.end_seq != r->end_seq)
		return 0;
	format_duration(cJSON_IsNumber(en) ? (int64_t)en->valuedouble : 0,
	    len, sizeof(len));
	snprintf(reason, sizeof(reason), "review after use: the account was "
	    "enabled from %s to %s (%s); to do: rotate the password, review "
	    "what it changed (breakglass report --seq %lld)",
	    cJSON_GetStringValue(cJSON_GetObjectItem(r->w, "start")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(r->w, "end")), len,
	    (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(r->w,
	    "start_seq")));
	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "window_start_seq", cJSON_GetNumberValue(
	    cJSON_GetObjectItem(r->w, "start_seq")));
	cJSON_AddNumberToObject(extra, "window_end_seq", cJSON_GetNumberValue(
	    cJSON_GetObjectItem(r->w, "end_seq")));
	event_record(r->c, &(struct event){ .actor = r->actor, .event =
	    "review", .reason = reason, .extra = extra, .state =
	    st->account_state, .details = r->text, .head = &st->audit_head,
	    .flags = EV_NO_SYSLOG }, NULL, 0);
	cJSON_Delete(extra);
	st->review.report_pending = 0;
	return 1;
}

/* the review of the window that ended at end_seq, mailed once */
static void
review_now(const struct config *c, struct poll_ctx *p, const char *actor,
    int64_t end_seq, int64_t pwd_at_end)
{
	struct report_query	 q = { REPORT_SEQ, end_seq, 0 };
	struct review		 r = { c, actor, end_seq, NULL, NULL };
	char			 err[1024], *text = NULL;
	int64_t			 pwd = 0;
	cJSON			*ws;

	if ((ws = report_windows(c->state_dir, c->account->dn, &q, err,
	    sizeof(err))) == NULL) {
		log_warnx("review: %s; tried again later", err);
		return;
	}
	r.w = cJSON_GetArrayItem(ws, 0);
	if (r.w == NULL || cJSON_IsTrue(cJSON_GetObjectItem(r.w, "open"))) {
		log_warnx("review: no closed window at audit seq %lld",
		    (long long)end_seq);
		cJSON_Delete(ws);
		return;
	}
	/* the disable read it with the rest; else one read now */
	if ((pwd = pwd_at_end) == 0 &&
	    account_pwd_last_set(c, NULL, &pwd, err, sizeof(err)) == -1)
		pwd = 0;
	report_complete(c, p, (cJSON *)r.w, pwd);
	r.text = text = report_text(r.w);
	if (state_update(c->state_dir, c->account,
	    review_apply, &r, err, sizeof(err)) ==
	    -1)
		log_warnx("review not recorded: %s", err);
	free(text);
	cJSON_Delete(ws);
}

void
after_use(const struct config *c, struct poll_ctx *p, const char *actor)
{
	struct poll_ctx	 own;
	struct state	 st;
	char		 err[1024];

	/* a read of what is due; each step re-checks under the lock */
	if (state_load(c->state_dir, c->account, &st, err, sizeof(err)) == -1 ||
	    (!st.review.revoke_pending && !st.review.report_pending))
		return;
	if (p == NULL) {
		poll_ctx_init(&own);
		p = &own;
	}
	/* never the sessions of an account enabled again meanwhile */
	if (st.review.revoke_pending && st.account_state ==
	    ACCOUNT_DISABLED)
		revoke_now(c, p, actor);
	if (st.review.report_pending)
		review_now(c, p, actor, st.review.end_seq, st.review.pwd_ms);
	if (p == &own)
		poll_ctx_free(&own);
}

int
account_pwd_last_set(const struct config *c, struct ad_conn *conn,
    int64_t *ms, char *err, size_t errlen)
{
	struct ad_account	a;
	enum ad_result		r;
	int			shared = conn == NULL;

	*ms = 0;
	/* none given: the session the accounts of a command share */
	if (shared && (conn = account_session(c, err, errlen)) == NULL)
		return -1;
	/* the account's read has pwdLastSet, converted in ldap/ad.c */
	if ((r = ad_read_account(conn, c->account->dn, &a, err, errlen)) ==
	    AD_OK) {
		*ms = a.pwd_last_set_ms;
		return 0;
	}
	if (shared && r == AD_ERR)
		account_session_end();	/* the next one reconnects */
	return -1;
}

void
rotation_watch(const struct config *c, struct ad_conn *conn, struct state *st,
    int64_t now)
{
	char			reason[1200], t[RFC3339_LEN], p[RFC3339_LEN];
	char			err[512];
	int64_t			pwd;

	if (st->review.rotate_after_ms == 0 || conn == NULL ||
	    account_pwd_last_set(c, conn, &pwd, err, sizeof(err)) == -1)
		return;
	format_time_ms(st->review.rotate_after_ms, t, sizeof(t));
	if (pwd > st->review.rotate_after_ms) {
		format_time_ms(pwd, p, sizeof(p));
		snprintf(reason, sizeof(reason), "the password of %s was "
		    "changed at %s, after the window of use that ended %s",
		    c->account->dn, p, t);
		event_record(c, &(struct event){ .actor = "agent", .event =
		    "password-rotated", .reason = reason, .state =
		    st->account_state, .head = &st->audit_head, .flags =
		    EV_NO_NOTICE | EV_NO_SYSLOG }, NULL, 0);
		st->review.rotate_after_ms = 0;
		return;
	}
	if (c->notify.remind_every <= 0 || now - st->review.rotate_reminded_ms <
	    c->notify.remind_every * 1000)
		return;
	st->review.rotate_reminded_ms = now;
	snprintf(reason, sizeof(reason), "password not changed since the "
	    "account was used (window ended %s): set a new one in AD", t);
	event_record(c, &(struct event){ .actor = "agent", .event =
	    "rotate-password", .state = st->account_state, .reason = reason,
	    .head = &st->audit_head, .flags = EV_NO_AUDIT | EV_NO_SYSLOG },
	    NULL, 0);
}

int
rotation_overdue(const struct config *c, const struct state *st, char *text,
    size_t size)
{
	char	t[RFC3339_LEN], err[512];
	int64_t	pwd;

	if (st->review.rotate_after_ms == 0)
		return 0;
	format_time_ms(st->review.rotate_after_ms, t, sizeof(t));
	if (account_pwd_last_set(c, NULL, &pwd, err, sizeof(err)) == -1) {
		snprintf(text, size, "password rotation after use unknown "
		    "(window ended %s): pwdLastSet: %s", t, err);
		return 1;
	}
	if (pwd > st->review.rotate_after_ms)
		return 0;
	snprintf(text, size, "password not changed since the account was used "
	    "(window ended %s)", t);
	return 1;
}
