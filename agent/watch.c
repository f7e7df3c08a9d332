/* SPDX-License-Identifier: ISC */
/* watch.c - who touches the break-glass account: cloud sign-ins, AD attributes */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../ldap/ad.h"
#include "event.h"
#include "log.h"
#include "notify/notify.h"
#include "poll.h"
#include "sync.h"
#include "toggle.h"
#include "util.h"
#include "watch.h"

/* in state.adw order */
static const char *const watch_attrs[WATCH_ATTRS + 1] = {
	"badPwdCount", "lockoutTime", "lastLogonTimestamp", "pwdLastSet",
	"memberOf", NULL
};

static void
watch_notice(const struct config *c, struct state *st, const char *event,
    const char *reason, const cJSON *extra)
{
	char	line[4200];

	snprintf(line, sizeof(line), "account %s: %s", c->account->dn, reason);
	event_record(c, &(struct event){ .actor = "agent", .event = event,
	    .reason = reason, .extra = extra, .state = st->account_state,
	    .syslog = line, .head = &st->audit_head }, NULL, 0);
}

void
watch_directory(const struct config *c, struct ad_conn *conn,
    struct state *st)
{
	char		 now[WATCH_ATTRS][AD_JOINED_MAX], err[512], reason[3000] = "";
	size_t		 len;
	cJSON		*extra;
	int		 tell = 0, changed = 0;

	if (!c->watch.directory || conn == NULL)
		return;
	/* one search on the kept session, every poll */
	if (ad_read_joined(conn, c->account->dn, watch_attrs, WATCH_ATTRS, now, err,
	    sizeof(err)) != AD_OK) {
		log_debug("watch: %s", err);
		return;
	}
	if (!st->adw_seen) {		/* the first look: remember, no alarm */
		memcpy(st->adw, now, sizeof(st->adw));
		st->adw_seen = 1;
		return;
	}
	extra = cJSON_CreateObject();
	for (int i = 0; i < WATCH_ATTRS; i++) {
		cJSON *o;

		if (strcmp(st->adw[i], now[i]) == 0)
			continue;
		changed = 1;
		/* badPwdCount falling back to 0 is the window expiring */
		if (i == 0 && strtol(now[0], NULL, 10) <
		    strtol(st->adw[0], NULL, 10))
			continue;
		tell = 1;
		len = strlen(reason);
		snprintf(reason + len, sizeof(reason) - len, "%s%s %.600s -> "
		    "%.600s", len ? "; " : "", watch_attrs[i], st->adw[i][0] ?
		    st->adw[i] : "(none)", now[i][0] ? now[i] : "(none)");
		o = cJSON_AddObjectToObject(extra, watch_attrs[i]);
		cJSON_AddStringToObject(o, "from", st->adw[i]);
		cJSON_AddStringToObject(o, "to", now[i]);
	}
	if (tell) {
		char msg[3200];

		snprintf(msg, sizeof(msg), "the break-glass account changed in "
		    "AD while it is %s: %s%s",
		    account_state_name(st->account_state), reason,
		    st->account_state == ACCOUNT_DISABLED &&
		    strstr(reason, "badPwdCount") != NULL ? " (password "
		    "guessing on a disabled break-glass account?)" : "");
		watch_notice(c, st, "ad-watch", msg, extra);
	}
	cJSON_Delete(extra);
	if (changed)
		memcpy(st->adw, now, sizeof(st->adw));
}

static int
seen_id(const struct state *st, const char *id)
{
	for (int i = 0; i < SIGNIN_RING; i++)
		if (strcmp(st->signin_ids[i], id) == 0)
			return 1;
	return 0;
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const char	*s = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(o, key));

	return s != NULL && *s != '\0' ? s : "?";
}

/* one sign-in: an audit line and a notice */
static void
tell_signin(const struct config *c, struct state *st, const cJSON *si)
{
	const cJSON	*loc = cJSON_GetObjectItemCaseSensitive(si, "location");
	const cJSON	*stat = cJSON_GetObjectItemCaseSensitive(si, "status");
	const cJSON	*code = cJSON_GetObjectItemCaseSensitive(stat,
			    "errorCode");
	char		 reason[1500], result[400];
	cJSON		*extra;
	int		 ok = cJSON_IsNumber(code) && code->valueint == 0;

	if (ok)
		snprintf(result, sizeof(result), "success");
	else
		snprintf(result, sizeof(result), "failure %d: %s",
		    cJSON_IsNumber(code) ? code->valueint : -1,
		    jstr(stat, "failureReason"));
	snprintf(reason, sizeof(reason), "sign-in of %s at %s from %s "
	    "(%s, %s, %s) to %s via %s: %s; Conditional Access: %s",
	    jstr(si, "userPrincipalName"), jstr(si, "createdDateTime"),
	    jstr(si, "ipAddress"), jstr(loc, "city"), jstr(loc, "state"),
	    jstr(loc, "countryOrRegion"), jstr(si, "appDisplayName"),
	    jstr(si, "clientAppUsed"), result,
	    jstr(si, "conditionalAccessStatus"));
	extra = cJSON_CreateObject();
	cJSON_AddStringToObject(extra, "signin_id", jstr(si, "id"));
	cJSON_AddStringToObject(extra, "ip", jstr(si, "ipAddress"));
	cJSON_AddStringToObject(extra, "app", jstr(si, "appDisplayName"));
	cJSON_AddStringToObject(extra, "client", jstr(si, "clientAppUsed"));
	cJSON_AddStringToObject(extra, "signin_result", result);
	cJSON_AddStringToObject(extra, "conditional_access",
	    jstr(si, "conditionalAccessStatus"));
	watch_notice(c, st, "signin", reason, extra);
	cJSON_Delete(extra);
}

int
signins_watched(const struct config *c)
{
	return c->watch.signins && c->account->upn != NULL &&
	    c->graph.tenant_id != NULL;
}

void
signins_start(struct state *st)
{
	char	t[RFC3339_LEN];

	if (st->signin_since[0] == '\0') {	/* from now on, no history */
		format_time_ms(now_ms(), t, sizeof(t));
		bg_strlcpy(st->signin_since, t, sizeof(st->signin_since));
	}
}

cJSON *
signins_fetch(const struct config *c, struct poll_ctx *p, const char *since,
    char *err, size_t errlen)
{
	struct session_answer	 a;
	char			 filter[800], enc[2400], path[2600];
	cJSON			*j;

	if ((size_t)snprintf(filter, sizeof(filter), "userPrincipalName eq "
	    "'%s' and createdDateTime ge %s", c->account->upn, since) >=
	    sizeof(filter) || path_segment(filter, enc, sizeof(enc)) == -1) {
		bg_err(err, errlen, "account.upn: too long for a URL");
		return NULL;
	}
	snprintf(path, sizeof(path), "/v1.0/auditLogs/signIns?$filter=%s&"
	    "$top=50", enc);
	/* every page: more than 50 sign-ins since the last read are not lost */
	if ((j = session_list(c, &p->graph, path, &a)) == NULL)
		bg_err(err, errlen, "%s", a.err);
	return j;
}

int
signins_apply(const struct config *c, struct state *st, const cJSON *j)
{
	const cJSON	*si;
	int		 n = 0;

	cJSON_ArrayForEach(si, cJSON_GetObjectItemCaseSensitive(j, "value")) {
		const char *id = jstr(si, "id");
		const char *at = jstr(si, "createdDateTime");

		if (strcmp(id, "?") == 0 || seen_id(st, id))
			continue;
		tell_signin(c, st, si);
		bg_strlcpy(st->signin_ids[st->signin_next], id,
		    sizeof(st->signin_ids[0]));
		st->signin_next = (st->signin_next + 1) % SIGNIN_RING;
		if (strcmp(at, st->signin_since) > 0)
			bg_strlcpy(st->signin_since, at,
			    sizeof(st->signin_since));
		n++;
	}
	return n;
}
