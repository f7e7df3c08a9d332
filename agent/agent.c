/* SPDX-License-Identifier: ISC */
/* agent.c - the run loop: poll, decide, act, sleep; signals */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "../ldap/ad.h"
#include "agent.h"
#include "event.h"
#include "log.h"
#include "notify/notify.h"
#include "override.h"
#include "poll.h"
#include "policy.h"
#include "revoke.h"
#include "state.h"
#include "statedir.h"
#include "sync.h"
#include "toggle.h"
#include "watch.h"
#include "util.h"

#define UNKNOWN_REPORT	3	/* unknown polls in a row before we say so */

static volatile sig_atomic_t	stop_flag;
static volatile sig_atomic_t	reload_flag;

struct agent {
	struct config		*cfg;
	struct poll_ctx		 poll;
	struct ad_conn		*ad;		/* kept across polls */
	long			 unknown_streak;
	enum verdict		 last_verdict;
	/* each account's, by its index in the config (issue 15) */
	int			 ad_down[ACCOUNTS_MAX];	/* said once per
							   outage of AD */
	long			 toggle_failures[ACCOUNTS_MAX]; /* in a row */
	long			 polls;		/* since the agent started */
	int64_t			 signins_ms;	/* last read of sign-ins */
	int			 signins_down;	/* said once per streak */
	int			 warned;	/* a warning source told, this
						   episode */
	int			 alerted;	/* possible interception told */
	int64_t			 toggle_not_before_ms[ACCOUNTS_MAX];
	enum account_state	 sync_want[ACCOUNTS_MAX];	/* a change
						   to sync, or ACCOUNT_UNKNOWN */
	cJSON			*status;	/* status.json, being built */
	/* take-over (issue 18): compare AD with state.json at the first read
	   after a start or reload; an adopted account is held until poll */
	int			 takeover[ACCOUNTS_MAX];
	long			 hold_until[ACCOUNTS_MAX];
};

/*
 * A toggle that failed while reads work (a changed bind password behind a
 * session bound earlier, a lost write permission) is retried with back-off,
 * poll interval doubling up to TOGGLE_BACKOFF_MAX, not every poll: each
 * attempt is an audit line and a notice.
 */
#define TOGGLE_BACKOFF_MAX	300

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

static void
set_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a sleep must wake up */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	http_set_abort_flag(&stop_flag);
}

/*
 * The live state of c's account, over a connection kept between polls and
 * shared by the accounts of a poll
 */
static enum account_state
read_live(struct agent *a, const struct config *c, struct ad_account *acct)
{
	size_t		i = c->account->index;
	char		err[1024];
	enum ad_result	r = AD_ERR;

	if (a->ad == NULL)
		a->ad = account_connect(c, err, sizeof(err));
	if (a->ad != NULL &&
	    (r = ad_read_account(a->ad, c->account->dn, acct, err,
	    sizeof(err))) != AD_OK && r == AD_ERR) {
		ad_close(a->ad);	/* maybe a dead DC: reconnect next time */
		a->ad = NULL;
	}
	if (r != AD_OK) {
		if (!a->ad_down[i])
			log_warnx("account %s cannot be read: %s",
			    c->account->dn, err);
		a->ad_down[i] = 1;
		return ACCOUNT_UNKNOWN;
	}
	if (a->ad_down[i])
		log_warnx("account %s readable again", c->account->dn);
	a->ad_down[i] = 0;
	return account_state_of_uac(acct->uac);
}

/*
 * status.json, built through a poll: the health and counters from the
 * first account's state, then each account's live state (the first's as
 * "account_state", as before; with two or more, all in "accounts"), then
 * written after the lock.
 */
static void
write_status(struct agent *a, const struct poll_result *r,
    const struct state *st, int64_t now)
{
	char	 t[RFC3339_LEN];
	cJSON	*j = cJSON_CreateObject(), *c;

	cJSON_Delete(a->status);
	a->status = j;
	format_time_ms(now, t, sizeof(t));
	cJSON_AddStringToObject(j, "time", t);
	cJSON_AddStringToObject(j, "verdict", verdict_name(r->verdict));
	cJSON_AddStringToObject(j, "source", r->source);
	if (r->evidence != NULL)
		cJSON_AddItemToObject(j, "evidence",
		    cJSON_Duplicate(r->evidence, 1));
	else
		cJSON_AddNullToObject(j, "evidence");
	cJSON_AddNumberToObject(j, "issues_seen", r->issues_seen);
	if (r->error[0])
		cJSON_AddStringToObject(j, "error", r->error);
	else
		cJSON_AddNullToObject(j, "error");
	cJSON_AddBoolToObject(j, "warning", r->warning);
	cJSON_AddItemToObject(j, "sources", r->sources != NULL ?
	    cJSON_Duplicate(r->sources, 1) : cJSON_CreateArray());
	cJSON_AddBoolToObject(j, "outage_declared", st->outage_declared);
	c = cJSON_AddObjectToObject(j, "counters");
	cJSON_AddNumberToObject(c, "outage", (double)st->outage_count);
	cJSON_AddNumberToObject(c, "healthy", (double)st->healthy_count);
	cJSON_AddNumberToObject(c, "unknown", (double)a->unknown_streak);
	cJSON_AddStringToObject(j, "mode", mode_name(a->cfg->policy.mode));
	cJSON_AddNumberToObject(j, "poll_interval",
	    (double)a->cfg->policy.poll_interval);
	format_time_ms(now + a->cfg->policy.poll_interval * 1000, t, sizeof(t));
	cJSON_AddStringToObject(j, "next_poll", t);
	cJSON_AddNumberToObject(j, "pid", (double)getpid());
	cJSON_AddNumberToObject(j, "polls", (double)a->polls);
}

static void
status_account(struct agent *a, const struct config *c,
    enum account_state live)
{
	cJSON	*l, *o;

	if (a->status == NULL)
		return;
	if (c->account->index == 0)
		cJSON_AddStringToObject(a->status, "account_state",
		    account_state_name(live));
	if (c->naccounts < 2)
		return;
	if ((l = cJSON_GetObjectItemCaseSensitive(a->status, "accounts")) ==
	    NULL)
		l = cJSON_AddArrayToObject(a->status, "accounts");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", c->account->name);
	cJSON_AddStringToObject(o, "dn", c->account->dn);
	cJSON_AddStringToObject(o, "account_state", account_state_name(live));
	cJSON_AddItemToArray(l, o);
}

static void
status_write(struct agent *a)
{
	char	 path[4096], err[512], *text;

	if (a->status == NULL)
		return;
	text = cJSON_Print(a->status);
	cJSON_Delete(a->status);
	a->status = NULL;
	snprintf(path, sizeof(path), "%s/status.json", a->cfg->state_dir);
	if (text == NULL || sd_write_atomic(path, text, strlen(text), err,
	    sizeof(err)) == -1)
		log_warnx("status: %s", text == NULL ? "out of memory" : err);
	free(text);
}

/* "outage declared: MO123 (serviceInterruption), ..." */
static void
evidence_text(const cJSON *ev, char *buf, size_t size)
{
	const cJSON	*o;
	size_t		 len = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(o, ev) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "detail");
		if (len + 2 >= size)
			break;
		if (cJSON_IsString(id))
			len += (size_t)snprintf(buf + len, size - len, "%s%s (%s)",
			    len ? ", " : "", id->valuestring,
			    cJSON_IsString(st) ? st->valuestring : "?");
		else if (cJSON_IsString(d))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len ? ", " : "", d->valuestring);
	}
}

/* the audit's evidence of a poll: {source, issues}, or NULL */
static cJSON *
evidence_of(const struct poll_result *r)
{
	cJSON	*ev;

	if (r->evidence == NULL)
		return NULL;
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "source", r->source);
	cJSON_AddItemToObject(ev, "issues", cJSON_Duplicate(r->evidence, 1));
	return ev;
}

/* an agent event: audit line, syslog, notification */
static void
record(const struct config *c, struct state *st, const char *event,
    const char *from, const char *to, const char *reason,
    const cJSON *evidence)
{
	event_record(c, &(struct event){ .actor = "agent", .event = event,
	    .from = from, .to = to, .reason = reason, .evidence = evidence,
	    .state = st->account_state, .head = &st->audit_head }, NULL, 0);
}

/* while the account is enabled, say so every notify.remind_every */
static void
remind(const struct config *c, struct state *st, enum account_state live,
    int64_t now)
{
	char			reason[1200];

	if (live != ACCOUNT_ENABLED) {
		st->last_reminder_ms = 0;
		return;
	}
	if (st->last_reminder_ms == 0) {
		st->last_reminder_ms = now;	/* the clock starts now */
		return;
	}
	if (c->notify.remind_every <= 0 ||
	    now - st->last_reminder_ms < c->notify.remind_every * 1000)
		return;
	st->last_reminder_ms = now;
	snprintf(reason, sizeof(reason), "the account is still enabled%s%s",
	    st->ovr.active ? "; override: " : st->outage_declared ?
	    "; the outage is still declared" : "; no override, no outage: "
	    "disable it", st->ovr.active ? st->ovr.reason : "");
	event_record(c, &(struct event){ .actor = "agent", .event =
	    "reminder", .state = ACCOUNT_ENABLED, .reason = reason,
	    .until_ms = st->ovr.active ? st->ovr.until_ms : 0, .head =
	    &st->audit_head, .flags = EV_NO_AUDIT | EV_NO_SYSLOG }, NULL, 0);
}

/*
 * Someone disabled the account in AD while breakglass held it enabled: a
 * responder who suspects it is compromised.  breakglass never enables it
 * again on its own (not as a revert, not for the outage in force): the
 * disable is held as an override without end until a person runs
 * `breakglass auto` or `breakglass enable`.
 */
static void
hold_disabled(const struct config *c, struct state *st, int64_t now)
{
	char	reason[REASON_MAX + 1];

	snprintf(reason, sizeof(reason), "account disabled outside "
	    "breakglass while breakglass held it enabled; held disabled until "
	    "a person runs 'breakglass auto' or 'breakglass enable'");
	record(c, st, "drift", account_state_name(ACCOUNT_ENABLED),
	    account_state_name(ACCOUNT_DISABLED), reason, NULL);
	memset(&st->ovr, 0, sizeof(st->ovr));
	st->ovr.active = 1;
	st->ovr.state = ACCOUNT_DISABLED;
	st->ovr.set_ms = now;
	st->ovr.until_ms = 0;		/* no end: a person ends it */
	st->ovr.during_outage = 0;	/* not ended by the outage's end */
	bg_strlcpy(st->ovr.actor, "agent", sizeof(st->ovr.actor));
	bg_strlcpy(st->ovr.reason, reason, sizeof(st->ovr.reason));
	st->last_set = ACCOUNT_DISABLED;
	/* the window of use it was enabled for is closed: the review due */
	state_review_due(st, config_revoke_applies(c), now, 0);
	/* audited, not mailed again: the drift notice says it all */
	event_record(c, &(struct event){ .actor = "agent", .event =
	    "override-set", .to = account_state_name(ACCOUNT_DISABLED),
	    .reason = reason, .flags = EV_NO_NOTICE, .head = &st->audit_head },
	    NULL, 0);
}

/*
 * Told once an episode: a source that may only warn saw an outage
 * (policy.token_probe = warn), or an answer looked intercepted.
 */
static void
tell_once(struct agent *a, const struct config *c, struct state *st,
    const struct poll_result *r)
{
	char	reason[1200];
	cJSON	*ev;

	if (r->warning && !a->warned) {
		snprintf(reason, sizeof(reason), "%s: %s; if an outage is "
		    "confirmed: breakglass enable --reason \"...\"", r->source,
		    r->error);
		ev = evidence_of(r);
		record(c, st, "warn", NULL, NULL, reason, ev);
		cJSON_Delete(ev);
	}
	a->warned = r->warning;
	if (r->alert && !a->alerted) {
		snprintf(reason, sizeof(reason), "%s: not counted as an "
		    "outage; check DNS and the path to %s", r->error,
		    c->graph.authority);
		record(c, st, "alert", NULL, NULL, reason, NULL);
	}
	a->alerted = r->alert;
}

/* the polls an adopted account is held: policy.takeover_hold, else the
   longer of rise and fall */
static long
hold_polls(const struct config *c)
{
	if (c->policy.takeover_hold > 0)
		return c->policy.takeover_hold;
	return c->policy.rise > c->policy.fall ? c->policy.rise :
	    c->policy.fall;
}

/*
 * The first read after a start or a reload finds the account other than
 * this agent last recorded it: set outside this agent (a peer that took
 * over before, a person, a restore of state_dir).  Not drift: adopted as
 * found, and held so for hold_polls() polls while this agent's own view of
 * the health (its counters, started anew) builds up; then it decides as
 * always, and a change out of band after that is drift again.
 */
static void
adopt(struct agent *a, const struct config *c, struct state *st,
    enum account_state live, const struct ad_account *acct)
{
	size_t	i = c->account->index;
	long	n = hold_polls(c);
	char	reason[1200];
	cJSON	*extra;

	snprintf(reason, sizeof(reason), "this agent took over: the account "
	    "is %s (whenChanged %s), this agent last recorded it %s; set "
	    "outside this agent: a peer, a person or a restore; held as found "
	    "for %ld polls, until this agent's own view of the health decides",
	    account_state_name(live), acct->when_changed,
	    account_state_name(st->account_state), n);
	extra = cJSON_CreateObject();
	cJSON_AddStringToObject(extra, "whenChanged", acct->when_changed);
	cJSON_AddNumberToObject(extra, "hold_polls", (double)n);
	if (st->outage_declared || st->outage_count || st->healthy_count)
		cJSON_AddBoolToObject(extra, "health_counters_reset", 1);
	event_record(c, &(struct event){ .actor = "agent", .event = "adopted",
	    .from = account_state_name(st->account_state), .to =
	    account_state_name(live), .reason = reason, .extra = extra,
	    .state = live, .head = &st->audit_head }, NULL, 0);
	cJSON_Delete(extra);
	st->account_state = live;
	st->last_set = live;		/* this agent's from now on */
	/* a state not ours: its health view is not ours either */
	st->outage_count = st->healthy_count = 0;
	st->outage_declared = 0;
	st->outage_since_ms = 0;
	a->hold_until[i] = a->polls + n - 1;	/* this poll is the first */
}

/*
 * Lock held, c a view of one account: drift, decision, action.  dpoll is
 * the poll's step of the shared counters (policy_count, by the first
 * account): its outage-declared and -cleared lines are recorded once.
 * Long on purpose: one poll's decision in the order it must happen (drift,
 * the policy step and its records, the action, the back-off), readable top
 * to bottom in one place.
 */
static void
decide_and_act(struct agent *a, const struct config *c, struct state *st,
    const struct poll_result *r, enum account_state live, int64_t now,
    struct decision *dpoll)
{
	size_t			 i = c->account->index;
	struct decision		 d;
	struct toggle_result	 res;
	enum account_state	 target = ACCOUNT_UNKNOWN;	/* none */
	char			 why[1024], reason[1400], err[1536];
	cJSON			*ev = evidence_of(r);
	int			 held;

	/* held after a take-over: as found, whatever the health says */
	held = a->polls <= a->hold_until[i];
	if (held && live != ACCOUNT_UNKNOWN)
		st->account_state = st->last_set = live;
	/* drift: the account changed and breakglass did not do it */
	if (live != ACCOUNT_UNKNOWN && st->account_state != ACCOUNT_UNKNOWN &&
	    live != st->account_state) {
		if (live == ACCOUNT_DISABLED)
			hold_disabled(c, st, now);
		else {
			snprintf(reason, sizeof(reason), "account changed "
			    "outside breakglass (on_drift = %s)",
			    drift_name(c->policy.on_drift));
			record(c, st, "drift",
			    account_state_name(st->account_state),
			    account_state_name(live), reason, NULL);
		}
		/* revert only ever toward disabled: see hold_disabled() */
		if (c->policy.on_drift == DRIFT_REVERT &&
		    c->policy.mode == MODE_AUTO && c->account->automatic &&
		    live == ACCOUNT_ENABLED)
			target = ACCOUNT_DISABLED;
		else
			st->account_state = live;
	} else if (live != ACCOUNT_UNKNOWN)
		st->account_state = live;

	/* the same record as a command line's (override.c) */
	if (override_expire(c, st, now, err, sizeof(err)) == -1)
		log_warnx("override-expired: %s", err);
	evidence_text(r->evidence, why, sizeof(why));
	if (i == 0) {
		policy_count(c->policy.rise, c->policy.fall, st, r->verdict,
		    now, dpoll);
		if (dpoll->outage_declared) {
			snprintf(reason, sizeof(reason), "outage declared "
			    "after %ld polls: %s", st->outage_count, why);
			record(c, st, "outage-declared", NULL, NULL, reason,
			    ev);
		}
		if (dpoll->outage_cleared) {
			snprintf(reason, sizeof(reason), "outage cleared after "
			    "%ld healthy polls", st->healthy_count);
			record(c, st, "outage-cleared", NULL, NULL, reason,
			    NULL);
		}
	}
	if (held)
		goto out;
	d = *dpoll;
	policy_account(c->policy.mode, c->policy.fall, c->account->automatic,
	    st, now, &d);
	if (d.override_ended)
		record(c, st, "override-cleared",
		    account_state_name(ACCOUNT_DISABLED), NULL,
		    "the outage it was set in is over", NULL);

	if (target != ACCOUNT_UNKNOWN)
		snprintf(reason, sizeof(reason), "drift reverted (on_drift = "
		    "revert)");
	else if (d.want != ACCOUNT_UNKNOWN && d.want != st->last_set) {
		target = d.want;
		if (st->ovr.active)
			snprintf(reason, sizeof(reason), "override by %s: %s",
			    st->ovr.actor, st->ovr.reason);
		else if (st->outage_declared)
			snprintf(reason, sizeof(reason), "outage: %s", why);
		else
			snprintf(reason, sizeof(reason), "no outage (%ld healthy "
			    "polls)", st->healthy_count);
	}
	if (target == ACCOUNT_UNKNOWN)
		goto out;
	if (live == ACCOUNT_UNKNOWN)
		goto out;		/* cannot act without AD: next poll */
	if (live == target) {
		st->last_set = target;
		goto out;
	}
	if (now < a->toggle_not_before_ms[i])
		goto out;		/* backing off after failures */
	/* success is logged (syslog and stderr) by toggle_account itself */
	if (toggle_account(c, st, "agent", reason, target == ACCOUNT_DISABLED ?
	    TOGGLE_DISABLE : 0,
	    ev, &res, err, sizeof(err)) == -1) {
		int64_t	wait = c->policy.poll_interval;

		log_warnx("%s", err);
		for (long k = 0; k < a->toggle_failures[i] && wait <
		    TOGGLE_BACKOFF_MAX; k++)
			wait *= 2;
		if (wait > TOGGLE_BACKOFF_MAX)
			wait = TOGGLE_BACKOFF_MAX;
		a->toggle_failures[i]++;
		a->toggle_not_before_ms[i] = now_ms() + wait * 1000;
		log_warnx("will try again in %llds (failure %ld in a row)",
		    (long long)wait, a->toggle_failures[i]);
		/* re-bind the kept session too: it may hide the cause */
		ad_close(a->ad);
		a->ad = NULL;
	} else {
		a->toggle_failures[i] = 0;
		a->toggle_not_before_ms[i] = 0;
		a->sync_want[i] = res.sync_want;
	}
 out:
	cJSON_Delete(ev);
}

/* the Graph questions of a cycle, asked after the lock is released */
struct graph_ask {
	enum account_state confirm_want;	/* a cloud confirmation pending,
						   or ACCOUNT_UNKNOWN */
	int64_t		confirm_since_ms;
	int		signins;		/* sign-ins due */
	char		signin_since[RFC3339_LEN];
};

/*
 * Graph calls take up to graph.timeout each, longer in the very outage the
 * agent is there for: they run without the lock, so that an admin's
 * enable or disable never waits behind them.  The answers are recorded
 * under the lock again, against the state as it is then: a confirmation
 * the command line replaced meanwhile is left to the next poll.
 */
struct graph_answers {
	const struct config	*c;
	const struct graph_ask	*g;
	int			 got;		/* cloud_state(): 0 answered */
	int			 enabled;
	int64_t			 asked;
	cJSON			*signins;	/* or NULL */
};

static int
graph_apply(struct state *st, void *arg, char *err, size_t errlen)
{
	struct graph_answers	*ga = arg;
	const struct graph_ask	*g = ga->g;

	(void)err;
	(void)errlen;
	if (g->confirm_want != ACCOUNT_UNKNOWN &&
	    st->confirm_want == g->confirm_want &&
	    st->confirm_since_ms == g->confirm_since_ms)
		cloud_confirm_apply(ga->c, st, "agent", ga->got, ga->enabled,
		    ga->asked);
	if (ga->signins != NULL)
		signins_apply(ga->c, st, ga->signins);
	return 1;
}

static void
graph_step(struct agent *a, const struct config *c, const struct graph_ask *g)
{
	cJSON		*j = NULL;
	char		 err[1024];
	int64_t		 asked = now_ms();
	int		 got = -1, enabled = 0;
	struct graph_answers ga;

	if (g->confirm_want == ACCOUNT_UNKNOWN && !g->signins)
		return;
	if (g->confirm_want != ACCOUNT_UNKNOWN)
		got = cloud_state(c, &a->poll, &enabled, err, sizeof(err));
	if (g->signins) {
		j = signins_fetch(c, &a->poll, g->signin_since, err,
		    sizeof(err));
		if (j == NULL && !a->signins_down)
			log_warnx("sign-ins of %s cannot be read (the app needs "
			    "AuditLog.Read.All, the tenant Entra ID P1): %s",
			    c->account->upn, err);
		a->signins_down = j == NULL;
	}
	if (g->confirm_want == ACCOUNT_UNKNOWN && j == NULL)
		return;
	ga = (struct graph_answers){ c, g, got, enabled, asked, j };
	if (state_update(c->state_dir, c->account,
	    graph_apply, &ga, err, sizeof(err)) ==
	    -1)
		log_warnx("%s; Graph answers left to the next poll", err);
	cJSON_Delete(j);
}

/*
 * Lock held: one account's part of a poll, on its own state (issue 15):
 * reconcile, read AD, drift, decide, act, remind, watch; what to ask Graph
 * after the lock in g.  The first account also steps the shared counters.
 */
static enum account_state
account_poll(struct agent *a, const struct config *c, struct state *st,
    const struct poll_result *r, struct decision *dpoll, int signins_due,
    struct graph_ask *g, int64_t now)
{
	struct ad_account	acct;
	enum account_state	live;

	reconcile(c, st, "agent");
	live = read_live(a, c, &acct);
	if (live != ACCOUNT_UNKNOWN) {
		st->account_uac = acct.uac;
		st->account_seen_ms = now;
		if (a->takeover[c->account->index]) {
			a->takeover[c->account->index] = 0;
			if (st->account_state != ACCOUNT_UNKNOWN &&
			    live != st->account_state)
				adopt(a, c, st, live, &acct);
		}
	}
	decide_and_act(a, c, st, r, live, now, dpoll);
	if (c->account->index == 0)
		tell_once(a, c, st, r);
	remind(c, st, st->account_state, now);
	if (live != ACCOUNT_UNKNOWN) {
		watch_directory(c, a->ad, st);
		rotation_watch(c, a->ad, st, now);
	}
	memset(g, 0, sizeof(*g));
	g->confirm_want = st->confirm_want;
	g->confirm_since_ms = st->confirm_since_ms;
	if (signins_due && signins_watched(c)) {
		signins_start(st);
		g->signins = 1;
		bg_strlcpy(g->signin_since, st->signin_since,
		    sizeof(g->signin_since));
	}
	if (drill_overdue(c, st, now) && now - st->drill_reminded_ms >=
	    c->policy.drill_every * 1000) {
		st->drill_reminded_ms = now;
		event_record(c, &(struct event){ .actor = "agent",
		    .event = "drill-overdue", .state = st->account_state,
		    .reason = st->last_drill_ms ? "the last drill is older than "
		    "policy.drill_every: run breakglass drill --reason ..." :
		    "no drill on record: run breakglass drill --reason ...",
		    .head = &st->audit_head, .flags = EV_NO_AUDIT |
		    EV_NO_SYSLOG }, NULL, 0);
	}
	st->agent_pid = getpid();
	return live;
}

/*
 * One poll: health once, then each account in turn under the lock (each
 * loads, changes and saves its own state: the next one reads the shared
 * part the previous one wrote), then, without the lock, each account's
 * sync, revocation and Graph questions.
 */
static void
cycle(struct agent *a)
{
	struct poll_result	r;
	struct state		st;
	struct decision		dpoll;
	struct graph_ask	g[ACCOUNTS_MAX];
	struct config		v;
	enum account_state	live[ACCOUNTS_MAX];
	char			err[1024];
	int64_t			now = now_ms();
	int			lockfd, signins_due;
	size_t			i, n = a->cfg->naccounts;

	a->polls++;
	poll_health(a->cfg, &a->poll, now, &r);
	if (r.verdict == VERDICT_UNKNOWN) {
		if (++a->unknown_streak == UNKNOWN_REPORT)
			log_warnx("health unknown for %d polls in a row: %s",
			    UNKNOWN_REPORT, r.error);
		else
			log_debug("health unknown: %s", r.error);
	} else {
		if (a->unknown_streak >= UNKNOWN_REPORT)
			log_warnx("health readable again after %ld unknown "
			    "polls", a->unknown_streak);
		a->unknown_streak = 0;
	}
	if (r.verdict != a->last_verdict)
		log_info("health: %s%s%s", verdict_name(r.verdict),
		    r.error[0] ? ": " : "", r.error);
	a->last_verdict = r.verdict;
	if (stop_flag)
		goto out;

	if ((lockfd = state_lock(a->cfg->state_dir, err, sizeof(err))) < 0) {
		log_warnx("lock: %s; skipping this poll", err);
		goto out;
	}
	signins_due = now - a->signins_ms >= a->cfg->watch.every * 1000;
	if (signins_due)
		a->signins_ms = now;
	memset(&dpoll, 0, sizeof(dpoll));
	for (i = 0; i < n; i++) {
		config_view(a->cfg, i, &v);
		live[i] = ACCOUNT_UNKNOWN;
		memset(&g[i], 0, sizeof(g[i]));
		if (state_load(v.state_dir, v.account, &st, err,
		    sizeof(err)) == -1) {
			log_warnx("%s; skipping this poll", err);
			break;
		}
		live[i] = account_poll(a, &v, &st, &r, &dpoll, signins_due,
		    &g[i], now);
		if (state_save(v.state_dir, v.account, &st, err,
		    sizeof(err)) == -1)
			log_warnx("state: %s", err);
		if (i == 0)
			write_status(a, &r, &st, now);
		status_account(a, &v, live[i]);
	}
	state_unlock(lockfd);
	status_write(a);
	for (i = 0; i < n; i++) {
		config_view(a->cfg, i, &v);
		/* sync.command, without the lock */
		if (a->sync_want[i] != ACCOUNT_UNKNOWN) {
			sync_unlocked(&v, "agent", a->sync_want[i]);
			a->sync_want[i] = ACCOUNT_UNKNOWN;
		}
		after_use(&v, &a->poll, "agent");	/* revoke.h */
		if (!stop_flag)
			graph_step(a, &v, &g[i]);
	}
	account_session_end();	/* the accounts' changes: one session */
	notify_flush(a->cfg, "agent", 0);	/* outside the lock */
 out:
	poll_result_free(&r);
}

static void
reload(struct agent *a, const char *path)
{
	struct config	*n;
	char		 err[1024];

	reload_flag = 0;
	if ((n = config_load(path, err, sizeof(err))) == NULL ||
	    config_check_secrets(n, err, sizeof(err)) == -1) {
		log_warnx("reload rejected, keeping the running configuration: "
		    "%s", err);
		config_free(n);
		return;
	}
	if (strcmp(n->state_dir, a->cfg->state_dir) != 0) {
		/* the lock, the audit chain and the spool live there */
		log_warnx("reload rejected, keeping the running configuration: "
		    "state_dir changed (%s -> %s); that needs a restart",
		    a->cfg->state_dir, n->state_dir);
		config_free(n);
		return;
	}
	config_free(a->cfg);
	a->cfg = n;
	/* the accounts may have changed: their back-offs start anew */
	memset(a->ad_down, 0, sizeof(a->ad_down));
	memset(a->toggle_failures, 0, sizeof(a->toggle_failures));
	memset(a->toggle_not_before_ms, 0, sizeof(a->toggle_not_before_ms));
	/* compared with AD again at the next read, as at a start */
	for (size_t i = 0; i < ACCOUNTS_MAX; i++)
		a->takeover[i] = 1;
	memset(a->hold_until, 0, sizeof(a->hold_until));
	poll_ctx_free(&a->poll);	/* CA, endpoints may have changed */
	poll_ctx_init(&a->poll);
	ad_close(a->ad);
	a->ad = NULL;
	log_warnx("configuration reloaded from %s", path);
}

struct running {
	struct agent		*a;
	int			 starting;
	int			 unclean;	/* the previous agent died */
	enum account_state	 account_state;
	struct audit_head	 head;
};

/* lock held: agent-start / agent-stop, and the pid of the running agent */
static int
mark_apply(struct state *st, void *arg, char *err, size_t errlen)
{
	struct running	*r = arg;
	cJSON		*extra = NULL;
	char		 aerr[512];
	int		 rc = 1;

	if (r->starting)
		reconcile(r->a->cfg, st, "agent");
	if (r->starting && st->agent_pid > 0 && st->agent_pid != getpid()) {
		if (kill((pid_t)st->agent_pid, 0) == 0) {
			bg_err(err, errlen, "another agent (pid %ld) is running "
			    "on %s", st->agent_pid, r->a->cfg->state_dir);
			return -1;
		}
		r->unclean = 1;
		extra = cJSON_CreateObject();
		cJSON_AddBoolToObject(extra, "after_unclean_stop", 1);
		cJSON_AddNumberToObject(extra, "previous_pid",
		    (double)st->agent_pid);
	}
	st->agent_pid = r->starting ? getpid() : 0;
	/* the notice of an unclean stop goes out after the lock */
	if (!(event_record(r->a->cfg, &(struct event){ .actor = "agent",
	    .event = r->starting ? "agent-start" : "agent-stop", .reason =
	    r->starting ? (r->unclean ? "agent started after an unclean stop" :
	    "agent started") : "agent stopped", .extra = extra, .head =
	    &st->audit_head, .flags = EV_NEED_AUDIT | EV_NO_SYSLOG |
	    EV_NO_NOTICE }, aerr, sizeof(aerr)) & EV_AUDITED)) {
		bg_err(err, errlen, "audit log not writable: %s", aerr);
		rc = -1;
	}
	r->account_state = st->account_state;
	r->head = st->audit_head;
	cJSON_Delete(extra);
	return rc;
}

/* agent-start / agent-stop, and the pid that marks a running agent */
static int
mark_running(struct agent *a, int starting)
{
	struct running	r = { .a = a, .starting = starting };
	char		err[1024];

	if (state_update(a->cfg->state_dir, a->cfg->account,
	    mark_apply, &r, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	if (r.unclean)	/* the previous agent died: tell the admins */
		event_record(a->cfg, &(struct event){ .actor = "agent", .event =
		    "agent-start", .state = r.account_state, .reason = "the "
		    "agent started after an unclean stop (crash, kill -9 or "
		    "power loss); pending notifications are sent now", .head =
		    &r.head, .flags = EV_NO_AUDIT | EV_NO_SYSLOG }, NULL, 0);
	return 0;
}

/* BREAKGLASS_POLL_INTERVAL_MS: sub-second polls for tests and benchmarks */
static int64_t
poll_ms(const struct config *c)
{
	const char	*e = getenv("BREAKGLASS_POLL_INTERVAL_MS");
	long		 v;

	if (e != NULL && (v = atol(e)) > 0)
		return v;
	return c->policy.poll_interval * 1000;
}

int
agent_run(const char *conf_path, struct config **cfgp, long max_polls)
{
	struct agent	a;
	char		err[1024];
	long		polls = 0;

	memset(&a, 0, sizeof(a));
	a.cfg = *cfgp;
	a.last_verdict = (enum verdict)-1;
	for (size_t i = 0; i < ACCOUNTS_MAX; i++)
		a.takeover[i] = 1;	/* issue 18: adopt, not drift */
	poll_ctx_init(&a.poll);
	set_signals();
	if (statedir_open(a.cfg->state_dir, 1, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return 3;
	}
	if (mark_running(&a, 1) == -1)
		return 3;
	notify_flush(a.cfg, "agent", 1);	/* what a crash left behind */
	log_warnx("agent started: mode %s, poll every %llds, rise %ld, fall "
	    "%ld", mode_name(a.cfg->policy.mode),
	    (long long)a.cfg->policy.poll_interval, a.cfg->policy.rise,
	    a.cfg->policy.fall);
	while (!stop_flag) {
		int64_t next = now_ms() + poll_ms(a.cfg);

		if (reload_flag)
			reload(&a, conf_path);
		cycle(&a);
		if (max_polls > 0 && ++polls >= max_polls)
			break;
		while (!stop_flag && !reload_flag && now_ms() < next) {
			int64_t left = next - now_ms();
			struct timespec ts = { 0, (long)(left > 50 ? 50 :
			    left) * 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	mark_running(&a, 0);
	log_warnx("agent stopped");
	poll_ctx_free(&a.poll);
	ad_close(a.ad);
	*cfgp = a.cfg;
	return 0;
}
