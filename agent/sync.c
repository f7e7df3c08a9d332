/* SPDX-License-Identifier: ISC */
/* sync.c - after a change: Entra Connect delta sync now, then the cloud's word */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "event.h"
#include "log.h"
#include "notify/notify.h"
#include "poll.h"
#include "process.h"
#include "sync.h"
#include "util.h"

/* a notice of a sync event: the audit line's head, the account's state */
int
confirm_applies(const struct config *c)
{
	return c->graph.tenant_id != NULL && c->account->upn != NULL &&
	    c->sync.confirm_within > 0;
}

/* run sync.command without the lock: 0 ok, -1 failed (err), 1 none set */
static int
sync_run(const struct config *c, enum account_state want, int64_t *elapsed_ms,
    char *err, size_t errlen)
{
	char		 env[5][1200], *envp[6];
	int64_t		 t0 = now_ms();
	int		 rc;

	if (c->sync.command == NULL)
		return 1;
	snprintf(env[0], sizeof(env[0]), "BREAKGLASS_EVENT=sync");
	snprintf(env[1], sizeof(env[1]), "BREAKGLASS_ACCOUNT=%s",
	    c->account->dn);
	snprintf(env[2], sizeof(env[2]), "BREAKGLASS_UPN=%s",
	    c->account->upn ? c->account->upn : "");
	snprintf(env[3], sizeof(env[3]), "BREAKGLASS_STATE=%s",
	    account_state_name(want));
	snprintf(env[4], sizeof(env[4]), "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	for (int i = 0; i < 5; i++)
		envp[i] = env[i];
	envp[5] = NULL;
	rc = run_command("sync.command", c->sync.command, c->state_dir, envp,
	    (long)c->sync.timeout, err, errlen);
	*elapsed_ms = now_ms() - t0;
	return rc == 0 ? 0 : -1;
}

/* lock held: the sync's audit line (and notice if it failed), and the
 * cloud confirmation pending */
static void
sync_record(const struct config *c, struct state *st, const char *actor,
    enum account_state want, int rc, const char *serr, int64_t elapsed_ms)
{
	char		 result[1100], reason[256];
	cJSON		*extra;

	if (rc != 1) {
		snprintf(result, sizeof(result), rc == 0 ? "ok" : "failed: %s",
		    serr);
		snprintf(reason, sizeof(reason), "Entra Connect delta sync "
		    "after the account was %s", account_state_name(want));
		extra = cJSON_CreateObject();
		cJSON_AddNumberToObject(extra, "elapsed_ms",
		    (double)elapsed_ms);
		/* mailed only when it failed */
		event_record(c, &(struct event){ .actor = actor, .event =
		    "sync", .to = account_state_name(want), .reason = reason,
		    .result = result, .extra = extra, .state =
		    st->account_state, .head = &st->audit_head, .flags =
		    EV_NO_SYSLOG | (rc == 0 ? EV_NO_NOTICE : 0) }, NULL, 0);
		cJSON_Delete(extra);
		if (rc == 0)
			log_info("sync.command done in %lld ms",
			    (long long)elapsed_ms);
		else
			log_warnx("sync.command: %s", result + 8);
	}
	if (confirm_applies(c)) {
		st->confirm_want = want;
		st->confirm_since_ms = now_ms();
	}
}

void
sync_after_change(const struct config *c, struct state *st, const char *actor,
    enum account_state want)
{
	char	err[1024] = "";
	int64_t	el = 0;
	int	rc = sync_run(c, want, &el, err, sizeof(err));

	sync_record(c, st, actor, want, rc, err, el);
}

struct sync_done {
	const struct config	*c;
	const char		*actor;
	enum account_state	 want;
	int			 rc;
	const char		*err;
	int64_t			 elapsed_ms;
};

static int
sync_apply(struct state *st, void *arg, char *err, size_t errlen)
{
	const struct sync_done	*d = arg;

	(void)err;
	(void)errlen;
	sync_record(d->c, st, d->actor, d->want, d->rc, d->err, d->elapsed_ms);
	return 1;
}

void
sync_unlocked(const struct config *c, const char *actor,
    enum account_state want)
{
	struct sync_done	d = { c, actor, want, 0, NULL, 0 };
	char			err[1024] = "", lerr[1024];

	d.rc = sync_run(c, want, &d.elapsed_ms, err, sizeof(err));
	d.err = err;
	if (d.rc == 1 && !confirm_applies(c))
		return;			/* nothing to run, nothing to record */
	if (state_update(c->state_dir, c->account,
	    sync_apply, &d, lerr, sizeof(lerr)) ==
	    -1)
		log_warnx("sync.command %s, but not recorded: %s", d.rc == -1 ?
		    "failed" : "done", lerr);
}

int
path_segment(const char *in, char *out, size_t size)
{
	size_t	o = 0;

	for (; *in != '\0'; in++) {
		if (o + 4 >= size) {	/* a cut name is another user */
			out[0] = '\0';
			return -1;
		}
		unsigned char ch = (unsigned char)*in;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~@", ch) != NULL)
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, size - o, "%%%02X", ch);
	}
	out[o] = '\0';
	return 0;
}

int
cloud_state(const struct config *c, struct poll_ctx *p, int *enabled,
    char *err, size_t errlen)
{
	char		 path[1024], upn[600];
	const cJSON	*en;
	cJSON		*u;
	long		 status;

	if (path_segment(c->account->upn, upn, sizeof(upn)) == -1) {
		bg_err(err, errlen, "account.upn: too long for a URL");
		return -1;
	}
	snprintf(path, sizeof(path), "/v1.0/users/%s?$select=id,"
	    "accountEnabled,onPremisesSyncEnabled,onPremisesLastSyncDateTime",
	    upn);
	if ((u = poll_graph_get(c, p, path, &status, err, errlen)) == NULL)
		return -1;
	en = cJSON_GetObjectItemCaseSensitive(u, "accountEnabled");
	if (!cJSON_IsBool(en)) {
		bg_err(err, errlen, "%s: no accountEnabled in the answer",
		    c->account->upn);
		cJSON_Delete(u);
		return -1;
	}
	*enabled = cJSON_IsTrue(en);
	cJSON_Delete(u);
	return 0;
}

int
cloud_confirm_apply(const struct config *c, struct state *st,
    const char *actor, int got, int enabled, int64_t asked_ms)
{
	const char	*want = account_state_name(st->confirm_want);
	char		 reason[512];
	cJSON		*extra;
	int64_t		 el;

	if (st->confirm_want == ACCOUNT_UNKNOWN)
		return 0;
	el = asked_ms - st->confirm_since_ms;
	if (got == 0 && enabled == (st->confirm_want == ACCOUNT_ENABLED)) {
		snprintf(reason, sizeof(reason), "the cloud shows %s %s %.1f s "
		    "after the change in AD", c->account->upn,
		    want, (double)el / 1000);
		extra = cJSON_CreateObject();
		cJSON_AddNumberToObject(extra, "elapsed_s", (double)el / 1000);
		event_record(c, &(struct event){ .actor = actor, .event =
		    "cloud-confirmed", .to = want, .reason = reason,
		    .result = "ok", .extra = extra, .state = st->account_state,
		    .head = &st->audit_head, .flags = EV_NO_SYSLOG }, NULL, 0);
		cJSON_Delete(extra);
		log_info("%s", reason);
		st->confirm_want = ACCOUNT_UNKNOWN;
		return 1;
	}
	if (el <= c->sync.confirm_within * 1000)
		return 0;
	snprintf(reason, sizeof(reason), "the cloud does not show %s %s "
	    "%lld s after the change in AD (Entra Connect not exporting? "
	    "Entra ID down?)", c->account->upn, want,
	    (long long)(el / 1000));
	event_record(c, &(struct event){ .actor = actor, .event =
	    "cloud-unconfirmed", .to = want, .reason = reason,
	    .result = "failed: not confirmed within sync.confirm_within",
	    .notice_result = "failed: not confirmed", .state =
	    st->account_state, .head = &st->audit_head, .flags = EV_NO_SYSLOG },
	    NULL, 0);
	log_warnx("%s", reason);
	st->confirm_want = ACCOUNT_UNKNOWN;
	return -1;
}

int
drill_overdue(const struct config *c, const struct state *st, int64_t now)
{
	return c->policy.drill_every > 0 && (st->last_drill_ms == 0 ||
	    now - st->last_drill_ms > c->policy.drill_every * 1000);
}
