/* SPDX-License-Identifier: ISC */
/* cmd_drill.c - breakglass drill: enable, confirm (AD, cloud), disable, timed */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "../../ldap/ad.h"
#include "commands.h"
#include "../event.h"
#include "../log.h"
#include "../notify/notify.h"
#include "../poll.h"
#include "../state.h"
#include "../statedir.h"
#include "../sync.h"
#include "../text.h"
#include "../toggle.h"
#include "../util.h"

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

static void
add_ms(cJSON *o, const char *key, int64_t ms)
{
	if (ms >= 0)
		cJSON_AddNumberToObject(o, key, (double)ms);
	else
		cJSON_AddNullToObject(o, key);
}

/*
 * Long on purpose, for now: the drill's protocol (enable, confirm in AD
 * and the cloud, disable, timings) and its report in one function; moving
 * the protocol to drill.c is open (issue 14 item 7).
 */
int
cmd_drill(const struct cmd_ctx *x)
{
	const struct cli	*cli = x->cli;
	const struct config	*c = *x->cfg;
	const char		*actor = x->actor;
	struct toggle_result	 res;
	struct state		 st;
	struct poll_ctx		 pc;
	struct ad_account	 a;
	struct notice_in	 in;
	char			 err[1536], reason[1200], result[1300];
	char			 ecloud[1024] = "", eoff[1024] = "";
	cJSON			*extra;
	int64_t			 t0, t_on = -1, t_ad = -1, t_cloud = -1;
	int64_t			 t_off = -1, t_adoff = -1, total;
	int			 lockfd, cloud, rc = BG_EXIT_FAIL, ok;

	if (statedir_open(c->state_dir, 1, err, sizeof(err)) == -1 ||
	    (lockfd = state_lock(c->state_dir, err, sizeof(err))) < 0) {
		log_warnx("drill: %s", err);
		return BG_EXIT_REFUSED;
	}
	poll_ctx_init(&pc);
	if (state_load(c->state_dir, &st, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		rc = BG_EXIT_REFUSED;
		goto out;
	}
	reconcile(c, &st, actor);
	/* a drill must never take the account away from people who need it */
	if (st.outage_declared || override_active(&st.ovr, now_ms())) {
		log_warnx("drill refused: %s; run it when the account is not "
		    "needed", st.outage_declared ? "an outage is declared" :
		    "an override holds the account");
		rc = BG_EXIT_REFUSED;
		goto out;
	}
	if (account_read(c, &a, NULL, 0, err, sizeof(err)) != AD_OK) {
		log_warnx("drill: %s", err);
		goto out;
	}
	if (!ad_uac_is_disabled(a.uac)) {
		log_warnx("drill refused: the account is enabled now; a drill "
		    "starts and ends with it disabled");
		rc = BG_EXIT_REFUSED;
		goto out;
	}
	cloud = confirm_applies(c);
	if (audit_event(c, actor, "drill-started", "disabled", "enabled",
	    cli->reason, "ok", NULL, NULL, &st.audit_head, err,
	    sizeof(err)) == -1) {
		log_warnx("audit log not writable, drill not started: %s", err);
		rc = BG_EXIT_REFUSED;
		goto out;
	}
	snprintf(reason, sizeof(reason), "drill: %s", cli->reason);
	printf("drill: enabling %s\n", c->account.dn);
	fflush(stdout);
	t0 = now_ms();
	if (toggle_account(c, &st, actor, reason, 0, NULL, &res, err,
	    sizeof(err)) == 0) {
		if (res.sync_want != ACCOUNT_UNKNOWN)	/* lock held */
			sync_after_change(c, &st, actor, res.sync_want);
		t_on = now_ms() - t0;
		t_ad = ad_confirm(c, 1, t0, err, sizeof(err));
		st.confirm_want = ACCOUNT_UNKNOWN;	/* the drill confirms
							   itself */
		if (cloud && t_ad >= 0)
			t_cloud = cloud_confirm(c, &pc, 1, t0, ecloud,
			    sizeof(ecloud));
	} else
		log_warnx("drill: %s", err);
	/* whatever happened, the account ends disabled */
	snprintf(reason, sizeof(reason), "drill: %s (end)", cli->reason);
	printf("drill: disabling it again\n");
	fflush(stdout);
	{
		int64_t t1 = now_ms();
		if (toggle_account(c, &st, actor, reason, 1, NULL, &res, eoff,
		    sizeof(eoff)) == 0) {
			if (res.sync_want != ACCOUNT_UNKNOWN)
				sync_after_change(c, &st, actor, res.sync_want);
			t_off = now_ms() - t1;
			t_adoff = ad_confirm(c, 0, t1, eoff, sizeof(eoff));
		} else
			log_warnx("drill: %s", eoff);
	}
	total = now_ms() - t0;
	ok = t_on >= 0 && t_ad >= 0 && t_off >= 0 && t_adoff >= 0 &&
	    (!cloud || t_cloud >= 0);
	if (ok)
		snprintf(result, sizeof(result), "ok");
	else
		snprintf(result, sizeof(result), "failed: %s", t_on < 0 ?
		    "enable failed" : t_ad < 0 ? "AD did not confirm the enable" :
		    t_off < 0 || t_adoff < 0 ? "the disable failed: CHECK THE "
		    "ACCOUNT" : "not confirmed in the cloud");
	extra = cJSON_CreateObject();
	add_ms(extra, "enable_ms", t_on);
	add_ms(extra, "ad_confirm_ms", t_ad);
	add_ms(extra, "cloud_confirm_ms", t_cloud);
	add_ms(extra, "disable_ms", t_off);
	add_ms(extra, "total_ms", total);
	if (audit_event(c, actor, "drill-finished", NULL, t_adoff >= 0 ?
	    "disabled" : "unknown", cli->reason, result, NULL, extra,
	    &st.audit_head, err, sizeof(err)) == -1)
		log_warnx("audit: drill-finished: %s", err);
	cJSON_Delete(extra);
	if (ok)
		st.last_drill_ms = now_ms();
	if (state_save(c->state_dir, &st, err, sizeof(err)) == -1)
		log_warnx("state: %s", err);
	memset(&in, 0, sizeof(in));
	in.event = "drill-finished";
	in.result = result;
	in.state = st.account_state;
	in.reason = cli->reason;
	in.actor = actor;
	in.head = &st.audit_head;
	account_notice(c, &in);

	printf("drill %s\n", ok ? "PASSED" : "FAILED");
	if (t_on >= 0)
		printf("  enable in AD        %lld ms\n", (long long)t_on);
	else
		printf("  enable in AD        FAILED\n");
	if (t_ad >= 0)
		printf("  confirmed in AD     %lld ms\n", (long long)t_ad);
	else
		printf("  confirmed in AD     no\n");
	if (!cloud)
		printf("  confirmed in cloud  not checked (needs graph, "
		    "account.upn, sync.confirm_within)\n");
	else if (t_cloud >= 0)
		printf("  confirmed in cloud  %.1f s\n", (double)t_cloud / 1000);
	else
		out_line(stdout, "  confirmed in cloud  no: %s", ecloud);
	if (t_adoff >= 0)
		printf("  disabled again      %lld ms (confirmed in AD)\n",
		    (long long)t_off);
	else
		out_line(stdout, "  disabled again      NO: %s -- check the "
		    "account now", eoff);
	printf("  total               %.1f s\n", (double)total / 1000);
	rc = ok ? BG_EXIT_DONE : BG_EXIT_FAIL;
 out:
	poll_ctx_free(&pc);
	state_unlock(lockfd);
	notify_once(c, actor);
	return rc;
}
