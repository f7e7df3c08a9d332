/* SPDX-License-Identifier: ISC */
/* source_signin_failures.c - the tenant's own MFA failures, before Microsoft posts */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"
#include "source.h"
#include "sync.h"
#include "util.h"

#define TOP_APPS	3	/* applications named in the evidence */
#define USERS_SHOWN	20	/* masked users named in the evidence */

/*
 * Read every policy.signin_every, judged in between: the last read's
 * verdict stands until the next one (rise counts polls, breakglass(8)).
 */
struct signin {
	int64_t		 read_ms;	/* last read; 0: never */
	int64_t		 not_before_ms;	/* Retry-After of the sign-in log */
	int		 denied_told;	/* a 403 logged, this episode */
	enum verdict	 verdict;
	int		 config_error;
	char		 error[768];
	cJSON		*evidence;
};

struct tally {
	long		 failures, interrupts;
	cJSON		*codes;		/* {"500121": n} */
	cJSON		*users;		/* distinct userId (or UPN) */
	cJSON		*shown;		/* their UPNs, masked */
	cJSON		*apps;		/* {"Azure Portal": n} */
	char		 first[40], last[40];
};

static int
counted(const struct config *c, long code)
{
	for (size_t i = 0; i < c->policy.signin_ncodes; i++)
		if (c->policy.signin_codes[i] == code)
			return 1;
	return 0;
}

static int
interrupt(long code)
{
	static const long	ints[] = SIGNIN_INTERRUPTS;

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (ints[i] == code)
			return 1;
	return 0;
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const char	*s = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(o, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

/* "j***@corp.example.com": the first letter and the domain */
static void
mask_upn(const char *upn, char *out, size_t size)
{
	const char	*at = strrchr(upn, '@');

	snprintf(out, size, "%.1s***%s", upn, at != NULL ? at : "");
}

static void
bump(cJSON *counts, const char *key)
{
	cJSON	*n = cJSON_GetObjectItemCaseSensitive(counts, key);

	if (n == NULL)
		cJSON_AddNumberToObject(counts, key, 1);
	else
		cJSON_SetNumberValue(n, n->valuedouble + 1);
}

static int
has_string(const cJSON *a, const char *s)
{
	const cJSON	*x;

	cJSON_ArrayForEach(x, a)
		if (strcmp(x->valuestring, s) == 0)
			return 1;
	return 0;
}

static void
count_one(const struct config *c, struct tally *t, const cJSON *si)
{
	const cJSON	*st = cJSON_GetObjectItemCaseSensitive(si, "status");
	const cJSON	*code = cJSON_GetObjectItemCaseSensitive(st,
			    "errorCode");
	const char	*user, *upn, *at, *app;
	char		 key[24], masked[300];

	if (!cJSON_IsNumber(code))
		return;
	if (interrupt((long)code->valuedouble)) {
		t->interrupts++;
		return;
	}
	if (!counted(c, (long)code->valuedouble))
		return;
	t->failures++;
	snprintf(key, sizeof(key), "%ld", (long)code->valuedouble);
	bump(t->codes, key);
	upn = jstr(si, "userPrincipalName");
	if ((user = jstr(si, "userId")) == NULL)
		user = upn != NULL ? upn : "?";
	if (!has_string(t->users, user)) {
		cJSON_AddItemToArray(t->users, cJSON_CreateString(user));
		mask_upn(upn != NULL ? upn : "?", masked, sizeof(masked));
		if (cJSON_GetArraySize(t->shown) < USERS_SHOWN &&
		    !has_string(t->shown, masked))
			cJSON_AddItemToArray(t->shown,
			    cJSON_CreateString(masked));
	}
	if ((at = jstr(si, "createdDateTime")) != NULL) {
		if (t->first[0] == '\0' || strcmp(at, t->first) < 0)
			snprintf(t->first, sizeof(t->first), "%s", at);
		if (strcmp(at, t->last) > 0)
			snprintf(t->last, sizeof(t->last), "%s", at);
	}
	app = jstr(si, "appDisplayName");
	bump(t->apps, app != NULL ? app : "?");
}

static int
by_count(const void *a, const void *b)
{
	const cJSON	*x = *(const cJSON *const *)a;
	const cJSON	*y = *(const cJSON *const *)b;

	if (x->valuedouble != y->valuedouble)
		return x->valuedouble < y->valuedouble ? 1 : -1;
	return strcmp(x->string, y->string);
}

/* the largest counts of o first: at most max, into top; how many */
static size_t
top_counts(const cJSON *o, const cJSON **top, size_t max)
{
	const cJSON	**all;
	const cJSON	 *x;
	size_t		  n = 0, k = (size_t)cJSON_GetArraySize(o);

	if (k == 0 || (all = calloc(k, sizeof(*all))) == NULL)
		return 0;
	cJSON_ArrayForEach(x, o)
		all[n++] = x;
	qsort(all, n, sizeof(*all), by_count);
	k = n < max ? n : max;
	memcpy(top, all, k * sizeof(*all));
	free(all);
	return k;
}

static cJSON *
detail(cJSON *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static cJSON *
detail(cJSON *ev, const char *fmt, ...)
{
	cJSON	*o = cJSON_CreateObject();
	char	 text[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "source", "signin-failures");
	cJSON_AddStringToObject(o, "detail", text);
	cJSON_AddItemToArray(ev, o);
	return o;
}

/*
 * The judgement of one window: an outage when at least signin_min_users
 * distinct users failed the MFA step and the failures are at least
 * signin_ratio of the MFA attempts.  The attempts come from the same
 * failures-only query: Entra logs a "strong authentication required"
 * interrupt (SIGNIN_INTERRUPTS) each time it asks for the second factor, so
 * attempts = max(interrupts, failures).
 */
void
signin_judge(const struct config *c, const cJSON *items, struct poll_result *r)
{
	struct tally	 t;
	const cJSON	*si, *x, *top[TOP_APPS];
	char		 win[32], codes[256] = "", apps[512] = "";
	long		 attempts, users;
	double		 ratio;
	cJSON		*o, *a;
	size_t		 n, ntop;

	memset(&t, 0, sizeof(t));
	t.codes = cJSON_CreateObject();
	t.users = cJSON_CreateArray();
	t.shown = cJSON_CreateArray();
	t.apps = cJSON_CreateObject();
	cJSON_ArrayForEach(si, items)
		count_one(c, &t, si);
	users = cJSON_GetArraySize(t.users);
	attempts = t.interrupts > t.failures ? t.interrupts : t.failures;
	ratio = attempts > 0 ? (double)t.failures / (double)attempts : 0;
	format_duration(c->policy.signin_window, win, sizeof(win));
	n = 0;
	cJSON_ArrayForEach(x, t.codes)
		n += (size_t)snprintf(codes + n, n < sizeof(codes) ?
		    sizeof(codes) - n : 0, "%s%s", n ? ", " : "", x->string);
	r->verdict = t.failures > 0 && users >= c->policy.signin_min_users &&
	    ratio >= c->policy.signin_ratio ? VERDICT_OUTAGE : VERDICT_HEALTHY;
	snprintf(r->error, sizeof(r->error), "MFA failures: %ld from %ld "
	    "user%s in %s%s%s (%ld MFA attempts, %.0f%% failed)", t.failures,
	    users, users == 1 ? "" : "s", win, codes[0] ? ", code " : "",
	    codes, attempts, ratio * 100);
	r->evidence = cJSON_CreateArray();
	o = detail(r->evidence, "%s", r->error);
	cJSON_AddNumberToObject(o, "failures", (double)t.failures);
	cJSON_AddNumberToObject(o, "users", (double)users);
	cJSON_AddNumberToObject(o, "attempts", (double)attempts);
	cJSON_AddNumberToObject(o, "window_s", (double)c->policy.signin_window);
	cJSON_AddNumberToObject(o, "signins_read",
	    (double)cJSON_GetArraySize(items));
	if (t.failures == 0)
		goto out;
	cJSON_ArrayForEach(x, t.codes) {
		o = detail(r->evidence, "code %s: %.0f", x->string,
		    x->valuedouble);
		cJSON_AddNumberToObject(o, "code", strtod(x->string, NULL));
		cJSON_AddNumberToObject(o, "count", x->valuedouble);
	}
	n = 0;
	cJSON_ArrayForEach(x, t.shown)
		n += (size_t)snprintf(apps + n, n < sizeof(apps) ?
		    sizeof(apps) - n : 0, "%s%s", n ? ", " : "",
		    x->valuestring);
	o = detail(r->evidence, "users: %s%s", apps, users >
	    cJSON_GetArraySize(t.shown) ? ", ..." : "");
	cJSON_AddItemToObject(o, "users_masked", cJSON_Duplicate(t.shown, 1));
	o = detail(r->evidence, "first failure %s, last %s", t.first, t.last);
	cJSON_AddStringToObject(o, "first", t.first);
	cJSON_AddStringToObject(o, "last", t.last);
	n = 0;
	a = cJSON_CreateArray();
	ntop = top_counts(t.apps, top, TOP_APPS);
	for (size_t i = 0; i < ntop; i++) {
		cJSON *e = cJSON_CreateObject();

		x = top[i];
		n += (size_t)snprintf(apps + n, n < sizeof(apps) ?
		    sizeof(apps) - n : 0, "%s%s (%.0f)", n ? ", " : "",
		    x->string, x->valuedouble);
		cJSON_AddStringToObject(e, "app", x->string);
		cJSON_AddNumberToObject(e, "count", x->valuedouble);
		cJSON_AddItemToArray(a, e);
	}
	o = detail(r->evidence, "top applications: %s", apps);
	cJSON_AddItemToObject(o, "apps", a);
 out:
	cJSON_Delete(t.codes);
	cJSON_Delete(t.users);
	cJSON_Delete(t.shown);
	cJSON_Delete(t.apps);
}

/* one read of the sign-in log: failures only, the window, every page */
static void
signin_read(const struct config *c, struct poll_ctx *p, struct signin *sg,
    int64_t now, struct poll_result *r)
{
	struct session_answer	 a;
	char			 since[RFC3339_LEN], filter[200], enc[600],
				 path[800];
	cJSON			*j;

	format_time_ms(now - c->policy.signin_window * 1000, since,
	    sizeof(since));
	snprintf(filter, sizeof(filter), "createdDateTime ge %s and "
	    "status/errorCode ne 0", since);
	if (path_segment(filter, enc, sizeof(enc)) == -1) {
		source_unknown(r, 0, "sign-in log: filter too long");
		return;
	}
	snprintf(path, sizeof(path), "/v1.0/auditLogs/signIns?$filter=%s&"
	    "$top=1000", enc);
	if ((j = session_list(c, &p->graph, path, &a)) == NULL) {
		if (a.retry_after > 0)
			sg->not_before_ms = session_hold_until(now_ms(),
			    a.retry_after);	/* from the answer on */
		/* no licence or no permission: said once, never an outage */
		if (a.status == 403 && !sg->denied_told)
			log_warnx("sign-in log not readable (the tenant needs "
			    "Entra ID P1, the app AuditLog.Read.All): %s; "
			    "signin-failures stays unknown", a.err);
		sg->denied_told = a.status == 403;
		source_unknown(r, a.status == 403, "sign-in log: %s%s", a.err,
		    a.status == 403 ? " (Entra ID P1 and AuditLog.Read.All "
		    "needed)" : "");
		return;
	}
	sg->denied_told = 0;
	signin_judge(c, cJSON_GetObjectItemCaseSensitive(j, "value"), r);
	cJSON_Delete(j);
}

static void
signin_failures(const struct config *c, struct poll_ctx *p, void **state,
    int64_t now, struct poll_result *r)
{
	struct signin	*sg = *state;

	if (sg == NULL && (sg = *state = calloc(1, sizeof(*sg))) == NULL) {
		source_unknown(r, 0, "sign-in log: out of memory");
		return;
	}
	if (now < sg->not_before_ms) {
		source_unknown(r, 0, "sign-in log: Graph asked us to wait "
		    "(Retry-After) %lld s more", (long long)((sg->not_before_ms -
		    now + 999) / 1000));
		return;
	}
	if (sg->read_ms == 0 || now - sg->read_ms >=
	    c->policy.signin_every * 1000) {
		cJSON_Delete(sg->evidence);
		sg->evidence = NULL;
		sg->read_ms = now;
		signin_read(c, p, sg, now, r);
		sg->verdict = r->verdict;
		sg->config_error = r->config_error;
		snprintf(sg->error, sizeof(sg->error), "%s", r->error);
		sg->evidence = cJSON_Duplicate(r->evidence, 1);
		return;
	}
	/* between reads, the last read's verdict stands */
	r->verdict = sg->verdict;
	r->config_error = sg->config_error;
	snprintf(r->error, sizeof(r->error), "%s", sg->error);
	r->evidence = cJSON_Duplicate(sg->evidence, 1);
}

static int
signin_acts(const struct config *c)
{
	return c->policy.signin_acts;
}

static void
signin_free(void *state)
{
	struct signin	*sg = state;

	if (sg != NULL)
		cJSON_Delete(sg->evidence);
	free(sg);
}

const struct source source_signin_failures = {
	.name = "signin-failures",
	.role_key = "policy.sources.signin-failures",
	.acts = signin_acts,
	.poll = signin_failures,
	.free = signin_free,
};
