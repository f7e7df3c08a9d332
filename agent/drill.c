/* SPDX-License-Identifier: ISC */
/* drill.c - the drill: enable, confirm in AD and the cloud, disable, timed */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "../ldap/ad.h"
#include "account.h"
#include "drill.h"
#include "event.h"
#include "exits.h"
#include "log.h"
#include "poll.h"
#include "state.h"
#include "statedir.h"
#include "sync.h"
#include "toggle.h"
#include "util.h"

/* BREAKGLASS_DRILL_POLL_MS: how often the cloud is asked (tests: faster) */
static int64_t
drill_poll_ms(void)
{
	const char	*e = getenv("BREAKGLASS_DRILL_POLL_MS");
	long		 v = e != NULL ? strtol(e, NULL, 10) : 0;

	return v >= 10 && v <= 60000 ? v : 5000;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* AD says the account is in the wanted state: the elapsed ms, else -1 */
static int64_t
ad_confirm(const struct config *c, int want_enabled, int64_t t0, char *err,
    size_t errlen)
{
	struct ad_account	a;

	if (account_read(c, &a, NULL, 0, err, errlen) != AD_OK)
		return -1;
	if (ad_uac_is_disabled(a.uac) == want_enabled) {
		bg_err(err, errlen, "AD says %s",
		    account_state_name(account_state_of_uac(a.uac)));
		return -1;
	}
	return now_ms() - t0;
}

/* the cloud's accountEnabled reaches want within sync.confirm_within */
static int64_t
cloud_confirm(const struct config *c, struct poll_ctx *p, int want_enabled,
    int64_t t0, char *err, size_t errlen)
{
	int64_t	end = t0 + c->sync.confirm_within * 1000;
	int	enabled;

	for (;;) {
		if (cloud_state(c, p, &enabled, err, errlen) == 0 &&
		    enabled == want_enabled)
			return now_ms() - t0;
		if (now_ms() + drill_poll_ms() > end) {
			if (err[0] == '\0' || strstr(err, "HTTP") == NULL)
				bg_err(err, errlen, "the cloud did not show it "
				    "within sync.confirm_within (%llds)",
				    (long long)c->sync.confirm_within);
			return -1;
		}
		sleep_ms(drill_poll_ms());
	}
}

/*
 * Lock held: whether a drill may start now (it must never take the
 * account away from people who need it), then drill-started in the audit
 * log.  BG_EXIT_DONE to go on, else the exit code and err.
 */
static int
drill_begin(const struct config *c, const char *actor, const char *reason,
    struct state *st, char *err, size_t errlen)
{
	struct ad_account	a;
	char			why[1024];

	if (state_load(c->state_dir, c->account, st, err, errlen) == -1)
		return BG_EXIT_REFUSED;
	reconcile(c, st, actor);
	if (st->outage_declared || override_active(&st->ovr, now_ms())) {
		bg_err(err, errlen, "drill refused: %s; run it when the account "
		    "is not needed", st->outage_declared ? "an outage is "
		    "declared" : "an override holds the account");
		return BG_EXIT_REFUSED;
	}
	if (account_read(c, &a, NULL, 0, why, sizeof(why)) != AD_OK) {
		bg_err(err, errlen, "drill: %s", why);
		return BG_EXIT_FAIL;
	}
	if (!ad_uac_is_disabled(a.uac)) {
		bg_err(err, errlen, "drill refused: the account is enabled now; "
		    "a drill starts and ends with it disabled");
		return BG_EXIT_REFUSED;
	}
	if (!(event_record(c, &(struct event){ .actor = actor, .event =
	    "drill-started", .from = account_state_name(ACCOUNT_DISABLED),
	    .to = account_state_name(ACCOUNT_ENABLED), .reason = reason,
	    .head = &st->audit_head, .flags = EV_NEED_AUDIT |
	    EV_NO_SYSLOG | EV_NO_NOTICE }, why, sizeof(why)) & EV_AUDITED)) {
		bg_err(err, errlen, "audit log not writable, drill not started: "
		    "%s", why);
		return BG_EXIT_REFUSED;
	}
	return BG_EXIT_DONE;
}

/* one change of the drill, its sync, and AD's read-back: res's times */
static void
drill_toggle(const struct config *c, struct state *st, const char *actor,
    const char *reason, int disable, int64_t *change_ms, int64_t *ad_ms,
    char *err, size_t errlen)
{
	struct toggle_result	res;
	int64_t			t0 = now_ms();

	if (toggle_account(c, st, actor, reason, (disable ? TOGGLE_DISABLE :
	    0) | TOGGLE_DRILL, NULL, &res, err,
	    errlen) == -1) {
		log_warnx("drill: %s", err);
		return;
	}
	if (res.sync_want != ACCOUNT_UNKNOWN)	/* the drill holds the lock */
		sync_after_change(c, st, actor, res.sync_want);
	*change_ms = now_ms() - t0;
	*ad_ms = ad_confirm(c, !disable, t0, err, errlen);
}

/* lock held: enable, confirm, disable whatever happened; the timings */
static void
drill_steps(const struct config *c, struct state *st, const char *actor,
    const char *reason, void (*step)(enum drill_step, const struct config *),
    struct drill_result *res)
{
	struct poll_ctx	pc;
	char		why[1200], err[1536];
	int64_t		t0;

	poll_ctx_init(&pc);
	snprintf(why, sizeof(why), "drill: %s", reason);
	if (step != NULL)
		step(DRILL_ENABLING, c);
	t0 = now_ms();
	drill_toggle(c, st, actor, why, 0, &res->enable_ms,
	    &res->ad_confirm_ms, err, sizeof(err));
	if (res->enable_ms >= 0) {
		st->confirm_want = ACCOUNT_UNKNOWN;	/* the drill confirms
							   itself */
		if (res->cloud && res->ad_confirm_ms >= 0)
			res->cloud_confirm_ms = cloud_confirm(c, &pc, 1, t0,
			    res->cloud_err, sizeof(res->cloud_err));
	}
	/* whatever happened, the account ends disabled */
	snprintf(why, sizeof(why), "drill: %s (end)", reason);
	if (step != NULL)
		step(DRILL_DISABLING, c);
	drill_toggle(c, st, actor, why, 1, &res->disable_ms,
	    &res->ad_disabled_ms, res->disable_err,
	    sizeof(res->disable_err));
	res->total_ms = now_ms() - t0;
	res->ok = res->enable_ms >= 0 && res->ad_confirm_ms >= 0 &&
	    res->disable_ms >= 0 && res->ad_disabled_ms >= 0 &&
	    (!res->cloud || res->cloud_confirm_ms >= 0);
	poll_ctx_free(&pc);
}

static void
add_ms(cJSON *o, const char *key, int64_t ms)
{
	if (ms >= 0)
		cJSON_AddNumberToObject(o, key, (double)ms);
	else
		cJSON_AddNullToObject(o, key);
}

/* lock held: drill-finished with the timings, the state, the notice */
static void
drill_end(const struct config *c, struct state *st, const char *actor,
    const char *reason, const struct drill_result *res)
{
	char	result[1300], err[1024];
	cJSON	*extra;

	if (res->ok)
		snprintf(result, sizeof(result), "ok");
	else
		snprintf(result, sizeof(result), "failed: %s", res->enable_ms <
		    0 ? "enable failed" : res->ad_confirm_ms < 0 ? "AD did not "
		    "confirm the enable" : res->disable_ms < 0 ||
		    res->ad_disabled_ms < 0 ? "the disable failed: CHECK THE "
		    "ACCOUNT" : "not confirmed in the cloud");
	extra = cJSON_CreateObject();
	add_ms(extra, "enable_ms", res->enable_ms);
	add_ms(extra, "ad_confirm_ms", res->ad_confirm_ms);
	add_ms(extra, "cloud_confirm_ms", res->cloud_confirm_ms);
	add_ms(extra, "disable_ms", res->disable_ms);
	add_ms(extra, "total_ms", res->total_ms);
	event_record(c, &(struct event){ .actor = actor, .event =
	    "drill-finished", .to = account_state_name(res->ad_disabled_ms >=
	    0 ? ACCOUNT_DISABLED : ACCOUNT_UNKNOWN), .reason = reason,
	    .result = result, .extra = extra, .head = &st->audit_head, .flags = EV_NO_SYSLOG | EV_NO_NOTICE },
	    NULL, 0);
	cJSON_Delete(extra);
	if (res->ok)
		st->last_drill_ms = now_ms();
	if (state_save(c->state_dir, c->account, st, err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
	/* its notice after the state, and without the audit line's "to" */
	event_record(c, &(struct event){ .actor = actor, .event =
	    "drill-finished", .result = result, .state = st->account_state,
	    .reason = reason, .head = &st->audit_head, .flags = EV_NO_AUDIT |
	    EV_NO_SYSLOG }, NULL, 0);
}

int
drill_run(const struct config *c, const char *actor, const char *reason,
    void (*step)(enum drill_step, const struct config *),
    struct drill_result *res, char *err, size_t errlen)
{
	struct state	st;
	char		why[1024];
	int		lockfd, rc;

	memset(res, 0, sizeof(*res));
	res->enable_ms = res->ad_confirm_ms = res->cloud_confirm_ms = -1;
	res->disable_ms = res->ad_disabled_ms = -1;
	if (statedir_open(c->state_dir, 1, why, sizeof(why)) == -1 ||
	    (lockfd = state_lock(c->state_dir, why, sizeof(why))) < 0) {
		bg_err(err, errlen, "drill: %s", why);
		return BG_EXIT_REFUSED;
	}
	res->locked = 1;
	if ((rc = drill_begin(c, actor, reason, &st, err, errlen)) ==
	    BG_EXIT_DONE) {
		res->ran = 1;
		res->cloud = confirm_applies(c);
		drill_steps(c, &st, actor, reason, step, res);
		drill_end(c, &st, actor, reason, res);
		rc = res->ok ? BG_EXIT_DONE : BG_EXIT_FAIL;
	}
	state_unlock(lockfd);
	return rc;
}
