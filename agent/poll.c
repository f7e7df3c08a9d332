/* SPDX-License-Identifier: ISC */
/* poll.c - one look at every health source, combined into one verdict */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poll.h"
#include "source.h"
#include "util.h"

/*
 * The health sources, in the order they run (a later one may judge what
 * an earlier one fetched).  A new source: a file source_NAME.c and a row.
 */
static const struct source *const sources[] = {
	&source_service_health,
	&source_token_probe,
	&source_signin_failures,
};
#define NSOURCES	(sizeof(sources) / sizeof(sources[0]))

_Static_assert(NSOURCES <= POLL_SOURCES_MAX, "raise POLL_SOURCES_MAX");

void
poll_ctx_init(struct poll_ctx *p)
{
	memset(p, 0, sizeof(*p));
	session_init(&p->graph);
}

void
poll_ctx_free(struct poll_ctx *p)
{
	session_free(&p->graph);
	for (size_t i = 0; i < NSOURCES; i++)
		if (sources[i]->free != NULL)
			sources[i]->free(p->src[i]);
	memset(p, 0, sizeof(*p));
}

void
source_unknown(struct poll_result *r, int config_error, const char *fmt, ...)
{
	va_list	ap;

	r->verdict = VERDICT_UNKNOWN;
	r->config_error = config_error;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

static int
rank(const struct poll_result *r)
{
	if (r->verdict == VERDICT_OUTAGE)
		return 3;
	if (r->warning)
		return 2;
	return r->verdict == VERDICT_UNKNOWN ? 1 : 0;
}

static int
acts(const struct config *c, const struct source *src)
{
	return src->acts == NULL || src->acts(c);
}

const char *
poll_source_role(const struct config *c, const char *name)
{
	for (size_t i = 0; i < NSOURCES; i++)
		if (strcmp(sources[i]->name, name) == 0)
			return acts(c, sources[i]) ? "act" : "warn";
	return "act";
}

/* an outage of a source that may only warn is a warning, not a verdict */
static void
apply_role(const struct config *c, const struct source *src,
    struct poll_result *r)
{
	size_t	len;

	if (r->verdict != VERDICT_OUTAGE || acts(c, src))
		return;
	r->verdict = VERDICT_UNKNOWN;
	r->warning = 1;
	len = strlen(r->error);
	snprintf(r->error + len, sizeof(r->error) - len, " (%s = warn: not "
	    "acting alone)", src->role_key);
}

/* the source as it answered, for health --json and status.json */
static void
add_source(cJSON *all, const struct config *c, const struct source *src,
    const struct poll_result *r)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", src->name);
	cJSON_AddStringToObject(o, "role", acts(c, src) ? "act" : "warn");
	cJSON_AddStringToObject(o, "verdict", r->abstain ? "none" :
	    r->warning ? "outage" : verdict_name(r->verdict));
	cJSON_AddBoolToObject(o, "warning", r->warning);
	if (r->error[0] != '\0')
		cJSON_AddStringToObject(o, "error", r->error);
	else
		cJSON_AddNullToObject(o, "error");
	if (r->evidence != NULL)
		cJSON_AddItemToObject(o, "evidence",
		    cJSON_Duplicate(r->evidence, 1));
	else
		cJSON_AddNullToObject(o, "evidence");
	cJSON_AddItemToArray(all, o);
}

/* a warning says what the other sources see: "Microsoft has posted nothing" */
static void
beside_warning(struct poll_result *out, struct poll_result *r)
{
	size_t	len;

	for (size_t i = 0; i < NSOURCES; i++) {
		if (r[i].abstain || r[i].verdict != VERDICT_HEALTHY ||
		    sources[i]->quiet == NULL)
			continue;
		len = strlen(out->error);
		snprintf(out->error + len, sizeof(out->error) - len, "; %s",
		    sources[i]->quiet);
	}
}

void
poll_health(const struct config *c, struct poll_ctx *p, int64_t now,
    struct poll_result *out)
{
	struct poll_result	r[NSOURCES];
	char			why[1024];
	size_t			best = NSOURCES;
	int			alert = 0;
	cJSON			*all = cJSON_CreateArray();

	memset(out, 0, sizeof(*out));
	out->source = sources[0]->name;
	if (config_graph_ready(c, why, sizeof(why)) == -1) {
		source_unknown(out, 1, "%s", why);
		out->sources = all;
		return;
	}
	p->graph.state = TOKEN_NONE;	/* sources judge this poll's token */
	for (size_t i = 0; i < NSOURCES; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].source = sources[i]->name;
		sources[i]->poll(c, p, &p->src[i], now, &r[i]);
		apply_role(c, sources[i], &r[i]);
		add_source(all, c, sources[i], &r[i]);
		alert |= r[i].alert;
		/* it cannot count: it must not hold the others' streaks */
		if (!acts(c, sources[i]) && !r[i].warning &&
		    r[i].verdict == VERDICT_UNKNOWN)
			r[i].abstain = 1;
		if (!r[i].abstain && (best == NSOURCES ||
		    rank(&r[i]) >= rank(&r[best])))
			best = i;
	}
	if (best == NSOURCES)
		source_unknown(out, 0, "no health source had anything to say");
	else {
		*out = r[best];
		r[best].evidence = NULL;
		if (out->warning)
			beside_warning(out, r);
	}
	out->alert = alert;
	out->sources = all;
	for (size_t i = 0; i < NSOURCES; i++)
		cJSON_Delete(r[i].evidence);
}

void
poll_result_free(struct poll_result *r)
{
	cJSON_Delete(r->evidence);
	cJSON_Delete(r->sources);
	r->evidence = NULL;
	r->sources = NULL;
}

int
poll_token(const struct config *c, struct poll_ctx *p, char *err,
    size_t errlen)
{
	int64_t	now = now_ms();

	if (session_token(c, &p->graph, now, now + c->graph.timeout * 1000) ==
	    -1) {
		bg_err(err, errlen, "%s", p->graph.why);
		return -1;
	}
	return 0;
}

cJSON *
poll_graph_get(const struct config *c, struct poll_ctx *p, const char *path,
    long *status, char *err, size_t errlen)
{
	return session_get(c, &p->graph, path, status, err, errlen);
}
