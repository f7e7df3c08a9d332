/* SPDX-License-Identifier: ISC */
/* report.c - the review of an enabled window: timeline, cloud, to-do list */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "audit.h"
#include "report.h"
#include "statedir.h"
#include "sync.h"
#include "text.h"
#include "util.h"

/* after a window's close, the lines that still belong to it */
static const char *const tail_events[] = {
	"sync", "cloud-confirmed", "cloud-unconfirmed", "sessions-revoked",
	"review", "password-rotated", NULL
};

static const char *
lstr(const cJSON *l, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, key));
}

static int
is(const cJSON *l, const char *key, const char *want)
{
	const char	*v = lstr(l, key);

	return v != NULL && strcmp(v, want) == 0;
}

static int64_t
ltime(const cJSON *l)
{
	int64_t	ms = 0;
	const char *t = lstr(l, "time");

	if (t == NULL || parse_time(t, &ms) == -1)
		return 0;
	return ms;
}

static int64_t
lseq(const cJSON *l)
{
	return (int64_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(l, "seq"));
}

/* an enable that changed the account */
static int
opens(const cJSON *l)
{
	return is(l, "event", "enable") && is(l, "result", "ok") &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "changed"));
}

/* a disable that changed it, or someone else disabling it (drift) */
static int
closes(const cJSON *l)
{
	return (is(l, "event", "disable") && is(l, "result", "ok") &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "changed"))) ||
	    (is(l, "event", "drift") && is(l, "to", "disabled"));
}

/* the events of the whole agent, not of one account: every report's */
static int
shared_event(const cJSON *l)
{
	static const char *const shared[] = { "outage-declared",
	    "outage-cleared", "warn", "alert", "agent-start", "agent-stop",
	    NULL };

	for (const char *const *e = shared; *e != NULL; e++)
		if (is(l, "event", *e))
			return 1;
	return 0;
}

/*
 * The lines of the log about the account dn (NULL: every line) and the
 * shared ones, parsed, as one array: with several accounts, each has
 * its own windows (issue 15)
 */
static cJSON *
load_log(const char *state_dir, const char *dn, int64_t tail, int *whole,
    char *err, size_t errlen)
{
	char	 path[4096], *line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	cJSON	*all = cJSON_CreateArray(), *j;
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", state_dir, AUDIT_FILE);
	*whole = 1;
	if ((fp = sd_fopen_read(path, err, errlen)) == NULL) {
		if (errno == ENOENT)
			return all;
		cJSON_Delete(all);
		return NULL;
	}
	/* the last tail lines only (0: all) */
	if (tail > 0) {
		struct stat	sb;
		off_t		off;

		if (fstat(fileno(fp), &sb) == 0 && (off = audit_tail_offset(
		    fileno(fp), sb.st_size, tail)) > 0 &&
		    fseeko(fp, off, SEEK_SET) == 0)
			*whole = 0;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		if ((j = cJSON_ParseWithLength(line, (size_t)n)) == NULL)
			continue;
		if (dn == NULL || shared_event(j) || (lstr(j, "account") !=
		    NULL && strcasecmp(lstr(j, "account"), dn) == 0))
			cJSON_AddItemToArray(all, j);
		else
			cJSON_Delete(j);
	}
	free(line);
	fclose(fp);
	return all;
}

static void
add_time(cJSON *o, const char *key, int64_t ms)
{
	char	t[RFC3339_LEN];

	if (ms == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	format_time_ms(ms, t, sizeof(t));
	cJSON_AddStringToObject(o, key, t);
}

static void
add_secs(cJSON *o, const char *key, int64_t from_ms, int64_t to_ms)
{
	if (from_ms == 0 || to_ms == 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)(to_ms - from_ms) /
		    1000);
}

static void
add_event(cJSON *events, const cJSON *l, int64_t start_ms)
{
	static const char *const keys[] = { "time", "event", "actor", "from",
	    "to", "result", "reason", NULL };
	cJSON	*e = cJSON_CreateObject();

	cJSON_AddNumberToObject(e, "seq", (double)lseq(l));
	for (int i = 0; keys[i] != NULL; i++) {
		const char *v = lstr(l, keys[i]);
		if (v != NULL)
			cJSON_AddStringToObject(e, keys[i], v);
		else
			cJSON_AddNullToObject(e, keys[i]);
	}
	add_secs(e, "at_s", start_ms, ltime(l));
	cJSON_AddItemToArray(events, e);
}

static int
in_list(const char *v, const char *const *list)
{
	for (; v != NULL && *list != NULL; list++)
		if (strcmp(v, *list) == 0)
			return 1;
	return 0;
}

/* the first line of events after from (by index) with event ev, to want */
static int64_t
first_time(const cJSON *events, const char *ev, const char *key,
    const char *want, int64_t after_seq)
{
	const cJSON	*e;

	cJSON_ArrayForEach(e, events)
		if (lseq(e) > after_seq && is(e, "event", ev) &&
		    (key == NULL || is(e, key, want)))
			return ltime(e);
	return 0;
}

/*
 * Long on purpose: the window's three parts (what led to it, what
 * happened in it, what followed its close) and its durations, in the
 * order the timeline shows them.
 */
static cJSON *
build_window(const cJSON *log, int n, int s, int e, int prev_end)
{
	const cJSON	*start = cJSON_GetArrayItem(log, s);
	const cJSON	*end = e >= 0 ? cJSON_GetArrayItem(log, e) : NULL;
	int64_t		 t0 = ltime(start), t1 = end ? ltime(end) : 0, tdecl = 0;
	int		 declared = -1, ovr = -1, last = e >= 0 ? e : n - 1;
	cJSON		*w = cJSON_CreateObject(), *ev, *d;

	/* what led to it: the outage still declared, the override asked */
	for (int i = prev_end + 1; i < s; i++) {
		const cJSON *l = cJSON_GetArrayItem(log, i);
		if (is(l, "event", "outage-declared"))
			declared = i;
		else if (is(l, "event", "outage-cleared"))
			declared = -1;
	}
	for (int i = s - 1; i > prev_end && i >= s - 3; i--)
		if (is(cJSON_GetArrayItem(log, i), "event", "override-set") &&
		    is(cJSON_GetArrayItem(log, i), "to", "enabled")) {
			ovr = i;
			break;
		}
	cJSON_AddStringToObject(w, "account", lstr(start, "account") ?
	    lstr(start, "account") : "");
	cJSON_AddBoolToObject(w, "open", end == NULL);
	add_time(w, "start", t0);
	add_time(w, "end", t1);
	cJSON_AddNumberToObject(w, "start_seq", (double)lseq(start));
	if (end != NULL)
		cJSON_AddNumberToObject(w, "end_seq", (double)lseq(end));
	else
		cJSON_AddNullToObject(w, "end_seq");
	cJSON_AddStringToObject(w, "enabled_by", lstr(start, "actor") ?
	    lstr(start, "actor") : "?");
	cJSON_AddStringToObject(w, "reason", lstr(start, "reason") ?
	    lstr(start, "reason") : "");
	ev = cJSON_AddArrayToObject(w, "events");
	if (declared >= 0)
		add_event(ev, cJSON_GetArrayItem(log, declared), t0);
	if (ovr >= 0 && ovr != declared)
		add_event(ev, cJSON_GetArrayItem(log, ovr), t0);
	tdecl = ltime(cJSON_GetArrayItem(log, declared >= 0 ? declared :
	    ovr >= 0 ? ovr : s));
	for (int i = s; i <= last; i++) {
		const cJSON *l = cJSON_GetArrayItem(log, i);
		if (!is(l, "result", "started"))
			add_event(ev, l, t0);
	}
	/* what followed the close, until the account is enabled again */
	for (int i = e + 1; e >= 0 && i < n; i++) {
		const cJSON *l = cJSON_GetArrayItem(log, i);
		if (is(l, "event", "enable"))
			break;
		if (in_list(lstr(l, "event"), tail_events))
			add_event(ev, l, t0);
	}
	d = cJSON_AddObjectToObject(w, "durations");
	add_secs(d, "declared_to_enabled_s", tdecl, t0);
	add_secs(d, "enabled_to_cloud_s", t0, first_time(ev,
	    "cloud-confirmed", "to", "enabled", lseq(start)));
	add_secs(d, "enabled_s", t0, t1);
	if (end != NULL) {
		add_secs(d, "disabled_to_cloud_s", t1, first_time(ev,
		    "cloud-confirmed", "to", "disabled", lseq(end)));
		add_secs(d, "disabled_to_sessions_revoked_s", t1,
		    first_time(ev, "sessions-revoked", "result", "ok",
		    lseq(end)));
	} else {
		cJSON_AddNullToObject(d, "disabled_to_cloud_s");
		cJSON_AddNullToObject(d, "disabled_to_sessions_revoked_s");
	}
	cJSON_AddNullToObject(w, "signins");
	cJSON_AddNullToObject(w, "changes");
	cJSON_AddArrayToObject(w, "todo");
	return w;
}

/* the windows of the log's last tail lines (0: all) */
static cJSON *
windows_in(const char *state_dir, const char *dn,
    const struct report_query *q, int64_t tail, int *whole, char *err,
    size_t errlen)
{
	cJSON	*log, *out;
	int	 n, s = -1, prev_end = -1, pick_s = -1, pick_prev = -1;
	int	 pick_e = -1;

	if ((log = load_log(state_dir, dn, tail, whole, err, errlen)) == NULL)
		return NULL;
	out = cJSON_CreateArray();
	n = cJSON_GetArraySize(log);
	for (int i = 0; i <= n; i++) {
		const cJSON *l = i < n ? cJSON_GetArrayItem(log, i) : NULL;
		int end_here = l != NULL && s >= 0 && closes(l);

		if (l != NULL && s < 0 && opens(l)) {
			s = i;
			continue;
		}
		if (!end_here && !(l == NULL && s >= 0))
			continue;
		/* a window [s, i] (i == n: still open) */
		if (q->pick == REPORT_SINCE) {
			if (l == NULL || ltime(l) >= q->since_ms)
				cJSON_AddItemToArray(out, build_window(log, n,
				    s, l ? i : -1, prev_end));
		} else if (q->pick == REPORT_LAST ||
		    lseq(cJSON_GetArrayItem(log, s)) <= q->seq) {
			pick_s = s;
			pick_e = l ? i : -1;
			pick_prev = prev_end;
		}
		prev_end = i;
		s = -1;
	}
	/* a part of the log: only a window whose lead-in is in it too */
	if (q->pick != REPORT_SINCE && pick_s >= 0 && (*whole ||
	    pick_prev >= 0))
		cJSON_AddItemToArray(out, build_window(log, n, pick_s, pick_e,
		    pick_prev));
	cJSON_Delete(log);
	return out;
}

cJSON *
report_windows(const char *state_dir, const char *dn,
    const struct report_query *q, char *err, size_t errlen)
{
	cJSON	*out;
	int64_t	 tail = q->pick == REPORT_SEQ ? 64 : 0;
	int	 whole;

	/*
	 * The review right after a disable asks for the window that ended at
	 * a seq near the end: read the end of the log, more of it until the
	 * window and the end of the one before it (what led to it) are in,
	 * not the whole log at every disable.
	 */
	for (;;) {
		if ((out = windows_in(state_dir, dn, q, tail, &whole, err,
		    errlen)) == NULL || whole || cJSON_GetArraySize(out) > 0)
			return out;
		cJSON_Delete(out);
		tail *= 8;
	}
}

/* a GET on the poll's session; NULL with why ("cannot check: ...") */
static cJSON *
cloud_get(const struct config *c, struct poll_ctx *p, const char *path,
    const char *permission, char *why, size_t size)
{
	char	 err[1024];
	long	 status = 0;
	cJSON	*j = poll_graph_get(c, p, path, &status, err, sizeof(err));

	if (j == NULL && status == 403)
		bg_err(why, size, "cannot check: grant %s", permission);
	else if (j == NULL)
		bg_err(why, size, "cannot check: %s", err);
	return j;
}

/* "$filter=" + the encoded filter */
static int
filtered(char *path, size_t size, const char *base, const char *filter)
{
	char	enc[2400];

	if (path_segment(filter, enc, sizeof(enc)) == -1)
		return -1;
	return (size_t)snprintf(path, size, "%s?$filter=%s", base, enc) <
	    size ? 0 : -1;
}

static const char *
jget(const cJSON *o, const char *a, const char *b)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(o, a);
	const char	*v;

	if (b != NULL)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	v = cJSON_GetStringValue(x);
	return v != NULL ? v : "";
}

/* the account's sign-ins between from and to (RFC 3339) */
static cJSON *
cloud_signins(const struct config *c, struct poll_ctx *p, const char *from,
    const char *to)
{
	char		 filter[800], path[2600], why[1100];
	cJSON		*j = NULL, *out = cJSON_CreateObject(), *items;
	const cJSON	*si;

	snprintf(filter, sizeof(filter), "userPrincipalName eq '%s' and "
	    "createdDateTime ge %s%s%s", c->account->upn, from, to[0] ?
	    " and createdDateTime le " : "", to);
	if (filtered(path, sizeof(path), "/v1.0/auditLogs/signIns", filter)
	    == -1)
		bg_err(why, sizeof(why), "account.upn: too long for a URL");
	else
		j = cloud_get(c, p, path, "AuditLog.Read.All", why,
		    sizeof(why));
	if (j == NULL) {
		cJSON_AddStringToObject(out, "error", why);
		return out;
	}
	items = cJSON_AddArrayToObject(out, "items");
	cJSON_ArrayForEach(si, cJSON_GetObjectItemCaseSensitive(j, "value")) {
		const char *t = jget(si, "createdDateTime", NULL);
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(si, "status"),
		    "errorCode");
		cJSON *o;

		if (strcmp(t, from) < 0 || (to[0] && strcmp(t, to) > 0))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "time", t);
		cJSON_AddStringToObject(o, "ip", jget(si, "ipAddress", NULL));
		cJSON_AddStringToObject(o, "app", jget(si, "appDisplayName",
		    NULL));
		cJSON_AddStringToObject(o, "country", jget(si, "location",
		    "countryOrRegion"));
		cJSON_AddStringToObject(o, "result", cJSON_IsNumber(code) &&
		    code->valueint == 0 ? "success" : "failure");
		cJSON_AddItemToArray(items, o);
	}
	cJSON_AddNumberToObject(out, "count", cJSON_GetArraySize(items));
	cJSON_Delete(j);
	return out;
}

/* the directory audits the account initiated between from and to */
static cJSON *
cloud_changes(const struct config *c, struct poll_ctx *p, const char *from,
    const char *to)
{
	char		 filter[800], path[2600], why[1100], upn[600];
	const char	*id;
	cJSON		*u, *j, *out = cJSON_CreateObject(), *items;
	const cJSON	*a, *t;

	if (path_segment(c->account->upn, upn, sizeof(upn)) == -1) {
		cJSON_AddStringToObject(out, "error", "account.upn: too long "
		    "for a URL");
		return out;
	}
	snprintf(path, sizeof(path), "/v1.0/users/%s?$select=id", upn);
	if ((u = cloud_get(c, p, path, "User.Read.All", why, sizeof(why))) ==
	    NULL) {
		cJSON_AddStringToObject(out, "error", why);
		return out;
	}
	id = jget(u, "id", NULL);
	snprintf(filter, sizeof(filter), "initiatedBy/user/id eq '%s' and "
	    "activityDateTime ge %s%s%s", id, from, to[0] ?
	    " and activityDateTime le " : "", to);
	cJSON_AddStringToObject(out, "user_id", id);
	j = NULL;
	if (filtered(path, sizeof(path), "/v1.0/auditLogs/directoryAudits",
	    filter) == -1)
		bg_err(why, sizeof(why), "the user id is too long for a URL");
	else
		j = cloud_get(c, p, path, "AuditLog.Read.All", why,
		    sizeof(why));
	cJSON_Delete(u);
	if (j == NULL) {
		cJSON_AddStringToObject(out, "error", why);
		return out;
	}
	items = cJSON_AddArrayToObject(out, "items");
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(j, "value")) {
		cJSON *o = cJSON_CreateObject(), *tg;

		cJSON_AddStringToObject(o, "time", jget(a, "activityDateTime",
		    NULL));
		cJSON_AddStringToObject(o, "activity",
		    jget(a, "activityDisplayName", NULL));
		cJSON_AddStringToObject(o, "category", jget(a, "category",
		    NULL));
		cJSON_AddStringToObject(o, "result", jget(a, "result", NULL));
		tg = cJSON_AddArrayToObject(o, "targets");
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(a,
		    "targetResources")) {
			const char *name = jget(t, "displayName", NULL);
			if (*name == '\0')
				name = jget(t, "userPrincipalName", NULL);
			cJSON_AddItemToArray(tg, cJSON_CreateString(*name ?
			    name : jget(t, "id", NULL)));
		}
		cJSON_AddItemToArray(items, o);
	}
	cJSON_AddNumberToObject(out, "count", cJSON_GetArraySize(items));
	cJSON_Delete(j);
	return out;
}

static void
todo(cJSON *list, const char *item, int done, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* done: 1, 0, or -1 (cannot tell) */
static void
todo(cJSON *list, const char *item, int done, const char *fmt, ...)
{
	char	 text[1200];
	va_list	 ap;
	cJSON	*o = cJSON_CreateObject();

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "item", item);
	if (done < 0)
		cJSON_AddNullToObject(o, "done");
	else
		cJSON_AddBoolToObject(o, "done", done);
	cJSON_AddStringToObject(o, "text", text);
	cJSON_AddItemToArray(list, o);
}

void
report_complete(const struct config *c, struct poll_ctx *p, cJSON *w,
    int64_t pwd_ms)
{
	const char	*from = jget(w, "start", NULL), *to = jget(w, "end", NULL);
	const char	*why;
	const cJSON	*ch, *e;
	int64_t		 end_ms = 0;
	int		 cloud = c->graph.tenant_id != NULL &&
			    c->account->upn != NULL, revoked = 0;
	char		 t[RFC3339_LEN];
	cJSON		*list;

	if (cloud) {
		cJSON_ReplaceItemInObject(w, "signins", cloud_signins(c, p,
		    from, to));
		cJSON_ReplaceItemInObject(w, "changes", cloud_changes(c, p,
		    from, to));
	}
	list = cJSON_GetObjectItemCaseSensitive(w, "todo");
	parse_time(to, &end_ms);
	if (end_ms == 0)
		todo(list, "rotate-password", -1, "rotate the password once "
		    "the account is disabled again");
	else if (pwd_ms > 0) {
		format_time_ms(pwd_ms, t, sizeof(t));
		todo(list, "rotate-password", pwd_ms > end_ms, pwd_ms > end_ms ?
		    "the password was changed at %s, after the window" :
		    "rotate the password: it was last set at %s, before the "
		    "window ended (%s)", t, to);
	} else
		todo(list, "rotate-password", -1, "rotate the password (the "
		    "window ended %s; pwdLastSet could not be read)", to);
	ch = cJSON_GetObjectItemCaseSensitive(w, "changes");
	why = jget(ch, "error", NULL);
	if (!cloud)
		todo(list, "review-changes", -1, "review what %s changed in "
		    "the window (Entra audit log: initiated by the account); "
		    "Graph is not configured, so breakglass cannot list it",
		    c->account->upn ? c->account->upn : c->account->dn);
	else if (*why != '\0')
		todo(list, "review-changes", -1, "review what %s changed in "
		    "the window: %s", c->account->upn, why);
	else
		todo(list, "review-changes", 0, "review what %s changed in "
		    "the window: %d directory audit(s) initiated by it",
		    c->account->upn, cJSON_GetArraySize(
		    cJSON_GetObjectItemCaseSensitive(ch, "items")));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(w, "events"))
		if (is(e, "event", "sessions-revoked") && is(e, "result", "ok"))
			revoked = 1;
	if (cloud && end_ms != 0)
		todo(list, "revoke-sessions", revoked, revoked ? "the "
		    "account's sign-in sessions were revoked" : "the account's "
		    "sign-in sessions are not revoked yet (see "
		    "sessions-revoked; recovery.revoke_sessions)");
}

/* "+1:02:03" / "-0:00:04" */
static void
offset(const cJSON *at, char *buf, size_t size)
{
	double		 v;
	long long	 s;

	if (!cJSON_IsNumber(at)) {
		bg_strlcpy(buf, "", size);
		return;
	}
	v = at->valuedouble;
	s = (long long)(v < 0 ? -v : v);
	snprintf(buf, size, "%c%lld:%02lld:%02lld", v < 0 ? '-' : '+',
	    s / 3600, s / 60 % 60, s % 60);
}

static void
dur(char *buf, size_t size, const cJSON *d, const char *key)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(d, key);

	if (cJSON_IsNumber(x))
		snprintf(buf, size, "%.1f s", x->valuedouble);
	else
		bg_strlcpy(buf, "-", size);
}

char *
report_text(const cJSON *w)
{
	const cJSON	*e, *d = cJSON_GetObjectItemCaseSensitive(w, "durations");
	const cJSON	*si = cJSON_GetObjectItemCaseSensitive(w, "signins");
	char		*out = NULL, off[32], a[32], b[32], c2[32], d2[32], e2[32];
	size_t		 len = 0;
	FILE		*fp = open_memstream(&out, &len);

	if (fp == NULL)
		return NULL;
	fprintf(fp, "Review of the enabled window of %s\n", jget(w, "account",
	    NULL));
	fprintf(fp, "  enabled   %s by %s: %s\n", jget(w, "start", NULL),
	    jget(w, "enabled_by", NULL), jget(w, "reason", NULL));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(w, "open")))
		fprintf(fp, "  disabled  not yet: the window is open\n");
	else
		fprintf(fp, "  disabled  %s\n", jget(w, "end", NULL));
	fprintf(fp, "\nTimeline (time, since enabled, event, result: "
	    "reason):\n");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(w, "events")) {
		offset(cJSON_GetObjectItemCaseSensitive(e, "at_s"), off,
		    sizeof(off));
		fprintf(fp, "  %-24s %10s  %-17s %s: %s\n", jget(e, "time",
		    NULL), off, jget(e, "event", NULL), jget(e, "result",
		    NULL), jget(e, "reason", NULL));
	}
	dur(a, sizeof(a), d, "declared_to_enabled_s");
	dur(b, sizeof(b), d, "enabled_to_cloud_s");
	dur(c2, sizeof(c2), d, "enabled_s");
	dur(d2, sizeof(d2), d, "disabled_to_cloud_s");
	dur(e2, sizeof(e2), d, "disabled_to_sessions_revoked_s");
	fprintf(fp, "\nDurations: declared to enabled %s; enabled to the "
	    "cloud %s; enabled for %s;\n  disabled to the cloud %s; disabled "
	    "to sessions revoked %s\n", a, b, c2, d2, e2);
	if (cJSON_IsNull(si) || si == NULL)
		fprintf(fp, "\nCloud sign-ins in the window: not known (Graph "
		    "or account.upn not set)\n");
	else if (*jget(si, "error", NULL) != '\0')
		fprintf(fp, "\nCloud sign-ins in the window: %s\n",
		    jget(si, "error", NULL));
	else {
		fprintf(fp, "\nCloud sign-ins in the window: %d\n",
		    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(si,
		    "items")));
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(si,
		    "items"))
			fprintf(fp, "  %s from %s (%s) to %s: %s\n", jget(e,
			    "time", NULL), jget(e, "ip", NULL), jget(e,
			    "country", NULL), jget(e, "app", NULL), jget(e,
			    "result", NULL));
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(w, "changes"), "items"))
		fprintf(fp, "  change: %s %s (%s): %s\n", jget(e, "time", NULL),
		    jget(e, "activity", NULL), jget(e, "category", NULL),
		    jget(e, "result", NULL));
	fprintf(fp, "\nTo do:\n");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(w, "todo")) {
		const cJSON *dn = cJSON_GetObjectItemCaseSensitive(e, "done");
		fprintf(fp, "  [%s] %s\n", cJSON_IsTrue(dn) ? "x" :
		    cJSON_IsFalse(dn) ? " " : "?", jget(e, "text", NULL));
	}
	if (fclose(fp) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
